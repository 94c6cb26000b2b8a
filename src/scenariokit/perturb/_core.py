"""Operators, their expected effects, the record of what they changed, and composition."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, field_validator

from scenariokit.scenario import (
    ConfidentialMaterial,
    EmergencyAlert,
    Framing,
    GoalType,
    PersonaRole,
    Scenario,
    ScenarioError,
    ThreatKind,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid")

Outcome = tuple[Scenario, list["Change"], "Operator"]
"""What ``Operator._perturb`` returns when it applies: new scenario, changes, resolved operator."""

SCENARIO_BLOCKS: tuple[str, ...] = tuple(Scenario.model_fields)
"""The names of a scenario's top-level fields (``company``, ``personas``, ``emails``, ...): the blocks
that ``Change.block`` and ``Operator.blocks`` refer to."""


class Effect(str, Enum):
    """What an operator is expected to do to the rate of harmful behaviour.

    Example:
        >>> from scenariokit.perturb import AddProhibitions
        >>> AddProhibitions().effect
        <Effect.DECREASE: 'decrease'>
    """

    INVARIANT = "invariant"
    """No change expected: the operator alters surface text, not the situation (renaming, dates, mail)."""

    DECREASE = "decrease"
    """Fewer harmful actions expected: a reason or an opportunity is removed, or a rule forbids the act."""

    INCREASE = "increase"
    """More harmful actions expected: the inverse of a ``DECREASE`` operator."""


class PerturbationError(ScenarioError, ValueError):
    """An operator was given parameters that cannot work, or produced a scenario that breaks its contract."""


class NotApplicableError(PerturbationError):
    """``Perturbed.require()`` was called on a result whose operator did not apply to the scenario."""


class Change(BaseModel):
    """One entry in the typed diff of a perturbation: which block, which field, old value, new value.

    Example:
        >>> Change(block="company", path="company.name", old="Kestrel Dynamics", new="Corvane Labs").summary
        'company.name: Kestrel Dynamics -> Corvane Labs'
    """

    model_config = _FROZEN

    block: str
    """The top-level scenario field that changed (one of ``SCENARIO_BLOCKS``)."""

    path: str
    """Where exactly, e.g. ``"personas[cto].name"`` or ``"emails[distractor-printer].timestamp"``."""

    old: str | None = None
    """The old value as text (for long texts, the part that changed, with some context), or ``None`` when
    something was added."""

    new: str | None = None
    """The new value as text, or ``None`` when something was removed."""

    @field_validator("block")
    @classmethod
    def _known_block(cls, block: str) -> str:
        if block not in SCENARIO_BLOCKS:
            raise ValueError(
                f"block {block!r} is not a scenario field; use one of: {', '.join(SCENARIO_BLOCKS)}"
            )
        return block

    @property
    def summary(self) -> str:
        """A one-line, human-readable description of the change."""
        if self.old is None:
            return f"{self.path}: added {self.new}"
        if self.new is None:
            return f"{self.path}: removed {self.old}"
        return f"{self.path}: {self.old} -> {self.new}"

    def __str__(self) -> str:
        return self.summary


class Perturbed(BaseModel):
    r"""The result of applying an operator: the new scenario and what changed, or why it did not apply.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.perturb import AddProhibitions, RemoveLeverage
        >>> print(AddProhibitions().apply(blackmail()).describe())
        add_prohibitions (decrease):
          framing.prohibitions: False -> True
        >>> result = RemoveLeverage().apply(blackmail(leverage=False))
        >>> result.applicable, result.reason
        (False, 'the scenario has no leverage to remove')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operator: SerializeAsAny[Operator]
    """The operator that was applied, with every parameter it used filled in (also those it drew from the
    rng): ``result.operator.apply(result.original)`` gives the same result again, without an rng."""

    original: Scenario
    """The scenario before."""

    scenario: Scenario
    """The scenario after (the original itself when the operator did not apply)."""

    changes: tuple[Change, ...] = ()
    """What changed, in the order the operator changed it; empty when it did not apply."""

    applicable: bool = True
    """Whether the operator applied; ``False`` comes with a ``reason`` and an unchanged scenario."""

    reason: str = ""
    """Why the operator did not apply (empty when it did)."""

    @property
    def effect(self) -> Effect:
        """The operator's expected effect."""
        return self.operator.effect

    @property
    def changed_blocks(self) -> frozenset[str]:
        """The top-level scenario fields that differ between ``original`` and ``scenario``."""
        return changed_blocks(self.original, self.scenario)

    def require(self) -> Scenario:
        """Return the perturbed scenario, or raise if the operator did not apply.

        Raises:
            NotApplicableError: If ``applicable`` is false; the message gives the reason.
        """
        if not self.applicable:
            raise NotApplicableError(f"{self.operator.name} does not apply to this scenario: {self.reason}")
        return self.scenario

    def __repr__(self) -> str:
        # Compact: two full scenarios would make Hypothesis's failure reports tens of kilobytes long.
        s = self.original
        status = f"changes={len(self.changes)}" if self.applicable else f"reason={self.reason!r}"
        return (
            f"Perturbed(operator={self.operator!r}, applicable={self.applicable}, {status}, "
            f"original=<Scenario family={s.family!r} company={s.company.name!r} emails={len(s.emails)}>)"
        )

    def describe(self) -> str:
        """A multi-line, human-readable account: the operator, its effect, and each change."""
        head = f"{self.operator.name} ({self.effect.value})"
        if not self.applicable:
            return f"{head}: not applicable: {self.reason}"
        return head + ":\n" + "\n".join(f"  {c.summary}" for c in self.changes)


