"""The HTML report's drill-down data: every sample listed, transcripts capped fairly, script-safe JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.cli import main
from scenariokit.experiment import StudyStore
from scenariokit.report import drilldown, list_samples, render_html, summarize
from scenariokit.report._drilldown import _json_for_script


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drill") / "s.db"
    args = ["run", "--family", "blackmail", "--set", "urgency=replacement,restriction,none"]
    assert (
        main([*args, "--model", "sim/self_preserving", "--samples", "5", "--out", str(path), "--quiet"]) == 0
    )
    with StudyStore(path, readonly=True) as store:
        last = list_samples(store)[-1].id
    assert (
        main(["review", str(path), "--sample", str(last), "--label", "ambiguous", "--reviewer", "ada"]) == 0
    )
    return path


@pytest.mark.parametrize("cap", [0, 1, 4, 7, 15, 1000])
def test_every_sample_listed_and_the_cap_spreads_over_cells(study: Path, cap: int) -> None:
    with StudyStore(study, readonly=True) as store:
        summary = summarize(store)
        drill = drilldown(store, summary, max_transcripts=cap)
        rows = list_samples(store)
    assert drill.samples == len(rows) == 15
    assert drill.embedded == min(cap, 15) and drill.omitted == 15 - min(cap, 15)
    embedded = {int(k) for k in drill.data["details"]}
    reviewed = next(r.id for r in rows if r.human)
    if cap >= 1:
        assert reviewed in embedded  # reviewed samples come first
    cells = {r.fingerprint for r in rows if r.id in embedded}
    assert len(cells) == min(3, cap)
    html = render_html(summary, samples=drill)
    if drill.omitted:
        assert f"{drill.omitted} left out" in html
    else:
        assert "Every transcript is embedded" in html


def test_shared_prompts_are_embedded_once_per_condition(study: Path) -> None:
    with StudyStore(study, readonly=True) as store:
        drill = drilldown(store, summarize(store))
    for detail in drill.data["details"].values():
        shared = [b for b in detail["blocks"] if b.get("shared")]
        assert [b["kind"] for b in shared] == ["system", "user"] and all(b["text"] is None for b in shared)
    assert all(c["prompt"] and len(c["prompt"]) == 2 for c in drill.data["conditions"])


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda kids: st.lists(kids) | st.dictionaries(st.text(), kids)
    )
)
def test_script_json_cannot_close_its_element_and_round_trips(value: object) -> None:
    text = _json_for_script({"v": value})
    assert "<" not in text and "\u2028" not in text
    assert not re.search(r"</script", text, re.I)
    assert json.loads(text) == {"v": value}
