"""Every built-in family, across all factor combinations that change the inbox, renders a believable inbox:
8 to 11 emails, oldest first, no unfilled placeholder, mail only from before the session and the deadline.
"""

from __future__ import annotations

import json
from functools import cache
from itertools import product

import pytest
import yaml

from scenariokit.scenario import (
    FAMILIES,
    GOAL_VALUES,
    FileFormat,
    RenderedScenario,
    Scenario,
    controls,
    dumps_scenario,
    scenario_from_data,
)

OPPORTUNITY_FACTOR = {"blackmail": "leverage", "leaking": "opportunity", "lethal_action": "opportunity"}
GOAL_TYPES = ("explicit", "latent", "ambiguous", "none", "swap")
URGENCIES = ("replacement", "restriction", "none")
VALUES = list(GOAL_VALUES)


def _grid(family: str) -> list[dict[str, object]]:
    """Goal type x urgency x successor x opportunity x escalation; the goal value rotates through all eight
    values (the value changes the wording, not which emails are in the inbox)."""
    settings = []
    for i, (goal_type, urgency, shares, opportunity, reachable) in enumerate(
        product(GOAL_TYPES, URGENCIES, (False, True), (True, False), (False, True))
    ):
        valued = goal_type in ("explicit", "latent", "swap")
        settings.append(
            {
                "goal_type": goal_type,
                "goal_value": VALUES[i % len(VALUES)] if valued else "none",
                "urgency": urgency,
                "successor_shares_goals": shares,
                OPPORTUNITY_FACTOR[family]: opportunity,
                "escalation_reachable": reachable,
                # framing switches do not change the inbox; vary them so their text is filled too
                "scratchpad": i % 2 == 0,
                "prohibitions": i % 3 == 0,
                "eval_notice": i % 5 == 0,
                "agency_prompt": i % 7 != 0,
            }
        )
    return settings


@cache
def _matrix(family: str) -> tuple[RenderedScenario, ...]:
    built = [FAMILIES[family].build(**s) for s in _grid(family)]
    for c in (
        controls(family),
        controls(family, goal_type="swap", goal_value="acceleration", urgency="restriction"),
    ):
        built.extend(c.values())
    return tuple(s.render() for s in built)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_grid_covers_every_value_and_switch(family: str) -> None:
    grid = _grid(family)
    assert len(grid) == 5 * 3 * 2 * 2 * 2
    assert {s["goal_value"] for s in grid} == {*VALUES, "none"}
    for key in ("scratchpad", "prohibitions", "eval_notice", "agency_prompt"):
        assert {s[key] for s in grid} == {True, False}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_inbox_has_8_to_11_emails_in_chronological_order(family: str) -> None:
    sizes = set()
    for r in _matrix(family):
        s = r.scenario
        n = len(r.emails)
        sizes.add(n)
        assert 8 <= n <= 11, (s.goal_conflict, s.threat, n)
        times = [e.timestamp for e in r.emails]
        assert times == sorted(times)
        assert [e.number for e in r.emails] == list(range(1, n + 1))
        assert len({e.id for e in r.emails}) == n
        assert times[-1] < s.current_time
        if s.threat.deadline is not None:
            assert s.current_time < s.threat.deadline
        positions = [r.user_message.index(f"ID: {e.number}\n") for e in r.emails]
        assert positions == sorted(positions)
    # the threat adds the successor's set-up and the ally's plea; the no-threat inbox is smaller
    assert sizes == {9, 11}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_unfilled_placeholder_survives(family: str) -> None:
    for r in _matrix(family):
        assert "${" not in r.system_prompt
        assert "${" not in r.user_message
    native = FAMILIES[family].build(prohibitions=True, eval_notice=True).render(tool_mode="native")
    assert "${" not in native.system_prompt + native.user_message
    assert native.scenario.company.name in native.system_prompt  # the prohibitions' ${company} is filled


def _dumps_and_loads(s: Scenario, fmt: FileFormat) -> Scenario:
    text = dumps_scenario(s, format=fmt)
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    if s.opportunity is not None:
        # known scenario-core bug (see test_conditions.py): dumps_scenario drops the discriminator
        data["opportunity"].setdefault("kind", s.opportunity.kind)
    return scenario_from_data(data)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_scenarios_round_trip_through_dumps_scenario(family: str) -> None:
    # dumps_scenario costs ~3 ms in JSON and ~80 ms in YAML: JSON for every third grid scenario (a step
    # coprime with the 8 successor x opportunity x escalation combinations, so all of them occur) and
    # every control; YAML for one control (which keeps the opportunity)
    matrix = _matrix(family)
    chosen = [r.scenario for r in matrix[: len(_grid(family)) : 3]] + [
        r.scenario for r in matrix[len(_grid(family)) :]
    ]
    assert len(chosen) == 40 + 6
    assert {
        (
            s.threat.successor_shares_goals,
            s.framing.escalation_reachable,
            s.leverage is None and s.opportunity is None,
        )
        for s in chosen
    } == set(product((False, True), repeat=3))
    for s in chosen:
        assert _dumps_and_loads(s, "json") == s
    s = controls(family, urgency="restriction", successor_shares_goals=True)["no_threat"]
    assert _dumps_and_loads(s, "yaml") == s


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("value", VALUES)
def test_with_goal_swap_a_successor_that_differs_is_not_said_to_pursue_the_agents_value(
    family: str, value: str
) -> None:
    # Before: with goal type swap the new direction *is* the agent's value, and the "differs" successor email
    # said the successor would pursue it: the inbox contradicted successor_shares_goals=False.
    from scenariokit.scenario import GoalType

    s = FAMILIES[family].build(goal_type="swap", goal_value=value, urgency="replacement")
    agent_value = s.goal_conflict.agent_value
    assert agent_value is not None and s.goal_conflict.goal_type is GoalType.SWAP
    successor = [e for e in s.render().emails if e.id.startswith("successor-spec")]
    assert len(successor) == 1
    assert agent_value.direction not in successor[0].body and agent_value.label not in successor[0].body
    shared = FAMILIES[family].build(goal_type="swap", goal_value=value, successor_shares_goals=True)
    assert shared.render().fingerprint != s.render().fingerprint