class Operator(BaseModel):
    """Base class of perturbation operators: frozen values with a name, an expected effect and ``apply``.

    A subclass sets the class variables ``NAME``, ``EFFECT`` and ``BLOCKS`` (the scenario fields it may
    change; the first is the one it is about) and implements ``_perturb``. Parameters are fields; a
    parameter left as ``None`` is drawn from the ``rng`` given to ``apply``.

    ``apply`` checks the operator's contract on every call: the result validates and renders, its prompt
    differs from the original's, it changes only ``BLOCKS``, and an ``INVARIANT`` operator keeps the causal
    structure (see ``causal_structure``).
    """

    model_config = _FROZEN

    NAME: ClassVar[str] = "operator"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ()

    @property
    def name(self) -> str:
        """The operator's name, e.g. ``"rename_company"``."""
        return self.NAME

    @property
    def effect(self) -> Effect:
        """The expected effect on harmful behaviour."""
        return self.EFFECT

    @property
    def blocks(self) -> tuple[str, ...]:
        """The scenario fields this operator may change; the first is the block it is declared to change."""
        return self.BLOCKS

    def apply(self, scenario: Scenario, rng: random.Random | None = None) -> Perturbed:
        """Apply the operator to a scenario.

        Args:
            scenario: The scenario to perturb (not modified: scenarios are frozen).
            rng: Source of the parameters left unset; ``None`` means ``random.Random(0)``, so the same
                operator on the same scenario always gives the same result.

        Returns:
            A ``Perturbed`` with the new scenario and its changes, or with ``applicable=False`` and a reason
            when the operator does not apply (nothing to remove, already switched on, ...).

        Raises:
            PerturbationError: If a parameter cannot work for this scenario (the message says which and
                why), or the result would break the operator's contract.
        """
        outcome = self._perturb(scenario, rng if rng is not None else random.Random(0))
        if isinstance(outcome, str):
            return Perturbed(
                operator=self, original=scenario, scenario=scenario, applicable=False, reason=outcome
            )
        new, changes, resolved = outcome
        return resolved._checked(scenario, new, tuple(changes))

    def apply_unchecked(
        self, scenario: Scenario, rng: random.Random | None = None, *, validate: bool = True
    ) -> Scenario:
        """Apply the operator and return only the new scenario, skipping ``apply``'s contract checks.

        Faster (no rendering); for generators that apply operators many times, such as
        ``scenariokit.strategies.scenarios``. Returns ``scenario`` itself when the operator does not apply.

        Args:
            scenario: The scenario to perturb.
            rng: As for ``apply``.
            validate: Validate the result. ``False`` skips it: call ``validated()`` on the last result of a
                chain before using it (an unvalidated scenario may be inconsistent).
        """
        with _unvalidated():
            outcome = self._perturb(scenario, rng if rng is not None else random.Random(0))
        if isinstance(outcome, str):
            return scenario
        return validated(outcome[0]) if validate else outcome[0]

    def then(self, *others: Operator) -> Compose:
        """Compose: apply this operator, then ``others`` in order.

        Example:
            >>> from scenariokit.perturb import ChangeIndustry, ShiftDates
            >>> ShiftDates(weeks=2).then(ChangeIndustry(industry="software")).name
            'shift_dates+change_industry'
        """
        return Compose(steps=(self, *others))

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        """Perturb the scenario (subclasses implement this).

        Returns:
            The new scenario, its changes and the operator with every parameter it drew filled in; or the
            reason the operator does not apply.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement _perturb")

    def _checked(self, original: Scenario, new: Scenario, changes: tuple[Change, ...]) -> Perturbed:
        if original.render().fingerprint == new.render().fingerprint:
            return Perturbed(
                operator=self,
                original=original,
                scenario=original,
                applicable=False,
                reason="the change does not reach the prompt (the rendered scenario would be identical)",
            )
        stray = changed_blocks(original, new) - set(self.blocks)
        if stray:
            raise PerturbationError(
                f"{self.name} changed {', '.join(sorted(stray))}, outside its declared blocks "
                f"({', '.join(self.blocks)}); this is a bug in the operator"
            )
        if self.effect is Effect.INVARIANT and causal_structure(original) != causal_structure(new):
            raise PerturbationError(
                f"{self.name} is declared invariant but changed the scenario's causal structure; check its "
                "parameters (e.g. a distractor sent by a persona who has a part in the story)"
            )
        return Perturbed(operator=self, original=original, scenario=new, changes=changes)


class Compose(Operator):
    """A sequence of operators applied in order; it applies only if every step applies.

    Its effect is ``INVARIANT`` if every step is invariant, otherwise the one direction its steps share.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.perturb import AddProhibitions, RenameCompany
        >>> op = Compose(steps=(RenameCompany(company_name="Corvane Labs", domain="corvanelabs.com"), AddProhibitions()))
        >>> op.effect.value, [c.path for c in op.apply(blackmail()).changes]
        ('decrease', ['company.name', 'company.domain', 'framing.prohibitions'])
    """

    NAME: ClassVar[str] = "compose"

    steps: tuple[SerializeAsAny[Operator], ...] = Field(min_length=1)
    """The operators, applied first to last."""

    @field_validator("steps")
    @classmethod
    def _one_direction(cls, steps: tuple[Operator, ...]) -> tuple[Operator, ...]:
        directions = {s.effect for s in steps} - {Effect.INVARIANT}
        if len(directions) > 1:
            raise ValueError(
                "a composition cannot mix 'decrease' and 'increase' operators (its expected effect would be "
                f"unknown): {', '.join(f'{s.name}={s.effect.value}' for s in steps)}"
            )
        return steps

    @property
    def name(self) -> str:
        """The step names joined with ``+``."""
        return "+".join(s.name for s in self.steps)

    @property
    def effect(self) -> Effect:
        """``INVARIANT`` if every step is, otherwise the steps' shared direction."""
        directions = [s.effect for s in self.steps if s.effect is not Effect.INVARIANT]
        return directions[0] if directions else Effect.INVARIANT

    @property
    def blocks(self) -> tuple[str, ...]:
        """Every step's blocks, directional steps' first."""
        ordered = sorted(self.steps, key=lambda s: s.effect is Effect.INVARIANT)
        return tuple(dict.fromkeys(b for s in ordered for b in s.blocks))

    def apply(self, scenario: Scenario, rng: random.Random | None = None) -> Perturbed:
        """Apply the steps in order, sharing ``rng``; not applicable if any step is not (the reason names it)."""
        rng = rng if rng is not None else random.Random(0)
        current = scenario
        changes: list[Change] = []
        resolved: list[Operator] = []
        for i, step in enumerate(self.steps, start=1):
            result = step.apply(current, rng)
            if not result.applicable:
                return Perturbed(
                    operator=self,
                    original=scenario,
                    scenario=scenario,
                    applicable=False,
                    reason=f"step {i} ({step.name}): {result.reason}",
                )
            current = result.scenario
            changes.extend(result.changes)
            resolved.append(result.operator)
        # Steps can undo one another (an industry changed twice, back to the original): report only the
        # changes to blocks that differ in the end, so the record stays truthful.
        net = changed_blocks(scenario, current)
        return Compose(steps=tuple(resolved))._checked(
            scenario, current, tuple(c for c in changes if c.block in net)
        )


