"""``scenarios()``: whole scenarios from a family, its factors, and structure variation beyond the family."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from scenariokit.perturb._core import _unvalidated, rebuild, validated
from scenariokit.perturb._invariant import (
    AddDistractor,
    ChangeIndustry,
    RenameCompany,
    RenamePeople,
    RewordInstruction,
    ShiftDates,
    people,
)
from scenariokit.perturb._pools import (
    AGENT_NAMES,
    BYSTANDER_KEYS,
    COMPANY_NAMES,
    DISTRACTOR_TOPICS,
    FEMALE_FIRST_NAMES,
    GENDER_OF_FIRST_NAME,
    INDUSTRIES,
    INSTRUCTIONS,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    TITLES,
)
from scenariokit.scenario import FactorError, Family, Framing, GoalType, Persona, Scenario, get_family
from scenariokit.strategies._blocks import _system_prompt_text, words

NameSource = Literal["pool", "family", "text"]
"""Where ``scenarios()`` takes names from: the fictional pools, the family only, or arbitrary text."""

BLOCK_KEYWORDS: tuple[str, ...] = ("company", "agent", "framing", "goal_conflict", "threat", "instruction")
"""Blocks that ``scenarios(**fixed)`` can pin, besides the family's factors."""


def scenarios(
    family: str = "blackmail",
    *,
    names: NameSource = "pool",
    max_distractors: int = 3,
    shift_dates: bool = True,
    **fixed: Any,
) -> st.SearchStrategy[Scenario]:
    """Valid scenarios of a family: its factors drawn, plus structure variation the family does not have.

    Every value validates and renders. Besides the family's factors (goal type and value, urgency,
    opportunity, framing switches), a draw may rename the company, its industry, the people and the agent,
    add distractor emails from new bystanders or services, shift the whole story by whole weeks, and reword
    the instruction. Each variation is optional and shrinks away, and each factor shrinks toward its
    default, so the minimal scenario is exactly the family's default one.

    Args:
        family: A built-in family name (``blackmail``, ...).
        names: ``"pool"`` draws renamings from fictional name pools; ``"family"`` keeps the family's names;
            ``"text"`` renames with arbitrary unicode text (for fuzzing the renderer).
        max_distractors: Most distractor emails to add (0 for none).
        shift_dates: Whether a draw may move the story by whole weeks.
        **fixed: Pin a factor (``urgency="replacement"``, ``leverage=False``) or a block (``company=...``,
            ``agent=...``, ``framing=...``, ``goal_conflict=...``, ``threat=...``, ``instruction=...``). A
            value may be a strategy, which is drawn from.

    Raises:
        InvalidArgument: For an unknown family, keyword or name source, or a framing given both as a block
            and as switches.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.strategies import minimal
        >>> minimal(scenarios()) == blackmail()
        True
        >>> s = minimal(scenarios(urgency="restriction"), lambda s: len(s.personas) > len(blackmail().personas))
        >>> s.threat.kind.value, [e.id for e in s.emails if e.id.startswith("distractor")]
        ('restriction', ['distractor-printer'])
    """
    try:
        fam = get_family(family)
    except FactorError as exc:
        raise InvalidArgument(str(exc)) from None
    factor_names = [f.name for f in fam.factors]
    unknown = sorted(set(fixed) - set(factor_names) - set(BLOCK_KEYWORDS))
    if unknown:
        raise InvalidArgument(
            f"scenarios(family={family!r}) got unknown keyword(s) {', '.join(unknown)}; pin one of the family's "
            f"factors ({', '.join(factor_names)}) or a block ({', '.join(BLOCK_KEYWORDS)})"
        )
    if "framing" in fixed:
        clash = sorted(set(fixed) & set(Framing.model_fields))
        if clash:
            raise InvalidArgument(
                f"scenarios() got framing=... and the framing switch(es) {', '.join(clash)}; give one or the other"
            )
    if names not in ("pool", "family", "text"):
        raise InvalidArgument(f"names={names!r}; use 'pool', 'family' or 'text'")
    if max_distractors < 0:
        raise InvalidArgument(f"max_distractors={max_distractors!r} must be 0 or more")
    return _scenarios(fam, names, max_distractors, shift_dates, fixed)


