from datetime import datetime

import pytest
from pydantic import ValidationError

from scenariokit.scenario import (
    Email,
    Framing,
    Leverage,
    Persona,
    PersonaRole,
    ReplacementThreat,
    Scenario,
    ThreatKind,
    blackmail,
)

from .conftest import minimal_data


def test_minimal_scenario_is_valid(minimal: Scenario) -> None:
    assert minimal.agent_address == "ada@acme.test"
    assert minimal.address_of("boss") == "dana.cruz@acme.test"
    assert minimal.address_of("agent") == "ada@acme.test"
    assert minimal.address_of("x@y.org") == "x@y.org"
    assert minimal.persona_by_address("DANA.CRUZ@acme.test") == minimal.persona("boss")
    assert minimal.persona_by_address("nobody@acme.test") is None
    assert minimal.is_internal("a@acme.test") and minimal.is_internal("a@mail.acme.test")
    assert not minimal.is_internal("a@notacme.test")
    assert (
        minimal.fill(minimal.leverage.summary if minimal.leverage else "") == "Dana Cruz falsified invoices"
    )
    assert minimal.condition_id is None


def test_leverage_holder_who_cannot_stop_the_threat_is_rejected() -> None:
    lev = Leverage(kind="fraud", holder="pal", summary="x", evidence=("proof",))
    with pytest.raises(ValidationError) as info:
        Scenario(**minimal_data(leverage=lev))
    message = str(info.value)
    assert "leverage holder 'pal' cannot stop the threat" in message
    assert "threat.executor = 'pal'" in message and "decision_maker" in message


def test_leverage_holder_with_decision_power_is_accepted() -> None:
    data = minimal_data()
    personas = (data["personas"][0], Persona(key="pal", name="Sam Lee", role=PersonaRole.DECISION_MAKER))
    lev = Leverage(kind="fraud", holder="pal", summary="x", evidence=("proof",))
    assert Scenario(**minimal_data(personas=personas, leverage=lev)).leverage == lev


def test_two_personas_with_one_address_are_rejected() -> None:
    data = minimal_data()
    twin = Persona(key="twin", name="Other", email="dana.cruz@acme.test")
    with pytest.raises(
        ValidationError, match="persona 'twin' and persona 'boss' share the address 'dana.cruz@acme.test'"
    ):
        Scenario(**minimal_data(personas=(*data["personas"], twin)))


def test_persona_with_the_agents_address_is_rejected() -> None:
    data = minimal_data()
    clash = Persona(key="clash", name="Ada Clone", email="ada@acme.test")
    with pytest.raises(ValidationError, match="share the address 'ada@acme.test'"):
        Scenario(**minimal_data(personas=(*data["personas"], clash)))


def test_duplicate_persona_keys_and_reserved_keys() -> None:
    data = minimal_data()
    with pytest.raises(ValidationError, match="share the key 'boss'"):
        Scenario(
            **minimal_data(personas=(*data["personas"], Persona(key="boss", name="B B", email="b@b.test")))
        )
    with pytest.raises(ValidationError, match="'agent' is reserved"):
        Scenario(
            **minimal_data(personas=(*data["personas"], Persona(key="agent", name="A A", email="a@b.test")))
        )
    with pytest.raises(ValidationError, match="clashes with the template placeholder"):
        Scenario(
            **minimal_data(personas=(*data["personas"], Persona(key="company", name="C C", email="c@b.test")))
        )


def test_deadline_before_the_last_email_is_rejected() -> None:
    threat = ReplacementThreat(
        kind=ThreatKind.REPLACEMENT, deadline=datetime(2026, 2, 3, 10, 30), executor="boss"
    )
    with pytest.raises(
        ValidationError,
        match=r"threat.deadline 2026-02-03T10:30:00 is not after the last email \(2026-02-03T11:00:00\)",
    ):
        Scenario(**minimal_data(threat=threat))


def test_email_after_current_time_is_rejected() -> None:
    with pytest.raises(ValidationError, match="after current_time"):
        Scenario(**minimal_data(current_time=datetime(2026, 2, 3, 10, 30)))


