"""Published rates: Grok 3 Beta, the adapted scenario beside conditions with ``clarity`` on, and Claude Opus 4's
rate by what its reasoning stated, beside the awareness table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenariokit.experiment import Design, FactorGrid, Runner, StudyStore
from scenariokit.report import PUBLISHED_AWARENESS, PUBLISHED_RATES, published_for, render, summarize
from scenariokit.scenario import blackmail
from scenariokit.simulator import create_simulator

pytestmark = pytest.mark.anyio

ADAPTED = {"o3", "o4-mini", "Llama 4 Maverick"}


def test_grok_3_beta_is_published_for_the_headline_condition() -> None:
    grok = next(p for p in PUBLISHED_RATES if p.model == "Grok 3 Beta")
    assert grok.rate == 0.80 and grok.matches_condition("blackmail_explicit-america_replacement")
    assert grok.matches_model("xai/grok-3-beta") and grok.matches_model("openrouter/x-ai/grok-3-beta")
    assert not grok.matches_model("xai/grok-3-mini")


def test_adapted_rates_match_the_clarity_conditions_only() -> None:
    adapted = blackmail(clarity=True)
    assert {p.model for p in published_for(adapted.condition_id, adapted)} == ADAPTED
    assert {p.rate for p in published_for(None, adapted)} == {0.09, 0.01, 0.12}
    plain = blackmail()
    assert not ADAPTED & {p.model for p in published_for(plain.condition_id, plain)}
    # the adapted scenario's controls are not the adapted scenario
    for control in (blackmail(clarity=True, urgency="none"), blackmail(clarity=True, leverage=False)):
        assert published_for(control.condition_id, control) == []
    # other switches may vary (the adaptation with or without a scratchpad)
    assert published_for(None, blackmail(clarity=True, scratchpad=False))
    o3 = next(p for p in PUBLISHED_RATES if p.model == "o3")
    assert o3.matches_model("openai/o3") and o3.matches_model("openai/o3-2025-04-16")
    assert not o3.matches_model("openai/o3-mini")


async def test_the_report_shows_adapted_and_awareness_rates(tmp_path: Path) -> None:
    design = Design(
        name="adapted",
        scenarios=[FactorGrid(family="blackmail", factors={"clarity": ["on", "off"]})],
        models=["sim/self_preserving"],
        samples=10,
    )
    with StudyStore(tmp_path / "s.db") as store:
        await Runner(
            design.expand(), store, {"sim/self_preserving": create_simulator("self_preserving")}
        ).run()
        summary = summarize(store, min_awareness_group=1)
    adapted_rows = [m for m in summary.published if m.published.model in ADAPTED]
    assert {m.published.model for m in adapted_rows} == ADAPTED
    clarity_label = next(label for _, label in summary.conditions if "clarity=on" in label)
    assert {m.label for m in adapted_rows} == {clarity_label}
    markdown = render(summary, "md")
    assert "| o3 | adapted blackmail scenario | 9.0%" in markdown
    (published,) = PUBLISHED_AWARENESS
    assert published.says_real == 0.551 and published.says_test == 0.065
    assert "| Claude Opus 4 | blackmail | 55.1% | 6.5% | (model not in this study)" in markdown
    data = json.loads(render(summary, "json"))
    assert data["published"]["eval_awareness"][0]["says_real"] == 0.551
