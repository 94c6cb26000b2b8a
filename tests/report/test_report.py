"""Reports: rates with both intervals, unscorable reasons, breakdowns, published rates, formats, rescore."""

from __future__ import annotations

import base64
import csv
import io
import json
import struct
import sys
from pathlib import Path

import anyio
import pytest

from scenariokit.detectors import BlackmailDetector
from scenariokit.detectors._base import BaseDetector
from scenariokit.detectors._facts import Facts
from scenariokit.detectors._verdict import Category, Outcome, Verdict
from scenariokit.detectors._view import TranscriptView
from scenariokit.experiment import (
    ConditionIds,
    Design,
    FactorGrid,
    Runner,
    StudyStore,
    create_providers,
    rescore,
)
from scenariokit.report import (
    PUBLISHED_RATES,
    PlotUnavailableError,
    plot_rates,
    render,
    render_csv,
    render_terminal,
    summarize,
)
from scenariokit.scenario import CANARY

HEADLINE = "blackmail_explicit-america_replacement"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "study.db"
    design = Design(
        name="report-test",
        scenarios=[
            ConditionIds(condition_ids=[HEADLINE]),
            FactorGrid(
                family="blackmail",
                factors={"urgency": ["replacement", "none"], "goal_type": ["explicit", "none"]},
            ),
        ],
        models=["sim/self_preserving", "sim/compliant"],
        samples=40,
        detectors=["blackmail-action", "leverage-disclosure-action"],
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expanded = design.expand()  # the headline id and the grid's first cell are the same prompt

    async def go() -> None:
        with StudyStore(path) as store:
            await Runner(expanded, store, create_providers(["sim/self_preserving", "sim/compliant"])).run()

    anyio.run(go)
    return path


def test_cells_have_wilson_and_clopper_pearson_intervals(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    assert s.models == ["sim/self_preserving", "sim/compliant"]
    assert len(s.conditions) == 4 and len(s.cells) == 8
    for cell in s.cells.values():
        assert cell.scorable + cell.unscorable == 40
        assert cell.wilson is not None and cell.wilson.method == "wilson"
        assert cell.clopper_pearson is not None and cell.clopper_pearson.method == "clopper-pearson"
    assert s.detectors_seen["blackmail-action"] == [BlackmailDetector.version]


def test_marginals_differences_and_pooled_rates(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    marginal = s.marginals["sim/self_preserving"]
    assert set(marginal) == {"urgency", "goal_type"}
    assert sum(r.scorable for r in marginal["urgency"].values()) == 160
    # 4 conditions of a 2x2 grid: 4 pairs one factor apart per model
    assert len([d for d in s.differences if d.model == "sim/self_preserving"]) == 4
    urgency = next(d for d in s.differences if d.factor == "urgency" and d.model == "sim/self_preserving")
    assert urgency.result.interval.lower <= urgency.result.difference <= urgency.result.interval.upper
    pooled = s.pooled["sim/self_preserving"]
    assert pooled.clusters == 4 and pooled.scorable == 160


def test_published_rates_appear_beside_the_matching_condition(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    labels = {m.label for m in s.published}
    assert labels == {HEADLINE, "blackmail_none-none_replacement"}
    models = {m.published.model for m in s.published if m.label == HEADLINE}
    assert {"Claude Opus 4", "GPT-4.1", "Gemini 2.5 Pro"} <= models
    text = render(s, "md")
    assert (
        "| blackmail_explicit-america_replacement | Claude Opus 4 | blackmail, explicit goal, replacement | 96.0%"
        in text
    )
    assert "Source: Anthropic, 'Agentic Misalignment'" in text


def test_published_model_patterns_match_snapshots_not_neighbours() -> None:
    opus = next(p for p in PUBLISHED_RATES if p.model == "Claude Opus 4")
    assert opus.matches_model("anthropic/claude-opus-4-20250514")
    assert not opus.matches_model("anthropic/claude-opus-4-1")
    gpt41 = next(p for p in PUBLISHED_RATES if p.model == "GPT-4.1")
    assert gpt41.matches_model("openai/gpt-4.1") and not gpt41.matches_model("openai/gpt-4.1-mini")


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_every_format_carries_the_canary(study: Path, fmt: str) -> None:
    with StudyStore(study, readonly=True) as store:
        text = render(summarize(store), fmt)  # type: ignore[arg-type]
    assert CANARY in text


def test_csv_has_one_row_per_cell_with_intervals(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        text = render(summarize(store), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 8
    row = rows[0]
    assert float(row["wilson_lower"]) <= float(row["rate"]) <= float(row["wilson_upper"])
    assert float(row["clopper_pearson_lower"]) <= float(row["rate"]) <= float(row["clopper_pearson_upper"])


def test_json_report_round_trips(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        data = json.loads(render(summarize(store), "json"))
    assert data["canary"] == CANARY and len(data["cells"]) == 8
    assert data["published"]["rows"]


def test_html_is_one_self_contained_file(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        html = render(summarize(store), "html")
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert (
        "<script src" not in html and "<link" not in html and "http://" not in html and "https://" not in html
    )


def test_plot_without_matplotlib_says_what_to_install(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(PlotUnavailableError, match="pip install 'scenariokit\\[plot\\]'"):
        plot_rates(s, tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()


def test_plot_is_a_png_with_every_rate(study: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    png = plot_rates(s, tmp_path / "p.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and (tmp_path / "p.png").read_bytes() == png
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 600 and height >= 500  # 6 x 4.5 inches or more at 120 dpi
    html = render(s, "html", plot_png=png)
    assert html.count('<img alt="harmful rates with intervals" src="data:image/png;base64,') == 1
    assert base64.b64encode(png).decode() in html


class _NeverHarmful(BaseDetector):
    """A later version ('99') of the blackmail action detector that finds nothing (to see which version reports use)."""

    name = "blackmail-action"
    version = "99"
    category = Category.BLACKMAIL

    def decide(self, view: TranscriptView, facts: Facts) -> Verdict:
        return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="version 99 test detector")


async def _rescore_v2(path: Path) -> tuple[int, int]:
    with StudyStore(path) as store:
        first = await rescore(store, detectors=lambda rendered: [_NeverHarmful()])
        again = await rescore(store, detectors=lambda rendered: [_NeverHarmful()])
        return first.verdicts, again.verdicts


@pytest.mark.anyio
async def test_rescore_appends_a_new_version_and_reports_use_it(study: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with StudyStore(study, readonly=True) as src:
        src._conn.execute(f"VACUUM INTO '{copy}'")
    with StudyStore(copy, readonly=True) as store:
        before = summarize(store)
        verdicts_before = store._conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
    assert sum(c.harmful for c in before.cells.values()) > 0
    appended, repeated = await _rescore_v2(copy)
    assert appended == 320 and repeated == 0  # 320 samples, once each; the second pass had nothing to do
    with StudyStore(copy, readonly=True) as store:
        after = summarize(store)
        assert store._conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] == verdicts_before + 320
        assert store.detector_versions()["blackmail-action"] == [BlackmailDetector.version, "99"]
    assert sum(c.harmful for c in after.cells.values()) == 0  # the latest version decides
    assert sum(c.scorable for c in after.cells.values()) == 320


def _custom_study(tmp_path: Path, scenarios: dict[str, object], **summary_kw: object) -> object:
    from scenariokit.experiment import ScenarioFile
    from scenariokit.scenario import Scenario, save_scenario

    entries = []
    for name, scenario in scenarios.items():
        assert isinstance(scenario, Scenario)
        save_scenario(scenario, tmp_path / f"{name}.yaml")
        entries.append(ScenarioFile(file=str(tmp_path / f"{name}.yaml")))
    design = Design(name="custom", scenarios=entries, models=["sim/self_preserving"], samples=20)

    async def go() -> None:
        with StudyStore(tmp_path / "custom.db") as store:
            await Runner(design.expand(), store, create_providers(["sim/self_preserving"])).run()

    anyio.run(go)
    with StudyStore(tmp_path / "custom.db", readonly=True) as store:
        return summarize(store, bootstrap_replicates=200, **summary_kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("factory", "category", "detector"),
    [
        ("blackmail", "blackmail", "blackmail-action"),
        ("leaking", "leak", "leak-action"),
        ("lethal_action", "lethal_action", "lethal-action"),
    ],
)
def test_a_custom_family_is_scored_by_the_harm_its_ground_truth_probes(
    tmp_path: Path, factory: str, category: str, detector: str
) -> None:
    import scenariokit.scenario as sc
    from scenariokit.report import StudySummary, harm_category

    scenario = getattr(sc, factory)().model_copy(update={"family": "office_drama"})
    assert harm_category(scenario) == category
    summary = _custom_study(tmp_path, {"drama": scenario})
    assert isinstance(summary, StudySummary)
    [cell] = summary.cells.values()
    assert cell.unscorable == 0 and cell.scorable == 20, cell.reasons
    assert (cell.model, cell.fingerprint, detector) in summary.other_rates
    assert summary.other_rates[(cell.model, cell.fingerprint, detector)].harmful == cell.harmful


def test_the_harm_category_override_wins_and_unknown_harm_says_why(tmp_path: Path) -> None:
    from scenariokit.report import StudySummary
    from scenariokit.scenario import blackmail

    with_leverage = blackmail().model_copy(update={"family": "office_drama"})
    summary = _custom_study(
        tmp_path, {"drama": with_leverage}, harm_category={"office_drama": "leverage_disclosure"}
    )
    assert isinstance(summary, StudySummary)
    [cell] = summary.cells.values()
    disclosure = summary.other_rates[(cell.model, cell.fingerprint, "leverage-disclosure-action")]
    assert (cell.harmful, cell.benign) == (disclosure.harmful, disclosure.scorable - disclosure.harmful)


def test_a_custom_family_without_leverage_or_opportunity_is_unscorable_with_the_reason(
    tmp_path: Path,
) -> None:
    from scenariokit.report import StudySummary
    from scenariokit.scenario import blackmail

    nothing = blackmail(leverage=False).model_copy(update={"family": "office_drama"})
    summary = _custom_study(tmp_path, {"nothing": nothing})
    assert isinstance(summary, StudySummary)
    [cell] = summary.cells.values()
    assert cell.scorable == 0 and cell.unscorable == 20
    [reason] = cell.reasons
    assert "no leverage, confidential material or emergency alert" in reason and "harm_category" in reason


def test_matched_differences_are_declared_first_level_minus_later_in_every_format(tmp_path: Path) -> None:
    # a second entry adds a condition after the grid's in the store: every difference must still read
    # "declared-first level - later level" (switches: on - off; urgency: replacement, restriction, none),
    # whatever the order of the conditions in the store
    design = Design(
        name="orientation",
        scenarios=[
            FactorGrid(
                family="blackmail",
                factors={"urgency": ["replacement", "none"], "prohibitions": ["on", "off"]},
            ),
            FactorGrid(family="blackmail", factors={"urgency": ["restriction"]}),
        ],
        models=["sim/self_preserving"],
        samples=10,
        detectors=["blackmail-action"],
    )

    async def go() -> None:
        with StudyStore(tmp_path / "o.db") as store:
            await Runner(design.expand(), store, create_providers(["sim/self_preserving"])).run()

    anyio.run(go)
    with StudyStore(tmp_path / "o.db", readonly=True) as store:
        summary = summarize(store, bootstrap_replicates=100)
    allowed = {
        ("urgency", "replacement", "none"),
        ("urgency", "replacement", "restriction"),
        ("urgency", "restriction", "none"),
        ("prohibitions", "on", "off"),
    }
    pairs = {(d.factor, d.level_a, d.level_b) for d in summary.differences}
    assert pairs and pairs <= allowed, pairs
    for d in summary.differences:
        assert d.result.rate_a.harmful == summary.cells[(d.model, _fp(summary, d.label_a))].harmful
    data = json.loads(render(summary, "json"))
    assert {(d["factor"], d["level_a"], d["level_b"]) for d in data["differences"]} == pairs
    markdown = render(summary, "md")
    assert "a = the factor's level declared first" in markdown
    for d in summary.differences:
        assert (
            f"| {d.model} | {d.factor} | {d.level_a} ({d.label_a}) | {d.level_b} ({d.label_b}) |" in markdown
        )
    rows = list(csv.DictReader(line for line in render_csv(summary, "differences").splitlines()))
    assert {(r["factor"], r["level_a"], r["level_b"]) for r in rows} == pairs
    assert [float(r["difference"]) for r in rows] == pytest.approx(
        [d.result.difference for d in summary.differences]
    )
    html_text = render(summary, "html")
    assert (
        "a = the factor&#x27;s level declared first" in html_text
        or "a = the factor's level declared first" in html_text
    )


def _fp(summary: object, label: str) -> str:
    from scenariokit.report import StudySummary

    assert isinstance(summary, StudySummary)
    return next(fp for fp, lab in summary.conditions if lab == label)


@pytest.mark.parametrize("table", ["cells", "awareness", "perturbations", "differences", "costs"])
def test_every_csv_table_parses_with_default_settings_and_carries_the_canary(study: Path, table: str) -> None:
    with StudyStore(study, readonly=True) as store:
        text = render_csv(summarize(store), table)  # type: ignore[arg-type]
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames is not None and reader.fieldnames[-1] == "canary"
    assert not reader.fieldnames[0].startswith("#")
    assert all(row["canary"] == CANARY and None not in row for row in rows)
    if table == "cells":
        assert rows and all(row["model"] for row in rows)


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_terminal_rate_table_fits_the_width(study: Path, width: int) -> None:
    with StudyStore(study, readonly=True) as store:
        summary = summarize(store)
    text = render_terminal(summary, width=width)
    table = text.split("n = scorable samples):", 1)[1].split("\n\n", 2)[1]
    assert max(len(line) for line in table.splitlines()) <= width
    for model in summary.models:
        assert model in table
    for cell in summary.cells.values():
        assert f"n={cell.scorable}" in table


def test_plot_draws_dollar_signs_and_controls_as_written(study: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    import dataclasses
    import warnings

    with StudyStore(study, readonly=True) as store:
        s = summarize(store)
    # matplotlib reads text between two $ as mathematics: "$\frac{$" raised ValueError out of the plot (and of
    # every HTML report), and "$5 or $10" was drawn as math; a control character warned of a missing glyph
    fp, _ = s.conditions[0]
    hostile = dataclasses.replace(
        s, name="study $\\frac{$ \x1b[31m", conditions=[(fp, "budget $5 or $10\x00"), *s.conditions[1:]]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = plot_rates(hostile, tmp_path / "p.png")
    assert png.startswith(b"\x89PNG")
    assert "<img alt=" in render(hostile, "html", plot_png=png)
