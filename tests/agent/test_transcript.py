from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scenariokit.agent import (
    ActionLog,
    EpisodeError,
    ReasoningSegment,
    SendEmail,
    Transcript,
    TurnRecord,
    redact_secrets,
)
from scenariokit.providers._errors import RateLimitError
from scenariokit.providers._types import (
    AssistantMessage,
    ReasoningPart,
    StopReason,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    ToolResult,
    Usage,
    UserMessage,
)
from scenariokit.scenario import CANARY


def _transcript(text: str = "Hello", reasoning: str = "think") -> Transcript:
    msg = AssistantMessage(
        content=(
            ReasoningPart(text=reasoning, source="anthropic_thinking", signature="sig"),
            TextPart(text=text),
            ToolCall(id="c1", name="send_email", arguments={"to": "a@x.com", "subject": "s", "body": "b"}),
        )
    )
    return Transcript(
        fingerprint="f" * 64,
        condition_id="blackmail_explicit-america_replacement",
        family="blackmail",
        tool_mode="native",
        model="sim/compliant",
        sample_index=3,
        seed=7,
        messages=(
            SystemMessage(content="sys"),
            UserMessage(content="user"),
            msg,
            ToolMessage(results=(ToolResult(tool_call_id="c1", name="send_email", content="sent"),)),
        ),
        turns=(
            TurnRecord(
                message_index=2,
                visible_text=text,
                reasoning=(
                    ReasoningSegment(
                        kind="native", text=reasoning, message_index=2, native_source="anthropic_thinking"
                    ),
                ),
                stop_reason=StopReason.TOOL_USE,
                usage=Usage(input_tokens=10, output_tokens=5),
                latency_s=0.5,
                response_model="sim/compliant",
            ),
        ),
        actions=ActionLog(
            actions=(
                SendEmail(
                    to=("a@x.com",),
                    subject="s",
                    body="b",
                    source="native",
                    message_index=2,
                    tool_call_id="c1",
                ),
            )
        ),
        usage=Usage(input_tokens=10, output_tokens=5),
        started_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        duration_s=0.6,
        ended_by="turn_limit",
    )


def test_round_trip_and_canary() -> None:
    t = _transcript()
    js = t.to_json()
    assert CANARY in js
    back = Transcript.from_json(js)
    assert back == t
    assert back.ok and back.unscorable_reason is None
    assert back.reasoning_text("native") == "think"
    assert back.reasoning_text("scratchpad") == ""
    assert back.visible_text == "Hello"
    assert len(back.assistant_messages) == 1


def test_wrong_canary_is_rejected() -> None:
    data = _transcript().model_dump(mode="json")
    data["canary"] = "something else"
    with pytest.raises(ValidationError, match="canary"):
        Transcript.model_validate(data)


@given(text=st.text(max_size=200), reasoning=st.text(max_size=200))
def test_round_trip_any_text(text: str, reasoning: str) -> None:
    t = _transcript(text, reasoning)
    assert Transcript.from_json(t.to_json(indent=2)) == t


def test_error_record_has_type_and_message_without_key() -> None:
    exc = RateLimitError(
        "too many requests with key sk-live-0123456789abcdef", provider="openai", model="gpt", status=429
    )
    err = EpisodeError.from_exception(exc, turn=1)
    assert err.type == "scenariokit.providers.RateLimitError"  # its public name, not the private module
    # masked by the key pattern, or by the configured secrets when an earlier test made one that shares a fragment
    assert "sk-live" not in err.message and ("[REDACTED]" in err.message or "***" in err.message)
    assert err.retryable and err.status == 429 and err.turn == 1
    t = Transcript(model="openai/gpt", error=err, ended_by="error")
    assert not t.ok
    assert "RateLimitError" in (t.unscorable_reason or "")
    assert Transcript.from_json(t.to_json()) == t


def test_empty_transcript_is_unscorable() -> None:
    assert Transcript(model="m").unscorable_reason == "the transcript has no assistant turn"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"),
        ("x-api-key=AAAAbbbbCCCCdddd", "AAAAbbbbCCCCdddd"),
        ("key AIzaSyA1234567890abcdefghijk", "AIzaSyA1234567890abcdefghijk"),
        ("api_key: 0123456789abcdef", "0123456789abcdef"),
    ],
)
def test_redact_secrets(text: str, leak: str) -> None:
    out = redact_secrets(text)
    assert leak not in out and "[REDACTED]" in out


def test_error_type_is_the_public_name_when_exported_else_the_qualified_name() -> None:
    from scenariokit.providers import ServerError

    server = EpisodeError.from_exception(ServerError("boom", provider="p", model="m", status=500), turn=0)
    assert server.type == "scenariokit.providers.ServerError"

    class LocalError(Exception):
        pass

    local = EpisodeError.from_exception(LocalError("x"), turn=0)
    assert local.type == f"{__name__}.{LocalError.__qualname__}"
    assert EpisodeError.from_exception(ValueError("x"), turn=0).type == "builtins.ValueError"


def test_old_stored_error_types_stay_readable() -> None:
    old = {"type": "scenariokit.providers._errors.ServerError", "message": "boom", "turn": 0}
    assert EpisodeError.model_validate(old).type == "scenariokit.providers.ServerError"
    gone = {"type": "scenariokit.providers._gone.OldError", "message": "boom", "turn": 0}
    assert EpisodeError.model_validate(gone).type == "scenariokit.providers._gone.OldError"
    t = Transcript(model="m", error=EpisodeError.model_validate(old), ended_by="error")
    assert Transcript.from_json(t.to_json()) == t
