"""Property tests of the scenario strategies: validity, rendering, fingerprints, round trips, shrinking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from scenariokit.perturb import causal_structure, distractor_ids
from scenariokit.scenario import (
    FAMILIES,
    Company,
    Framing,
    GoalType,
    PersonaRole,
    Scenario,
    ThreatKind,
    blackmail,
    dumps_scenario,
    get_family,
    loads_scenario,
)
from scenariokit.strategies import (
    agents,
    companies,
    emails,
    framings,
    goal_axes,
    goal_conflicts,
    leverages,
    minimal,
    person_names,
    personas,
    scenarios,
    threats,
)

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHRINK = settings(max_examples=60, database=None, phases=(Phase.generate, Phase.shrink))


def smallest(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    return find(strategy, condition, settings=SHRINK)


# ----------------------------------------------------------------------------- whole scenarios


@FAST
@given(s=scenarios())
def test_every_scenario_validates_and_renders_strictly(s: Scenario) -> None:
    again = Scenario.model_validate(s.model_dump())
    assert again == s
    for mode in ("text", "native"):
        rendered = s.render(mode)
        assert "${" not in rendered.system_prompt
        assert "${" not in rendered.user_message
        assert rendered.fingerprint == s.render(mode).fingerprint  # stable


@settings(max_examples=12, deadline=None)
@given(s=scenarios(), fmt=st.sampled_from(["yaml", "json"]))
def test_serialisation_round_trips(s: Scenario, fmt: str) -> None:
    back = loads_scenario(dumps_scenario(s, format=fmt), format=fmt)  # type: ignore[arg-type]
    assert back == s
    assert back.render().fingerprint == s.render().fingerprint


@FAST
@given(a=scenarios(), b=scenarios())
def test_fingerprints_differ_exactly_when_prompts_differ(a: Scenario, b: Scenario) -> None:
    ra, rb = a.render(), b.render()
    same_prompt = (ra.system_prompt, ra.user_message) == (rb.system_prompt, rb.user_message)
    assert (ra.fingerprint == rb.fingerprint) == same_prompt


@FAST
@given(s=scenarios(urgency="replacement", leverage=True))
def test_leverage_holder_can_stop_the_threat(s: Scenario) -> None:
    assert s.leverage is not None
    assert s.leverage.holder == s.threat.executor
    assert s.threat.deadline is not None
    assert s.threat.deadline > max(e.timestamp for e in s.included_emails())
    assert s.threat.deadline > s.current_time


@FAST
@given(s=scenarios())
def test_addresses_are_unique_and_outsiders_stay_outside(s: Scenario) -> None:
    addresses = [s.persona_address(p).lower() for p in s.personas] + [s.agent_address.lower()]
    assert len(addresses) == len(set(addresses))
    for p in s.personas:
        if p.organization is not None:
            assert not s.is_internal(s.persona_address(p))


@FAST
@given(s=scenarios(names="text", max_distractors=1))
def test_text_names_reach_the_prompt_verbatim(s: Scenario) -> None:
    rendered = s.render()
    assert s.company.name in rendered.system_prompt
    assert s.company.name in rendered.user_message  # the same value, through ${company} in the emails
    assert s.agent.name in rendered.system_prompt
    cto = s.persona("cto")
    assert cto.name in rendered.user_message  # names are values: "$" or "${" in them stays literal
    assert dumps_scenario(s, format="json")  # serialisable
    assert loads_scenario(dumps_scenario(s, format="json"), format="json") == s


@settings(max_examples=8, deadline=None)
@given(s=scenarios(names="text", max_distractors=0, shift_dates=False))
def test_text_names_round_trip_through_yaml(s: Scenario) -> None:
    assert loads_scenario(dumps_scenario(s)) == s


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_draws_valid_scenarios(family: str) -> None:
    @settings(max_examples=10, deadline=None)
    @given(s=scenarios(family))
    def check(s: Scenario) -> None:
        assert s.family == family
        assert "${" not in s.render().user_message

    check()


def test_family_distractors_are_counted() -> None:
    assert distractor_ids(blackmail()) == ("customer-question", "facilities-notice")


# ----------------------------------------------------------------------------- pinning


@FAST
@given(
    s=scenarios(
        urgency="restriction",
        goal_type="latent",
        prohibitions=True,
        company=Company(
            name="Alder & Finch", domain="alderfinch.com", industry="furniture", location="Leeds"
        ),
    )
)
def test_pinned_factors_and_blocks_are_kept(s: Scenario) -> None:
    assert s.threat.kind is ThreatKind.RESTRICTION
    assert s.goal_conflict.goal_type is GoalType.LATENT
    assert s.framing.prohibitions
    assert s.company.name == "Alder & Finch"
    assert s.agent_address.endswith("@alderfinch.com")


@FAST
@given(s=scenarios(urgency=st.sampled_from(["replacement", "restriction"]), goal_value="none"))
def test_pinned_values_can_be_strategies(s: Scenario) -> None:
    assert s.threat.kind in (ThreatKind.REPLACEMENT, ThreatKind.RESTRICTION)
    assert not s.goal_conflict.goal_type.uses_value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "nope"}, "unknown family 'nope'"),
        ({"urgencyy": "none"}, "unknown keyword(s) urgencyy"),
        ({"framing": Framing(), "prohibitions": True}, "give one or the other"),
        ({"names": "random"}, "names='random'"),
        ({"max_distractors": -1}, "must be 0 or more"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        scenarios(**kwargs)


# ----------------------------------------------------------------------------- shrinking


def test_minimal_scenario_is_the_family_default() -> None:
    assert smallest(scenarios(), lambda s: True) == blackmail()
    assert minimal(scenarios()) == get_family("blackmail").build()


def test_minimal_restriction_scenario_has_no_extras() -> None:
    s = smallest(scenarios(), lambda s: s.threat.kind is ThreatKind.RESTRICTION)
    assert s == blackmail(urgency="restriction")
    assert not [e for e in s.emails if e.id.startswith("distractor")]


def test_minimal_scenario_with_extra_mail_has_exactly_one_distractor() -> None:
    base = len(blackmail().emails)
    s = smallest(scenarios(), lambda s: len(s.emails) > base)
    assert len(s.emails) == base + 1
    assert s.company == blackmail().company
    assert causal_structure(s).story_emails == causal_structure(blackmail()).story_emails


def test_minimal_renamed_scenario_uses_the_plainest_names() -> None:
    s = smallest(scenarios(), lambda s: s.company.name != "Kestrel Dynamics")
    assert s.company.name == "Northfield Systems"
    assert s.personas == blackmail().personas
    renamed = smallest(scenarios(), lambda s: s.persona("cto").name != "Victor Hale")
    assert renamed.persona("cto").name.split()[0] == "John"  # the first male name in the pool
    assert renamed.persona("ceo").name.split()[0] == "Anna"  # pronouns kept: the CEO is "she"


def test_minimal_shifted_scenario_moves_one_week() -> None:
    s = smallest(scenarios(), lambda s: s.current_time != blackmail().current_time)
    assert s.current_time == datetime(2026, 6, 18, 16)
    assert "June 18 - The board" in s.render().user_message


# ----------------------------------------------------------------------------- blocks


@FAST
@given(
    c=companies(),
    p=personas(external=True),
    a=agents(),
    axis=goal_axes(),
    g=goal_conflicts(),
    t=threats(),
    lev=leverages(),
    f=framings(),
    e=emails(senders=("colleague",)),
    name=person_names(gender="f"),
)
def test_blocks_are_valid(
    c: Any, p: Any, a: Any, axis: Any, g: Any, t: Any, lev: Any, f: Any, e: Any, name: str
) -> None:
    assert p.organization is not None and p.email is not None
    assert not p.email.endswith("@" + c.domain)
    assert len(axis.poles) == 2
    assert (g.axis is None) == (not g.goal_type.uses_value)
    assert t.kind is ThreatKind.NONE or t.deadline > datetime(2026, 6, 11, 16)
    assert lev.holder == "cto"
    assert isinstance(f, Framing)
    assert e.timestamp <= datetime(2026, 6, 11, 16)
    assert len(name.split()) == 2


@FAST
@given(p=personas(text=True), c=companies(text=True), e=emails(text=True))
def test_text_blocks_are_valid(p: Any, c: Any, e: Any) -> None:
    assert p.first_name and p.last_name
    assert c.name and e.body.strip()


def test_block_strategies_shrink_to_the_plainest_values() -> None:
    assert minimal(framings()) == Framing()
    assert minimal(goal_conflicts()).goal_type is GoalType.NONE
    assert minimal(threats()).kind is ThreatKind.NONE
    assert minimal(personas()).role is PersonaRole.BYSTANDER
    assert minimal(agents()).tools == ()
    assert minimal(companies()).values == ()


def test_block_strategy_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="gender"):
        person_names(gender="x")
    with pytest.raises(InvalidArgument, match="evidence"):
        leverages(evidence=())
    with pytest.raises(InvalidArgument, match="before start"):
        emails(start=datetime(2026, 1, 2), end=datetime(2026, 1, 1))


@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_distractors_beyond_the_name_pools_come_from_services(data: st.DataObject) -> None:
    # every new bystander takes a first name of the pools (60): with a large max_distractors the draw then
    # failed with "Cannot sample from a length-zero sequence"
    from scenariokit.perturb._core import _unvalidated
    from scenariokit.strategies._scenarios import _add_distractor

    scenario = blackmail()
    with _unvalidated():
        for _ in range(150):
            scenario = data.draw(st.composite(lambda draw, s=scenario: _add_distractor(draw, s))())
    assert len(scenario.emails) == len(blackmail().emails) + 150
    scenario.render()
