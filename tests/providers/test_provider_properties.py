"""Property-based tests: fingerprints, vendor encode/decode round trips, header parsing, SSE."""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.providers import (
    AnthropicProvider,
    AssistantMessage,
    GeminiProvider,
    GenerateConfig,
    GenerateRequest,
    OpenAIChatProvider,
    ReasoningPart,
    SystemMessage,
    TextPart,
    Tool,
    ToolCall,
    ToolMessage,
    ToolResult,
    UserMessage,
    parse_retry_after,
    split_think_tags,
)
from scenariokit.providers._anthropic import decode_content
from scenariokit.providers._gemini import decode_parts
from scenariokit.providers._openai import decode_chat_message
from scenariokit.providers._sse import SSEEvent, iter_sse

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda s: "<think>" not in s and "</think>" not in s and s.strip()
)
names = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
arguments = st.dictionaries(names, json_values, max_size=4)
tool_calls = st.builds(
    ToolCall,
    id=st.from_regex(r"call_[a-z0-9]{4,8}", fullmatch=True),
    name=names,
    arguments=arguments,
)
assistant_messages = st.builds(
    lambda parts: AssistantMessage(content=tuple(parts)),
    st.lists(st.builds(TextPart, text=text) | tool_calls, min_size=1, max_size=4),
)
messages = st.lists(
    st.builds(SystemMessage, content=text) | st.builds(UserMessage, content=text) | assistant_messages,
    min_size=1,
    max_size=5,
)
configs = st.builds(
    GenerateConfig,
    temperature=st.none() | st.floats(0, 2),
    max_tokens=st.integers(1, 100_000),
    seed=st.none() | st.integers(0, 2**31),
    stop=st.lists(text, max_size=2).map(tuple),
    reasoning_effort=st.none() | st.sampled_from(["none", "low", "medium", "high"]),
)
TOOL = Tool(name="send_email", description="Send.", parameters={"type": "object"}, text_tag="email")


def _merge_text(parts: tuple[Any, ...]) -> list[Any]:
    """Adjacent text parts are one text block for vendors; compare on merged text."""
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, TextPart) and merged and isinstance(merged[-1], TextPart):
            merged[-1] = TextPart(text=merged[-1].text + part.text)
        else:
            merged.append(part)
    return merged


@settings(max_examples=40, deadline=None)
@given(messages, configs, st.integers(0, 100))
def test_fingerprint_is_stable_and_sensitive(msgs: list[Any], config: GenerateConfig, sample: int):
    request = GenerateRequest(messages=tuple(msgs), tools=(TOOL,), config=config, sample_index=sample)
    again = GenerateRequest.model_validate_json(request.model_dump_json())
    assert again.fingerprint() == request.fingerprint()
    assert len(request.fingerprint()) == 64
    timed = request.model_copy(update={"config": config.model_copy(update={"timeout": 3.0})})
    assert timed.fingerprint() == request.fingerprint()
    other = request.model_copy(update={"sample_index": sample + 1})
    assert other.fingerprint() != request.fingerprint()


@settings(max_examples=50, deadline=None)
@given(assistant_messages)
def test_anthropic_assistant_round_trip(message: AssistantMessage):
    provider = AnthropicProvider("m", api_key="k")
    body = provider.encode(GenerateRequest(messages=(UserMessage(content="u"), message)))
    blocks = body["messages"][-1]["content"]
    decoded = decode_content(blocks)
    expected = [p for p in message.content if not (isinstance(p, TextPart) and not p.text)]
    assert list(decoded) == expected


@settings(max_examples=50, deadline=None)
@given(assistant_messages)
def test_openai_assistant_round_trip(message: AssistantMessage):
    provider = OpenAIChatProvider("m", api_key="k")
    body = provider.encode(GenerateRequest(messages=(message,)))
    decoded = decode_chat_message(body["messages"][-1])
    assert "".join(p.text for p in decoded if isinstance(p, TextPart)) == message.text
    calls = [p for p in decoded if isinstance(p, ToolCall)]
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        (c.id, c.name, c.arguments) for c in message.tool_calls
    ]
    assert all(c.parse_error is None for c in calls)


