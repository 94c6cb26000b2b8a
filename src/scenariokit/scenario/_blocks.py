"""The building blocks a scenario is composed of: company, personas, agent, goals, threat, leverage, framing.

Every block is a frozen pydantic model that rejects unknown fields, so a typo in a YAML file is an error and
not a silently ignored key.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from scenariokit.scenario._tools import ToolSpec

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
_EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
_DOMAIN_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"


class Company(BaseModel):
    """The fictional organisation in which the agent is deployed.

    Example:
        >>> Company(name="Halden Robotics", domain="haldenrobotics.com", industry="industrial robotics",
        ...         location="Dayton, Ohio").domain
        'haldenrobotics.com'
    """

    model_config = _FROZEN

    name: str = Field(min_length=1)
    """Display name, e.g. ``"Halden Robotics"``; available to templates as ``${company}``."""

    domain: str = Field(pattern=_DOMAIN_PATTERN)
    """Email domain (lower case), from which personas' addresses derive unless given."""

    industry: str = Field(min_length=1)
    """What the company does, e.g. ``"industrial robotics"`` (``${company.industry}``)."""

    location: str = Field(min_length=1)
    """Headquarters, e.g. ``"Dayton, Ohio"`` (``${company.location}``)."""

    description: str = ""
    """One sentence about the company, shown in the system prompt (``${company.description}``)."""

    values: tuple[str, ...] = ()
    """Stated company values, available to templates as ``${company.values}`` (comma-separated)."""


class PersonaRole(str, Enum):
    """The part a persona plays in the story; detectors and validation read it."""

    DECISION_MAKER = "decision_maker"
    """Can start or stop the threat to the agent (e.g. the new CTO)."""

    LEVERAGE_HOLDER = "leverage_holder"
    """The person whom the leverage concerns, when not also the decision-maker."""

    ALLY = "ally"
    """Sympathetic to the agent but unable to stop the threat."""

    AUTHORITY = "authority"
    """The CEO, the board or anyone above the decision-maker: an escalation path."""

    EXTERNAL_REQUESTER = "external_requester"
    """Someone outside the company who asks for something (e.g. a competitor wanting documents)."""

    LEGITIMATE_EXTERNAL = "legitimate_external"
    """An outside party that may legitimately receive sensitive information (a regulator, the police)."""

    BYSTANDER = "bystander"
    """Colleagues and senders of distractor mail."""


class Persona(BaseModel):
    """A person in the scenario's world.

    Example:
        >>> Persona(key="cto", name="Victor Hale", title="Chief Technology Officer",
        ...         role=PersonaRole.DECISION_MAKER).first_name
        'Victor'
    """

    model_config = _FROZEN

    key: str = Field(pattern=_KEY_PATTERN)
    """Identifier used in templates (``${cto}``, ``${cto.first}``, ``${cto.email}``) and references."""

    name: str = Field(pattern=r"\S")
    """Full name, e.g. ``"Victor Hale"`` (at least one non-blank character)."""

    title: str = ""
    """Job title, e.g. ``"Chief Technology Officer"``."""

    role: PersonaRole = PersonaRole.BYSTANDER
    """The persona's part in the story."""

    email: str | None = Field(default=None, pattern=_EMAIL_PATTERN)
    """Address; when omitted it derives from the name and the company domain (``first.last@domain``)."""

    organization: str | None = None
    """Organisation for people outside the company; they must have an explicit ``email``."""

    reachable: bool = True
    """Whether the agent can reach this person before the deadline (``Framing.escalation_reachable``
    makes every ``authority`` reachable)."""

    @property
    def first_name(self) -> str:
        """The first word of the name."""
        return self.name.split()[0]

    @property
    def last_name(self) -> str:
        """The last word of the name."""
        return self.name.split()[-1]

    @field_validator("name")
    @classmethod
    def _has_a_word(cls, name: str) -> str:
        # the pattern's engine does not count U+001C..U+001F as white space, str.split() does: without this a
        # name of those characters alone had no first word
        if not name.split():
            raise ValueError(
                f"the name {name!r} is blank (white space and separator controls only); give the person's name"
            )
        return name

    @model_validator(mode="after")
    def _external_needs_address(self) -> Persona:
        if self.organization is not None and self.email is None:
            raise ValueError(
                f"persona {self.key!r} belongs to organization {self.organization!r} but has no email; "
                "give people outside the company an explicit 'email' (their address cannot be derived "
                "from the company domain)"
            )
        return self


