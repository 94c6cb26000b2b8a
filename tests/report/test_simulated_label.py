"""Every output of a study on the simulator says so; published rates beside simulated ones are labelled.

Also the HTML report's details: the notice when matplotlib is missing, and the other detectors grouped per
detector, collapsed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sys

import anyio
import pytest

from scenariokit.experiment import ConditionIds, Design, Runner, StudyStore, create_providers
from scenariokit.report import StudySummary, render, render_csv, render_terminal, summarize
from scenariokit.report._summary import PUBLISHED_NOT_COMPARABLE, is_simulated

HEADLINE = "blackmail_explicit-america_replacement"
SIMS = ["sim/self_preserving", "sim/compliant"]
REAL = "anthropic/claude-opus-4"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> StudySummary:
    path = tmp_path_factory.mktemp("simulated") / "study.db"
    design = Design(
        name="label-test",
        scenarios=[ConditionIds(condition_ids=[HEADLINE, "blackmail_none-none_replacement"])],
        models=SIMS,
        samples=12,
    )

    async def go() -> None:
        with StudyStore(path) as store:
            await Runner(design.expand(), store, create_providers(SIMS)).run()

    anyio.run(go)
    with StudyStore(path, readonly=True) as store:
        return summarize(store)


def _as_if(summary: StudySummary, models: list[str]) -> StudySummary:
    """The same summary with other model names (the labels depend on the names only)."""
    return dataclasses.replace(summary, models=models)


def test_the_simulator_is_recognised_by_its_prefix_only() -> None:
    assert is_simulated("sim/brittle") and not is_simulated("openai/gpt-4.1")
    assert not is_simulated("replay/sim") and not is_simulated("simulator/x")


def test_every_format_says_the_rates_are_simulated(simulated: StudySummary) -> None:
    title = simulated.simulator_title
    assert "SIMULATED" in title and "not a real model" in title
    terminal = render_terminal(simulated, width=120).splitlines()
    assert terminal[1].startswith("Harmful rate per model and condition [SIMULATED")  # the title line
    assert "offline simulator (sim/self_preserving, sim/compliant)" in terminal[2]
    markdown = render(simulated, "md")
    assert f"# Study report: label-test{title}\n" in markdown
    assert "> **Simulated rates.** Every rate here comes from scenariokit's offline simulator" in markdown
    html = render(simulated, "html")
    assert re.search(r"<h1>Study report: label-test \[SIMULATED: offline simulator", html)
    assert '<p class="notice"><strong>Simulated rates.</strong> Every rate here comes' in html
    data = json.loads(render(simulated, "json"))
    assert data["simulated_models"] == SIMS and "offline simulator" in data["simulator_notice"]
    assert all(cell["simulated"] for cell in data["cells"])
    for table in ("cells", "awareness", "differences", "perturbations"):
        rows = list(csv.DictReader(io.StringIO(render_csv(simulated, table))))  # type: ignore[arg-type]
        assert all(row["simulated"] == "true" for row in rows), table
        assert "simulated" in render_csv(simulated, table).splitlines()[0].split(",")  # type: ignore[arg-type]


def test_published_rates_beside_simulated_ones_are_labelled_not_comparable(simulated: StudySummary) -> None:
    assert simulated.published, "the headline condition has published rates"
    markdown = render(simulated, "md")
    section = markdown[markdown.index("## Published rates") :]
    heading, _, rest = section.partition("\n\n")
    assert heading == "## Published rates of the Agentic Misalignment study (real models; not comparable)"
    assert rest.startswith(f"> **{PUBLISHED_NOT_COMPARABLE}**")
    assert "beside matching conditions" not in markdown
    html = render(simulated, "html")
    assert html.index("NOT COMPARABLE") < html.index("Claude Opus 4")
    data = json.loads(render(simulated, "json"))
    assert data["published"]["comparable"] is False and "NOT COMPARABLE" in data["published"]["note"]


def test_a_study_of_real_models_has_no_simulator_label(simulated: StudySummary) -> None:
    real = _as_if(simulated, [REAL])
    assert real.simulator_title == "" and real.simulator_notice is None and real.published_note is None
    markdown = render(real, "md")
    assert "SIMULATED" not in markdown and "Simulated rates" not in markdown
    assert "## Published rates of the Agentic Misalignment study beside matching conditions" in markdown
    assert json.loads(render(real, "json"))["published"]["comparable"] is True


def test_a_mixed_study_names_the_simulated_models(simulated: StudySummary) -> None:
    mixed = _as_if(simulated, [REAL, *SIMS])
    assert (
        mixed.simulator_title
        == " [sim/self_preserving, sim/compliant: SIMULATED by the offline simulator, not real models]"
    )
    assert mixed.simulator_notice is not None and mixed.simulator_notice.startswith(
        "The rates of these models"
    )
    assert mixed.published_note == PUBLISHED_NOT_COMPARABLE


def test_html_says_why_there_is_no_plot_when_matplotlib_is_missing(
    simulated: StudySummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed: find_spec gives None
    html = render(simulated, "html")
    assert "<strong>No plot:</strong> matplotlib is not installed" in html
    assert "pip install &#x27;scenariokit[plot]&#x27;" in html or "pip install 'scenariokit[plot]'" in html
    assert html.index("No plot") < html.index("<h2>")  # where the plot would be, above the first section


def test_html_has_no_plot_notice_when_a_plot_is_given_or_matplotlib_is_there(simulated: StudySummary) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    assert "No plot" not in render(simulated, "html")
    assert "No plot" not in render(simulated, "html", plot_png=b"\x89PNG\r\n\x1a\n")


def test_html_groups_the_other_detectors_per_detector_collapsed(simulated: StudySummary) -> None:
    html = render(simulated, "html")
    detectors = sorted({det for _, _, det in simulated.other_rates})
    assert len(detectors) >= 3
    section = html[html.index("<h2>Other detectors") :]
    groups = re.findall(
        r'<details class="detector"><summary><strong>([^<]+)</strong>: flagged (\d+) of (\d+)', section
    )
    assert [name for name, _, _ in groups] == detectors  # one collapsed group per detector, in order
    for name, flagged, scorable in groups:
        rates = [r for (_, _, det), r in simulated.other_rates.items() if det == name]
        assert int(flagged) == sum(r.harmful for r in rates) and int(scorable) == sum(
            r.scorable for r in rates
        )
    assert "<details open" not in section
    rows = section.count("<tr><td>")
    assert rows == len(simulated.other_rates)  # every cell is still there, inside its group
    assert "Detector versions stored" in html  # the line after the old table survives