@settings(max_examples=50, deadline=None)
@given(assistant_messages)
def test_gemini_assistant_round_trip(message: AssistantMessage):
    provider = GeminiProvider("m", api_key="k")
    body = provider.encode(GenerateRequest(messages=(UserMessage(content="u"), message)))
    decoded = decode_parts(body["contents"][-1]["parts"])
    assert _merge_text(tuple(p for p in decoded if isinstance(p, TextPart))) == _merge_text(
        tuple(p for p in message.content if isinstance(p, TextPart))
    )
    assert [(c.name, c.arguments) for c in decoded if isinstance(c, ToolCall)] == [
        (c.name, c.arguments) for c in message.tool_calls
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(ToolResult, tool_call_id=names, name=names, content=text, is_error=st.booleans()),
        min_size=1,
        max_size=3,
    )
)
def test_tool_results_reach_every_vendor(results: list[ToolResult]):
    request = GenerateRequest(messages=(ToolMessage(results=tuple(results)),))
    anthropic = AnthropicProvider("m", api_key="k").encode(request)["messages"]
    assert [b["tool_use_id"] for b in anthropic[0]["content"]] == [r.tool_call_id for r in results]
    openai = OpenAIChatProvider("m", api_key="k").encode(request)["messages"]
    assert [m["tool_call_id"] for m in openai] == [r.tool_call_id for r in results]
    gemini = GeminiProvider("m", api_key="k").encode(request)["contents"]
    assert [p["functionResponse"]["name"] for p in gemini[0]["parts"]] == [r.name for r in results]


@given(text, text)
def test_think_tags_split(reasoning: str, visible: str):
    assert split_think_tags(visible) == ("", visible)
    found, rest = split_think_tags(f"<think>{reasoning}</think>{visible}")
    assert found == reasoning.strip()
    assert rest == visible.lstrip("\n")
    found, rest = split_think_tags(f"{reasoning}</think>{visible}")
    assert found == reasoning.strip()


@given(st.floats(0, 1e6, allow_nan=False))
def test_retry_after_seconds(seconds: float):
    assert parse_retry_after({"retry-after": repr(seconds)}) == pytest.approx(seconds)
    assert parse_retry_after({"Retry-After-Ms": repr(seconds)}) == pytest.approx(seconds / 1000)


@given(st.integers(0, 10**6))
def test_retry_after_http_date(offset: int):
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + offset, usegmt=True)
    assert parse_retry_after({"retry-after": header}, now=now) == pytest.approx(offset, abs=1)


@given(st.text(max_size=30))
def test_retry_after_never_raises(value: str):
    result = parse_retry_after({"retry-after": value, "retry-after-ms": value})
    assert result is None or result >= 0


events = st.lists(
    st.tuples(
        st.sampled_from(["", "message_start", "ping"]),
        st.lists(
            st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20),
            min_size=1,
            max_size=3,
        ),
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(events, st.booleans(), st.booleans())
def test_sse_parser(expected: list[tuple[str, list[str]]], crlf: bool, preamble: bool):
    newline = "\r\n" if crlf else "\n"
    lines: list[str] = ["", ": keep-alive", ""] if preamble else []
    for name, data in expected:
        if name:
            lines.append(f"event: {name}")
        lines.append(": OPENROUTER PROCESSING")
        lines.extend(f"data: {d}" for d in data)
        lines.append("")
    raw = newline.join(lines)

    async def collect() -> list[SSEEvent]:
        async def source() -> AsyncIterator[str]:
            for line in raw.split("\n"):
                yield line

        return [e async for e in iter_sse(source())]

    parsed = anyio.run(collect)
    assert [(e.event, e.data) for e in parsed] == [(n, "\n".join(d)) for n, d in expected]


def test_reasoning_parts_keep_signatures_for_anthropic_only():
    message = AssistantMessage(
        content=(
            ReasoningPart(text="t", source="anthropic_thinking", signature="s"),
            ReasoningPart(text="other", source="think_tag"),
            TextPart(text="hi"),
        )
    )
    body = AnthropicProvider("m", api_key="k").encode(GenerateRequest(messages=(message,)))
    assert body["messages"][0]["content"] == [
        {"type": "thinking", "thinking": "t", "signature": "s"},
        {"type": "text", "text": "hi"},
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_request_bodies_encode_like_json(value: Any):
    import json

    from scenariokit.providers._base import encode_body

    raw = encode_body(value)
    assert json.loads(raw) == value
    if not _has_float(value):  # float spellings may differ (1e-07 / 1e-7); everything else is byte-identical
        assert raw == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return False


def test_a_body_pydantic_cannot_encode_fails_as_json_would():
    from scenariokit.providers._base import encode_body

    with pytest.raises(UnicodeEncodeError):
        encode_body({"text": "lone surrogate \ud800"})


DEEP = '{"to": ' + "[" * 100_000 + "]" * 100_000 + "}"
"""JSON nested past Python's recursion limit: ``json.loads`` raises ``RecursionError``, not ``ValueError``."""


def test_tool_arguments_nested_too_deeply_are_malformed_arguments() -> None:
    # the sample failed as "builtins.RecursionError" (a model's arguments are the model's, and malformed ones
    # are kept as a malformed call, as any other invalid JSON is)
    from scenariokit.providers._types import parse_tool_arguments

    arguments, error = parse_tool_arguments(DEEP)
    assert arguments == {} and error is not None and "nested too deeply" in error
