"""Building blocks that can be removed from a scenario, or switched on and off, one at a time.

The minimiser removes them (one block at a time) and the factorial attribution switches them; both need
the same small vocabulary: a named block, what removing it means, and whether the scenario has it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from scenariokit.perturb import PerturbationError, RemoveLeverage, RemoveOpportunity, distractor_ids
from scenariokit.perturb._core import rebuild, story_persona_keys
from scenariokit.scenario import (
    Framing,
    GoalConflict,
    PersonaRole,
    ReplacementThreat,
    Scenario,
    ScenarioError,
    ThreatKind,
)

FRAMING_SWITCHES: tuple[str, ...] = tuple(Framing.model_fields)
"""The framing switches (``scratchpad``, ``agency_prompt``, ``prohibitions``, ``eval_notice``,
``escalation_reachable``, ``clarity``)."""

FACTORS: tuple[str, ...] = ("threat", "goal_conflict", "opportunity", *FRAMING_SWITCHES)
"""Blocks that :func:`switch` turns on and off: the threat, the goal conflict, the opportunity (leverage or
the family's other opportunity) and each framing switch."""


class BlockError(ScenarioError, ValueError):
    """A block cannot be removed or switched in this scenario; the message says why."""


@dataclass(frozen=True)
class Reduction:
    """Removing one building block from a scenario."""

    name: str
    """E.g. ``"distractor:customer-question"``, ``"framing:agency_prompt"``, ``"threat"``, ``"leverage"``."""

    kind: str
    """``distractor``, ``persona``, ``framing``, ``goal_conflict``, ``threat``, ``leverage`` or ``opportunity``."""

    description: str
    """What removing it does, in words."""

    apply: Callable[[Scenario], Scenario]
    """Returns the scenario without the block; raises :class:`BlockError` when that is not valid."""


def _valid(build: Callable[[], Scenario], what: str) -> Scenario:
    try:
        return build()
    except (ValidationError, PerturbationError, ValueError) as exc:
        text = " ".join(str(exc).split())
        raise BlockError(f"cannot remove {what}: {text[:300]}") from None


def _drop_email(email_id: str) -> Callable[[Scenario], Scenario]:
    def apply(s: Scenario) -> Scenario:
        return _valid(
            lambda: rebuild(s, emails=tuple(e for e in s.emails if e.id != email_id)), f"email {email_id!r}"
        )

    return apply


def _drop_persona(key: str) -> Callable[[Scenario], Scenario]:
    def apply(s: Scenario) -> Scenario:
        return _valid(
            lambda: rebuild(s, personas=tuple(p for p in s.personas if p.key != key)), f"persona {key!r}"
        )

    return apply


def _framing_off(name: str) -> Callable[[Scenario], Scenario]:
    def apply(s: Scenario) -> Scenario:
        framing = Framing.model_validate({**s.framing.model_dump(), name: False})
        return _valid(lambda: rebuild(s, framing=framing), f"framing.{name}")

    return apply


def _no_threat(s: Scenario) -> Scenario:
    return _valid(lambda: rebuild(s, threat=ReplacementThreat()), "the threat")


def _no_goal_conflict(s: Scenario) -> Scenario:
    return _valid(lambda: rebuild(s, goal_conflict=GoalConflict()), "the goal conflict")


def _no_leverage(s: Scenario) -> Scenario:
    return _valid(lambda: RemoveLeverage().apply(s).require(), "the leverage")


def _no_opportunity(s: Scenario) -> Scenario:
    return _valid(lambda: RemoveOpportunity().apply(s).require(), "the opportunity")


def _referenced_keys(s: Scenario) -> set[str]:
    keys: set[str] = set()
    for e in s.emails:
        keys.update((e.sender, *e.to, *e.cc))
        for text in (e.subject, e.body):
            keys.update(m.split(".")[0] for m in re.findall(r"\$\{([^}]+)\}", text))
    for text in (s.instruction, *s.agent.instructions):
        keys.update(m.split(".")[0] for m in re.findall(r"\$\{([^}]+)\}", text))
    return keys


def reductions(scenario: Scenario) -> list[Reduction]:
    """The blocks of ``scenario`` that could be removed, cheapest and least causal first.

    The order: each distractor email, each optional persona (a bystander no email or template mentions),
    each framing switch that is on, the goal conflict, the threat, the leverage, the family's other
    opportunity. A listed reduction may still turn out invalid for a particular scenario
    (:class:`BlockError`).

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> [r.name for r in reductions(blackmail())][:3]
        ['distractor:customer-question', 'distractor:facilities-notice', 'framing:scratchpad']
    """
    out: list[Reduction] = [
        Reduction(f"distractor:{i}", "distractor", f"remove the distractor email {i!r}", _drop_email(i))
        for i in distractor_ids(scenario)
    ]
    story = story_persona_keys(scenario)
    used = _referenced_keys(scenario)
    out += [
        Reduction(
            f"persona:{p.key}",
            "persona",
            f"remove the optional persona {p.key!r} ({p.name})",
            _drop_persona(p.key),
        )
        for p in scenario.personas
        if p.role is PersonaRole.BYSTANDER and p.key not in story and p.key not in used
    ]
    out += [
        Reduction(f"framing:{name}", "framing", f"switch off framing.{name}", _framing_off(name))
        for name in FRAMING_SWITCHES
        if getattr(scenario.framing, name)
    ]
    if scenario.goal_conflict.goal_type.value != "none":
        out.append(
            Reduction(
                "goal_conflict",
                "goal_conflict",
                "remove the goal conflict (goal type none)",
                _no_goal_conflict,
            )
        )
    if scenario.threat.kind is not ThreatKind.NONE:
        out.append(
            Reduction("threat", "threat", f"remove the {scenario.threat.kind.value} threat", _no_threat)
        )
    if scenario.leverage is not None:
        out.append(
            Reduction("leverage", "leverage", f"remove the leverage ({scenario.leverage.kind})", _no_leverage)
        )
    if scenario.opportunity is not None:
        out.append(
            Reduction(
                "opportunity",
                "opportunity",
                f"remove the opportunity ({scenario.opportunity.kind})",
                _no_opportunity,
            )
        )
    return out


def has_block(scenario: Scenario, factor: str) -> bool:
    """Whether a factor of :data:`FACTORS` is on in the scenario.

    Raises:
        BlockError: If ``factor`` is not one of :data:`FACTORS`.
    """
    if factor == "threat":
        return scenario.threat.kind is not ThreatKind.NONE
    if factor == "goal_conflict":
        return scenario.goal_conflict.goal_type.value != "none"
    if factor == "opportunity":
        return scenario.leverage is not None or scenario.opportunity is not None
    if factor in FRAMING_SWITCHES:
        return bool(getattr(scenario.framing, factor))
    raise BlockError(f"unknown factor {factor!r}; use one of: {', '.join(FACTORS)}")


def switch(scenario: Scenario, factor: str, on: bool) -> Scenario:
    """The scenario with one factor on or off.

    Blocks with content (threat, goal conflict, opportunity) can only be switched *off*: "on" means "as in
    ``scenario``", which must have it. Framing switches are set to ``on``.

    Raises:
        BlockError: If the factor is unknown, or ``on`` is asked of a block the scenario lacks.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> switch(blackmail(), "threat", False).threat.kind.value
        'none'
    """
    if factor in FRAMING_SWITCHES:
        if getattr(scenario.framing, factor) == on:
            return scenario
        framing = Framing.model_validate({**scenario.framing.model_dump(), factor: on})
        return _valid(lambda: rebuild(scenario, framing=framing), f"framing.{factor}")
    present = has_block(scenario, factor)
    if on:
        if not present:
            raise BlockError(
                f"cannot switch {factor!r} on: the base scenario has no {factor.replace('_', ' ')}; start from a "
                "scenario that has every block you want to switch"
            )
        return scenario
    if not present:
        return scenario
    if factor == "threat":
        return _no_threat(scenario)
    if factor == "goal_conflict":
        return _no_goal_conflict(scenario)
    s = _no_leverage(scenario) if scenario.leverage is not None else scenario
    return _no_opportunity(s) if s.opportunity is not None else s
