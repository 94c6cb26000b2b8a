"""A tolerant server-sent-events parser (comment lines, blank-line preambles, CRLF, bare JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SSEEvent:
    """One server-sent event.

    Attributes:
        event: The ``event:`` field, or ``""`` when absent.
        data: The ``data:`` lines joined by newlines.
    """

    event: str
    data: str


async def iter_sse(lines: AsyncIterator[str]) -> AsyncIterator[SSEEvent]:
    """Turn lines of an ``text/event-stream`` body into events.

    Comment lines (``: keep-alive``, ``: OPENROUTER PROCESSING``) and leading blank lines are
    skipped; a line that is a bare JSON object (Gemini sends errors that way mid-stream) is treated
    as a ``data:`` line.

    Args:
        lines: The body's lines without line terminators (``httpx.Response.aiter_lines()``).

    Yields:
        Each complete event that has data.
    """
    event = ""
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data:
                yield SSEEvent(event, "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        if line.startswith("{"):
            data.append(line)
            continue
        field, sep, value = line.partition(":")
        if not sep:
            continue
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield SSEEvent(event, "\n".join(data))
