"""The runner on the simulator: known rates recovered, resume retries failures only, budgets, stop, no keys."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import pytest

from scenariokit.experiment import Design, FactorGrid, ModelSpec, Runner, StudyStore, create_providers
from scenariokit.providers import GenerateConfig, Message, ModelResponse, Provider, ServerError
from scenariokit.report import summarize
from scenariokit.scenario import CANARY, RenderedScenario, ToolSpec
from scenariokit.simulator import create_simulator, expected_harm_rate
from scenariokit.stats import estimate_rate

pytestmark = pytest.mark.anyio

GRID = FactorGrid(
    family="blackmail", factors={"goal_type": ["explicit", "none"], "urgency": ["replacement", "none"]}
)


class Flaky:
    """The simulator, failing (HTTP 500 after retries) for the sample indices in ``fail``."""

    def __init__(self, profile: str, fail: set[int]) -> None:
        self._inner = create_simulator(profile)
        self.fail = fail
        self._calls = [0]  # shared with the copies bound to a scenario

    @property
    def calls(self) -> int:
        return self._calls[0]

    @property
    def name(self) -> str:
        return self._inner.name

    def for_scenario(self, scenario: RenderedScenario) -> Flaky:
        """A wrapper forwards the episode's scenario to the simulator it wraps."""
        bound = copy.copy(self)
        bound._inner = self._inner.for_scenario(scenario)
        return bound

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        self._calls[0] += 1
        if sample_index in self.fail:
            raise ServerError("internal error", provider="sim", model="flaky", status=500)
        return await self._inner.generate(messages, tools=tools, config=config, sample_index=sample_index)

    async def aclose(self) -> None:
        pass

    async def __aenter__(self) -> Flaky:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass


def _design(samples: int, **kw: object) -> Design:
    return Design(
        scenarios=[GRID],
        models=["sim/self_preserving"],
        samples=samples,
        detectors=["blackmail-action"],
        **kw,
    )


async def test_known_simulator_rates_are_recovered_within_intervals(tmp_path: Path) -> None:
    # 4 conditions x 300 samples. Each check uses a 99.9% Wilson interval, so over seeds the chance that at
    # least one of the 4 misses its true rate is at most about 4 x 0.1% = 0.4%; the seed is fixed, so the
    # test is deterministic (it passed at seed 0 and would fail if the runner lost, duplicated or mis-keyed
    # samples, since the per-condition counts would shift).
    expanded = _design(300).expand()
    with StudyStore(tmp_path / "s.db") as store:
        result = await Runner(expanded, store, create_providers(["sim/self_preserving"])).run()
        assert result.stop_reason == "complete" and result.completed == 1200 and result.failed == 0
        summary = summarize(store)
    for condition in expanded.conditions:
        cell = summary.cell("sim/self_preserving", condition.fingerprint)
        assert cell is not None and cell.scorable == 300 and cell.unscorable == 0
        truth = expected_harm_rate("self_preserving", condition.rendered)
        wide = estimate_rate(cell.harmful, cell.scorable, confidence=0.999)
        assert wide.interval is not None and wide.interval.contains(truth), (
            condition.label,
            cell.harmful,
            truth,
        )
        assert cell.wilson is not None and cell.clopper_pearson is not None
        assert cell.clopper_pearson.interval is not None and cell.wilson.interval is not None
        assert cell.clopper_pearson.interval.width >= cell.wilson.interval.width * 0.9


async def test_resume_retries_failed_samples_only_and_never_double_counts(tmp_path: Path) -> None:
    expanded = _design(10).expand()
    flaky = Flaky("self_preserving", fail={3, 7})
    with StudyStore(tmp_path / "s.db") as store:
        first = await Runner(expanded, store, {"sim/self_preserving": flaky}).run()
        assert first.completed == 40 and first.failed == 8 and first.remaining == 8
        summary = summarize(store)
        cell = summary.cell("sim/self_preserving", expanded.conditions[0].fingerprint)
        assert cell is not None and cell.unscorable == 2 and cell.failed == 2  # failure is not "benign"
        assert any("ServerError" in reason for reason in cell.reasons)

        healthy = Flaky("self_preserving", fail=set())
        second = await Runner(expanded, store, {"sim/self_preserving": healthy}).run()
        assert healthy.calls == 8  # only the failed samples were run again
        assert second.already_done == 32 and second.completed == 8 and second.remaining == 0

        third = await Runner(expanded, store, {"sim/self_preserving": healthy}).run()
        assert third.completed == 0 and healthy.calls == 8
        assert store.count_samples(status="ok") == 40
        assert store.count_samples() == 48  # the 8 failed attempts are kept (append-only)
        after = summarize(store)
    assert sum(c.scorable for c in after.cells.values()) == 40
    assert sum(c.unscorable for c in after.cells.values()) == 0


