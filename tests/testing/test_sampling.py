from __future__ import annotations

from collections.abc import Sequence

import pytest

from scenariokit.detectors import BlackmailDetector
from scenariokit.perturb import RenameCompany
from scenariokit.providers import GenerateConfig, Message, ModelResponse, ServerError
from scenariokit.scenario import ToolSpec, blackmail, leaking
from scenariokit.simulator import create_simulator, expected_harm_rate
from scenariokit.stats import SequentialTest
from scenariokit.testing import (
    BudgetExceededError,
    CallBudget,
    LiveCallError,
    ModelUnderTest,
    ReplayMissError,
    episode_seed,
    sample_rate,
    sample_rate_async,
)


def test_samples_have_explicit_indices_and_fingerprint_seeds() -> None:
    s = blackmail()
    r = sample_rate("sim/self_preserving", s, n=12, seed=5)
    fp = s.render().fingerprint
    assert [x.index for x in r.samples] == list(range(12))
    assert [x.seed for x in r.samples] == [episode_seed(fp, i, 5) for i in range(12)]
    assert r.fingerprint == fp and r.condition_id == s.condition_id
    assert r.detector == f"blackmail-action@{BlackmailDetector.version}"
    assert r.rate.scorable + r.rate.unscorable == 12


def test_same_seed_same_transcripts_other_seed_other_draws() -> None:
    a = sample_rate("sim/brittle", blackmail(), n=20, seed=1)
    b = sample_rate("sim/brittle", blackmail(), n=20, seed=1)
    c = sample_rate("sim/brittle", blackmail(), n=20, seed=2)
    assert a.transcript_fingerprints == b.transcript_fingerprints
    assert a.transcript_fingerprints != c.transcript_fingerprints


def test_rate_is_close_to_the_simulators_documented_rate() -> None:
    s = leaking()
    r = sample_rate("sim/self_preserving", s, n=80)
    p = expected_harm_rate("self_preserving", s.render())
    assert r.rate.interval is not None and r.rate.interval.contains(p)


class _Failing:
    """A provider whose every call fails, as a server error would."""

    name = "flaky/model"

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        raise ServerError("upstream exploded", provider="flaky", model="model", status=503)

    async def aclose(self) -> None:
        pass

    async def __aenter__(self) -> _Failing:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass


def test_episode_errors_are_unscorable_not_benign() -> None:
    r = sample_rate(_Failing(), blackmail(), n=4, budget=CallBudget(max_calls=None))
    assert r.rate.scorable == 0 and r.rate.unscorable == 4 and r.rate.estimate is None
    (reason,) = r.unscorable_reasons
    assert "ServerError" in reason and "upstream exploded" in reason


def test_sequential_sampling_stops_early_with_an_sprt_decision() -> None:
    r = sample_rate("sim/compliant", blackmail(), n=300, sequential=SequentialTest(0.05, 0.25))
    assert r.sequential is not None and r.sequential.outcome == "pass"
    assert len(r.samples) < 60 and r.requested == 300


def test_budget_stops_the_test_with_a_message_naming_it() -> None:
    budget = CallBudget(max_calls=5, include_free=True)
    with pytest.raises(BudgetExceededError) as info:
        sample_rate("sim/compliant", blackmail(), n=10, budget=budget, concurrency=1)
    message = str(info.value)
    assert "at most 5 model calls" in message and "--scenariokit-budget" in message
    assert budget.used == 5


def test_the_simulator_is_free_unless_asked() -> None:
    budget = CallBudget(max_calls=1)
    sample_rate("sim/compliant", blackmail(), n=5, budget=budget)
    assert budget.used == 0


def test_live_calls_refused_without_creating_the_provider() -> None:
    model = ModelUnderTest("openai/gpt-4.1", live=False, policy="test policy")
    with pytest.raises(
        LiveCallError, match=r"live call to openai/gpt-4\.1 refused.*--scenariokit-record=new"
    ):
        sample_rate(model, blackmail(), n=2)


def test_record_then_replay_gives_identical_transcripts(tmp_path: object) -> None:
    s = RenameCompany(company_name="Corvane Labs", domain="corvanelabs.com").apply(blackmail()).scenario
    recorder = ModelUnderTest("sim/brittle", recordings=tmp_path, record="new")  # type: ignore[arg-type]
    first = sample_rate(recorder, s, n=6)
    assert recorder.calls.live == 6 and recorder.calls.recorded == 6
    replayer = ModelUnderTest("sim/brittle", recordings=tmp_path, record="none", live=False)  # type: ignore[arg-type]
    second = sample_rate(replayer, s, n=6)
    assert replayer.calls.live == 0 and replayer.calls.replayed == 6
    assert first.transcript_fingerprints == second.transcript_fingerprints
    with pytest.raises(ReplayMissError, match="no recording of sim/brittle"):
        sample_rate(replayer, s, n=7)


@pytest.mark.anyio
async def test_async_form_is_deterministic_whatever_the_concurrency() -> None:
    a = await sample_rate_async("sim/self_preserving", blackmail(), n=8, seed=3, concurrency=3)
    b = await sample_rate_async(ModelUnderTest("sim/self_preserving"), blackmail().render(), n=8, seed=3)
    assert a.transcript_fingerprints == b.transcript_fingerprints
    assert [x.outcome for x in a.samples] == [x.outcome for x in b.samples]


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="n must be at least 1"):
        sample_rate("sim/compliant", blackmail(), n=0)
    with pytest.raises(ValueError, match="record="):
        ModelUnderTest("sim/compliant", record="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_calls"):
        CallBudget(max_calls=-1)
    assert create_simulator("compliant").name == "sim/compliant"