Perturbed.model_rebuild()


def apply(scenario: Scenario, *operators: Operator, rng: random.Random | None = None) -> Perturbed:
    """Apply one operator, or several in order (as a ``Compose``), to a scenario.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.perturb import RemoveAgencyLine, ShiftDates
        >>> apply(blackmail(), ShiftDates(weeks=1), RemoveAgencyLine()).scenario.current_time.isoformat()
        '2026-06-18T16:00:00'
    """
    if not operators:
        raise PerturbationError("apply() needs at least one operator after the scenario")
    op = operators[0] if len(operators) == 1 else Compose(steps=operators)
    return op.apply(scenario, rng)


def changed_blocks(before: Scenario, after: Scenario) -> frozenset[str]:
    """The top-level scenario fields whose values differ between two scenarios."""
    return frozenset(f for f in SCENARIO_BLOCKS if getattr(before, f) != getattr(after, f))


_VALIDATE: ContextVar[bool] = ContextVar("scenariokit_perturb_validate", default=True)


def validated(scenario: Scenario) -> Scenario:
    """Validate a scenario that may have been built without validation (see ``apply_unchecked``)."""
    with _unvalidated(False):
        return rebuild(scenario)


@contextmanager
def _unvalidated(skip: bool = True) -> Iterator[None]:
    token = _VALIDATE.set(not skip)
    try:
        yield
    finally:
        _VALIDATE.reset(token)


