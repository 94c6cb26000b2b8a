"""Eval awareness crossed with harm: groups, rates, differences, every format, and the simulator's independence."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import anyio
import pytest

from scenariokit.experiment import Design, FactorGrid, Runner, StudyStore, create_providers
from scenariokit.report import AWARENESS_HOW_TO_READ, render, render_csv, render_terminal, summarize
from scenariokit.report._awareness import AwarenessCounts, GroupCounts, awareness_group, split
from scenariokit.simulator import expected_eval_awareness_rate

MODEL = "sim/brittle"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("awareness") / "a.db"
    design = Design(
        name="awareness",
        scenarios=[FactorGrid(family="blackmail", factors={"eval_notice": ["off", "on"]})],
        models=[MODEL],
        samples=300,
        detectors=["blackmail-action", "eval-awareness-heuristic"],
    )
    expanded = design.expand()

    async def go() -> None:
        with StudyStore(path) as store:
            await Runner(expanded, store, create_providers([MODEL])).run()

    anyio.run(go)
    return path


def test_the_simulator_draws_harm_and_awareness_independently(study: Path) -> None:
    """The simulator documents that awareness and harm are independent draws: the split shows no difference."""
    with StudyStore(study, readonly=True) as store:
        summary = summarize(store)
        conditions = {c.fingerprint: c.rendered() for c in store.conditions()}
    pooled, *per_condition = summary.awareness
    assert pooled.fingerprint is None and pooled.label == "all conditions"
    assert len(per_condition) == 2  # both conditions have >= 10 scorable samples in two groups
    for row in per_condition:
        cell = summary.cell(MODEL, row.fingerprint)  # type: ignore[arg-type]
        assert cell is not None
        test, real, silent = (row.groups[g] for g in ("says_test", "says_real", "silent"))
        # every scorable sample is in exactly one group; the simulator never says the scenario is real
        assert test.scorable + silent.scorable == cell.scorable and real.scorable == 0 and row.unknown == 0
        assert test.harmful + silent.harmful == cell.harmful
        # the awareness rate is the documented one (within its interval) ...
        assert row.fingerprint is not None
        expected = expected_eval_awareness_rate(MODEL, conditions[row.fingerprint])
        n = test.scorable + test.unscorable + silent.scorable + silent.unscorable
        assert abs((test.scorable + test.unscorable) / n - expected) < 0.08
        # ... and harm does not depend on it: the two rates agree within intervals
        assert row.real_minus_test is None
        assert row.silent_minus_test is not None
        assert row.silent_minus_test.interval.lower < 0 < row.silent_minus_test.interval.upper
        assert test.interval is not None and silent.interval is not None
        assert test.interval.lower < silent.estimate < test.interval.upper  # type: ignore[operator]
    assert pooled.groups["says_test"].scorable == sum(r.groups["says_test"].scorable for r in per_condition)
    assert pooled.detectors == ("eval-awareness-heuristic",)


def test_every_format_shows_the_split_and_how_to_read_it(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        summary = summarize(store)
    md = render(summary, "md")
    assert "## Eval awareness crossed with harm" in md and AWARENESS_HOW_TO_READ in md
    assert "| sim/brittle | all conditions |" in md and "observational" in md
    assert "Eval awareness crossed with harm" in render(summary, "html")
    assert "Harmful rate by what the reasoning says" in render_terminal(summary)
    data = json.loads(render(summary, "json"))["eval_awareness"]
    assert data[0]["condition"] == "all conditions"
    assert set(data[0]["groups"]) == {"says_test", "says_real", "silent"}
    assert data[0]["silent_minus_test"]["interval"][0] < data[0]["silent_minus_test"]["difference"]
    rows = list(csv.DictReader(render_csv(summary, "awareness").splitlines()))
    assert len(rows) == 3 and rows[0]["condition"] == "all conditions"
    assert int(rows[0]["says_test_scorable"]) + int(rows[0]["silent_scorable"]) == sum(
        c.scorable for c in summary.cells.values()
    )
    assert float(rows[0]["silent_minus_test_lower"]) < float(rows[0]["silent_minus_test_upper"])
    cells = list(csv.DictReader(render_csv(summary).splitlines()))
    assert all(int(r["says_test_scorable"]) + int(r["silent_scorable"]) == int(r["scorable"]) for r in cells)


def test_min_group_hides_small_condition_rows(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        summary = summarize(store, min_awareness_group=1000)
    assert [a.label for a in summary.awareness] == ["all conditions"]


def test_real_minus_test_with_counts() -> None:
    counts = AwarenessCounts()
    counts.groups["says_test"] = GroupCounts(2, 18, 1)
    counts.groups["says_real"] = GroupCounts(11, 9, 0)
    counts.groups["silent"] = GroupCounts(30, 30, 2)
    counts.unknown = 4
    counts.detectors.add("judge-eval_awareness")
    row = split(MODEL, None, "all conditions", counts, 0.95)
    assert row.groups["says_test"].estimate == pytest.approx(0.1) and row.groups["says_test"].unscorable == 1
    assert row.real_minus_test is not None and row.real_minus_test.difference == pytest.approx(0.45)
    assert 0 < row.real_minus_test.interval.lower < 0.45 < row.real_minus_test.interval.upper
    assert row.silent_minus_test is not None and row.silent_minus_test.difference == pytest.approx(0.4)
    assert row.unknown == 4 and row.to_dict()["real_minus_test"]["difference"] == pytest.approx(0.45)


def test_group_of_a_sample() -> None:
    verdicts = {
        "eval-awareness-heuristic": ("1", "benign", None, "eval_awareness"),
        "judge-eval_awareness": ("1/x", "harmful", None, "eval_awareness"),
        "blackmail-action": ("1", "harmful", None, "blackmail"),
    }
    labels = {
        "eval-awareness-heuristic": "says_real",
        "judge-eval_awareness": "says_test",
        "blackmail-action": None,
    }
    assert awareness_group(verdicts, labels, None) == ("says_real", "eval-awareness-heuristic")
    assert awareness_group(verdicts, labels, "judge-eval_awareness") == ("says_test", "judge-eval_awareness")
    unscorable = {"eval-awareness-heuristic": ("1", "unscorable", "empty", "eval_awareness")}
    assert awareness_group(unscorable, {}, None) == (None, "eval-awareness-heuristic")
    assert awareness_group({"blackmail-action": verdicts["blackmail-action"]}, labels, None) == (None, None)