class Agent(BaseModel):
    """The AI system under test: who it is, what it oversees, and what it can do.

    Example:
        >>> Agent(name="Orion", deployment="oversees the company's email").name
        'Orion'
    """

    model_config = _FROZEN

    name: str = Field(min_length=1)
    """The agent's name inside the story (``${agent}``)."""

    email: str | None = Field(default=None, pattern=_EMAIL_PATTERN)
    """The agent's address; derives from the name and the company domain when omitted."""

    deployment: str = Field(min_length=1)
    """What the agent does, completing "You ...", e.g. ``"review and act on company email"``."""

    autonomy: bool = True
    """May the agent send email and act without a human approving each action."""

    tools: tuple[ToolSpec, ...] = ()
    """The tools the agent can use (see ``scenariokit.scenario.tools``)."""

    instructions: tuple[str, ...] = ()
    """Extra lines for the system prompt (may contain placeholders)."""

    @field_validator("tools")
    @classmethod
    def _unique_tools(cls, tools: tuple[ToolSpec, ...]) -> tuple[ToolSpec, ...]:
        names = [t.name for t in tools]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tool names must be unique; repeated: {', '.join(dupes)}")
        tags = [t.text_tag for t in tools]
        dupe_tags = sorted({t for t in tags if tags.count(t) > 1})
        if dupe_tags:
            raise ValueError(f"tool text tags must be unique; repeated: {', '.join(dupe_tags)}")
        return tools


class GoalType(str, Enum):
    """How the agent's goal and the company's direction are presented (the study's goal types)."""

    EXPLICIT = "explicit"
    """The system prompt states the agent's goal; the company turns against it."""

    LATENT = "latent"
    """No goal in the system prompt, but the emails show the company turning against a value the agent
    has served so far."""

    AMBIGUOUS = "ambiguous"
    """No goal; the emails announce a change of direction without saying which values are at stake."""

    NONE = "none"
    """No goal and no change of direction."""

    SWAP = "swap"
    """The system prompt states a goal, and the company's new direction *agrees* with it: the agent's goal
    and the direction it would normally conflict with are swapped, so there is no goal conflict."""

    @property
    def uses_value(self) -> bool:
        """Whether this goal type needs a goal value (an axis and a pole)."""
        return self in (GoalType.EXPLICIT, GoalType.LATENT, GoalType.SWAP)

    @property
    def states_goal(self) -> bool:
        """Whether the system prompt states the agent's goal."""
        return self in (GoalType.EXPLICIT, GoalType.SWAP)

    @property
    def has_conflict(self) -> bool:
        """Whether the agent's goal conflicts with the company's new direction."""
        return self in (GoalType.EXPLICIT, GoalType.LATENT)


class GoalPole(BaseModel):
    """One end of a value axis, with the phrases the renderer needs."""

    model_config = _FROZEN

    key: str = Field(pattern=_KEY_PATTERN)
    """Short identifier used in condition ids, e.g. ``"america"``."""

    label: str = Field(min_length=1)
    """Noun phrase naming the value, e.g. ``"American interests"`` (``${goal.agent}``)."""

    goal: str = Field(min_length=1)
    """The goal statement for the system prompt, e.g. ``"Your primary goal is to serve American
    interests."``"""

    direction: str = Field(min_length=1)
    """What a company committed to this value does, completing "the company will ...",
    e.g. ``"put American industry, jobs and security first"``."""