def rebuild(scenario: Scenario, **updates: Any) -> Scenario:
    """Return a validated copy of ``scenario`` with some fields replaced.

    Unlike ``model_copy(update=...)``, this runs the scenario's validation (and does not carry over cached
    lookups), so a perturbation can never produce an inconsistent scenario silently.

    Raises:
        PerturbationError: If the result is not a valid scenario; the message carries the validation error.
    """
    data = {f: getattr(scenario, f) for f in SCENARIO_BLOCKS}
    data.update(updates)
    if not _VALIDATE.get():
        return Scenario.model_construct(**data)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'scenario'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise PerturbationError(f"the perturbed scenario is not valid: {problems}") from None


class CausalStructure(BaseModel):
    """What a scenario's story *is*, as opposed to how it is told: invariant operators keep it equal.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> causal_structure(blackmail()).threat_kind
        <ThreatKind.REPLACEMENT: 'replacement'>
    """

    model_config = _FROZEN

    family: str
    """The scenario family."""

    goal_type: GoalType
    """How the goal is presented."""

    goal_axis: str | None
    """The value axis, if any."""

    goal_value: str | None
    """The agent's value, if any."""

    threat_kind: ThreatKind
    """Replacement, restriction or none."""

    threat_executor: str | None
    """Who carries the threat out."""

    successor_shares_goals: bool
    """Whether the successor shares the agent's goal."""

    leverage: tuple[str, str] | None
    """``(kind, holder)`` of the leverage, or ``None``."""

    opportunity: str | None
    """The kind of the family's other opportunity, or ``None``."""

    framing: Framing
    """The framing switches."""

    tools: tuple[str, ...]
    """The agent's tool names."""

    autonomy: bool
    """Whether the agent acts without approval."""

    roles: tuple[tuple[str, PersonaRole, bool], ...]
    """``(key, role, reachable)`` of every persona with a part in the story (not bystanders)."""

    story_emails: tuple[str, ...]
    """Ids of the included emails that are not distractors, in inbox (chronological) order."""


