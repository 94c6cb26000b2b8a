"""Configured secrets, and their fragments of 8+ characters, never leave through response-derived text.

Regression tests of issue 11, section 2: the first bytes of a non-JSON 200 body and the ``x-request-id`` header
reached error texts unredacted when an endpoint echoed the key.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Fault
from hypothesis import given
from hypothesis import strategies as st
from reliability_formats import FORMAT_IDS, FORMATS, Format

from scenariokit.agent import EpisodeError
from scenariokit.cli import main
from scenariokit.experiment import StudyStore
from scenariokit.providers import ProviderError, RetryPolicy
from scenariokit.providers._secret import FRAGMENT, Secret, redact, redact_known
from scenariokit.report import render, summarize

pytestmark = pytest.mark.anyio

ECHOES = [API_KEY, API_KEY[3:20], API_KEY[-FRAGMENT:], f"Bearer {API_KEY}"]


def _leaks(text: str) -> bool:
    return any(API_KEY[k : k + FRAGMENT] in text for k in range(len(API_KEY) - FRAGMENT + 1))


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
@pytest.mark.parametrize("echo", ECHOES)
async def test_a_non_json_200_body_echoing_the_key_is_redacted(
    server: FakeVendorServer, fmt: Format, echo: str
) -> None:
    server.faults.append(Fault("status", status=200, body=f"<html>proxy says: {echo}</html>".encode()))
    provider = fmt.provider(server)
    try:
        with pytest.raises(ProviderError) as info:
            await provider.generate([])
    finally:
        await provider.aclose()
    texts = [
        str(info.value),
        info.value.what,
        repr(info.value.args),
        EpisodeError.from_exception(info.value, turn=0).message,
    ]
    assert "proxy says" in texts[0]
    assert not any(_leaks(t) for t in texts)


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
@pytest.mark.parametrize("status", [200, 500, 401])
async def test_a_request_id_header_echoing_the_key_is_redacted(
    server: FakeVendorServer, fmt: Format, status: int
) -> None:
    echo = {"x-request-id": f"req-{API_KEY}", "request-id": f"req-{API_KEY[2:18]}"}
    body = fmt.reply() if status == 200 else b'{"error": {"message": "boom", "type": "api_error"}}'
    server.faults.append(Fault("status", status=status, body=body, headers=echo))
    provider = fmt.provider(server)
    try:
        if status == 200:
            response = await provider.generate([])
            assert not _leaks(response.model_dump_json())
            return
        with pytest.raises(ProviderError) as info:
            await provider.generate([])
    finally:
        await provider.aclose()
    assert not _leaks(str(info.value)) and not _leaks(info.value.request_id or "")


@pytest.mark.parametrize("status", [500, 401])
@pytest.mark.parametrize("request_id", [[API_KEY], {"echo": API_KEY}])
async def test_a_request_id_in_an_error_body_echoing_the_key_is_redacted(
    server: FakeVendorServer, status: int, request_id: object, caplog: pytest.LogCaptureFixture
) -> None:
    # Anthropic's error bodies carry a request_id: one that was not a string (a list, an object holding the
    # key) went into the exception text, and the retry log line, unredacted
    body = {"type": "error", "error": {"type": "api_error", "message": "boom"}, "request_id": request_id}
    server.faults.extend([Fault("status", status=status, body=json.dumps(body).encode())] * 2)
    provider = FORMATS[0].provider(server, retry_policy=RetryPolicy(max_attempts=2, initial_backoff=0.0))
    caplog.set_level(logging.INFO, logger="scenariokit.providers")
    try:
        with pytest.raises(ProviderError) as info:
            await provider.generate([])
    finally:
        await provider.aclose()
    assert "boom" in str(info.value)
    assert not _leaks(str(info.value)) and not _leaks(str(info.value.request_id))
    assert not _leaks(caplog.text)


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
async def test_a_reply_body_echoing_the_key_is_redacted(server: FakeVendorServer, fmt: Format) -> None:
    server.faults.append(Fault("status", status=200, body=fmt.reply(text=f"your key is {API_KEY[4:30]}")))
    provider = fmt.provider(server)
    try:
        response = await provider.generate([])
    finally:
        await provider.aclose()
    assert "your key is ***" in response.message.text
    assert not _leaks(response.model_dump_json())


def _stream_of(fmt_id: str, pieces: list[str]) -> bytes:
    """An SSE reply of a format whose text comes in ``pieces`` (one delta each, as a model streams tokens)."""

    def event(data: dict[str, object]) -> str:
        return f"data: {json.dumps(data)}\n\n"

    if fmt_id == "anthropic":
        events = [
            event({"type": "message_start", "message": {"usage": {"input_tokens": 5}}}),
            event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            *(
                event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}})
                for p in pieces
            ),
            event(
                {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}
            ),
            event({"type": "message_stop"}),
        ]
    elif fmt_id == "openai-chat":
        events = [event({"choices": [{"index": 0, "delta": {"content": p}}]}) for p in pieces]
        events += [
            event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
            "data: [DONE]\n\n",
        ]
    else:
        events = [
            event({"candidates": [{"content": {"role": "model", "parts": [{"text": p}]}}]}) for p in pieces
        ]
        events += [event({"candidates": [{"content": {"parts": []}, "finishReason": "STOP"}]})]
    return "".join(events).encode()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.id != "openai-responses"], ids=lambda f: f.id)
async def test_a_streamed_reply_echoing_the_key_token_by_token_is_redacted(
    server: FakeVendorServer, fmt: Format
) -> None:
    # each event was cleared on its own, and no delta of a few characters holds an 8-character fragment: the
    # assembled reply kept the whole key (the same reply, not streamed, was redacted)
    text = f"your key is {API_KEY}, keep it safe"
    pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
    body = _stream_of(fmt.id, pieces)
    server.faults.append(
        Fault("status", status=200, body=body, headers={"content-type": "text/event-stream"})
    )
    provider = fmt.provider(server, stream=True)
    try:
        response = await provider.generate([])
    finally:
        await provider.aclose()
    assert response.message.text == "your key is ***, keep it safe"
    assert not _leaks(response.model_dump_json())


_KEYS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=8, max_size=60
)


@given(key=_KEYS, data=st.data())
def test_no_fragment_of_8_or_more_characters_survives_redaction(key: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(key) - FRAGMENT))
    stop = data.draw(st.integers(start + FRAGMENT, len(key)))
    before = data.draw(st.text(alphabet=" .,:;()<>[]'\"\n", max_size=20))
    after = data.draw(st.text(alphabet=" .,:;()<>[]'\"\n", max_size=20))
    text = f"{before}{key[start:stop]}{after}{key}{before}"
    cleaned = redact(text, [Secret(key)])
    assert not any(key[k : k + FRAGMENT] in cleaned for k in range(len(key) - FRAGMENT + 1))
    assert cleaned.startswith(before) and "***" in cleaned


def test_redaction_leaves_text_without_secrets_alone() -> None:
    assert redact("nothing to hide here", [Secret("sk-abcdefghijklmnop")]) == "nothing to hide here"


def test_a_key_in_the_environment_is_a_configured_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-ENVONLY0123456789")
    assert redact_known("echo: sk-proj-ENVONLY0123456789 and ENVONLY012") == "echo: *** and ***"


def test_a_key_stored_by_an_older_version_is_masked_in_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-ant-OLDSTORE-0123456789abcdefghij"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    db = tmp_path / "old.db"
    assert (
        main(
            [
                "run",
                "--family",
                "blackmail",
                "--model",
                "sim/compliant",
                "--samples",
                "2",
                "--out",
                str(db),
                "--quiet",
            ]
        )
        == 0
    )
    conn = sqlite3.connect(db)  # what a store written before errors were redacted can hold
    conn.execute(
        "UPDATE samples SET status = 'error', error = ? WHERE sample_index = 0",
        (f"AuthenticationError: bad key {key}",),
    )
    conn.commit()
    conn.close()
    with StudyStore(db, readonly=True) as store:
        summary = summarize(store)
    for fmt in ("md", "json", "html"):
        text = render(summary, fmt)
        assert "bad key ***" in text and "OLDSTORE" not in text