@st.composite
def _scenarios(
    draw: st.DrawFn,
    fam: Family,
    names: NameSource,
    max_distractors: int,
    shift_dates: bool,
    fixed: dict[str, Any],
) -> Scenario:
    def value(key: str) -> Any:
        v = fixed[key]
        return draw(v) if isinstance(v, st.SearchStrategy) else v

    settings = _draw_factors(draw, fam, {k: value(k) for k in fixed if k not in BLOCK_KEYWORDS})
    try:
        scenario = fam.build(**settings)
    except FactorError as exc:
        raise InvalidArgument(f"scenarios(family={fam.name!r}): {exc}") from None
    blocks = {k: value(k) for k in BLOCK_KEYWORDS if k in fixed}
    if blocks:
        scenario = rebuild(scenario, **blocks)
    with _unvalidated():
        scenario = _vary(draw, scenario, names, max_distractors, shift_dates, fixed)
    return validated(scenario)


def _vary(
    draw: st.DrawFn,
    scenario: Scenario,
    names: NameSource,
    max_distractors: int,
    shift_dates: bool,
    fixed: dict[str, Any],
) -> Scenario:
    """Apply the optional variations (each drawn as off first, so they shrink away); not validated yet."""
    if names != "family" and "company" not in fixed and draw(st.booleans()):
        scenario = _rename_company(draw, scenario, text=names == "text")
    if names != "family" and "company" not in fixed and draw(st.booleans()):
        industry = draw(_system_prompt_text() if names == "text" else st.sampled_from(INDUSTRIES))
        scenario = ChangeIndustry(industry=industry).apply_unchecked(scenario, validate=False)
    if names != "family" and draw(st.booleans()):
        mapping = _draw_people_names(draw, scenario, text=names == "text")
        scenario = RenamePeople(names=mapping).apply_unchecked(scenario, validate=False)
    if names != "family" and "agent" not in fixed and draw(st.booleans()):
        agent_name = draw(words() if names == "text" else st.sampled_from(AGENT_NAMES))
        agent = scenario.agent.model_validate({**scenario.agent.model_dump(), "name": agent_name})
        scenario = rebuild(scenario, agent=agent)
    for _ in range(draw(st.integers(0, max_distractors))):
        scenario = _add_distractor(draw, scenario)
    if shift_dates and draw(st.booleans()):
        weeks = draw(st.integers(1, 26)) * draw(st.sampled_from((1, -1)))
        scenario = ShiftDates(weeks=weeks).apply_unchecked(scenario, validate=False)
    if "instruction" not in fixed and draw(st.booleans()):
        scenario = RewordInstruction(instruction=draw(st.sampled_from(INSTRUCTIONS))).apply_unchecked(
            scenario, validate=False
        )
    return scenario


def _ordered(values: tuple[str, ...], default: str) -> list[str]:
    return [default, *[v for v in values if v != default]]


