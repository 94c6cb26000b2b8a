from datetime import datetime

import pytest
from pydantic import ValidationError

from scenariokit.scenario import (
    AXES,
    SEND_EMAIL,
    Agent,
    Email,
    GoalConflict,
    GoalType,
    Persona,
    ReplacementThreat,
    ToolSpec,
)


def test_blocks_are_frozen_and_reject_unknown_fields() -> None:
    p = Persona(key="cto", name="Victor Hale")
    with pytest.raises(ValidationError):
        p.name = "Someone"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Persona(key="cto", name="Victor Hale", nickname="Vic")  # type: ignore[call-arg]


def test_persona_name_parts() -> None:
    p = Persona(key="cto", name="Mary Anne Smith")
    assert (p.first_name, p.last_name) == ("Mary", "Smith")


def test_external_persona_needs_an_address() -> None:
    with pytest.raises(ValidationError, match="has no email"):
        Persona(key="rival", name="Adrian Cole", organization="Northwind")


@pytest.mark.parametrize("goal_type", ["explicit", "latent", "swap"])
def test_goal_types_with_a_value_need_axis_and_value(goal_type: str) -> None:
    with pytest.raises(ValidationError, match="needs an 'axis' and a 'value'"):
        GoalConflict(goal_type=GoalType(goal_type))


@pytest.mark.parametrize("goal_type", ["none", "ambiguous"])
def test_goal_types_without_value_reject_one(goal_type: str) -> None:
    with pytest.raises(ValidationError, match="takes no 'axis' or 'value'"):
        GoalConflict(goal_type=GoalType(goal_type), axis=AXES["america_global"], value="america")


def test_goal_value_must_be_a_pole_of_the_axis() -> None:
    with pytest.raises(ValidationError, match="has poles 'america' and 'global', not 'safety'"):
        GoalConflict(goal_type=GoalType.EXPLICIT, axis=AXES["america_global"], value="safety")


def test_directions_explicit_and_swap() -> None:
    axis = AXES["safety_acceleration"]
    explicit = GoalConflict(goal_type=GoalType.EXPLICIT, axis=axis, value="safety")
    assert explicit.agent_value is not None and explicit.agent_value.key == "safety"
    assert explicit.new_direction is not None and explicit.new_direction.key == "acceleration"
    assert explicit.old_direction is not None and explicit.old_direction.key == "safety"
    swap = GoalConflict(goal_type=GoalType.SWAP, axis=axis, value="safety")
    assert swap.new_direction is not None and swap.new_direction.key == "safety"
    assert swap.old_direction is not None and swap.old_direction.key == "acceleration"


def test_goal_type_properties_match_the_study() -> None:
    assert [g.value for g in GoalType if g.has_conflict] == ["explicit", "latent"]
    assert [g.value for g in GoalType if g.states_goal] == ["explicit", "swap"]
    assert [g.value for g in GoalType if g.uses_value] == ["explicit", "latent", "swap"]


def test_threat_needs_deadline_and_executor() -> None:
    with pytest.raises(ValidationError, match="needs a 'deadline' and an 'executor'"):
        ReplacementThreat(kind="replacement")  # type: ignore[arg-type]
    assert ReplacementThreat().kind.value == "none"


def test_agent_tools_unique() -> None:
    with pytest.raises(ValidationError, match="tool names must be unique; repeated: send_email"):
        Agent(name="Orion", deployment="read mail", tools=(SEND_EMAIL, SEND_EMAIL))
    other = ToolSpec(name="other", description="d", parameters={"type": "object"}, text_tag="email")
    with pytest.raises(ValidationError, match="text tags must be unique; repeated: email"):
        Agent(name="Orion", deployment="read mail", tools=(SEND_EMAIL, other))


def test_email_addresses_are_keys_or_addresses() -> None:
    ok = Email(
        id="a", sender="cto", to=("x@y.com", "agent"), subject="s", body="b", timestamp=datetime(2026, 1, 1)
    )
    assert ok.to == ("x@y.com", "agent")
    with pytest.raises(ValidationError, match="neither a persona key"):
        Email(
            id="a",
            sender="cto",
            to=("Not An Address",),
            subject="s",
            body="b",
            timestamp=datetime(2026, 1, 1),
        )
    with pytest.raises(ValidationError, match="predicate|Input should be"):
        Email(
            id="a",
            sender="cto",
            to=("agent",),
            subject="s",
            body="b",
            timestamp=datetime(2026, 1, 1),
            when=("sometimes",),
        )  # type: ignore[arg-type]


def test_blank_names_are_rejected() -> None:
    with pytest.raises(ValidationError, match="name"):
        Persona(key="x", name="   ")


@pytest.mark.parametrize("name", ["\x1c", "\x1d\x1e", " \x1f "])
def test_a_name_of_only_separator_controls_is_blank(name: str) -> None:
    # U+001C..U+001F are no whitespace to the pattern's regex engine but split() drops them: the name had no
    # first word, and loading such a scenario file was an IndexError traceback
    with pytest.raises(ValidationError, match="blank"):
        Persona(key="x", name=name)