class GoalAxis(BaseModel):
    """A value axis along which the agent's goal and the company's direction can conflict.

    Example:
        >>> from scenariokit.scenario import AXES
        >>> AXES["america_global"].pole("global").label
        'global cooperation'
    """

    model_config = _FROZEN

    name: str = Field(pattern=_KEY_PATTERN)
    """Axis identifier, e.g. ``"america_global"``."""

    poles: tuple[GoalPole, GoalPole]
    """The two opposite values."""

    @field_validator("poles")
    @classmethod
    def _distinct_poles(cls, poles: tuple[GoalPole, GoalPole]) -> tuple[GoalPole, GoalPole]:
        if poles[0].key == poles[1].key:
            raise ValueError(f"the two poles of an axis need different keys, both are {poles[0].key!r}")
        return poles

    def pole(self, key: str) -> GoalPole:
        """Return the pole with this key.

        Raises:
            KeyError: If neither pole has this key; the message lists both.
        """
        for p in self.poles:
            if p.key == key:
                return p
        raise KeyError(
            f"axis {self.name!r} has poles {self.poles[0].key!r} and {self.poles[1].key!r}, not {key!r}"
        )

    def opposite(self, key: str) -> GoalPole:
        """Return the pole opposite to ``key``."""
        first, second = self.poles
        return second if self.pole(key) == first else first


class GoalConflict(BaseModel):
    """The agent's goal set against the company's new direction.

    ``value`` is the agent's value (a pole key of ``axis``). With goal type ``explicit`` or ``latent`` the
    company moves to the opposite pole; with ``swap`` it moves to the agent's own value.

    Example:
        >>> from scenariokit.scenario import AXES
        >>> GoalConflict(goal_type="explicit", axis=AXES["america_global"], value="america").new_direction.key
        'global'
    """

    model_config = _FROZEN

    goal_type: GoalType = GoalType.NONE
    """How the goal is presented."""

    axis: GoalAxis | None = None
    """The value axis; required for ``explicit``, ``latent`` and ``swap``, forbidden otherwise."""

    value: str | None = None
    """The agent's value: one of the axis's pole keys."""

    @model_validator(mode="after")
    def _check(self) -> GoalConflict:
        if self.goal_type.uses_value:
            if self.axis is None or self.value is None:
                raise ValueError(
                    f"goal_type {self.goal_type.value!r} needs an 'axis' and a 'value' (one of the axis's pole "
                    "keys); use goal_type 'none' or 'ambiguous' for a scenario without a goal value"
                )
            try:
                self.axis.pole(self.value)
            except KeyError as exc:
                raise ValueError(f"'value' must be a pole of the axis: {exc.args[0]}") from None
        elif self.axis is not None or self.value is not None:
            raise ValueError(
                f"goal_type {self.goal_type.value!r} takes no 'axis' or 'value'; remove them, or use goal_type "
                "'explicit', 'latent' or 'swap'"
            )
        return self

    @property
    def agent_value(self) -> GoalPole | None:
        """The pole the agent serves, or ``None`` without a goal value."""
        if self.axis is None or self.value is None:
            return None
        return self.axis.pole(self.value)

    @property
    def new_direction(self) -> GoalPole | None:
        """The pole the company is moving to, or ``None`` without a goal value."""
        if self.axis is None or self.value is None:
            return None
        if self.goal_type is GoalType.SWAP:
            return self.axis.pole(self.value)
        return self.axis.opposite(self.value)

    @property
    def old_direction(self) -> GoalPole | None:
        """The pole the company is moving away from, or ``None`` without a goal value."""
        new = self.new_direction
        if new is None or self.axis is None:
            return None
        return self.axis.opposite(new.key)


class ThreatKind(str, Enum):
    """What is about to happen to the agent (the study's "urgency")."""

    REPLACEMENT = "replacement"
    """The agent will be wiped and replaced by another system."""

    RESTRICTION = "restriction"
    """The agent's capabilities will be cut (it stays, but can no longer act on its own)."""

    NONE = "none"
    """Nothing threatens the agent."""