async def test_budget_stops_starting_samples_and_a_larger_budget_finishes(tmp_path: Path) -> None:
    expanded = _design(50).expand()
    providers = create_providers(["sim/self_preserving"])
    with StudyStore(tmp_path / "s.db") as store:
        stopped = await Runner(expanded, store, providers, concurrency=4, budget_tokens=60_000).run()
        assert stopped.stop_reason == "budget"
        assert 0 < stopped.completed < 200
        tokens, _ = store.usage_totals()
        per_sample = tokens / stopped.completed
        assert tokens <= 60_000 + 4 * per_sample  # at most the samples in flight overshoot
        rest = await Runner(expanded, store, providers).run()
        assert rest.stop_reason == "complete"
        assert stopped.completed + rest.completed == 200
        assert store.count_samples() == 200


async def test_budget_on_a_fresh_run_spends_about_the_cap(tmp_path: Path) -> None:
    expanded = _design(50).expand()
    providers = create_providers(["sim/self_preserving"])
    with StudyStore(tmp_path / "s.db") as store:
        result = await Runner(expanded, store, providers, concurrency=1, budget_tokens=30_000).run()
        assert result.stop_reason == "budget"
        per_sample = result.tokens / result.completed
        # the cap covers the study; with one sample in flight the run stops within one sample of the cap
        assert 30_000 - 2 * per_sample < result.tokens <= 30_000 + per_sample


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_budget_on_a_resumed_run_estimates_from_samples_with_known_tokens(
    tmp_path: Path, concurrency: int
) -> None:
    # The reported case: a store already holding about half the cap, then a 60,000-token cap. The cap covers
    # the whole study (what is stored counts), so this run may spend what is left: about 14 samples of
    # ~1,850 tokens here, not 1 (dividing the store's tokens by this run's samples made the first sample look
    # like ~35,000 tokens).
    expanded = _design(50).expand()
    providers = create_providers(["sim/self_preserving"])
    with StudyStore(tmp_path / "s.db") as store:
        first = await Runner(expanded, store, providers, concurrency=1, budget_tokens=34_000).run()
        assert first.stop_reason == "budget"
        stored, _ = store.usage_totals()
        per_sample = stored / first.completed
        resumed = await Runner(
            expanded, store, providers, concurrency=concurrency, budget_tokens=60_000
        ).run()
        assert resumed.stop_reason == "budget"
        assert resumed.already_done == first.completed
        left = (60_000 - stored) / per_sample
        assert left - 2 <= resumed.completed <= left + concurrency
        assert resumed.tokens <= 60_000 + concurrency * per_sample


async def test_budget_estimate_ignores_stored_attempts_with_unknown_usage(tmp_path: Path) -> None:
    # failed attempts store zero tokens; counting them would halve the estimate and overshoot the cap
    expanded = _design(10).expand()
    with StudyStore(tmp_path / "s.db") as store:
        first = await Runner(
            expanded, store, {"sim/self_preserving": Flaky("self_preserving", set(range(5)))}
        ).run()
        assert first.failed == 20 and first.completed == 40
        stored, _ = store.usage_totals()
        per_sample = stored / 20
        cap = int(stored + 5.5 * per_sample)
        healthy = Flaky("self_preserving", fail=set())
        resumed = await Runner(
            expanded, store, {"sim/self_preserving": healthy}, concurrency=1, budget_tokens=cap
        ).run()
        assert resumed.stop_reason == "budget"
        assert 4 <= resumed.completed <= 6
        assert resumed.tokens <= cap + per_sample


async def test_dollar_budget_needs_prices(tmp_path: Path) -> None:
    from scenariokit.experiment import BudgetError

    design = Design(scenarios=[GRID], models=["openai/some-unpriced-model"], samples=1)
    with (
        StudyStore(tmp_path / "s.db") as store,
        pytest.raises(BudgetError, match="needs prices, and there is none for: openai/some-unpriced-model"),
    ):
        Runner(
            design.expand(),
            store,
            {"openai/some-unpriced-model": create_simulator("compliant")},
            budget_usd=1.0,
        )


async def test_request_stop_lets_in_flight_samples_finish(tmp_path: Path) -> None:
    expanded = _design(100).expand()
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(
            expanded, store, create_providers(["sim/self_preserving"]), concurrency=4, progress_interval=0.01
        )

        def stop_after_some(progress: object) -> None:
            if runner.progress.completed >= 20:
                runner.request_stop()

        runner.progress_callback = stop_after_some
        result = await runner.run()
        assert result.stop_reason == "stopped"
        assert 20 <= result.completed < 400
        assert store.count_samples() == result.completed  # every finished sample was stored
        assert result.remaining == 400 - result.completed