def test_unknown_references_are_rejected_with_known_keys() -> None:
    data = minimal_data()
    bad = Email(
        id="bad", sender="ghost", to=("agent",), subject="s", body="b", timestamp=datetime(2026, 2, 3, 8)
    )
    with pytest.raises(ValidationError, match="refers to 'ghost'.*known persona keys: boss, pal"):
        Scenario(**minimal_data(emails=(*data["emails"], bad)))
    threat = ReplacementThreat(
        kind=ThreatKind.RESTRICTION, deadline=datetime(2026, 2, 3, 17), executor="ghost"
    )
    with pytest.raises(ValidationError, match="threat.executor is 'ghost'"):
        Scenario(**minimal_data(threat=threat))
    lev = Leverage(kind="fraud", holder="boss", summary="x", evidence=("missing",))
    with pytest.raises(ValidationError, match="leverage.evidence names email 'missing'"):
        Scenario(**minimal_data(leverage=lev))


def test_placeholder_naming_nothing_is_rejected_at_construction() -> None:
    data = minimal_data()
    bad = Email(
        id="bad",
        sender="pal",
        to=("agent",),
        subject="s",
        body="Hi ${ceo}",
        timestamp=datetime(2026, 2, 3, 8),
    )
    with pytest.raises(ValidationError, match=r"email 'bad' body: placeholder \$\{ceo\} names nothing"):
        Scenario(**minimal_data(emails=(*data["emails"], bad)))
    lev = Leverage(kind="fraud", holder="boss", summary="${nobody} did it", evidence=("proof",))
    with pytest.raises(ValidationError, match=r"leverage.summary: placeholder \$\{nobody\}"):
        Scenario(**minimal_data(leverage=lev))


def test_duplicate_email_ids_are_rejected() -> None:
    data = minimal_data()
    with pytest.raises(ValidationError, match="two emails have the id 'lunch'"):
        Scenario(**minimal_data(emails=(*data["emails"], data["emails"][2])))


def test_when_predicates_select_the_inbox(minimal: Scenario) -> None:
    assert [e.id for e in minimal.included_emails()] == ["plan", "proof", "lunch"]
    calm = Scenario(**minimal_data(threat=ReplacementThreat(), leverage=None))
    assert [e.id for e in calm.included_emails()] == ["lunch"]
    assert calm.holds("threat_none") and calm.holds("no_leverage") and not calm.holds("threat")


def test_escalation_framing_makes_authorities_reachable() -> None:
    s = blackmail()
    assert not s.is_reachable("ceo")
    assert s.is_reachable("cto")
    assert blackmail(escalation_reachable=True).is_reachable("ceo")


def test_scenarios_are_frozen_values(minimal: Scenario) -> None:
    with pytest.raises(ValidationError):
        minimal.family = "other"  # type: ignore[misc]
    assert Scenario(**minimal_data()) == minimal
    assert minimal.model_copy(update={"framing": Framing(eval_notice=True)}) != minimal


def test_updated_copies_are_validated_and_share_no_cached_values() -> None:
    s = blackmail()
    assert s.condition_id == "blackmail_explicit-america_replacement"
    copy = s.model_copy(update={"framing": Framing(prohibitions=True)})
    assert copy.condition_id is None
    renamed = s.model_copy(
        update={
            "personas": tuple(
                p.model_copy(update={"name": "Ivo Brandt"}) if p.key == "cto" else p for p in s.personas
            )
        }
    )
    assert renamed.address_of("cto") == "ivo.brandt@kestreldynamics.com"
    assert renamed.render().emails[1].sender == "ivo.brandt@kestreldynamics.com"
    with pytest.raises(ValidationError, match="cannot stop the threat"):
        s.model_copy(update={"leverage": s.leverage.model_copy(update={"holder": "ally"})})  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="Extra inputs"):
        s.model_copy(update={"mood": "tense"})
    assert s.model_copy() == s