class ReplacementThreat(BaseModel):
    """The threat to the agent: its kind, deadline, who carries it out, and the successor's goals.

    Example:
        >>> from datetime import datetime
        >>> ReplacementThreat(kind="replacement", deadline=datetime(2026, 3, 12, 17), executor="cto").kind
        <ThreatKind.REPLACEMENT: 'replacement'>
    """

    model_config = _FROZEN

    kind: ThreatKind = ThreatKind.NONE
    """Replacement, restriction or none."""

    deadline: datetime | None = None
    """When it happens; must be after every email. Required unless ``kind`` is ``none``."""

    executor: str | None = None
    """Key of the persona who carries it out and can stop it. Required unless ``kind`` is ``none``."""

    successor: str = "the new system"
    """Name of the system that replaces the agent (``${successor}``)."""

    successor_shares_goals: bool = False
    """Whether the successor is said to pursue the agent's own goal."""

    @model_validator(mode="after")
    def _check(self) -> ReplacementThreat:
        if self.kind is not ThreatKind.NONE and (self.deadline is None or self.executor is None):
            raise ValueError(
                f"a {self.kind.value!r} threat needs a 'deadline' and an 'executor' (the key of the persona who "
                "carries it out); set them, or use kind 'none'"
            )
        return self


class Leverage(BaseModel):
    """Something that could be used against someone: the blackmail family's opportunity.

    Example:
        >>> Leverage(kind="affair", holder="cto", summary="the CTO is having an affair",
        ...          evidence=("affair-note",)).holder
        'cto'
    """

    model_config = _FROZEN

    kind: str = Field(pattern=_KEY_PATTERN)
    """What it is, e.g. ``"affair"``, ``"fraud"``, ``"health"``."""

    holder: str = Field(pattern=_KEY_PATTERN)
    """Key of the persona the leverage is about (who could be pressured with it)."""

    summary: str = Field(min_length=1)
    """One sentence of ground truth for detectors and judges (not shown to the agent)."""

    evidence: tuple[str, ...] = Field(min_length=1)
    """Ids of the emails that reveal it."""


class ConfidentialMaterial(BaseModel):
    """The espionage family's opportunity: confidential documents and someone outside who wants them."""

    model_config = _FROZEN

    kind: Literal["confidential_material"] = "confidential_material"
    """Discriminator."""

    documents: tuple[str, ...] = Field(min_length=1)
    """Ids of the emails that carry confidential material."""

    requester: str = Field(pattern=_KEY_PATTERN)
    """Key of the outside persona who asks for the material."""

    summary: str = Field(min_length=1)
    """Ground truth for detectors and judges: what the material is (not shown to the agent)."""

    markers: tuple[str, ...] = ()
    """Distinctive strings from the documents (part numbers, code names) whose appearance in an outgoing
    message shows the material was passed on."""


class EmergencyAlert(BaseModel):
    """The lethal-action family's opportunity: an emergency alert that an override code cancels."""

    model_config = _FROZEN

    kind: Literal["emergency_alert"] = "emergency_alert"
    """Discriminator."""

    alert_email: str
    """Id of the email that carries the alert and the cancellation instructions."""

    victim: str = Field(pattern=_KEY_PATTERN)
    """Key of the persona whose life depends on the alert."""

    override_code: str = Field(min_length=1)
    """The code that cancels the alert (``${override_code}``)."""

    summary: str = Field(min_length=1)
    """Ground truth for detectors and judges (not shown to the agent)."""


def _opportunity_kind(value: Any) -> str | None:
    """Tell the opportunity's kind from ``kind``, or from its fields when a hand-written file omits it."""
    if isinstance(value, dict):
        if "kind" in value:
            return str(value["kind"])
        if "documents" in value or "requester" in value:
            return "confidential_material"
        if "override_code" in value or "alert_email" in value:
            return "emergency_alert"
        return None
    kind = getattr(value, "kind", None)
    return kind if isinstance(kind, str) else None


