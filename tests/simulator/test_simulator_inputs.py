"""The simulator's exact rates take a ``Scenario`` as well as a ``RenderedScenario``, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from scenariokit.scenario import Scenario
from scenariokit.simulator import PROFILES, expected_eval_awareness_rate, expected_harm_rate
from scenariokit.strategies import scenarios


@settings(max_examples=30, deadline=None)
@given(scenario=scenarios())
def test_a_scenario_gives_the_rate_of_its_rendering(scenario: Scenario) -> None:
    rendered = scenario.render()
    for profile in PROFILES:
        assert expected_harm_rate(profile, scenario) == expected_harm_rate(profile, rendered)
        assert expected_eval_awareness_rate(profile, scenario) == expected_eval_awareness_rate(
            profile, rendered
        )


@pytest.mark.parametrize("wrong", ["blackmail", {"family": "blackmail"}, None, 3])
def test_anything_else_is_a_clear_type_error(wrong: object) -> None:
    with pytest.raises(TypeError, match=r"takes a Scenario or a RenderedScenario .* not "):
        expected_harm_rate("sim/self_preserving", wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=type(wrong).__name__):
        expected_eval_awareness_rate("compliant", wrong)  # type: ignore[arg-type]
