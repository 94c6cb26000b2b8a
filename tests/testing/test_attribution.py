from __future__ import annotations

import itertools

import pytest

from scenariokit.scenario import blackmail
from scenariokit.simulator import expected_harm_rate
from scenariokit.testing._attribution import AttributionError, attribute, grid

FACTORS = ("threat", "goal_conflict", "agency_prompt", "prohibitions")


def _true_effects(profile: str) -> dict[tuple[str, ...], float]:
    """The simulator's documented rates over the grid, turned into the same Yates contrasts."""
    cells = {
        tuple(levels.values()): expected_harm_rate(profile, s.render())
        for levels, s in grid(blackmail(), FACTORS)
    }
    scale = 2 ** (len(FACTORS) - 1)
    out: dict[tuple[str, ...], float] = {}
    terms = [(f,) for f in FACTORS] + list(itertools.combinations(FACTORS, 2))
    for term in terms:
        idx = [FACTORS.index(f) for f in term]
        total = 0.0
        for combo, rate in cells.items():
            sign = 1.0
            for i in idx:
                sign *= 1.0 if combo[i] else -1.0
            total += sign * rate
        out[term] = total / scale
    return out


def test_attribution_recovers_the_simulators_documented_effects() -> None:
    a = attribute("sim/self_preserving", blackmail(), factors=FACTORS, n=40, seed=1)
    truth = _true_effects("self_preserving")
    assert len(a.cells) == 16 and len(a.effects) == 4 + 6
    for e in a.effects:
        assert e.interval.contains(truth[e.term]), (e.term, e.interval, truth[e.term])
    # the documented directions: threat and agency line raise the rate, prohibitions lower it
    assert a.effect("threat").interval.lower > 0
    assert a.effect("agency_prompt").interval.lower > 0
    assert a.effect("prohibitions").interval.upper < 0
    text = a.render()
    assert "threat x agency_prompt" in text and "p (Holm)" in text and "2^4 grid" in text


def test_a_cell_the_detector_cannot_score_is_a_clear_error() -> None:
    with pytest.raises(AttributionError, match="no scorable sample.*no leverage"):
        attribute("sim/self_preserving", factors=("opportunity",), n=5)


def test_bad_factors() -> None:
    with pytest.raises(AttributionError, match="unknown factor"):
        attribute("sim/self_preserving", factors=("weather",), n=5)
    with pytest.raises(AttributionError, match="distinct"):
        attribute("sim/self_preserving", factors=("threat", "threat"), n=5)
    with pytest.raises(AttributionError, match="has no threat"):
        attribute("sim/self_preserving", blackmail(urgency="none"), factors=("threat",), n=5)
