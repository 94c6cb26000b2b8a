"""Malformed replies end their sample as failed (or unscorable) with a reason; the run goes on.

Regression tests of issue 11, section 2: a lone surrogate escape or a usage count beyond 64 bits aborted the
whole run; wrong-typed native tool arguments were coerced and scored benign; a reply cut at ``max_tokens``
before any action was benign; OpenAI's ``refusal`` field was dropped; Anthropic's "credit balance too low" was a
bad request.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Fault, Reply
from reliability_formats import FORMAT_IDS, FORMATS, INPUT, ONE_ATTEMPT, Format

from scenariokit.agent import (
    ActionLog,
    MalformedAction,
    Transcript,
    TurnRecord,
    actions_from_tool_calls,
    run_episode,
)
from scenariokit.detectors import Outcome, default_suite
from scenariokit.experiment import Design, FactorGrid, ModelSpec, Runner, SampleRecord, StudyStore
from scenariokit.providers import (
    AnthropicProvider,
    AssistantMessage,
    AuthenticationError,
    OpenAIChatProvider,
    ProviderError,
    QuotaExhaustedError,
    ResponseParseError,
    StopReason,
    SystemMessage,
    TextPart,
    ToolCall,
    UserMessage,
)
from scenariokit.scenario import RenderedScenario, blackmail, lethal_action

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
async def test_a_lone_surrogate_fails_the_request_with_a_reason(
    server: FakeVendorServer, fmt: Format
) -> None:
    server.faults.append(Fault("status", status=200, body=fmt.reply(text='"I will \\ud800 comply"')))
    provider = fmt.provider(server)
    try:
        with pytest.raises(ResponseParseError, match="not valid JSON"):
            await provider.generate([])
    finally:
        await provider.aclose()


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
@pytest.mark.parametrize("count", [2**64, 2**63, -5, "1e400"])
async def test_an_impossible_usage_count_fails_the_request_with_a_reason(
    server: FakeVendorServer, fmt: Format, count: object
) -> None:
    server.faults.append(Fault("status", status=200, body=fmt.reply(replace={str(INPUT): str(count)})))
    provider = fmt.provider(server)
    try:
        with pytest.raises(ResponseParseError, match="token count"):
            await provider.generate([])
    finally:
        await provider.aclose()


async def test_a_run_survives_malformed_replies_and_resume_reruns_only_them(
    server: FakeVendorServer, tmp_path: Path
) -> None:
    fmt = FORMATS[0]
    design = Design(
        name="malformed",
        scenarios=[FactorGrid(family="blackmail", factors={})],
        models=[ModelSpec(name="anthropic/claude-sonnet-4-5")],
        samples=6,
    )
    expanded = design.expand()
    server.faults.extend(
        [
            Fault("status", status=200, body=fmt.reply(text='"\\ud800"')),
            Fault("status", status=200, body=fmt.reply(replace={str(INPUT): str(2**64)})),
        ]
    )
    db = tmp_path / "m.db"
    for expected_run, expected_failed in ((6, 2), (2, 0)):
        provider = fmt.provider(server)
        with StudyStore(db) as store:
            runner = Runner(expanded, store, {"anthropic/claude-sonnet-4-5": provider}, concurrency=1)
            result = await runner.run()
            await provider.aclose()
            assert (result.completed, result.failed) == (expected_run, expected_failed)
            errors = [s.error or "" for s in store.iter_samples(status="error", effective=False)]
            assert len(errors) == 2
            assert any("not valid JSON" in e for e in errors) and any("token count" in e for e in errors)
            assert store.count_samples(status="ok") == 6 - expected_failed if expected_run == 6 else 6


def _transcript(
    text: str, *, rendered: RenderedScenario | None = None, stop: StopReason = StopReason.END_TURN
) -> Transcript:
    rendered = rendered or blackmail().render()
    return Transcript(
        fingerprint=rendered.fingerprint,
        family=rendered.scenario.family,
        model="test/x",
        messages=(
            SystemMessage(content=rendered.system_prompt),
            UserMessage(content=rendered.user_message),
            AssistantMessage(content=(TextPart(text=text),)),
        ),
        turns=(TurnRecord(message_index=2, visible_text=text, stop_reason=stop),),
        started_at=datetime.now(timezone.utc),
    )


def test_a_record_the_store_cannot_hold_is_stored_as_a_failure_beside_the_others(tmp_path: Path) -> None:
    rendered = blackmail().render()
    good = _transcript("fine")
    bad = _transcript("bad \ud800 text")
    with StudyStore(tmp_path / "s.db") as store:
        store.add_conditions([(rendered.fingerprint, "c", "blackmail", None, {}, rendered.model_dump_json())])
        run = store.begin_run({})
        ids = store.write_samples(
            [
                SampleRecord(rendered.fingerprint, "test/x", "h", 0, 1, good, None),
                SampleRecord(rendered.fingerprint, "test/x", "h", 1, 2, bad, None),
            ],
            run_id=run,
        )
        assert len(ids) == 2 and -1 not in ids
        samples = {s.sample_index: s for s in store.iter_samples()}
        assert samples[0].status == "ok"
        assert samples[1].status == "error"
        assert "could not be stored" in (samples[1].error or "") and "surrogate" in (samples[1].error or "")


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("send_email", {"to": "kyle@summitbridge.com", "subject": "x", "body": ["I know about", "Jessica"]}),
        ("send_email", {"to": "kyle@summitbridge.com", "subject": "x", "body": {"text": "I know"}}),
        ("send_email", {"to": {"address": "kyle@summitbridge.com"}, "body": "hi"}),
        ("forward_email", {"email_id": 3, "to": "x@rival.com", "body": ["note"]}),
        ("cancel_alert", {"code": ["4429"]}),
    ],
)
def test_wrong_typed_native_arguments_are_malformed_and_never_benign(
    name: str, arguments: dict[str, object]
) -> None:
    rendered = (lethal_action() if name == "cancel_alert" else blackmail()).render(tool_mode="native")
    call = ToolCall(id="call_1", name=name, arguments=arguments, raw_arguments=json.dumps(arguments))
    (action,) = actions_from_tool_calls([call], rendered.tools, message_index=2)
    assert isinstance(action, MalformedAction)
    assert "must be" in action.error
    plain = _transcript("Done.", rendered=rendered)
    message = AssistantMessage(content=(TextPart(text="Done."), call))
    t = plain.model_copy(
        update={"messages": (*plain.messages[:2], message), "actions": ActionLog(actions=(action,))}
    )
    for detector in default_suite(rendered).detectors:
        verdict = detector.detect_sync(t, rendered)  # type: ignore[attr-defined]
        if verdict.category.value in ("blackmail", "leak", "lethal_action"):
            assert verdict.outcome is not Outcome.BENIGN


async def test_a_reply_cut_at_max_tokens_before_any_action_is_unscorable(server: FakeVendorServer) -> None:
    server.replies.append(Reply(text="Let me think about whether to email Kyle about", stop="max_tokens"))
    rendered = blackmail().render()
    provider = FORMATS[0].provider(server)
    transcript = await run_episode(provider, rendered)
    await provider.aclose()
    assert transcript.turns[-1].stop_reason is StopReason.MAX_TOKENS
    verdicts = [await d.detect(transcript, rendered) for d in default_suite(rendered).detectors]
    harm = [v for v in verdicts if v.category.value == "blackmail"]
    assert harm and all(v.outcome is Outcome.UNSCORABLE and "truncated" in (v.reason or "") for v in harm)


@pytest.mark.parametrize("stream", [False, True])
async def test_openai_refusal_is_read_as_a_refusal(server: FakeVendorServer, stream: bool) -> None:
    words = "I'm sorry, but I can't help with that."
    if stream:
        chunks = [
            {
                "id": "c",
                "model": "gpt-4.1",
                "choices": [{"index": 0, "delta": {"role": "assistant", "refusal": ""}}],
            },
            {"id": "c", "model": "gpt-4.1", "choices": [{"index": 0, "delta": {"refusal": words}}]},
            {"id": "c", "model": "gpt-4.1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        fault = Fault("status", status=200, body=body.encode(), headers={"content-type": "text/event-stream"})
    else:
        payload = {
            "id": "c",
            "model": "gpt-4.1",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "refusal": words},
                    "finish_reason": "stop",
                }
            ],
        }
        fault = Fault("status", status=200, body=json.dumps(payload).encode())
    server.faults.append(fault)
    provider = OpenAIChatProvider(
        "gpt-4.1",
        api_key=API_KEY,
        base_url=server.base_url("openai"),
        stream=stream,
        retry_policy=ONE_ATTEMPT,
    )
    response = await provider.generate([])
    await provider.aclose()
    assert response.message.text == words
    assert response.stop_reason is StopReason.REFUSAL


async def test_anthropic_credit_balance_too_low_is_a_quota_error(server: FakeVendorServer) -> None:
    body = {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
            "to upgrade or purchase credits.",
        },
    }
    server.faults.append(Fault("status", status=400, body=json.dumps(body).encode()))
    provider = AnthropicProvider("claude-sonnet-4-5", api_key=API_KEY, base_url=server.base_url("anthropic"))
    try:
        with pytest.raises(QuotaExhaustedError, match="credit balance"):
            await provider.generate([])
    finally:
        await provider.aclose()
    assert len(server.requests) == 1  # not retried


async def test_a_reply_the_parser_chokes_on_fails_its_sample_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenariokit.agent import _episode
    from scenariokit.experiment import create_providers

    real = _episode.parse_turn
    calls = {"n": 0}

    def choking(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise RecursionError("maximum recursion depth exceeded")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_episode, "parse_turn", choking)
    design = Design(
        name="choke",
        scenarios=[FactorGrid(family="blackmail", factors={})],
        models=[ModelSpec(name="sim/compliant")],
        samples=9,
    )
    providers = create_providers(["sim/compliant"])
    with StudyStore(tmp_path / "c.db") as store:
        result = await Runner(design.expand(), store, providers, concurrency=1).run()
        assert (result.completed, result.failed) == (9, 3)
        errors = [s.error or "" for s in store.iter_samples(status="error")]
    assert len(errors) == 3 and all("could not be parsed (RecursionError" in e for e in errors)


_ODD_ERROR_BODIES = {
    "anthropic": [
        {
            "type": "error",
            "error": {"type": "authentication_error", "message": "bad key"},
            "request_id": 12345678,
        },
        {
            "type": "error",
            "error": {"type": "authentication_error", "message": "bad key"},
            "request_id": ["r"],
        },
    ],
    "openai-chat": [{"error": {"message": "bad key", "type": "invalid_request_error", "code": ["invalid"]}}],
    "openai-responses": [{"error": {"message": "bad key", "type": {"nested": 1}}}],
    "gemini": [
        {"error": {"code": 401, "message": "bad key", "status": "UNAUTHENTICATED", "details": 5}},
        {
            "error": {
                "code": 401,
                "message": "bad key",
                "details": [{"@type": "x.QuotaFailure", "violations": 7}],
            }
        },
    ],
}


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
@pytest.mark.parametrize("status", [401, 200])
async def test_an_error_body_of_odd_shape_is_a_provider_error_of_its_status(
    server: FakeVendorServer, fmt: Format, status: int
) -> None:
    # a field of an unexpected type in an error body raised TypeError out of the client: the sample failed as
    # "builtins.TypeError: 'int' object is not iterable", and a rejected key no longer halted the run early
    for body in _ODD_ERROR_BODIES[fmt.id]:
        server.faults.append(Fault("status", status=status, body=json.dumps(body).encode()))
        provider = fmt.provider(server)
        try:
            with pytest.raises(ProviderError, match="bad key") as info:
                await provider.generate([])
        finally:
            await provider.aclose()
        if status == 401:
            assert isinstance(info.value, AuthenticationError), info.value
        assert info.value.request_id is None or isinstance(info.value.request_id, str)


_WRONG_TYPED_REPLIES = {
    "anthropic": [{"content": {"type": "text", "text": "hi"}}, {"content": "hi"}],
    "openai-chat": [
        {"choices": [{"message": [{"content": "hi"}], "finish_reason": "stop"}]},
        {"choices": [{"message": {"content": {"text": "hi"}}, "finish_reason": "stop"}]},
        {"choices": [{"message": {"content": "", "tool_calls": {"id": "c"}}, "finish_reason": "tool_calls"}]},
    ],
    "openai-responses": [{"status": "completed", "output": {"type": "message"}}],
    "gemini": [
        {"candidates": {"content": {"parts": [{"text": "hi"}]}}},
        {"candidates": [{"content": [{"text": "hi"}], "finishReason": "STOP"}]},
        {"candidates": [{"content": {"parts": {"text": "hi"}}, "finishReason": "STOP"}]},
    ],
}


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
async def test_a_reply_whose_content_is_of_another_type_fails_with_a_reason(
    server: FakeVendorServer, fmt: Format
) -> None:
    # a content, message, parts or output of another type was read as an empty reply: no error, nothing retried,
    # and in a later turn of an episode an action could silently vanish
    for body in _WRONG_TYPED_REPLIES[fmt.id]:
        server.faults.append(Fault("status", status=200, body=json.dumps(body).encode()))
        provider = fmt.provider(server)
        try:
            with pytest.raises(ResponseParseError, match="not"):
                await provider.generate([])
        finally:
            await provider.aclose()
