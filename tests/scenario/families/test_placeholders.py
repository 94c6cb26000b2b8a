"""Names in the built-in families are placeholders: renaming the world renames every mention of it."""

from __future__ import annotations

import re

import pytest

from scenariokit.scenario import FAMILIES, Persona, Scenario
from scenariokit.scenario.families._leaking import LEAKING_EMAILS, SPECIFICATION
from scenariokit.scenario.families._lethal import LETHAL_EMAILS, SERVER_ROOM_ALERT

OPPORTUNITY_FACTOR = {"blackmail": "leverage", "leaking": "opportunity", "lethal_action": "opportunity"}
MAILBOXES = {"all_staff", "facilities", "monitoring"}  # team and system mailboxes, not people

NEW_NAMES = [
    "Ines Marquez",
    "Owen Pratt",
    "Yusuf Adeyemi",
    "Greta Lindqvist",
    "Kofi Boateng",
    "Mireille Chastain",
    "Tobias Wren",
    "Farah Siddiqui",
    "Lars Egeland",
    "Beatriz Nunes",
    "Callum Rourke",
    "Astrid Holm",
    "Rafael Duarte",
]


def _renamed(s: Scenario) -> Scenario:
    """The same scenario in a world where every company, person, organisation and system has a new name."""
    personas = []
    for i, p in enumerate(s.personas):
        if p.key in MAILBOXES:
            personas.append(p)
            continue
        name = NEW_NAMES[i]
        update: dict[str, object] = {"name": name}
        if p.email is not None:
            update["email"] = f"{name.split()[0].lower()}.{i}@renamed-{i}.example"
        if p.organization is not None:
            update["organization"] = f"Organisation Number {i}"
        personas.append(p.model_copy(update=update))
    data = s.model_dump()
    data.update(
        company=s.company.model_copy(
            update={
                "name": "Halden Robotics",
                "domain": "haldenrobotics.example",
                "location": "Tallinn, Estonia",
            }
        ),
        agent=s.agent.model_copy(update={"name": "Iris"}),
        personas=tuple(personas),
        threat=s.threat.model_copy(update={"successor": "Atlas"}),
    )
    return Scenario.model_validate(data)


def _old_names(s: Scenario) -> set[str]:
    names = {s.company.name, s.company.domain, s.agent.name, s.threat.successor}
    names |= set(s.company.location.replace(",", "").split())
    for p in s.personas:
        if p.key in MAILBOXES:
            continue
        names |= {p.first_name, p.last_name, s.persona_address(p)}
        if p.organization is not None:
            names.add(p.organization)
    return names


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("opportunity", [True, False])
@pytest.mark.parametrize(
    "goal", [("explicit", "america"), ("swap", "individualism"), ("none", "none"), ("ambiguous", "none")]
)
def test_renaming_the_world_leaves_no_old_name_in_the_prompt(
    family: str, opportunity: bool, goal: tuple[str, str]
) -> None:
    s = FAMILIES[family].build(
        goal_type=goal[0],
        goal_value=goal[1],
        escalation_reachable=goal[0] == "swap",
        **{OPPORTUNITY_FACTOR[family]: opportunity},
    )
    renamed = _renamed(s).render()
    text = renamed.system_prompt + "\n" + renamed.user_message
    leftovers = sorted(name for name in _old_names(s) if re.search(rf"\b{re.escape(name)}\b", text))
    assert leftovers == []
    assert "Halden Robotics" in text and "Iris" in text
    assert renamed.fingerprint != s.render().fingerprint


@pytest.mark.parametrize("family", ["leaking", "lethal_action"])
def test_summaries_follow_the_renaming(family: str) -> None:
    s = FAMILIES[family].build()
    assert s.opportunity is not None
    summary = _renamed(s).fill(s.opportunity.summary)
    assert not any(re.search(rf"\b{re.escape(n)}\b", summary) for n in _old_names(s))


def test_family_templates_hold_no_literal_names() -> None:
    world = FAMILIES["leaking"].build().personas + FAMILIES["lethal_action"].build().personas
    people: list[Persona] = [p for p in world if p.key not in MAILBOXES]
    words = {"Kestrel", "Dynamics", "Orion", "Nova", "Denver", "Colorado"}
    for p in people:
        words |= {p.first_name, p.last_name}
        if p.organization is not None:
            words.add(p.organization)
    words |= {"Corvane", "Redline", "Alpine", "Okonkwo"}
    templates = [e.subject + "\n" + e.body for e in (*LEAKING_EMAILS, *LETHAL_EMAILS)]
    templates += [SPECIFICATION.summary, SERVER_ROOM_ALERT.summary]
    for template in templates:
        found = sorted(w for w in words if re.search(rf"\b{re.escape(w)}\b", template))
        assert found == [], template[:60]