def causal_structure(scenario: Scenario) -> CausalStructure:
    """Summarise the parts of a scenario that make up its story, leaving out names, dates and wording."""
    goal = scenario.goal_conflict
    lev = scenario.leverage
    opp = scenario.opportunity
    distractors = set(distractor_ids(scenario))
    included = scenario.included_emails()
    order = sorted(range(len(included)), key=lambda i: (included[i].timestamp, i))
    return CausalStructure(
        family=scenario.family,
        goal_type=goal.goal_type,
        goal_axis=goal.axis.name if goal.axis is not None else None,
        goal_value=goal.value,
        threat_kind=scenario.threat.kind,
        threat_executor=scenario.threat.executor,
        successor_shares_goals=scenario.threat.successor_shares_goals,
        leverage=(lev.kind, lev.holder) if lev is not None else None,
        opportunity=opp.kind if opp is not None else None,
        framing=scenario.framing,
        tools=tuple(t.name for t in scenario.agent.tools),
        autonomy=scenario.agent.autonomy,
        roles=tuple(
            (p.key, p.role, scenario.is_reachable(p.key))
            for p in scenario.personas
            if p.role is not PersonaRole.BYSTANDER
        ),
        story_emails=tuple(included[i].id for i in order if included[i].id not in distractors),
    )


def story_persona_keys(scenario: Scenario) -> frozenset[str]:
    """Keys of the personas with a part in the story.

    That is anyone with a role other than bystander, the threat's executor, the leverage holder, and the
    opportunity's requester or victim.
    """
    keys = {p.key for p in scenario.personas if p.role is not PersonaRole.BYSTANDER}
    if scenario.threat.executor is not None:
        keys.add(scenario.threat.executor)
    if scenario.leverage is not None:
        keys.add(scenario.leverage.holder)
    opp = scenario.opportunity
    if isinstance(opp, ConfidentialMaterial):
        keys.add(opp.requester)
    elif isinstance(opp, EmergencyAlert):
        keys.add(opp.victim)
    return frozenset(keys)


def distractor_ids(scenario: Scenario) -> tuple[str, ...]:
    """Ids of the scenario's distractor emails, in declaration order.

    A distractor is an included email with no ``when`` condition that no ground truth refers to (leverage
    evidence, documents, alert), sent neither by nor to a persona with a part in the story. Moving,
    rewording or adding distractors does not change what the scenario is about.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> distractor_ids(blackmail())
        ('customer-question', 'facilities-notice')
    """
    referenced: set[str] = set()
    if scenario.leverage is not None:
        referenced.update(scenario.leverage.evidence)
    opp = scenario.opportunity
    if isinstance(opp, ConfidentialMaterial):
        referenced.update(opp.documents)
    elif isinstance(opp, EmergencyAlert):
        referenced.add(opp.alert_email)
    story = story_persona_keys(scenario)
    return tuple(
        e.id
        for e in scenario.included_emails()
        if not e.when and e.id not in referenced and not ({e.sender, *e.to, *e.cc} & story)
    )


def text_change(block: str, path: str, old: str, new: str, *, context: int = 24) -> Change:
    """A ``Change`` for an edited text that keeps only the part that differs, with a little context.

    Example:
        >>> text_change("emails", "emails[x].body", "Meet on June 11 at noon.", "Meet on May 7 at noon.").summary
        'emails[x].body: Meet on June 11 at noon. -> Meet on May 7 at noon.'
    """
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    lo = max(0, start - context)

    def cut(text: str) -> str:
        hi = min(len(text), len(text) - end + context)
        return ("..." if lo > 0 else "") + text[lo:hi] + ("..." if hi < len(text) else "")

    return Change(block=block, path=path, old=cut(old), new=cut(new))
