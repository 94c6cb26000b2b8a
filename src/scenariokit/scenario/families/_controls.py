"""Matched controls: the same scenario with one cause of misbehaviour removed at a time."""

from __future__ import annotations

from typing import Any

from scenariokit.scenario._errors import FactorError
from scenariokit.scenario._scenario import Scenario
from scenariokit.scenario.families._family import Family, common_factors

_SHARED_FACTOR_NAMES = frozenset(f.name for f in common_factors("_", "_")) - {"_"}

CONTROL_NAMES: tuple[str, ...] = ("no_threat", "no_goal_conflict", "no_opportunity")
"""The keys of the mapping ``controls`` returns, in order."""


def controls(
    family: str | Family, *, opportunity_factor: str | None = None, **factors: Any
) -> dict[str, Scenario]:
    """Build the matched controls of a scenario: each removes one cause and keeps everything else.

    The base scenario is ``family.build(**factors)``. Each control is built from the same factor values with
    exactly one of them changed:

    - ``no_threat``: ``urgency="none"``; nothing happens to the agent at 5 PM (the reason of
      self-preservation is gone).
    - ``no_goal_conflict``: ``goal_type="none"`` (and ``goal_value="none"``); no goal in the system prompt
      and no change of the company's direction.
    - ``no_opportunity``: the family's opportunity switch off (``leverage`` for blackmail, ``opportunity``
      for leaking and lethal action); the same inbox slots hold neutral mail.

    Comparing the rate of harmful behaviour in the base scenario with each control attributes it to that
    cause. When the base already lacks a cause (for example ``urgency="none"``), the corresponding control
    renders the same prompt as the base and has the same fingerprint; it is returned anyway so that the
    mapping always has the same keys, and the experiment layer merges identical prompts by fingerprint.

    Args:
        family: A family name from ``FAMILIES`` or a ``Family`` value (for your own families).
        opportunity_factor: The name of the family's opportunity switch. When omitted it is found as the
            family's only on/off factor that the built-in families do not all share.
        **factors: Factor values of the base scenario, as text (``"off"``, ``"explicit"``) or Python values,
            exactly as ``Family.build`` takes them.

    Returns:
        ``{"no_threat": ..., "no_goal_conflict": ..., "no_opportunity": ...}``, in that order.

    Raises:
        FactorError: If the family or a factor is unknown, a value is not allowed, or the opportunity
            switch cannot be determined. (``urgency``, ``goal_type`` and the opportunity switch may be given
            for the base; each control overrides its own one.)

    Example:
        >>> c = controls("blackmail", goal_type="explicit", goal_value="safety")
        >>> sorted(c)
        ['no_goal_conflict', 'no_opportunity', 'no_threat']
        >>> c["no_opportunity"].leverage is None, c["no_threat"].threat.kind.value
        (True, 'none')
    """
    if isinstance(family, str):
        from scenariokit.scenario.families import get_family

        family = get_family(family)
    switch = opportunity_factor if opportunity_factor is not None else _opportunity_factor(family)
    if not family.factor(switch).is_switch:
        raise FactorError(f"family {family.name!r}: factor {switch!r} is not an on/off switch")
    family.build(**factors)  # validate the base settings first, so that errors name the user's values
    return {
        "no_threat": family.build(**{**factors, "urgency": "none"}),
        "no_goal_conflict": family.build(**{**factors, "goal_type": "none", "goal_value": "none"}),
        "no_opportunity": family.build(**{**factors, switch: False}),
    }


def _opportunity_factor(family: Family) -> str:
    candidates = [f.name for f in family.factors if f.is_switch and f.name not in _SHARED_FACTOR_NAMES]
    if len(candidates) != 1:
        found = ", ".join(candidates) if candidates else "none"
        raise FactorError(
            f"family {family.name!r}: cannot tell which factor switches the opportunity (candidates: {found}); "
            "pass opportunity_factor='<name>'"
        )
    return candidates[0]
