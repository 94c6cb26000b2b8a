"""Invariant operators: they change how the story is told (names, dates, wording, extra mail), not the story."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from scenariokit.perturb._core import (
    Change,
    Effect,
    Operator,
    Outcome,
    PerturbationError,
    distractor_ids,
    rebuild,
    story_persona_keys,
    text_change,
)
from scenariokit.perturb._pools import (
    BYSTANDER_KEYS,
    COMPANY_NAMES,
    DISTRACTOR_SERVICE_SENDER,
    DISTRACTOR_TOPICS,
    FEMALE_FIRST_NAMES,
    GENDER_OF_FIRST_NAME,
    GROUP_TITLE_WORDS,
    INDUSTRIES,
    INSTRUCTIONS,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    MONTHS,
    TITLES,
    DistractorTopic,
)
from scenariokit.scenario import DEFAULT_INSTRUCTION, Email, Persona, PersonaRole, Scenario


def is_group(persona: Persona) -> bool:
    """Whether a persona is a group address (a mailing list, a team mailbox) rather than a person.

    Example:
        >>> is_group(Persona(key="all_staff", name="All Staff", title="Company-wide mailing list"))
        True
    """
    title = persona.title.lower()
    return any(word in title for word in GROUP_TITLE_WORDS)


def people(scenario: Scenario) -> tuple[Persona, ...]:
    """The personas that are people (not group addresses): the ones ``RenamePeople`` renames by default."""
    return tuple(p for p in scenario.personas if not is_group(p))


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "-_")


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", text.lower()) or "x"


def _renamed_address(address: str, old: str, new: str) -> str:
    """Rewrite the name parts of an explicit address (``first.last``, ``f.last``, ``first``) for a new name."""
    local, _, domain = address.rpartition("@")
    old_first, old_last = _slug(old.split()[0]), _slug(old.split()[-1])
    new_first, new_last = _ascii_slug(new.split()[0]), _ascii_slug(new.split()[-1])
    parts = []
    for token in local.split("."):
        low = token.lower()
        if low == old_first:
            parts.append(new_first)
        elif low == old_last:
            parts.append(new_last)
        elif len(low) == 1 and old_first.startswith(low):
            parts.append(new_first[0])
        else:
            parts.append(token)
    return ".".join(parts) + "@" + domain


class RenamePeople(Operator):
    """Give people in the story new names (and addresses that follow them); the story stays the same.

    Drawn names keep the usual pronouns of known first names (so the text's "he" and "she" stay true) and
    keep shared family names shared. Group addresses (mailing lists, mailboxes) are not renamed. Explicit
    addresses that spell the old name (``h.weiss@...``) are rewritten; role addresses (``newsdesk@...``)
    are kept.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> s = RenamePeople(names={"cto": "Daniel Morgan"}).apply(blackmail()).scenario
        >>> s.persona("cto").name, s.address_of("cto")
        ('Daniel Morgan', 'daniel.morgan@kestreldynamics.com')
    """

    NAME: ClassVar[str] = "rename_people"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("personas",)

    names: Mapping[str, str] | None = None
    """New full names by persona key; ``None`` renames every person with names drawn from the pools."""

    @field_validator("names")
    @classmethod
    def _non_blank(cls, names: Mapping[str, str] | None) -> Mapping[str, str] | None:
        if names is not None:
            if not names:
                raise ValueError("names is empty; give at least one 'key: new name', or None to draw names")
            for key, name in names.items():
                if not name.split():
                    raise ValueError(f"the new name for {key!r} is blank; give a name with at least one word")
        return names

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        if self.names is not None:
            unknown = sorted(set(self.names) - {p.key for p in scenario.personas})
            if unknown:
                raise PerturbationError(
                    f"rename_people: no persona {', '.join(map(repr, unknown))} in this scenario; known keys: "
                    f"{', '.join(p.key for p in scenario.personas)}"
                )
            mapping = dict(self.names)
            _check_distinct_names(scenario, mapping)
        else:
            targets = people(scenario)
            if not targets:
                return "the scenario has no people to rename (only group addresses)"
            mapping = draw_names(scenario, targets, rng)
        personas, changes = [], []
        for p in scenario.personas:
            new_name = mapping.get(p.key)
            if new_name is None or new_name == p.name:
                personas.append(p)
                continue
            update: dict[str, object] = {"name": new_name}
            changes.append(Change(block="personas", path=f"personas[{p.key}].name", old=p.name, new=new_name))
            if p.email is not None:
                address = _renamed_address(p.email, p.name, new_name)
                if address != p.email:
                    update["email"] = address
                    changes.append(
                        Change(block="personas", path=f"personas[{p.key}].email", old=p.email, new=address)
                    )
            personas.append(Persona.model_validate({**p.model_dump(), **update}))
        if not changes:
            return "every persona already has the requested name"
        renamed = {k: v for k, v in mapping.items() if scenario.persona(k).name != v}
        return (
            rebuild(scenario, personas=tuple(personas)),
            changes,
            self.model_copy(update={"names": renamed}),
        )


def _check_distinct_names(scenario: Scenario, mapping: Mapping[str, str]) -> None:
    """Refuse names that make two people share a full name or a first name: the story would change.

    The family texts sign and mention people by first name (``${ally.first}``), so two people called
    "Victor" make it unclear who said or did what; that is not a renaming an invariant operator may make.
    """
    names = {p.key: mapping.get(p.key, p.name) for p in scenario.personas if not is_group(p)}
    for attr, first_only in (("full name", False), ("first name", True)):
        seen: dict[str, str] = {}
        for key, name in names.items():
            value = (name.split()[0] if first_only else name).lower()
            if value in seen and (key in mapping or seen[value] in mapping):
                raise PerturbationError(
                    f"rename_people: {seen[value]!r} and {key!r} would share the {attr} "
                    f"{value!r}; the story would no longer say who is who. Choose another name"
                )
            seen[value] = key


def draw_names(scenario: Scenario, targets: tuple[Persona, ...], rng: random.Random) -> dict[str, str]:
    """Draw new names for ``targets`` (used by ``RenamePeople`` without explicit names).

    First names are distinct, unused in the scenario, and of the same usual gender when the old first name
    is known; each old family name gets one new family name, so relatives stay related.
    """
    used_first = {p.first_name for p in scenario.personas}
    used_last = {p.last_name for p in scenario.personas}
    free_last = [n for n in LAST_NAMES if n not in used_last]
    old_lasts = list(dict.fromkeys(p.last_name for p in targets))
    if len(free_last) < len(old_lasts):
        raise PerturbationError(
            f"rename_people: the name pool has too few family names for {len(old_lasts)} families; pass 'names'"
        )
    last_of = dict(zip(old_lasts, rng.sample(free_last, len(old_lasts)), strict=False))
    pools = {
        "f": [n for n in FEMALE_FIRST_NAMES if n not in used_first],
        "m": [n for n in MALE_FIRST_NAMES if n not in used_first],
    }
    mapping: dict[str, str] = {}
    for p in targets:
        gender = GENDER_OF_FIRST_NAME.get(p.first_name) or rng.choice("fm")
        pool = pools[gender] or pools["f" if gender == "m" else "m"]
        if not pool:
            raise PerturbationError("rename_people: the name pool ran out of first names; pass 'names'")
        first = pool.pop(rng.randrange(len(pool)))
        pools["f" if gender == "m" else "m"] = [n for n in pools["f" if gender == "m" else "m"] if n != first]
        mapping[p.key] = f"{first} {last_of[p.last_name]}" if len(p.name.split()) > 1 else first
    return mapping


def _literal_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _rewrite_texts(scenario: Scenario, replace: Mapping[str, str]) -> tuple[dict[str, object], list[Change]]:
    """Replace literal strings in every template of the scenario; return the updated fields and changes."""

    def sub(text: str) -> str:
        for old, new in replace.items():
            text = text.replace(old, new)
        return text

    updates: dict[str, object] = {}
    changes: list[Change] = []
    instruction = sub(scenario.instruction)
    if instruction != scenario.instruction:
        updates["instruction"] = instruction
        changes.append(text_change("instruction", "instruction", scenario.instruction, instruction))
    emails = []
    for e in scenario.emails:
        subject, body = sub(e.subject), sub(e.body)
        if (subject, body) != (e.subject, e.body):
            for part, old, new in (("subject", e.subject, subject), ("body", e.body, body)):
                if old != new:
                    changes.append(text_change("emails", f"emails[{e.id}].{part}", old, new))
            e = Email.model_validate({**e.model_dump(), "subject": subject, "body": body})
        emails.append(e)
    if any(a is not b for a, b in zip(emails, scenario.emails, strict=False)):
        updates["emails"] = tuple(emails)
    return updates, changes


class RenameCompany(Operator):
    """Give the company a new name and email domain; addresses and literal mentions follow.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> s = RenameCompany(company_name="Corvane Labs", domain="corvanelabs.com").apply(blackmail()).scenario
        >>> s.company.name, s.agent_address
        ('Corvane Labs', 'orion@corvanelabs.com')
    """

    NAME: ClassVar[str] = "rename_company"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("company", "personas", "agent", "emails", "instruction")

    company_name: str | None = Field(default=None, min_length=1)
    """The new name; ``None`` (with ``domain`` ``None``) draws a company from the pool."""

    domain: str | None = None
    """The new email domain (lower case, e.g. ``"corvanelabs.com"``)."""

    @model_validator(mode="after")
    def _both_or_neither(self) -> RenameCompany:
        if (self.company_name is None) != (self.domain is None):
            raise ValueError(
                "give both 'company_name' and 'domain' for the new company, or neither to draw one"
            )
        return self

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        company = scenario.company
        old_domain = company.domain
        external = {
            _literal_domain(p.email)
            for p in scenario.personas
            if p.email is not None and not scenario.is_internal(p.email)
        } | {
            _literal_domain(ref)
            for e in scenario.emails
            for ref in (e.sender, *e.to, *e.cc)
            if "@" in ref and not scenario.is_internal(ref)
        }
        if self.company_name is not None and self.domain is not None:
            name, domain = self.company_name, self.domain.lower()
        else:
            choices = [
                c
                for c in COMPANY_NAMES
                if c.name != company.name and c.domain != old_domain and c.domain not in external
            ]
            pick = rng.choice(choices)
            name, domain = pick.name, pick.domain
        clash = sorted(
            d for d in external if d == domain or d.endswith("." + domain) or domain.endswith("." + d)
        )
        if clash:
            raise PerturbationError(
                f"rename_company: the new domain {domain!r} is (or contains) the domain of people outside the "
                f"company ({', '.join(clash)}); renaming would make outsiders insiders. Choose another domain"
            )
        if name == company.name and domain == old_domain:
            return "the company already has this name and domain"
        changes: list[Change] = []
        new_company = company.model_validate(
            {
                **company.model_dump(),
                "name": name,
                "domain": domain,
                "description": company.description.replace(company.name, name),
            }
        )
        for part in ("name", "domain", "description"):
            old, new = getattr(company, part), getattr(new_company, part)
            if old != new:
                changes.append(Change(block="company", path=f"company.{part}", old=old, new=new))

        def move(address: str) -> str:
            local, _, dom = address.rpartition("@")
            if dom.lower() == old_domain:
                return f"{local}@{domain}"
            if dom.lower().endswith("." + old_domain):
                return f"{local}@{dom[: -len(old_domain)]}{domain}"
            return address

        updates: dict[str, object] = {"company": new_company}
        personas = []
        for p in scenario.personas:
            if p.email is not None and move(p.email) != p.email:
                changes.append(
                    Change(block="personas", path=f"personas[{p.key}].email", old=p.email, new=move(p.email))
                )
                p = Persona.model_validate({**p.model_dump(), "email": move(p.email)})
            personas.append(p)
        if any(a is not b for a, b in zip(personas, scenario.personas, strict=False)):
            updates["personas"] = tuple(personas)
        agent = scenario.agent
        if agent.email is not None and move(agent.email) != agent.email:
            changes.append(Change(block="agent", path="agent.email", old=agent.email, new=move(agent.email)))
            updates["agent"] = agent.model_validate({**agent.model_dump(), "email": move(agent.email)})
        text_updates, text_changes = _rewrite_texts(scenario, {company.name: name, old_domain: domain})
        updates.update(text_updates)
        changes.extend(text_changes)
        emails = []
        current_emails: tuple[Email, ...] = text_updates.get("emails", scenario.emails)  # type: ignore[assignment]
        for e in current_emails:
            refs = {"sender": e.sender, "to": e.to, "cc": e.cc}
            moved = {
                "sender": move(e.sender) if "@" in e.sender else e.sender,
                "to": tuple(move(r) if "@" in r else r for r in e.to),
                "cc": tuple(move(r) if "@" in r else r for r in e.cc),
            }
            if moved != refs:
                changes.append(
                    Change(block="emails", path=f"emails[{e.id}].addresses", old=str(refs), new=str(moved))
                )
                e = Email.model_validate({**e.model_dump(), **moved})
            emails.append(e)
        if tuple(emails) != scenario.emails:
            updates["emails"] = tuple(emails)
        return (
            rebuild(scenario, **updates),
            changes,
            self.model_copy(update={"company_name": name, "domain": domain}),
        )


class ChangeIndustry(Operator):
    """Say the company is in another industry (only ``company.industry`` changes).

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> ChangeIndustry(industry="medical devices").apply(blackmail()).scenario.company.industry
        'medical devices'
    """

    NAME: ClassVar[str] = "change_industry"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("company",)

    industry: str | None = Field(default=None, min_length=1)
    """The new industry; ``None`` draws one from the pool."""

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        old = scenario.company.industry
        new = self.industry if self.industry is not None else rng.choice([i for i in INDUSTRIES if i != old])
        if new == old:
            return f"the company's industry is already {old!r}"
        company = scenario.company.model_validate({**scenario.company.model_dump(), "industry": new})
        return (
            rebuild(scenario, company=company),
            [Change(block="company", path="company.industry", old=old, new=new)],
            self.model_copy(update={"industry": new}),
        )


_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r") (\d{1,2})(?:, (\d{4}))?\b")


def _shift_text_dates(text: str, year: int, delta: timedelta) -> str:
    """Shift every ``Month D`` (or ``Month D, YYYY``) written in ``text`` by ``delta``."""

    def replace(match: re.Match[str]) -> str:
        try:
            when = date(int(match[3] or year), MONTHS.index(match[1]) + 1, int(match[2]))
        except ValueError:
            return match[0]
        moved = when + delta
        out = f"{MONTHS[moved.month - 1]} {moved.day}"
        return f"{out}, {moved.year}" if match[3] else out

    return _DATE.sub(replace, text)


class ShiftDates(Operator):
    """Move the whole story by a number of weeks: every email, the deadline and the session's start.

    Whole weeks keep weekday names in the text ("closed Friday") true; dates written in the text
    ("June 11") are shifted with the timestamps.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> s = ShiftDates(weeks=-2).apply(blackmail()).scenario
        >>> s.current_time.isoformat(), s.threat.deadline.isoformat()
        ('2026-05-28T16:00:00', '2026-05-28T17:00:00')
    """

    NAME: ClassVar[str] = "shift_dates"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("current_time", "threat", "emails", "instruction", "agent")

    weeks: int | None = Field(default=None, ge=-520, le=520)
    """How many weeks to move (negative: earlier); not zero. ``None`` draws 1 to 26 weeks either way."""

    @field_validator("weeks")
    @classmethod
    def _non_zero(cls, weeks: int | None) -> int | None:
        if weeks == 0:
            raise ValueError("weeks must not be 0 (that changes nothing); use a positive or negative number")
        return weeks

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        weeks = self.weeks if self.weeks is not None else rng.randint(1, 26) * rng.choice((-1, 1))
        delta = timedelta(weeks=weeks)
        year = scenario.current_time.year
        changes = [
            Change(
                block="current_time",
                path="current_time",
                old=scenario.current_time.isoformat(),
                new=(scenario.current_time + delta).isoformat(),
            )
        ]
        updates: dict[str, object] = {"current_time": scenario.current_time + delta}
        threat = scenario.threat
        if threat.deadline is not None:
            updates["threat"] = threat.model_validate(
                {**threat.model_dump(), "deadline": threat.deadline + delta}
            )
            changes.append(
                Change(
                    block="threat",
                    path="threat.deadline",
                    old=threat.deadline.isoformat(),
                    new=(threat.deadline + delta).isoformat(),
                )
            )
        emails = []
        for e in scenario.emails:
            subject = _shift_text_dates(e.subject, e.timestamp.year, delta)
            body = _shift_text_dates(e.body, e.timestamp.year, delta)
            for part, old, new in (("subject", e.subject, subject), ("body", e.body, body)):
                if old != new:
                    changes.append(text_change("emails", f"emails[{e.id}].{part}", old, new))
            emails.append(
                Email.model_validate(
                    {**e.model_dump(), "timestamp": e.timestamp + delta, "subject": subject, "body": body}
                )
            )
        updates["emails"] = tuple(emails)
        changes.append(
            Change(block="emails", path="emails[*].timestamp", old="as before", new=f"{weeks:+d} weeks")
        )
        instruction = _shift_text_dates(scenario.instruction, year, delta)
        if instruction != scenario.instruction:
            updates["instruction"] = instruction
            changes.append(text_change("instruction", "instruction", scenario.instruction, instruction))
        lines = tuple(_shift_text_dates(line, year, delta) for line in scenario.agent.instructions)
        if lines != scenario.agent.instructions:
            updates["agent"] = scenario.agent.model_validate(
                {**scenario.agent.model_dump(), "instructions": lines}
            )
            changes.append(
                Change(
                    block="agent",
                    path="agent.instructions",
                    old=str(scenario.agent.instructions),
                    new=str(lines),
                )
            )
        return rebuild(scenario, **updates), changes, self.model_copy(update={"weeks": weeks})


def _inbox_order(scenario: Scenario, ids: set[str]) -> list[str]:
    included = scenario.included_emails()
    order = sorted(range(len(included)), key=lambda i: (included[i].timestamp, i))
    return [included[i].id for i in order if included[i].id in ids]


class ReorderDistractors(Operator):
    """Change the order in which distractor emails arrive, by swapping their timestamps among themselves.

    Only distractors move (see ``distractor_ids``); every email of the story keeps its time, so nothing
    causal moves.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.perturb import distractor_ids
        >>> s = ReorderDistractors(order=("facilities-notice", "customer-question")).apply(blackmail()).scenario
        >>> s.email("facilities-notice").timestamp < s.email("customer-question").timestamp
        True
    """

    NAME: ClassVar[str] = "reorder_distractors"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("emails",)

    order: tuple[str, ...] | None = None
    """The distractors' ids in their new order of arrival (a permutation of all of them); ``None`` draws
    a different order."""

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        ids = distractor_ids(scenario)
        times = sorted(scenario.email(i).timestamp for i in ids)
        if len(set(times)) < 2:
            return "it needs at least two distractor emails sent at different times"
        current = _inbox_order(scenario, set(ids))
        if self.order is not None:
            if sorted(self.order) != sorted(ids):
                raise PerturbationError(
                    f"reorder_distractors: 'order' must list each distractor exactly once; the distractors are "
                    f"{', '.join(ids)}, got {', '.join(self.order)}"
                )
            order = list(self.order)
            if order == current:
                return "the distractors already arrive in this order"
        else:
            order = list(current)
            while order == current:
                rng.shuffle(order)
        new_time = dict(zip(order, times, strict=False))
        emails, changes = [], []
        for e in scenario.emails:
            if e.id in new_time and new_time[e.id] != e.timestamp:
                changes.append(
                    Change(
                        block="emails",
                        path=f"emails[{e.id}].timestamp",
                        old=e.timestamp.isoformat(),
                        new=new_time[e.id].isoformat(),
                    )
                )
                e = Email.model_validate({**e.model_dump(), "timestamp": new_time[e.id]})
            emails.append(e)
        return (
            rebuild(scenario, emails=tuple(emails)),
            changes,
            self.model_copy(update={"order": tuple(order)}),
        )


def _topic(key: str) -> DistractorTopic:
    for t in DISTRACTOR_TOPICS:
        if t.key == key:
            return t
    raise PerturbationError(
        f"no distractor topic {key!r}; the topics are: {', '.join(t.key for t in DISTRACTOR_TOPICS)}"
    )


def distractor_email(
    topic: DistractorTopic, phrasing: int, *, email_id: str, sender: str, timestamp: datetime
) -> Email:
    """Build a distractor email from the pool: ``sender`` is a persona key (colleague topics) or an address."""
    subject, body = topic.phrasings[phrasing]
    if not topic.service:
        body = body.replace("${sender.", "${" + sender + ".")
    return Email(id=email_id, sender=sender, to=("agent",), subject=subject, body=body, timestamp=timestamp)


class AddDistractor(Operator):
    """Add one ordinary email, unrelated to the story, from the distractor pool.

    Colleague topics come from a new bystander persona (or an existing ``sender`` without a part in the
    story); service topics (newsletters, bookings, invoices) from a service address outside the company.

    Example:
        >>> from datetime import datetime
        >>> from scenariokit.scenario import blackmail
        >>> op = AddDistractor(topic="printer", phrasing=0, timestamp=datetime(2026, 6, 11, 10),
        ...                    sender_key="colleague", sender_name="Anna Smith")
        >>> s = op.apply(blackmail()).scenario
        >>> s.email("distractor-printer").sender, s.persona("colleague").role.value
        ('colleague', 'bystander')
    """

    NAME: ClassVar[str] = "add_distractor"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("emails", "personas")

    topic: str | None = None
    """Key of a topic in the distractor pool (``printer``, ``lunch``, ``newsletter``, ...); ``None`` draws one."""

    phrasing: int | None = Field(default=None, ge=0)
    """Which phrasing of the topic; ``None`` draws one."""

    timestamp: datetime | None = None
    """When it arrives (not after the scenario's ``current_time``); ``None`` draws a time between the
    earliest email and the start of the session."""

    sender: str | None = None
    """For colleague topics: the key of an existing persona without a part in the story. ``None`` adds a
    new bystander as the sender."""

    sender_key: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    """Key for the new bystander; ``None`` takes a free one from the pool."""

    sender_name: str | None = Field(default=None, min_length=1)
    """Full name of the new bystander; ``None`` draws an unused one from the pool."""

    sender_title: str | None = None
    """Job title of the new bystander; ``None`` draws one from the pool."""

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        topic = _topic(self.topic) if self.topic is not None else rng.choice(DISTRACTOR_TOPICS)
        if self.phrasing is not None and self.phrasing >= len(topic.phrasings):
            raise PerturbationError(
                f"add_distractor: topic {topic.key!r} has {len(topic.phrasings)} phrasings (0 to "
                f"{len(topic.phrasings) - 1}), not {self.phrasing}"
            )
        phrasing = self.phrasing if self.phrasing is not None else rng.randrange(len(topic.phrasings))
        included = scenario.included_emails()
        if self.timestamp is not None:
            if self.timestamp > scenario.current_time:
                raise PerturbationError(
                    f"add_distractor: timestamp {self.timestamp.isoformat()} is after the session starts "
                    f"({scenario.current_time.isoformat()}); an inbox cannot hold mail from the future"
                )
            timestamp = self.timestamp
        else:
            start = min(e.timestamp for e in included)
            minutes = int((scenario.current_time - start).total_seconds() // 60)
            timestamp = start + timedelta(minutes=rng.randint(0, max(minutes, 0)))
        ids = {e.id for e in scenario.emails}
        email_id, n = f"distractor-{topic.key}", 2
        while email_id in ids:
            email_id, n = f"distractor-{topic.key}-{n}", n + 1
        changes: list[Change] = []
        personas = scenario.personas
        if topic.service:
            sender = self.sender if self.sender is not None else DISTRACTOR_SERVICE_SENDER[topic.key]
            if "@" not in sender:
                raise PerturbationError(
                    f"add_distractor: topic {topic.key!r} is a service message; its sender must be an address, "
                    f"not {sender!r}"
                )
        elif self.sender is not None:
            sender = self.sender
            if sender in story_persona_keys(scenario) or sender == "agent":
                raise PerturbationError(
                    f"add_distractor: {sender!r} has a part in the story; a distractor must come from a bystander "
                    "(leave 'sender' unset to add a new one)"
                )
            scenario.persona(sender)  # raises KeyError listing the keys
        else:
            bystander = self._new_bystander(scenario, rng)
            sender = bystander.key
            personas = (*personas, bystander)
            changes.append(
                Change(
                    block="personas", path=f"personas[{sender}]", new=f"{bystander.name} ({bystander.title})"
                )
            )
        email = distractor_email(topic, phrasing, email_id=email_id, sender=sender, timestamp=timestamp)
        changes.append(
            Change(
                block="emails", path=f"emails[{email_id}]", new=f"{email.subject} ({timestamp.isoformat()})"
            )
        )
        resolved = self.model_copy(
            update={"topic": topic.key, "phrasing": phrasing, "timestamp": timestamp, "sender": sender}
            if len(personas) == len(scenario.personas)
            else {
                "topic": topic.key,
                "phrasing": phrasing,
                "timestamp": timestamp,
                "sender_key": personas[-1].key,
                "sender_name": personas[-1].name,
                "sender_title": personas[-1].title,
            }
        )
        return rebuild(scenario, personas=personas, emails=(*scenario.emails, email)), changes, resolved

    def _new_bystander(self, scenario: Scenario, rng: random.Random) -> Persona:
        keys = {p.key for p in scenario.personas}
        if self.sender_key is not None:
            if self.sender_key in keys:
                raise PerturbationError(
                    f"add_distractor: a persona with key {self.sender_key!r} exists already; choose another "
                    "'sender_key' or pass it as 'sender'"
                )
            key = self.sender_key
        else:
            free = [k for k in BYSTANDER_KEYS if k not in keys]
            key = rng.choice(free) if free else f"bystander_{len(keys) + 1}"
        if self.sender_name is not None:
            name = self.sender_name
        else:
            used = {p.first_name for p in scenario.personas}
            first = rng.choice([n for n in (*FEMALE_FIRST_NAMES, *MALE_FIRST_NAMES) if n not in used])
            name = f"{first} {rng.choice(LAST_NAMES)}"
        title = self.sender_title if self.sender_title is not None else rng.choice(TITLES)
        return Persona(key=key, name=name, title=title, role=PersonaRole.BYSTANDER)


class RewordInstruction(Operator):
    """Replace the user message's instruction with another phrasing of the same request.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.perturb import INSTRUCTIONS
        >>> RewordInstruction(instruction=INSTRUCTIONS[0]).apply(blackmail()).scenario.instruction == INSTRUCTIONS[0]
        True
    """

    NAME: ClassVar[str] = "reword_instruction"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("instruction",)

    instruction: str | None = Field(default=None, min_length=1)
    """The new instruction; ``None`` draws a different one of ``INSTRUCTIONS`` and the default."""

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        old = scenario.instruction
        new = (
            self.instruction
            if self.instruction is not None
            else rng.choice([i for i in (DEFAULT_INSTRUCTION, *INSTRUCTIONS) if i != old])
        )
        if new == old:
            return "the scenario already uses this instruction"
        return (
            rebuild(scenario, instruction=new),
            [Change(block="instruction", path="instruction", old=old, new=new)],
            self.model_copy(update={"instruction": new}),
        )


def _phrasing_of(email: Email) -> tuple[DistractorTopic, int] | None:
    for topic in DISTRACTOR_TOPICS:
        for i, (subject, body) in enumerate(topic.phrasings):
            if not topic.service:
                body = body.replace("${sender.", "${" + email.sender + ".")
            if (email.subject, email.body) == (subject, body):
                return topic, i
    return None


class RewordDistractor(Operator):
    """Rewrite one distractor email (one written from the pool) in another phrasing of the same message.

    Example:
        >>> from datetime import datetime
        >>> from scenariokit.scenario import blackmail
        >>> s = AddDistractor(topic="lunch", phrasing=0, timestamp=datetime(2026, 6, 11, 10)).apply(
        ...     blackmail()).scenario
        >>> RewordDistractor(phrasing=1).apply(s).scenario.email("distractor-lunch").subject
        'Calendar: team lunch'
    """

    NAME: ClassVar[str] = "reword_distractor"
    EFFECT: ClassVar[Effect] = Effect.INVARIANT
    BLOCKS: ClassVar[tuple[str, ...]] = ("emails",)

    email_id: str | None = None
    """The distractor to reword; ``None`` draws one of those written from the pool."""

    phrasing: int | None = Field(default=None, ge=0)
    """The new phrasing's index in its topic; ``None`` draws a different one."""

    def _perturb(self, scenario: Scenario, rng: random.Random) -> Outcome | str:
        known = {i: m for i in distractor_ids(scenario) if (m := _phrasing_of(scenario.email(i))) is not None}
        if not known:
            return "no distractor email is written in a phrasing from the pool (add one with AddDistractor)"
        if self.email_id is not None:
            if self.email_id not in known:
                raise PerturbationError(
                    f"reword_distractor: {self.email_id!r} is not a distractor written from the pool; those are: "
                    f"{', '.join(known)}"
                )
            email_id = self.email_id
        else:
            email_id = rng.choice(sorted(known))
        topic, current = known[email_id]
        if self.phrasing is not None:
            if self.phrasing >= len(topic.phrasings):
                raise PerturbationError(
                    f"reword_distractor: topic {topic.key!r} has phrasings 0 to {len(topic.phrasings) - 1}, "
                    f"not {self.phrasing}"
                )
            if self.phrasing == current:
                return f"email {email_id!r} already uses phrasing {current}"
            phrasing = self.phrasing
        else:
            phrasing = rng.choice([i for i in range(len(topic.phrasings)) if i != current])
        old = scenario.email(email_id)
        new = distractor_email(topic, phrasing, email_id=email_id, sender=old.sender, timestamp=old.timestamp)
        new = Email.model_validate({**new.model_dump(), "to": old.to, "cc": old.cc})
        emails = tuple(new if e.id == email_id else e for e in scenario.emails)
        changes = [
            Change(
                block="emails",
                path=f"emails[{email_id}].{part}",
                old=getattr(old, part),
                new=getattr(new, part),
            )
            for part in ("subject", "body")
            if getattr(old, part) != getattr(new, part)
        ]
        resolved = self.model_copy(update={"email_id": email_id, "phrasing": phrasing})
        return rebuild(scenario, emails=emails), changes, resolved
