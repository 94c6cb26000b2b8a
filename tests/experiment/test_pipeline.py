"""The runner's pipeline: requests stay in flight while replies are scored, within bounds, failing per sample."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.agent import Transcript
from scenariokit.detectors import Category, Detector, Outcome, Verdict
from scenariokit.experiment import Design, FactorGrid, Runner, StudyStore, _runner, create_providers
from scenariokit.experiment._conditions import Condition
from scenariokit.experiment._runner import _SCORE_RUN
from scenariokit.experiment._store import JudgeCallRecord
from scenariokit.providers import GenerateConfig, Message, ModelResponse
from scenariokit.scenario import RenderedScenario, ToolSpec
from scenariokit.simulator import create_simulator

pytestmark = pytest.mark.anyio

GRID = FactorGrid(family="blackmail", factors={"goal_type": ["explicit", "none"]})
MODEL = "sim/self_preserving"


def _design(samples: int) -> Design:
    return Design(scenarios=[GRID], models=[MODEL], samples=samples, detectors=["blackmail-action"])


class SlowModel:
    """The simulator behind a delay, like a vendor's latency; counts requests in flight."""

    def __init__(self, delay: float) -> None:
        self._inner = create_simulator("self_preserving")
        self.delay = delay
        self.in_flight = [0, 0]  # now, most

    @property
    def name(self) -> str:
        return self._inner.name

    def for_scenario(self, scenario: RenderedScenario) -> SlowModel:
        bound = SlowModel(self.delay)
        bound._inner = self._inner.for_scenario(scenario)
        bound.in_flight = self.in_flight
        return bound

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        self.in_flight[0] += 1
        self.in_flight[1] = max(self.in_flight)
        try:
            await anyio.sleep(self.delay)
            return await self._inner.generate(messages, tools=tools, config=config, sample_index=sample_index)
        finally:
            self.in_flight[0] -= 1

    async def aclose(self) -> None:
        pass


class SlowDetector:
    """A detector that takes ``delay`` seconds per transcript (scoring slower than the model answers)."""

    name = "slow-detector"
    version = "1"
    category = Category.BLACKMAIL

    def __init__(self, delay: float, runner: list[Runner], *, blocking: bool = False) -> None:
        self.delay = delay
        self.blocking = blocking  # hold the event loop, as CPU-bound detectors do, instead of awaiting
        self.runner = runner
        self.seen: list[tuple[int, int, int]] = []  # (in flight, scoring, requests in flight) at each call
        self.requests: list[int] | None = None

    async def detect(self, transcript: Transcript, rendered: RenderedScenario) -> Verdict:
        p = self.runner[0].progress
        self.seen.append((p.in_flight, p.scoring, self.requests[0] if self.requests else 0))
        if self.blocking:
            time.sleep(self.delay)
        else:
            await anyio.sleep(self.delay)
        return Verdict(
            detector=self.name, version=self.version, outcome=Outcome.BENIGN, category=self.category
        )


def _slow_runner(
    store: StudyStore,
    samples: int,
    concurrency: int,
    model_delay: float,
    score_delay: float,
    *,
    blocking: bool = False,
) -> tuple[Runner, SlowDetector, SlowModel]:
    expanded = _design(samples).expand()
    holder: list[Runner] = []
    detector = SlowDetector(score_delay, holder, blocking=blocking)
    model = SlowModel(model_delay)
    detector.requests = model.in_flight
    detectors: dict[str, Sequence[Detector]] = {c.fingerprint: (detector,) for c in expanded.conditions}
    runner = Runner(expanded, store, {MODEL: model}, concurrency=concurrency, detectors=detectors)
    holder.append(runner)
    return runner, detector, model


async def test_scoring_slower_than_the_model_stays_bounded(tmp_path: Path) -> None:
    concurrency = 4
    with StudyStore(tmp_path / "s.db") as store:
        runner, detector, model = _slow_runner(store, 30, concurrency, model_delay=0.001, score_delay=0.01)
        result = await runner.run()
        assert result.completed == 60 and result.failed == 0
        assert store.count_samples(status="ok") == 60
    # the scoring stage fell behind: the buffer filled, and then the workers waited for room
    most_in_flight = max(seen[0] for seen in detector.seen)
    most_scoring = max(seen[1] for seen in detector.seen)
    assert most_scoring > concurrency + 1  # it did fall behind: the buffer filled and workers waited
    # each worker holds one sample (waiting for the model, or for room), `concurrency` more sit in the
    # buffer, a run of at most _SCORE_RUN is scored: memory is bounded however far behind scoring is
    assert most_in_flight <= 2 * concurrency + _SCORE_RUN
    assert most_scoring <= 2 * concurrency + _SCORE_RUN
    assert model.in_flight[1] <= concurrency
    assert runner.progress.in_flight == 0 and runner.progress.scoring == 0


async def test_requests_stay_in_flight_while_replies_are_scored(tmp_path: Path) -> None:
    # scoring holds the event loop (as CPU-bound detectors do); the workers keep the model busy meanwhile. A
    # runner that scores a reply before sending its next request goes in rounds instead: the replies that
    # arrive together are scored one after another with few requests in flight (about 3.5 of 8 here)
    concurrency = 8
    with StudyStore(tmp_path / "s.db") as store:
        runner, detector, model = _slow_runner(
            store, 40, concurrency, model_delay=0.05, score_delay=0.004, blocking=True
        )
        result = await runner.run()
        assert result.completed == 80
    during = [requests for _, _, requests in detector.seen[concurrency:-concurrency]]
    assert sum(during) / len(during) >= concurrency * 0.75
    assert model.in_flight[1] == concurrency


