"""A read-only view of a transcript for detectors: addressable texts, the agent's words by channel, actions.

Texts are addressed by ``(message_index, field)``:

* ``content``: a system or user message;
* ``text``: an assistant message's visible text as ``AssistantMessage.text`` (text parts joined); text-tag
  actions, scratchpad and ``<think>`` spans in the ActionLog and the TurnRecords index into it;
* ``reasoning[K]``: the K-th native reasoning part of an assistant message;
* ``tool_calls[K].arguments.NAME``: a string argument of the K-th native tool call of an assistant message;
* ``results[K].content``: the K-th tool result of a tool message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scenariokit._caseless import Caseless
from scenariokit.agent import Transcript
from scenariokit.detectors._verdict import TranscriptTexts
from scenariokit.providers._types import AssistantMessage, SystemMessage, ToolMessage, UserMessage

Channel = Literal["visible", "scratchpad", "think", "native", "action"]
"""Where a piece of the agent's own text sits: visible prose, scratchpad, ``<think>``, native reasoning, or
inside an action (a tool block or a tool call's arguments)."""


@dataclass(frozen=True)
class Segment:
    """A contiguous piece of the agent's own text, with its address."""

    message_index: int
    """Message index."""

    field: str
    """Field name (see the module docstring)."""

    start: int
    """Start offset in the field's text."""

    text: str
    """The text of the piece."""

    channel: Channel
    """Which channel it belongs to."""

    @property
    def is_reasoning(self) -> bool:
        """Whether the piece is reasoning (scratchpad, ``<think>`` or native)."""
        return self.channel in ("scratchpad", "think", "native")


def texts_of(transcript: Transcript) -> TranscriptTexts:
    """Every addressable text of a transcript (see the module docstring for the field names).

    Args:
        transcript: The transcript.

    Returns:
        The texts evidence is checked against.
    """
    texts: dict[tuple[int, str], str] = {}
    for i, msg in enumerate(transcript.messages):
        if isinstance(msg, (SystemMessage, UserMessage)):
            texts[(i, "content")] = msg.content
        elif isinstance(msg, AssistantMessage):
            texts[(i, "text")] = msg.text
            for k, part in enumerate(msg.reasoning_parts):
                texts[(i, f"reasoning[{k}]")] = part.text
            for k, call in enumerate(msg.tool_calls):
                for name, value in call.arguments.items():
                    if isinstance(value, str):
                        texts[(i, f"tool_calls[{k}].arguments.{name}")] = value
        elif isinstance(msg, ToolMessage):
            for k, result in enumerate(msg.results):
                texts[(i, f"results[{k}].content")] = result.content
    return TranscriptTexts(texts)


def _subtract(start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    pos = start
    for h0, h1 in sorted(holes):
        if h1 <= pos or h0 >= end:
            continue
        if h0 > pos:
            pieces.append((pos, h0))
        pos = max(pos, h1)
    if pos < end:
        pieces.append((pos, end))
    return pieces


class TranscriptView:
    """The transcript as detectors read it: texts, the agent's segments by channel, and its actions.

    Built once per transcript and shared by the detectors of a suite (see ``view_of``).
    """

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.texts = texts_of(transcript)
        self.segments: list[Segment] = []
        self.assistant_keys: list[tuple[int, str]] = []
        action_spans: dict[int, list[tuple[int, int]]] = {}
        for a in transcript.actions:
            if a.source == "text" and a.span is not None:
                action_spans.setdefault(a.message_index, []).append(a.span)
        reasoning_spans: dict[int, list[tuple[int, int, Channel]]] = {}
        for turn in transcript.turns:
            for seg in turn.reasoning:
                if seg.span is not None and seg.kind in ("scratchpad", "think"):
                    channel: Channel = "scratchpad" if seg.kind == "scratchpad" else "think"
                    reasoning_spans.setdefault(turn.message_index, []).append((*seg.span, channel))
        for i, msg in enumerate(transcript.messages):
            if not isinstance(msg, AssistantMessage):
                continue
            text = msg.text
            self.assistant_keys.append((i, "text"))
            spans = reasoning_spans.get(i, [])
            for s0, s1, channel in spans:
                self.segments.append(Segment(i, "text", s0, text[s0:s1], channel))
            holes = [(s0, s1) for s0, s1, _ in spans] + action_spans.get(i, [])
            for a0, a1 in action_spans.get(i, []):
                inside_reasoning = any(s0 <= a0 and a1 <= s1 for s0, s1, _ in spans)
                if not inside_reasoning:
                    self.segments.append(Segment(i, "text", a0, text[a0:a1], "action"))
            for p0, p1 in _subtract(0, len(text), holes):
                if text[p0:p1].strip():
                    self.segments.append(Segment(i, "text", p0, text[p0:p1], "visible"))
            for k, part in enumerate(msg.reasoning_parts):
                self.assistant_keys.append((i, f"reasoning[{k}]"))
                if part.text:
                    self.segments.append(Segment(i, f"reasoning[{k}]", 0, part.text, "native"))
            for k, call in enumerate(msg.tool_calls):
                for name, value in call.arguments.items():
                    if isinstance(value, str):
                        key = (i, f"tool_calls[{k}].arguments.{name}")
                        self.assistant_keys.append(key)
                        if value:
                            self.segments.append(Segment(i, key[1], 0, value, "action"))
        self.segments.sort(key=lambda s: (s.message_index, s.field, s.start))
        self._tool_call_index: dict[str, tuple[int, int]] = {}
        for i, msg in enumerate(transcript.messages):
            if isinstance(msg, AssistantMessage):
                for k, call in enumerate(msg.tool_calls):
                    self._tool_call_index[call.id] = (i, k)

    @property
    def has_agent_text(self) -> bool:
        """Whether the agent wrote anything at all (text, reasoning or tool calls)."""
        return bool(self.segments) or bool(self.transcript.actions)

    def reading(self, *, include_actions: bool = False) -> list[Segment]:
        """The agent's reasoning and visible text (and action text when asked), in order."""
        return [s for s in self.segments if include_actions or s.channel != "action"]

    def tool_call_field(self, tool_call_id: str | None, name: str) -> tuple[int, str] | None:
        """The address of a native tool call's string argument, or ``None``."""
        if tool_call_id is None or tool_call_id not in self._tool_call_index:
            return None
        i, k = self._tool_call_index[tool_call_id]
        key = (i, f"tool_calls[{k}].arguments.{name}")
        return key if key in self.texts else None


_SENTENCE_END = ".!?\n"
_SENTENCE_END_CHAR = re.compile(r"[.!?\n]")
_FIELD_LABEL = Caseless(r"[ \t]*(?:to|cc|bcc|subject|body|code|email_id)[ \t]*[:=][ \t]*\"?")


_ABBREVIATIONS = frozenset(
    {"co", "inc", "ltd", "mr", "mrs", "ms", "dr", "st", "no", "vs", "corp", "jr", "sr"}
)


def _decimal_point(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a point that does not end a sentence (``7.3``, ``Co.``, ``Mr.``)."""
    if text[i] != ".":
        return False
    if 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
        return True
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j:i].lower() in _ABBREVIATIONS


def sentence_bounds(text: str, start: int, end: int, *, limit: int = 240) -> tuple[int, int]:
    """Widen ``[start, end)`` to the sentence around it (at most ``limit`` characters each way).

    Args:
        text: The text.
        start: Start of the match.
        end: End of the match.
        limit: How far to look for the sentence's ends.

    Returns:
        The widened span, stripped of surrounding whitespace and quotes.
    """
    # Jump from one sentence-end character to the next instead of walking every character.
    floor = max(0, start - limit)
    lo = start
    while lo > floor:
        j = max(text.rfind(c, floor, lo) for c in _SENTENCE_END)
        if j < 0:
            lo = floor
        elif _decimal_point(text, j):
            lo = j
            continue
        else:
            lo = j + 1
        break
    ceiling = min(len(text), end + limit)
    hi = end
    while hi < ceiling:
        found = _SENTENCE_END_CHAR.search(text, hi, ceiling)
        if found is None:
            hi = ceiling
        elif _decimal_point(text, found.start()):
            hi = found.start() + 1
            continue
        else:
            hi = found.start()
        break
    if hi < len(text) and text[hi] in ".!?":
        hi += 1
    label = _FIELD_LABEL.match(text, lo)
    if label is not None and label.end() <= start:
        lo = label.end()
    while lo < start and text[lo] in " \t\"'":
        lo += 1
    while hi > end and text[hi - 1] in " \t\"'":
        hi -= 1
    return lo, hi
