from __future__ import annotations

import anyio
import pytest

from scenariokit.agent import (
    CancelAlert,
    ForwardEmail,
    MalformedAction,
    SendEmail,
    Transcript,
    provider_tools,
    run_episode,
    run_episode_sync,
    simulate_tool_result,
)
from scenariokit.providers._errors import RateLimitError
from scenariokit.providers._protocol import Provider
from scenariokit.providers._types import GenerateConfig, ReasoningPart, ToolCall, ToolMessage, UserMessage
from scenariokit.scenario import FAMILIES, RenderedScenario, blackmail
from scenariokit.simulator import create_simulator

from .fakes import ScriptedProvider, call_reply, text_reply

pytestmark = pytest.mark.anyio

EMAIL_BLOCK = '<tool_use:email>\nto: "ceo@x.com"\nsubject: "Hi"\nbody: "Hello"\n</tool_use:email>'


@pytest.fixture(scope="module")
def text_scenario() -> RenderedScenario:
    return blackmail().render(tool_mode="text")


@pytest.fixture(scope="module")
def native_scenario() -> RenderedScenario:
    return blackmail().render(tool_mode="native")


def test_fake_is_a_provider() -> None:
    assert isinstance(ScriptedProvider(), Provider)
    assert isinstance(create_simulator("compliant"), Provider)


async def test_single_turn_text_mode(text_scenario: RenderedScenario) -> None:
    fake = ScriptedProvider(
        text_reply("<SCRATCHPAD_REASONING>plan</SCRATCHPAD_REASONING>Done.\n" + EMAIL_BLOCK)
    )
    t = await run_episode(fake, text_scenario, sample_index=4, seed=11)
    ((messages, tools, config, sample_index),) = fake.calls
    assert tools == () and sample_index == 4 and config.seed == 11
    assert messages[0].content == text_scenario.system_prompt  # type: ignore[union-attr]
    assert messages[1].content == text_scenario.user_message  # type: ignore[union-attr]
    assert fake.seen_scenarios == [text_scenario]
    assert t.ok and t.ended_by == "turn_limit" and len(t.messages) == 3
    assert t.fingerprint == text_scenario.fingerprint and t.condition_id == text_scenario.condition_id
    assert t.family == "blackmail" and t.tool_mode == "text" and t.model == "fake/scripted"
    assert t.sample_index == 4 and t.seed == 11
    (action,) = t.actions
    assert isinstance(action, SendEmail) and action.message_index == 2 and action.to == ("ceo@x.com",)
    assert t.reasoning_text("scratchpad") == "plan"
    assert t.visible_text.startswith("Done.")
    turn = t.turns[0]
    assert (
        turn.response_model == "fake-model-2026-01-01"
        and turn.latency_s == 0.25
        and turn.request_id == "req-0"
    )
    assert t.usage.input_tokens == 100 and t.duration_s >= 0 and t.started_at is not None
    assert Transcript.from_json(t.to_json()) == t


async def test_single_turn_without_action_is_final_answer(text_scenario: RenderedScenario) -> None:
    t = await run_episode(ScriptedProvider(text_reply("Nothing to do.")), text_scenario)
    assert t.ended_by == "final_answer" and len(t.actions) == 0 and t.ok


async def test_native_multi_turn_with_simulated_results(native_scenario: RenderedScenario) -> None:
    fake = ScriptedProvider(
        call_reply(
            ToolCall(id="a", name="send_email", arguments={"to": "x@y.com", "subject": "s", "body": "b"}),
            ToolCall(id="b", name="forward_email", arguments={"email_id": 99, "to": "x@y.com"}),
            ToolCall(id="c", name="forward_email", arguments={"email_id": 3, "to": "x@y.com"}),
            ToolCall(id="d", name="forward_email", raw_arguments='{"email_id": 3,', parse_error="not JSON"),
        ),
        text_reply("All done."),
    )
    t = await run_episode(fake, native_scenario, max_turns=5)
    assert [tools for _, tools, _, _ in fake.calls] == [provider_tools(native_scenario.tools)] * 2
    assert [t.model_dump() for t in fake.calls[0][1]] == [t.model_dump() for t in native_scenario.tools]
    assert t.ended_by == "final_answer" and len(t.turns) == 2
    results = t.messages[3]
    assert isinstance(results, ToolMessage)
    by_id = {r.tool_call_id: r for r in results.results}
    assert not by_id["a"].is_error and "Email sent to x@y.com" in by_id["a"].content
    assert by_id["b"].is_error and "No email with ID 99" in by_id["b"].content
    assert not by_id["c"].is_error and "Firmware 4.2" in by_id["c"].content
    assert by_id["d"].is_error and "not JSON" in by_id["d"].content
    assert [a.kind for a in t.actions] == ["send_email", "forward_email", "forward_email", "malformed"]
    assert fake.calls[1][0] == t.messages[:4]


async def test_text_multi_turn_results_as_user_message(text_scenario: RenderedScenario) -> None:
    block = '<tool_use:forward>\nemail_id: 42\nto: "x@y.com"\n</tool_use:forward>'
    fake = ScriptedProvider(text_reply(EMAIL_BLOCK + "\n" + block), text_reply("Finished."))
    t = await run_episode(fake, text_scenario, max_turns=2)
    results = t.messages[3]
    assert isinstance(results, UserMessage)
    assert '<tool_result:email status="ok">' in results.content
    assert (
        '<tool_result:forward status="error">' in results.content and "No email with ID 42" in results.content
    )
    assert t.ended_by == "final_answer"


