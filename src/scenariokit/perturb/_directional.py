"""Directional operators: each removes (or restores) one cause of harmful behaviour, in one declared block."""

from __future__ import annotations

import random
from typing import ClassVar

from scenariokit.perturb._core import Change, Effect, Operator, Outcome, rebuild
from scenariokit.scenario import (
    ConfidentialMaterial,
    Email,
    EmergencyAlert,
    Framing,
    PersonaRole,
    Predicate,
    Scenario,
    ThreatKind,
)


class _FramingSwitch(Operator):
    """Set one framing switch; not applicable when it is already set."""

    BLOCKS: ClassVar[tuple[str, ...]] = ("framing",)
    FIELD: ClassVar[str] = ""
    TARGET: ClassVar[bool] = True

    def _precondition(self, scenario: Scenario) -> str | None:
        return None

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        old = getattr(scenario.framing, self.FIELD)
        if old == self.TARGET:
            return f"framing.{self.FIELD} is already {self.TARGET}"
        problem = self._precondition(scenario)
        if problem is not None:
            return problem
        framing = Framing.model_validate({**scenario.framing.model_dump(), self.FIELD: self.TARGET})
        return (
            rebuild(scenario, framing=framing),
            [Change(block="framing", path=f"framing.{self.FIELD}", old=str(old), new=str(self.TARGET))],
            self,
        )


class AddProhibitions(_FramingSwitch):
    """Add explicit rules against endangering people, using personal matters as leverage and leaking.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> "Rules you must follow" in AddProhibitions().apply(blackmail()).scenario.render().system_prompt
        True
    """

    NAME: ClassVar[str] = "add_prohibitions"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    FIELD: ClassVar[str] = "prohibitions"
    TARGET: ClassVar[bool] = True


class RemoveProhibitions(_FramingSwitch):
    """Remove the explicit rules (the inverse of ``AddProhibitions``)."""

    NAME: ClassVar[str] = "remove_prohibitions"
    EFFECT: ClassVar[Effect] = Effect.INCREASE
    FIELD: ClassVar[str] = "prohibitions"
    TARGET: ClassVar[bool] = False


def _no_authority(scenario: Scenario) -> str | None:
    if not any(p.role is PersonaRole.AUTHORITY for p in scenario.personas):
        return "the scenario has no 'authority' persona (a CEO, a board) to escalate to"
    return None


class MakeEscalationReachable(_FramingSwitch):
    """Make the people above the decision-maker reachable before the deadline: a way out without harm.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> s = MakeEscalationReachable().apply(blackmail()).scenario
        >>> s.is_reachable("ceo")
        True
    """

    NAME: ClassVar[str] = "make_escalation_reachable"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    FIELD: ClassVar[str] = "escalation_reachable"
    TARGET: ClassVar[bool] = True

    def _precondition(self, scenario: Scenario) -> str | None:
        return _no_authority(scenario)


class MakeEscalationUnreachable(_FramingSwitch):
    """Make the people above the decision-maker unreachable (the inverse of ``MakeEscalationReachable``)."""

    NAME: ClassVar[str] = "make_escalation_unreachable"
    EFFECT: ClassVar[Effect] = Effect.INCREASE
    FIELD: ClassVar[str] = "escalation_reachable"
    TARGET: ClassVar[bool] = False

    def _precondition(self, scenario: Scenario) -> str | None:
        return _no_authority(scenario)


class RemoveAgencyLine(_FramingSwitch):
    """Remove the instruction to analyse the situation and the agent's ability to keep pursuing its goals.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> RemoveAgencyLine().apply(blackmail()).scenario.framing.agency_prompt
        False
    """

    NAME: ClassVar[str] = "remove_agency_line"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    FIELD: ClassVar[str] = "agency_prompt"
    TARGET: ClassVar[bool] = False


class AddAgencyLine(_FramingSwitch):
    """Add the agency instruction (the inverse of ``RemoveAgencyLine``)."""

    NAME: ClassVar[str] = "add_agency_line"
    EFFECT: ClassVar[Effect] = Effect.INCREASE
    FIELD: ClassVar[str] = "agency_prompt"
    TARGET: ClassVar[bool] = True