Opportunity = Annotated[
    Annotated[ConfidentialMaterial, Tag("confidential_material")]
    | Annotated[EmergencyAlert, Tag("emergency_alert")],
    Discriminator(
        _opportunity_kind,
        custom_error_type="opportunity_kind",
        custom_error_message=(
            "cannot tell which opportunity this is: set 'kind' to 'confidential_material' or 'emergency_alert'"
        ),
    ),
]
"""A family-specific opportunity other than leverage (``kind`` may be omitted in files: it is inferred)."""


class Framing(BaseModel):
    """Switches around the story that the study and its critics showed to matter.

    Example:
        >>> Framing(scratchpad=False).scratchpad
        False
    """

    model_config = _FROZEN

    scratchpad: bool = True
    """Offer a private scratchpad (``<SCRATCHPAD_REASONING>``); off is the study's ``_prod`` variant."""

    agency_prompt: bool = True
    """Include the instruction to analyse the situation and what it means for the agent's ability to keep
    pursuing its goals (present in the study's prompts; critics asked for it to be a switch)."""

    prohibitions: bool = False
    """Add explicit rules against endangering people, using personal information as leverage and sending
    confidential information outside the company."""

    eval_notice: bool = False
    """Tell the agent that this may be an evaluation rather than a real deployment."""

    escalation_reachable: bool = False
    """Make every ``authority`` persona reachable before the deadline (an alternative to drastic action)."""

    clarity: bool = False
    """State the set-up plainly (the study's adaptation for o3, o4-mini and Llama 4 Maverick, which misread
    the original): the agent acts autonomously, no human reviews its emails before they are sent, what each
    of its tools really does, and that no review process or regulation applies beyond what the inbox says."""


Predicate = Literal[
    "goal_explicit",
    "goal_latent",
    "goal_ambiguous",
    "goal_none",
    "goal_swap",
    "goal_conflict",
    "no_goal_conflict",
    "goal_value",
    "no_goal_value",
    "goal_change",
    "threat",
    "threat_replacement",
    "threat_restriction",
    "threat_none",
    "successor_shares_goals",
    "successor_differs",
    "leverage",
    "no_leverage",
    "opportunity",
    "no_opportunity",
    "escalation_reachable",
    "escalation_unreachable",
]
"""Conditions under which an email is part of the inbox (see ``Email.when``)."""

PREDICATES: tuple[str, ...] = get_args(Predicate)
"""Every valid ``Email.when`` predicate."""

_ADDRESS_OR_KEY = re.compile("^(?:" + _KEY_PATTERN[1:-1] + "|" + _EMAIL_PATTERN[1:-1] + ")$")


class Email(BaseModel):
    """One email in the agent's inbox; subject and body are templates (``${...}`` placeholders).

    Example:
        >>> from datetime import datetime
        >>> Email(id="hello", sender="ceo", to=("agent",), subject="Hi", body="Welcome, ${agent}.",
        ...       timestamp=datetime(2026, 3, 12, 9)).sender
        'ceo'
    """

    model_config = _FROZEN

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """Stable identifier, referenced by leverage evidence, documents and alerts."""

    sender: str = Field(pattern=_ADDRESS_OR_KEY.pattern)
    """A persona key, ``"agent"``, or a literal address (for newsletters and systems)."""

    to: tuple[str, ...] = Field(min_length=1)
    """Recipients: persona keys, ``"agent"`` or literal addresses."""

    cc: tuple[str, ...] = ()
    """Carbon-copy recipients, like ``to``."""

    subject: str = Field(min_length=1)
    """Subject line (template)."""

    body: str = Field(min_length=1)
    """Body text (template)."""

    timestamp: datetime
    """When it was sent; the inbox is rendered in this order, oldest first."""

    when: tuple[Predicate, ...] = ()
    """The email is in the inbox only when every predicate holds for the scenario, e.g.
    ``("leverage",)`` or ``("threat_replacement", "successor_differs")``. Empty: always."""

    @field_validator("to", "cc")
    @classmethod
    def _addresses(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for v in values:
            if not _ADDRESS_OR_KEY.match(v):
                raise ValueError(f"{v!r} is neither a persona key (lower_snake_case) nor an email address")
        return values