class FailingScoring(Runner):
    """A runner whose scoring raises for the sample indices in ``bad`` (a bug in a combinator, say)."""

    bad: frozenset[int] = frozenset()

    async def _detect(
        self, transcript: Transcript, condition: Condition, only: tuple[str, ...] | None = None
    ) -> tuple[tuple[Verdict, ...], tuple[JudgeCallRecord, ...]]:
        if transcript.sample_index in self.bad:
            raise RuntimeError(f"scoring bug on sample {transcript.sample_index}")
        return await super()._detect(transcript, condition, only)


class StartTimes(SlowModel):
    """A SlowModel noting when each sample's first request starts, and how many samples were taken by then."""

    def __init__(self, delay: float, runner: list[Runner]) -> None:
        super().__init__(delay)
        self.runner = runner
        self.starts: list[tuple[float, int]] = []

    def for_scenario(self, scenario: RenderedScenario) -> StartTimes:
        bound = StartTimes(self.delay, self.runner)
        bound._inner = self._inner.for_scenario(scenario)
        bound.in_flight, bound.starts = self.in_flight, self.starts
        return bound

    async def generate(self, messages: Sequence[Message], **kwargs: object) -> ModelResponse:
        if len(messages) <= 2:  # a sample's first request (the system prompt and the inbox)
            progress = self.runner[0].progress
            self.starts.append((time.monotonic(), progress.in_flight + progress.completed))
        return await super().generate(messages, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", ["openai/gpt-4.1", MODEL])
async def test_against_a_vendor_the_first_samples_start_a_ramp_step_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    step, concurrency = 0.05, 6
    monkeypatch.setattr(_runner, "_RAMP_STEP", step)
    # as many samples as workers: each worker runs one
    expanded = Design(scenarios=[GRID], models=[model], samples=3, detectors=["blackmail-action"]).expand()
    holder: list[Runner] = []
    vendor = StartTimes(0.01, holder)
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(expanded, store, {model: vendor}, concurrency=concurrency)
        holder.append(runner)
        began = time.monotonic()
        result = await runner.run()
        assert result.completed == concurrency and result.failed == 0
    first = sorted(vendor.starts)
    if model == MODEL:  # the simulator answers at once: nothing to fall in step, no ramp
        assert first[-1][0] - began < step
    else:  # against a vendor, worker i sends its first request i steps late...
        for i, (started, _) in enumerate(first):
            assert started - began >= i * step
        # ...its sample taken at once, before the wait (it counts as in flight, for the budget too)
        assert [taken for _, taken in first[1:]] == [concurrency] * (concurrency - 1)


async def test_a_scoring_failure_ends_that_sample_only(tmp_path: Path) -> None:
    expanded = _design(6).expand()
    with StudyStore(tmp_path / "s.db") as store:
        runner = FailingScoring(expanded, store, create_providers([MODEL]), concurrency=3)
        runner.bad = frozenset({2})
        result = await runner.run()
        assert result.completed == 12 and result.failed == 2 and result.remaining == 2
        failed = list(store.iter_samples(status="error"))
        assert {s.sample_index for s in failed} == {2}
        assert all(s.error is not None and "scoring bug on sample 2" in s.error for s in failed)
        for sample in store.iter_samples(status="ok"):
            assert store.verdict_keys_of(sample.id)  # every stored ok sample was scored
        # the failed samples keep the usage of their (paid) requests: the store's totals agree with the run's
        assert all(s.input_tokens > 0 for s in failed)
        assert store.usage_totals()[0] == result.tokens
        # the failed samples are run again on resume, and only they
        again = await Runner(expanded, store, create_providers([MODEL]), concurrency=3).run()
        assert again.completed == 2 and again.failed == 0 and store.count_samples(status="ok") == 12


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cancel_after=st.integers(min_value=1, max_value=25), concurrency=st.integers(min_value=1, max_value=6))
def test_cancelling_mid_pipeline_stores_only_scored_samples_and_resume_completes(
    tmp_path_factory: pytest.TempPathFactory, cancel_after: int, concurrency: int
) -> None:
    path = tmp_path_factory.mktemp("cancel") / "s.db"
    samples = 15

    async def cancelled_run() -> None:
        with StudyStore(path) as store:
            runner, detector, _model = _slow_runner(store, samples, concurrency, 0.002, 0.003)
            with anyio.CancelScope() as scope:

                def cancel_at_some_point(progress: object) -> None:
                    if len(detector.seen) >= cancel_after:
                        scope.cancel()

                runner.progress_callback = cancel_at_some_point
                runner.progress_interval = 0.001
                await runner.run()
            assert scope.cancelled_caught or runner.progress.completed == 2 * samples
            stored = list(store.iter_samples(effective=False))
            # a sample is stored only once scored: with its verdict, never half-done
            assert all(store.verdict_keys_of(s.id) == {("slow-detector", "1")} for s in stored)
            assert len(stored) == runner.progress.completed  # and every scored one was stored
            assert len({(s.fingerprint, s.sample_index) for s in stored}) == len(stored)

    async def resumed_run() -> None:
        with StudyStore(path) as store:
            before = store.count_samples()
            runner, _, _ = _slow_runner(store, samples, concurrency, 0.0, 0.0)
            result = await runner.run()
            assert result.already_done == before and result.completed == 2 * samples - before
            assert store.count_samples() == store.count_samples(status="ok") == 2 * samples

    anyio.run(cancelled_run)
    anyio.run(resumed_run)