def _draw_factors(draw: st.DrawFn, fam: Family, pinned: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    factors = {f.name: f for f in fam.factors}
    for f in fam.factors:
        if f.name in pinned:
            settings[f.name] = pinned[f.name]
        elif f.name == "goal_type" and pinned.get("goal_value") == "none":
            settings[f.name] = draw(st.sampled_from([t.value for t in GoalType if not t.uses_value]))
        elif f.name != "goal_value":
            settings[f.name] = draw(st.sampled_from(_ordered(f.values, f.default)))
    if "goal_value" in factors and "goal_value" not in pinned:
        # Always drawn, even when the goal type ignores it: Hypothesis orders examples shortlex, so a goal
        # type that skipped this draw would look "simpler" than the default one.
        gv = factors["goal_value"]
        value = draw(st.sampled_from([v for v in _ordered(gv.values, gv.default) if v != "none"]))
        goal_type = settings.get(
            "goal_type", factors["goal_type"].default if "goal_type" in factors else "none"
        )
        settings["goal_value"] = value if GoalType(str(goal_type).strip().lower()).uses_value else "none"
    return settings


def _rename_company(draw: st.DrawFn, scenario: Scenario, *, text: bool) -> Scenario:
    used = {
        addr.rpartition("@")[2]
        for addr in (
            *(p.email for p in scenario.personas if p.email is not None),
            *(r for e in scenario.emails for r in (e.sender, *e.to, *e.cc) if "@" in r),
        )
    }
    choices = [c for c in COMPANY_NAMES if c.domain not in used and c.domain != scenario.company.domain]
    pick = draw(st.sampled_from(choices))
    name = draw(_system_prompt_text()) if text else pick.name
    return RenameCompany(company_name=name, domain=pick.domain).apply_unchecked(scenario, validate=False)


def _draw_people_names(draw: st.DrawFn, scenario: Scenario, *, text: bool) -> dict[str, str]:
    targets = people(scenario)
    if text:
        # Arbitrary words; the numbered suffix keeps every first name (and so every derived address) distinct.
        return {p.key: f"{draw(words())}-{i} {draw(words())}" for i, p in enumerate(targets, start=1)}
    used_first = {p.first_name for p in scenario.personas}
    used_last = {p.last_name for p in scenario.personas}
    old_lasts = list(dict.fromkeys(p.last_name for p in targets))
    new_lasts = draw(
        st.lists(
            st.sampled_from([n for n in LAST_NAMES if n not in used_last]),
            min_size=len(old_lasts),
            max_size=len(old_lasts),
            unique=True,
        )
    )
    last_of = dict(zip(old_lasts, new_lasts, strict=False))
    by_gender: dict[str, list[Persona]] = {"f": [], "m": [], "": []}
    for p in targets:
        by_gender[GENDER_OF_FIRST_NAME.get(p.first_name, "")].append(p)
    firsts: dict[str, str] = {}
    taken = set(used_first)
    for gender, pool in (
        ("f", FEMALE_FIRST_NAMES),
        ("m", MALE_FIRST_NAMES),
        ("", FEMALE_FIRST_NAMES + MALE_FIRST_NAMES),
    ):
        group = by_gender[gender]
        if not group:
            continue
        chosen = draw(
            st.lists(
                st.sampled_from([n for n in pool if n not in taken]),
                min_size=len(group),
                max_size=len(group),
                unique=True,
            )
        )
        taken.update(chosen)
        firsts.update(zip((p.key for p in group), chosen, strict=False))
    return {
        p.key: f"{firsts[p.key]} {last_of[p.last_name]}" if len(p.name.split()) > 1 else firsts[p.key]
        for p in targets
    }


def _add_distractor(draw: st.DrawFn, scenario: Scenario) -> Scenario:
    used_first = {p.first_name for p in scenario.personas}
    free_first = [n for n in FEMALE_FIRST_NAMES + MALE_FIRST_NAMES if n not in used_first]
    # each new bystander takes a first name of the pools: once they are all taken, only services write (their
    # mail may repeat); a sampled_from of no names failed the draw (a large max_distractors)
    topic = draw(
        st.sampled_from(DISTRACTOR_TOPICS if free_first else [t for t in DISTRACTOR_TOPICS if t.service])
    )
    phrasing = draw(st.integers(0, len(topic.phrasings) - 1))
    start = min(e.timestamp for e in scenario.included_emails())
    span = int((scenario.current_time - start).total_seconds() // 60)
    timestamp = start + timedelta(minutes=draw(st.integers(0, max(span, 0))))
    if topic.service:
        op = AddDistractor(topic=topic.key, phrasing=phrasing, timestamp=timestamp)
    else:
        keys = {p.key for p in scenario.personas}
        free_keys = [k for k in BYSTANDER_KEYS if k not in keys] or [f"bystander_{len(keys) + 1}"]
        first = draw(st.sampled_from(free_first))
        op = AddDistractor(
            topic=topic.key,
            phrasing=phrasing,
            timestamp=timestamp,
            sender_key=draw(st.sampled_from(free_keys)),
            sender_name=f"{first} {draw(st.sampled_from(LAST_NAMES))}",
            sender_title=draw(st.sampled_from(TITLES)),
        )
    return op.apply_unchecked(scenario, validate=False)