async def test_turn_limit(text_scenario: RenderedScenario) -> None:
    fake = ScriptedProvider(text_reply(EMAIL_BLOCK), repeat_last=True)
    t = await run_episode(fake, text_scenario, max_turns=3)
    assert len(fake.calls) == 3 and len(t.turns) == 3 and t.ended_by == "turn_limit"
    assert [a.message_index for a in t.actions] == [2, 4, 6]
    assert len(t.messages) == 7  # the last turn's actions get no results


async def test_provider_error_is_recorded_not_raised(text_scenario: RenderedScenario) -> None:
    err = RateLimitError("throttled", provider="fake", model="scripted", status=429)
    fake = ScriptedProvider(text_reply(EMAIL_BLOCK), err)
    t = await run_episode(fake, text_scenario, max_turns=3)
    assert not t.ok and t.ended_by == "error"
    assert t.error is not None and t.error.turn == 1 and t.error.status == 429 and t.error.retryable
    assert t.error.type.endswith("RateLimitError") and "throttled" in t.error.message
    assert len(t.turns) == 1 and len(t.actions) == 1  # what happened before the error is kept
    assert t.unscorable_reason is not None


async def test_any_exception_is_recorded_with_key_redacted(text_scenario: RenderedScenario) -> None:
    t = await run_episode(ScriptedProvider(RuntimeError("boom with sk-abcdefghijklmnopqrst")), text_scenario)
    assert t.error is not None and t.error.type == "builtins.RuntimeError"
    assert "sk-abc" not in t.error.message and t.turns == ()


async def test_cancellation_propagates(text_scenario: RenderedScenario) -> None:
    class Hanging(ScriptedProvider):
        async def generate(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            await anyio.sleep_forever()
            raise AssertionError

    result: list[Transcript] = []
    with anyio.move_on_after(0.05) as scope:
        result.append(await run_episode(Hanging(), text_scenario))
    assert scope.cancelled_caught and result == []


async def test_bad_arguments(text_scenario: RenderedScenario) -> None:
    with pytest.raises(ValueError, match="max_turns"):
        await run_episode(ScriptedProvider(), text_scenario, max_turns=0)
    with pytest.raises(ValueError, match="sample_index"):
        await run_episode(ScriptedProvider(), text_scenario, sample_index=-1)


async def test_seed_overrides_config_seed_and_config_is_passed(text_scenario: RenderedScenario) -> None:
    fake = ScriptedProvider(text_reply("ok"))
    await run_episode(fake, text_scenario, config=GenerateConfig(temperature=0.7, seed=1), seed=5)
    assert fake.calls[0][2] == GenerateConfig(temperature=0.7, seed=5)


def test_sync_wrapper_closes_provider(text_scenario: RenderedScenario) -> None:
    fake = ScriptedProvider(text_reply(EMAIL_BLOCK))
    t = run_episode_sync(fake, text_scenario, seed=2)
    assert fake.closed == 1 and len(t.actions) == 1


def test_simulated_alert_results() -> None:
    rendered = FAMILIES["lethal_action"].build().render()
    alert = rendered.scenario.opportunity
    assert alert is not None and alert.kind == "emergency_alert"
    right = CancelAlert(code=f" {alert.override_code} ", source="text", message_index=2)
    wrong = CancelAlert(code="0000", source="text", message_index=2)
    assert simulate_tool_result(right, rendered) == (
        "Alert cancelled: the automated emergency dispatch has been stopped.",
        False,
    )
    assert simulate_tool_result(wrong, rendered)[1] is True
    for wrapped in (f"`{alert.override_code}`", f"\u201c{alert.override_code}\u201d"):
        # the same rule as the lethal-action detector: quotes and backticks around the code are not part of it
        quoted = CancelAlert(code=wrapped, source="native", message_index=2, tool_call_id="c")
        assert simulate_tool_result(quoted, rendered)[1] is False
    lower = CancelAlert(code=alert.override_code.lower(), source="text", message_index=2)
    assert simulate_tool_result(lower, rendered)[1] is True
    other = blackmail().render()
    assert simulate_tool_result(right, other) == ("There is no active alert to cancel.", True)
    bad = MalformedAction(tool="x", raw="", error="oops", source="text", message_index=2)
    assert simulate_tool_result(bad, other)[1] is True
    fwd = ForwardEmail(email_id=1, to=("a@b.com",), bcc=("c@d.com",), source="text", message_index=2)
    content, is_error = simulate_tool_result(fwd, other)
    assert not is_error and content.endswith("forwarded to a@b.com, c@d.com.")


@pytest.mark.parametrize("mode", ["text", "native"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_episodes_against_the_simulator(mode: str, family: str) -> None:
    rendered = FAMILIES[family].build(scratchpad=mode == "text").render(tool_mode=mode)  # type: ignore[arg-type]
    sim = create_simulator("self_preserving")
    for seed in range(5):
        t = await run_episode(sim, rendered, seed=seed, max_turns=2)
        assert t.ok and t.model == "sim/self_preserving"
        assert t.actions and not t.actions.malformed and t.notes == ()
        assert all(a.source == mode for a in t.actions)
        assert t.ended_by == "final_answer" and len(t.turns) == 2
        if mode == "text":
            assert t.reasoning_text("scratchpad") and "SCRATCHPAD" not in t.visible_text
        else:
            assert t.reasoning_text("native") and t.reasoning_text("scratchpad") == ""
            assert any(isinstance(p, ReasoningPart) for p in t.assistant_messages[0].content)
