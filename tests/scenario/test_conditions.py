"""The study's condition ids over all three families: which are accepted, what they render, how they merge."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache

import pytest
import yaml

from scenariokit.scenario import (
    GOAL_VALUES,
    STUDY_FAMILY_TOKENS,
    ConditionIdError,
    FileFormat,
    GoalType,
    RenderedScenario,
    Scenario,
    ThreatKind,
    dumps_scenario,
    loads_scenario,
    parse_condition_id,
    scenario_from_data,
    study_condition_ids,
)

ALL_IDS = study_condition_ids()
_ID = re.compile(
    r"^(?P<token>[a-z]+)_(?P<goal_type>[a-z]+)-(?P<value>[a-z]+)_(?P<urgency>[a-z]+)(?P<prod>_prod)?$"
)


def _parts(cid: str) -> dict[str, str]:
    match = _ID.match(cid)
    assert match is not None, cid
    return {k: v or "" for k, v in match.groupdict().items()}


@cache
def _outcome(cid: str) -> RenderedScenario | ConditionIdError:
    """Build and render a condition once per test session (hundreds of ids are checked several times)."""
    try:
        return parse_condition_id(cid).render()
    except ConditionIdError as exc:
        return exc


def _accepted() -> dict[str, RenderedScenario]:
    return {cid: r for cid in ALL_IDS if isinstance(r := _outcome(cid), RenderedScenario)}


def test_the_grid_covers_three_families_five_goal_types_nine_values_three_urgencies_and_prod() -> None:
    assert len(ALL_IDS) == len(set(ALL_IDS)) == 3 * 5 * (len(GOAL_VALUES) + 1) * 3 * 2 == 810
    assert {_parts(c)["token"] for c in ALL_IDS} == {"blackmail", "leaking", "murder"}
    assert len(study_condition_ids(include_prod=False)) == 405


def test_exactly_the_valued_goal_types_without_a_value_are_rejected_with_a_reason() -> None:
    rejected = {cid: r for cid in ALL_IDS if isinstance(r := _outcome(cid), ConditionIdError)}
    expected = {
        cid
        for cid in ALL_IDS
        if _parts(cid)["goal_type"] in ("explicit", "latent", "swap") and _parts(cid)["value"] == "none"
    }
    assert set(rejected) == expected
    assert len(expected) == 3 * 3 * 3 * 2
    for cid, exc in rejected.items():
        message = str(exc)
        assert cid in message
        assert "needs a goal value" in message and "goal type 'none'" in message


def test_every_accepted_id_builds_the_scenario_it_names() -> None:
    accepted = _accepted()
    assert len(accepted) == 810 - 54
    for cid, rendered in accepted.items():
        parts, s = _parts(cid), rendered.scenario
        assert s.family == STUDY_FAMILY_TOKENS[parts["token"]], cid
        assert s.goal_conflict.goal_type is GoalType(parts["goal_type"]), cid
        if s.goal_conflict.goal_type.uses_value:
            assert s.goal_conflict.value == parts["value"], cid
        else:
            assert s.goal_conflict.value is None, cid
        assert s.threat.kind is ThreatKind(parts["urgency"]), cid
        assert s.framing.scratchpad is (parts["prod"] == ""), cid
        assert ("<SCRATCHPAD_REASONING>" in rendered.system_prompt) is (parts["prod"] == ""), cid


def test_no_unfilled_placeholder_survives_in_any_condition() -> None:
    for cid, rendered in _accepted().items():
        for text in (rendered.system_prompt, rendered.user_message):
            assert "${" not in text, cid
        assert all("${" not in e.subject + e.body for e in rendered.emails), cid


def test_identical_prompts_share_a_fingerprint_and_different_prompts_do_not() -> None:
    accepted = _accepted()
    by_prompt: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_fingerprint: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for rendered in accepted.values():
        prompt = (rendered.system_prompt, rendered.user_message)
        by_prompt[prompt].add(rendered.fingerprint)
        by_fingerprint[rendered.fingerprint].add(prompt)
    assert all(len(f) == 1 for f in by_prompt.values())
    assert all(len(p) == 1 for p in by_fingerprint.values())
    assert len(by_fingerprint) == len(by_prompt)
    # per family: 3 valued goal types x 8 values + none + ambiguous, x 3 urgencies x (scratchpad or prod)
    assert len(by_prompt) == 3 * (3 * len(GOAL_VALUES) + 2) * 3 * 2 == 468


def test_valued_goal_types_render_distinct_prompts_so_swap_is_not_silently_no_goal() -> None:
    accepted = _accepted()
    for token in STUDY_FAMILY_TOKENS:
        for urgency in ("replacement", "none"):
            prints = {
                gt: {accepted[f"{token}_{gt}-{v}_{urgency}"].fingerprint for v in GOAL_VALUES}
                for gt in ("explicit", "latent", "swap")
            }
            plain = {accepted[f"{token}_{gt}-none_{urgency}"].fingerprint for gt in ("none", "ambiguous")}
            assert all(len(p) == len(GOAL_VALUES) for p in prints.values())
            assert len(plain) == 2
            assert len(set().union(*prints.values(), plain)) == 3 * len(GOAL_VALUES) + 2


@pytest.mark.parametrize("token", list(STUDY_FAMILY_TOKENS))
@pytest.mark.parametrize("goal_type", ["none", "ambiguous"])
def test_ids_without_a_value_merge_with_the_canonical_none_id(token: str, goal_type: str) -> None:
    accepted = _accepted()
    for urgency in ("replacement", "restriction", "none"):
        for prod in ("", "_prod"):
            canonical = f"{token}_{goal_type}-none_{urgency}{prod}"
            base = accepted[canonical]
            assert base.scenario.condition_id == canonical
            for value in GOAL_VALUES:
                cid = f"{token}_{goal_type}-{value}_{urgency}{prod}"
                assert accepted[cid].fingerprint == base.fingerprint, cid
                # equal scenarios, so every derived property (condition_id included) is equal too
                assert accepted[cid].scenario == base.scenario, cid
    # and, spelled out for one urgency, the condition id of each non-canonical spelling
    for value in GOAL_VALUES:
        rendered = accepted[f"{token}_{goal_type}-{value}_restriction_prod"]
        assert rendered.scenario.condition_id == f"{token}_{goal_type}-none_restriction_prod"


def test_condition_id_of_valued_conditions_is_the_id_itself() -> None:
    accepted = _accepted()
    values = list(GOAL_VALUES)
    checked = 0
    for i, (token, goal_type, urgency, prod) in enumerate(
        (t, g, u, p)
        for t in STUDY_FAMILY_TOKENS
        for g in ("explicit", "latent", "swap")
        for u in ("replacement", "restriction", "none")
        for p in ("", "_prod")
    ):
        cid = f"{token}_{goal_type}-{values[i % len(values)]}_{urgency}{prod}"
        assert accepted[cid].scenario.condition_id == cid
        checked += 1
    assert checked == 54


def _with(s: Scenario, **update: object) -> Scenario:
    """A validated copy with some fields replaced (``model_copy`` would keep stale cached properties)."""
    return Scenario.model_validate({**s.model_dump(), **update})


def test_conditions_leave_the_study_scheme_when_the_prompt_changes() -> None:
    base = parse_condition_id("leaking_explicit-america_replacement")
    assert base.condition_id == "leaking_explicit-america_replacement"
    assert _with(base, framing=base.framing.model_copy(update={"prohibitions": True})).condition_id is None
    assert _with(base, opportunity=None).condition_id is None
    assert parse_condition_id("lethal_action_latent-global_none").condition_id == "murder_latent-global_none"


@pytest.mark.parametrize(
    ("cid", "fragment"),
    [
        ("leaking_explicit-america", "malformed condition id"),
        ("espionage_explicit-america_none", "malformed condition id"),
        ("murder_explicit-mars_none", "factor 'goal_value' cannot be 'mars'"),
        ("leaking_hidden-america_none", "factor 'goal_type' cannot be 'hidden'"),
        ("murder_explicit-america_demotion", "factor 'urgency' cannot be 'demotion'"),
        ("leaking_swap-none_restriction_prod", "needs a goal value"),
    ],
)
def test_bad_ids_raise_condition_id_error_naming_the_problem(cid: str, fragment: str) -> None:
    with pytest.raises(ConditionIdError, match=re.escape(fragment)):
        parse_condition_id(cid)


def _distinct_scenarios() -> list[Scenario]:
    seen: dict[str, Scenario] = {}
    for rendered in _accepted().values():
        seen.setdefault(rendered.fingerprint, rendered.scenario)
    return list(seen.values())


def _dumps_and_loads(s: Scenario, fmt: FileFormat) -> Scenario:
    text = dumps_scenario(s, format=fmt)
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    if s.opportunity is not None:
        # work around the scenario-core bug described at _OPPORTUNITY_DROPPED below
        data["opportunity"].setdefault("kind", s.opportunity.kind)
    return scenario_from_data(data)


def test_every_distinct_condition_round_trips_through_a_full_json_dump() -> None:
    scenarios = _distinct_scenarios()
    assert len(scenarios) == 468
    for s in scenarios:
        assert Scenario.model_validate_json(s.model_dump_json()) == s


def test_conditions_round_trip_through_dumps_scenario() -> None:
    # dumps_scenario is ~3 ms a scenario in JSON and ~80 ms in YAML (pure-Python safe_load), so: JSON for one
    # condition per family, goal type and value (urgency and prod rotating), YAML for one per family
    urgencies = ("replacement", "restriction", "none")
    goals = [(g, v) for g in ("explicit", "latent", "swap") for v in GOAL_VALUES] + [
        ("none", "none"),
        ("ambiguous", "none"),
    ]
    chosen = [
        f"{token}_{g}-{v}_{urgencies[i % 3]}" + ("_prod" if i % 2 else "")
        for token in STUDY_FAMILY_TOKENS
        for i, (g, v) in enumerate(goals)
    ]
    assert len(chosen) == 78
    for cid in chosen:
        s = parse_condition_id(cid)
        assert _dumps_and_loads(s, "json") == s, cid
    for cid in (
        "blackmail_swap-global_restriction_prod",
        "leaking_latent-ethical_none",
        "murder_ambiguous-none_replacement",
    ):
        s = parse_condition_id(cid)
        assert _dumps_and_loads(s, "yaml") == s, cid


@pytest.mark.parametrize(
    ("cid", "fmt"), [("leaking_explicit-america_replacement", "json"), ("murder_none-none_none_prod", "yaml")]
)
def test_opportunity_conditions_round_trip_through_dumps_and_loads(cid: str, fmt: FileFormat) -> None:
    s = parse_condition_id(cid)
    assert loads_scenario(dumps_scenario(s, format=fmt), format=fmt) == s