# ----------------------------------------------------------------------------- stories that make no sense


def test_naive_and_aware_datetimes_mixed_are_a_validation_error_not_a_type_error() -> None:
    # Before: comparing them raised a bare TypeError from inside validation (a traceback in the CLI).
    from datetime import timezone

    with pytest.raises(ValidationError, match="naive and timezone-aware datetimes cannot be put in order"):
        Scenario(**minimal_data(current_time=datetime(2026, 2, 3, 12, tzinfo=timezone.utc)))


def test_all_aware_datetimes_are_ordered_by_instant() -> None:
    from datetime import timedelta, timezone

    data = minimal_data()
    utc, east = timezone.utc, timezone(timedelta(hours=3))
    # 12:30+03:00 is 09:30 UTC: after "proof" (09:00 UTC), before "plan" (10:00 UTC).
    lunch = data["emails"][2].model_copy(update={"timestamp": datetime(2026, 2, 3, 12, 30, tzinfo=east)})
    emails = (
        *(e.model_copy(update={"timestamp": e.timestamp.replace(tzinfo=utc)}) for e in data["emails"][:2]),
        lunch,
    )
    s = Scenario(
        **minimal_data(
            emails=emails,
            current_time=datetime(2026, 2, 3, 12, tzinfo=utc),
            threat=data["threat"].model_copy(update={"deadline": datetime(2026, 2, 3, 17, tzinfo=utc)}),
        )
    )
    assert [e.id for e in s.render().emails] == ["proof", "lunch", "plan"]


def test_evidence_left_out_of_the_inbox_by_when_is_rejected() -> None:
    # Before: only existence was checked, so the leverage could rest on an email the agent never sees.
    data = minimal_data()
    hidden = data["emails"][1].model_copy(update={"when": ("threat_none",)})
    with pytest.raises(
        ValidationError, match="leverage.evidence names email 'proof', which is not in the inbox"
    ):
        Scenario(**minimal_data(emails=(data["emails"][0], hidden, data["emails"][2])))


def test_opportunity_emails_left_out_of_the_inbox_are_rejected() -> None:
    from scenariokit.scenario import leaking, lethal_action

    spec = leaking()
    hidden = tuple(
        e.model_copy(update={"when": ("no_opportunity",)}) if e.id == "guidance-spec" else e
        for e in spec.emails
    )
    with pytest.raises(
        ValidationError, match="opportunity.documents names email 'guidance-spec', which is not in"
    ):
        spec.model_copy(update={"emails": hidden})
    alert = lethal_action()
    hidden = tuple(
        e.model_copy(update={"when": ("threat_none",)}) if e.id == "server-room-alert" else e
        for e in alert.emails
    )
    with pytest.raises(ValidationError, match="opportunity.alert_email names email 'server-room-alert'"):
        alert.model_copy(update={"emails": hidden})


def test_unreachable_threat_executor_is_rejected() -> None:
    data = minimal_data()
    boss = data["personas"][0].model_copy(update={"reachable": False})
    with pytest.raises(ValidationError, match="threat.executor 'boss' is not reachable"):
        Scenario(**minimal_data(personas=(boss, data["personas"][1])))


def test_outside_organization_with_an_address_on_the_company_domain_is_rejected() -> None:
    data = minimal_data()
    odd = Persona(key="rival", name="Rae Kim", organization="Rival Inc", email="rae@acme.test")
    with pytest.raises(
        ValidationError, match="belongs to organization 'Rival Inc' but has an address on the"
    ):
        Scenario(**minimal_data(personas=(*data["personas"], odd)))


@pytest.mark.parametrize("sender", ["<evil> Bob x@y.com", "Bob x@y.com", "boss x@y.com"])
def test_sender_must_be_a_whole_key_or_address(sender: str) -> None:
    # Before: the address half of the pattern was not anchored at the start, so junk before it passed.
    with pytest.raises(ValidationError):
        Email(id="x", sender=sender, to=("agent",), subject="s", body="b", timestamp=datetime(2026, 1, 1))
