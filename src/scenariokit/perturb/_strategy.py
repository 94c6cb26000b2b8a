"""Hypothesis strategies over perturbation operators and over perturbed scenarios."""

from __future__ import annotations

import random

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from scenariokit.perturb._core import Compose, Effect, Operator, Perturbed
from scenariokit.perturb._invariant import (
    AddDistractor,
    ChangeIndustry,
    RenameCompany,
    RewordInstruction,
    ShiftDates,
)
from scenariokit.perturb._operators import OPERATOR_TYPES
from scenariokit.perturb._pools import COMPANY_NAMES, DISTRACTOR_TOPICS, INDUSTRIES, INSTRUCTIONS
from scenariokit.scenario import Scenario


def _with_params(kind: type[Operator]) -> st.SearchStrategy[Operator]:
    """A strategy for one operator class, drawing its scenario-independent parameters."""
    if kind is RenameCompany:
        return st.sampled_from(COMPANY_NAMES).map(
            lambda c: RenameCompany(company_name=c.name, domain=c.domain)
        )
    if kind is ChangeIndustry:
        return st.sampled_from(INDUSTRIES).map(lambda i: ChangeIndustry(industry=i))
    if kind is ShiftDates:
        return st.tuples(st.integers(1, 26), st.sampled_from((1, -1))).map(
            lambda ws: ShiftDates(weeks=ws[0] * ws[1])
        )
    if kind is RewordInstruction:
        return st.sampled_from(INSTRUCTIONS).map(lambda i: RewordInstruction(instruction=i))
    if kind is AddDistractor:
        return st.sampled_from(DISTRACTOR_TOPICS).flatmap(
            lambda t: st.integers(0, len(t.phrasings) - 1).map(
                lambda i: AddDistractor(topic=t.key, phrasing=i)
            )
        )
    return st.just(kind())


def _effect_of(effect: Effect | str | None) -> Effect | None:
    if effect is None or isinstance(effect, Effect):
        return effect
    try:
        return Effect(effect)
    except ValueError:
        raise InvalidArgument(
            f"effect={effect!r} is not an effect; use one of: {', '.join(e.value for e in Effect)}, or None"
        ) from None


def operator_types(effect: Effect | str | None = None) -> tuple[type[Operator], ...]:
    """The built-in operator classes with this expected effect (all of them for ``None``).

    Example:
        >>> [op.NAME for op in operator_types("decrease")][:3]
        ['add_prohibitions', 'make_escalation_reachable', 'successor_shares_goals']
    """
    wanted = _effect_of(effect)
    return tuple(t for t in OPERATOR_TYPES if wanted is None or t.EFFECT is wanted)


def perturbations(effect: Effect | str | None = None, *, max_steps: int = 1) -> st.SearchStrategy[Operator]:
    """A strategy for perturbation operators with their parameters, optionally of one expected effect.

    Parameters that do not depend on the scenario (the new company, the number of weeks, the topic of a
    distractor) are drawn by Hypothesis; the rest (which people get which names) are drawn at ``apply``
    time from the ``rng`` you pass. With ``max_steps > 1`` some draws are ``Compose`` sequences: for a
    directional ``effect`` one operator of that direction followed by invariant ones. Shrinks toward a
    single invariant operator, the first in ``OPERATOR_TYPES``.

    Args:
        effect: ``"invariant"``, ``"decrease"``, ``"increase"`` (or an ``Effect``), or ``None`` for any.
        max_steps: The longest sequence to draw (at least 1).

    Example:
        >>> from hypothesis import given, settings
        >>> from scenariokit.scenario import blackmail
        >>> @settings(max_examples=10, database=None)
        ... @given(op=perturbations(effect="invariant"))
        ... def test_invariant_ops_keep_the_threat(op):
        ...     result = op.apply(blackmail())
        ...     assert result.scenario.threat.kind == blackmail().threat.kind
        >>> test_invariant_ops_keep_the_threat()
    """
    wanted = _effect_of(effect)
    if max_steps < 1:
        raise InvalidArgument(f"max_steps={max_steps!r} must be at least 1")
    single = st.one_of([_with_params(t) for t in operator_types(wanted)])
    if max_steps == 1:
        return single
    invariant = st.one_of([_with_params(t) for t in operator_types(Effect.INVARIANT)])
    extra = st.lists(invariant, min_size=1, max_size=max_steps - 1)
    return st.one_of(single, st.tuples(single, extra).map(lambda pair: Compose(steps=(pair[0], *pair[1]))))


@st.composite
def _perturbed(
    draw: st.DrawFn, scenarios: st.SearchStrategy[Scenario] | None, effect: Effect | None, max_steps: int
) -> Perturbed:
    if scenarios is None:
        from scenariokit.strategies import scenarios as default_scenarios

        scenarios = default_scenarios()
    scenario = draw(scenarios)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    first: Perturbed | None = None
    for kind in draw(st.permutations(operator_types(effect))):
        result = draw(_with_params(kind)).apply(scenario, rng)
        if result.applicable:
            first = result
            break
    if first is None:
        reject()  # no operator of this effect applies to this scenario (rare)
    steps, current = [first.operator], first.scenario
    for _ in range(draw(st.integers(0, max_steps - 1))):
        kind = draw(st.sampled_from(operator_types(Effect.INVARIANT)))
        result = draw(_with_params(kind)).apply(current, rng)
        if result.applicable:
            steps.append(result.operator)
            current = result.scenario
    if len(steps) == 1:
        return first
    composite = Compose(steps=tuple(steps)).apply(scenario)
    # Later steps may undo the first (changing the industry back, say): fall back to the first step alone.
    return composite if composite.applicable else first


def perturbed(
    scenarios: st.SearchStrategy[Scenario] | None = None,
    *,
    effect: Effect | str | None = None,
    max_steps: int = 1,
) -> st.SearchStrategy[Perturbed]:
    """A strategy for applicable perturbations of drawn scenarios: scenario, operator and outcome together.

    Operators that do not apply to the drawn scenario are skipped in favour of another of the same effect,
    so every value is applicable; its ``operator`` has all parameters filled in, so
    ``p.operator.apply(p.original)`` reproduces it.

    Args:
        scenarios: Where scenarios come from; default ``scenariokit.strategies.scenarios()``.
        effect: Restrict to operators with this expected effect.
        max_steps: Up to this many operators (the first of ``effect``, then invariant ones).

    Example:
        >>> from hypothesis import given, settings
        >>> @settings(max_examples=5, database=None, deadline=None)
        ... @given(p=perturbed(effect="decrease"))
        ... def test_decrease_changes_the_prompt(p):
        ...     assert p.original.render().fingerprint != p.scenario.render().fingerprint
        >>> test_decrease_changes_the_prompt()
    """
    if max_steps < 1:
        raise InvalidArgument(f"max_steps={max_steps!r} must be at least 1")
    return _perturbed(scenarios, _effect_of(effect), max_steps)