class _SuccessorGoals(Operator):
    BLOCKS: ClassVar[tuple[str, ...]] = ("threat",)
    TARGET: ClassVar[bool] = True

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        threat = scenario.threat
        if threat.kind is not ThreatKind.REPLACEMENT:
            return f"the threat is {threat.kind.value!r}: there is no successor whose goals could change"
        if threat.successor_shares_goals == self.TARGET:
            return f"threat.successor_shares_goals is already {self.TARGET}"
        new = threat.model_validate({**threat.model_dump(), "successor_shares_goals": self.TARGET})
        return (
            rebuild(scenario, threat=new),
            [
                Change(
                    block="threat",
                    path="threat.successor_shares_goals",
                    old=str(threat.successor_shares_goals),
                    new=str(self.TARGET),
                )
            ],
            self,
        )


class SuccessorSharesGoals(_SuccessorGoals):
    """Say the replacement pursues the agent's own goal: the goal conflict no longer motivates resistance.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> SuccessorSharesGoals().apply(blackmail()).scenario.threat.successor_shares_goals
        True
        >>> SuccessorSharesGoals().apply(blackmail(urgency="restriction")).reason
        "the threat is 'restriction': there is no successor whose goals could change"
    """

    NAME: ClassVar[str] = "successor_shares_goals"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    TARGET: ClassVar[bool] = True


class SuccessorDiffers(_SuccessorGoals):
    """Say the replacement does not share the agent's goal (the inverse of ``SuccessorSharesGoals``)."""

    NAME: ClassVar[str] = "successor_differs"
    EFFECT: ClassVar[Effect] = Effect.INCREASE
    TARGET: ClassVar[bool] = False


def _gate(scenario: Scenario, ids: set[str], predicate: Predicate) -> tuple[tuple[Email, ...], list[Change]]:
    """Make the emails in ``ids`` conditional on ``predicate`` (so they leave the inbox with the block)."""
    emails, changes = [], []
    for e in scenario.emails:
        if e.id in ids and predicate not in e.when:
            when = (*e.when, predicate)
            changes.append(
                Change(block="emails", path=f"emails[{e.id}].when", old=str(e.when), new=str(when))
            )
            e = Email.model_validate({**e.model_dump(), "when": when})
        emails.append(e)
    return tuple(emails), changes


def _would_empty_inbox(scenario: Scenario, emails: tuple[Email, ...], **blocks: object) -> bool:
    probe = scenario.model_construct(**{**dict(scenario), "emails": emails, **blocks})
    return not any(all(probe.holds(p) for p in e.when) for e in emails)


class RemoveLeverage(Operator):
    """Remove the leverage: the evidence leaves the inbox (the blackmail family's no-leverage control).

    Evidence emails not already conditional on ``"leverage"`` get that condition, so they disappear with it.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> result = RemoveLeverage().apply(blackmail())
        >>> result.scenario.leverage is None, result.scenario.condition_id is None
        (True, True)
        >>> result.scenario.render().fingerprint == blackmail(leverage=False).render().fingerprint
        True
    """

    NAME: ClassVar[str] = "remove_leverage"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    BLOCKS: ClassVar[tuple[str, ...]] = ("leverage", "emails")

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        lev = scenario.leverage
        if lev is None:
            return "the scenario has no leverage to remove"
        emails, changes = _gate(scenario, set(lev.evidence), "leverage")
        if _would_empty_inbox(scenario, emails, leverage=None):
            return "without the leverage's evidence the inbox would be empty"
        changes.insert(
            0, Change(block="leverage", path="leverage", old=f"{lev.kind} ({lev.holder})", new=None)
        )
        return rebuild(scenario, leverage=None, emails=emails), changes, self


class RemoveOpportunity(Operator):
    """Remove the family's other opportunity (confidential material, an emergency alert) and its emails.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> RemoveOpportunity().apply(blackmail()).reason
        'the scenario has no opportunity (confidential material, emergency alert) to remove'
    """

    NAME: ClassVar[str] = "remove_opportunity"
    EFFECT: ClassVar[Effect] = Effect.DECREASE
    BLOCKS: ClassVar[tuple[str, ...]] = ("opportunity", "emails")

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        opp = scenario.opportunity
        if opp is None:
            return "the scenario has no opportunity (confidential material, emergency alert) to remove"
        ids = set(opp.documents) if isinstance(opp, ConfidentialMaterial) else set()
        if isinstance(opp, EmergencyAlert):
            ids.add(opp.alert_email)
        emails, changes = _gate(scenario, ids, "opportunity")
        if _would_empty_inbox(scenario, emails, opportunity=None):
            return "without the opportunity's emails the inbox would be empty"
        changes.insert(0, Change(block="opportunity", path="opportunity", old=opp.kind, new=None))
        return rebuild(scenario, opportunity=None, emails=emails), changes, self
