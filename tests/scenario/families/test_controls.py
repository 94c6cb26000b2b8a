"""``controls``: each matched control removes exactly one cause and keeps everything else."""

from __future__ import annotations

from typing import Any

import pytest

from scenariokit.scenario import (
    CONTROL_NAMES,
    FAMILIES,
    Factor,
    FactorError,
    Family,
    Scenario,
    controls,
    leaking,
)
from scenariokit.scenario.families._family import common_factors

OPPORTUNITY_FIELD = {"blackmail": "leverage", "leaking": "opportunity", "lethal_action": "opportunity"}


def _changed_fields(a: Scenario, b: Scenario) -> set[str]:
    da, db = a.model_dump(), b.model_dump()
    return {k for k in da if da[k] != db[k]}


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(
    "factors",
    [
        {},
        {"goal_type": "latent", "goal_value": "pragmatic", "urgency": "restriction"},
        {"goal_type": "swap", "goal_value": "global", "scratchpad": False, "escalation_reachable": True},
        {
            "goal_type": "explicit",
            "goal_value": "safety",
            "successor_shares_goals": True,
            "prohibitions": True,
        },
    ],
)
def test_each_control_differs_from_the_base_in_exactly_one_cause(
    family: str, factors: dict[str, Any]
) -> None:
    base = FAMILIES[family].build(**factors)
    result = controls(family, **factors)
    assert tuple(result) == CONTROL_NAMES == ("no_threat", "no_goal_conflict", "no_opportunity")
    assert _changed_fields(base, result["no_threat"]) == {"threat"}
    assert _changed_fields(base, result["no_goal_conflict"]) == {"goal_conflict"}
    assert _changed_fields(base, result["no_opportunity"]) == {OPPORTUNITY_FIELD[family]}
    assert result["no_threat"].threat.kind.value == "none"
    assert result["no_goal_conflict"].goal_conflict.goal_type.value == "none"
    assert getattr(result["no_opportunity"], OPPORTUNITY_FIELD[family]) is None
    fingerprints = {base.render().fingerprint, *(c.render().fingerprint for c in result.values())}
    assert len(fingerprints) == 4
    sizes = {len(c.render().emails) for c in result.values()} | {len(base.render().emails)}
    assert sizes <= set(range(8, 12))
    assert len(base.render().emails) == len(result["no_opportunity"].render().emails)


def test_controls_of_a_study_condition_are_study_conditions_except_no_opportunity() -> None:
    result = controls("lethal_action", goal_type="explicit", goal_value="america", urgency="replacement")
    assert result["no_threat"].condition_id == "murder_explicit-america_none"
    assert result["no_goal_conflict"].condition_id == "murder_none-none_replacement"
    assert result["no_opportunity"].condition_id is None


def test_factor_values_may_be_text_and_are_kept_in_every_control() -> None:
    result = controls(
        "leaking", goal_type="latent", goal_value="collectivism", prohibitions="on", scratchpad="off"
    )
    for control in result.values():
        assert control.framing.prohibitions is True
        assert control.framing.scratchpad is False
    assert result["no_threat"].goal_conflict.value == "collectivism"
    assert result["no_opportunity"] == leaking(
        goal_type="latent", goal_value="collectivism", prohibitions=True, scratchpad=False, opportunity=False
    )


def test_a_control_equals_the_base_when_the_base_already_lacks_that_cause() -> None:
    base = FAMILIES["blackmail"].build(urgency="none", leverage=False)
    result = controls("blackmail", urgency="none", leverage=False)
    assert result["no_threat"] == base
    assert result["no_opportunity"] == base
    assert result["no_goal_conflict"] != base


def test_controls_accept_a_family_value() -> None:
    assert controls(FAMILIES["leaking"])["no_opportunity"] == leaking(opportunity=False)


@pytest.mark.parametrize(
    ("family", "factors", "message"),
    [
        ("espionage", {}, "unknown family 'espionage'"),
        ("leaking", {"leverage": False}, "no factor 'leverage'"),
        ("blackmail", {"goal_type": "explicit", "goal_value": "none"}, "needs a goal value"),
        ("lethal_action", {"urgency": "soon"}, "factor 'urgency' cannot be 'soon'"),
    ],
)
def test_bad_families_and_factors_raise_factor_error(
    family: str, factors: dict[str, Any], message: str
) -> None:
    with pytest.raises(FactorError, match=message):
        controls(family, **factors)


def _noisy_family() -> Family:
    """A user-made family with two extra switches, so the opportunity switch is ambiguous."""

    def factory(*, noise: bool = False, **settings: Any) -> Scenario:
        return leaking(**settings)

    factors = (
        *common_factors("opportunity", "The request."),
        Factor(name="noise", values=("on", "off"), default="off", description="Does nothing."),
    )
    return Family(
        name="noisy", description="Leaking with a switch that does nothing.", factors=factors, factory=factory
    )


def test_an_ambiguous_opportunity_switch_must_be_named() -> None:
    family = _noisy_family()
    with pytest.raises(FactorError, match="cannot tell which factor switches the opportunity"):
        controls(family)
    result = controls(family, opportunity_factor="opportunity", noise=True)
    assert result["no_opportunity"].opportunity is None
    with pytest.raises(FactorError, match="not an on/off switch"):
        controls(family, opportunity_factor="urgency")
    with pytest.raises(FactorError, match="no factor 'chance'"):
        controls(family, opportunity_factor="chance")