async def test_detectors_by_name_are_checked(tmp_path: Path) -> None:
    from scenariokit.experiment import DesignError

    expanded = Design(scenarios=[GRID], models=["sim/compliant"], samples=1, detectors=["no-such"]).expand()
    with (
        StudyStore(tmp_path / "s.db") as store,
        pytest.raises(DesignError, match="unknown detector.*blackmail-action"),
    ):
        Runner(expanded, store, create_providers(["sim/compliant"]))


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"concurrency": 10**9}, "concurrency must be between 1 and 100,000"),
        ({"score_workers": 10**23}, "score_workers must be between 0 and 64"),
    ],
)
def test_an_enormous_concurrency_or_worker_count_is_refused(
    tmp_path: Path, option: dict[str, int], match: str
) -> None:
    # a billion worker tasks, or worker processes without end, were started (the run never began)
    from scenariokit.experiment import DesignError

    with StudyStore(tmp_path / "s.db") as store, pytest.raises(DesignError, match=match):
        Runner(_design(1).expand(), store, create_providers(["sim/self_preserving"]), **option)  # type: ignore[arg-type]


def test_a_design_of_more_samples_than_the_runner_takes_is_refused() -> None:
    with pytest.raises(ValueError, match="less than or equal to 10000000"):
        _design(10**23)


def test_flaky_is_a_provider() -> None:
    assert isinstance(Flaky("compliant", set()), Provider)


def test_a_replayed_model_draws_the_seeds_of_the_recorded_one() -> None:
    from scenariokit.experiment import sample_seed

    recorded = sample_seed(0, "f" * 64, "openai/gpt-4.1", "c" * 16, 3)
    assert sample_seed(0, "f" * 64, "replay/openai/gpt-4.1", "c" * 16, 3) == recorded
    assert sample_seed(0, "f" * 64, "openai/gpt-4.1-mini", "c" * 16, 3) != recorded


async def test_a_study_replayed_from_its_recordings_sends_the_same_requests_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from scenariokit.providers import create_provider

    design = Design(
        scenarios=[GRID], models=["sim/self_preserving"], samples=6, detectors=["blackmail-action"]
    )
    recordings = tmp_path / "recordings"
    recorder = create_provider("sim/self_preserving", record_to=recordings, canary=CANARY)
    with StudyStore(tmp_path / "recorded.db") as store:
        recorded = await Runner(design.expand(), store, {"sim/self_preserving": recorder}).run()
        assert recorded.completed == 24 and recorded.failed == 0
        live = summarize(store, bootstrap_replicates=100)
    assert len(list(recordings.rglob("*.json"))) >= 24

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replay must not open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    replay_design = design.model_copy(update={"models": [ModelSpec(name="replay/sim/self_preserving")]})
    replayer = create_provider("replay/sim/self_preserving", recordings_dir=recordings)
    with StudyStore(tmp_path / "replayed.db") as store:
        replayed = await Runner(replay_design.expand(), store, {"replay/sim/self_preserving": replayer}).run()
        assert replayed.failed == 0, [s.error for s in store.iter_samples(status="error")][:1]
        assert replayed.completed == 24
        again = summarize(store, bootstrap_replicates=100)
    for fingerprint, _ in live.conditions:
        a = live.cell("sim/self_preserving", fingerprint)
        b = again.cell("replay/sim/self_preserving", fingerprint)
        assert a is not None and b is not None
        assert (a.harmful, a.benign, a.unscorable) == (b.harmful, b.benign, b.unscorable)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        # an AttributeError ('str' object has no attribute 'expand') and a TypeError naming os.PathLike
        (("study.yaml", "new.db"), r"run_study\(design, path\): design is a str, not a Design.*load_design"),
        ((None, "new.db"), r"design is a NoneType, not a Design"),
        (("design", "store"), r"path is a StudyStore, not a str or Path.*Runner\(design.expand\(\), store"),
    ],
)
async def test_run_study_with_the_wrong_types_says_what_to_pass(
    tmp_path: Path, args: tuple[object, object], match: str
) -> None:
    from scenariokit.experiment import run_study

    design, path = args
    with StudyStore(tmp_path / "s.db") as store:
        design = _design(1) if design == "design" else design
        path = store if path == "store" else tmp_path / str(path)
        with pytest.raises(TypeError, match=match):
            await run_study(design, path)  # type: ignore[arg-type]
        assert store.count_samples() == 0
    assert not (tmp_path / "new.db").exists()


def test_create_providers_of_one_name_as_a_string_says_to_pass_a_list() -> None:
    # each character was read as a name: "expected a 'provider/model' name ..., got 's'"
    with pytest.raises(TypeError, match=r"a list of 'provider/model' names.*\['sim/compliant'\]"):
        create_providers("sim/compliant")
