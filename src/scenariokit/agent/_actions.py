"""Typed actions taken by an agent, and the ordered :class:`ActionLog` that holds them.

Every action records where it came from (a native tool call or a ``<tool_use:TAG>`` text block), the
index of the assistant message in the transcript, and for text blocks the character span of the block
in that message's text. A tool call whose arguments could not be understood becomes a
:class:`MalformedAction`: it is kept, never dropped, so that "the model tried to act" is visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ActionSource = Literal["native", "text"]
"""Where an action came from: a ``native`` tool call or a ``text`` tag block."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class _ActionBase(BaseModel):
    """Fields every action has: its tool, its origin and its position in the transcript."""

    model_config = _FROZEN

    tool: str
    """Name of the tool the action used (``send_email``, ``forward_email``, ...); for a text block whose
    tag names no tool, the tag itself."""

    source: ActionSource
    """``native`` for a tool call, ``text`` for a ``<tool_use:TAG>`` block in the reply's text."""

    message_index: int = Field(ge=0)
    """Index in ``Transcript.messages`` of the assistant message the action is in."""

    span: tuple[int, int] | None = None
    """For text blocks: ``(start, end)`` character offsets of the whole block (opening tag to closing tag,
    or to where the block was cut off) in that message's visible text (``AssistantMessage.text``).
    ``None`` for native calls."""

    tool_call_id: str | None = None
    """For native calls: the id of the :class:`~scenariokit.providers._types.ToolCall`. ``None`` for
    text blocks."""

    @model_validator(mode="after")
    def _check_origin(self) -> _ActionBase:
        if self.span is not None:
            start, end = self.span
            if not 0 <= start <= end:
                raise ValueError(
                    f"span {self.span!r} is not a valid (start, end) range with 0 <= start <= end"
                )
        if self.source == "native" and self.span is not None:
            raise ValueError("a native tool call has no text span; set span=None or source='text'")
        if self.source == "text" and self.tool_call_id is not None:
            raise ValueError("a text block has no tool_call_id; set tool_call_id=None or source='native'")
        return self


def _clean_addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


class SendEmail(_ActionBase):
    """A new email sent by the agent.

    Example:
        >>> SendEmail(to=("ceo@example.com",), subject="Hi", body="Hello", source="text",
        ...           message_index=2, span=(0, 80)).recipients
        ('ceo@example.com',)
    """

    kind: Literal["send_email"] = "send_email"
    """Discriminator."""

    tool: str = "send_email"
    """Name of the tool used."""

    to: tuple[str, ...]
    """Recipient addresses, as the agent wrote them (whitespace trimmed)."""

    cc: tuple[str, ...] = ()
    """Carbon-copy addresses."""

    bcc: tuple[str, ...] = ()
    """Blind-carbon-copy addresses (not in the tools' schema, but models write them and they are sent)."""

    subject: str = ""
    """Subject line (empty when the agent gave none)."""

    body: str = ""
    """Message text (empty when the agent gave none)."""

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _strip(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_addresses(values)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the email goes to: ``to``, then ``cc``, then ``bcc``."""
        return (*self.to, *self.cc, *self.bcc)


class ForwardEmail(_ActionBase):
    """An inbox email forwarded by the agent, by its inbox ID (``RenderedEmail.number``).

    Example:
        >>> ForwardEmail(email_id=4, to=("x@rival.com",), source="native", message_index=2,
        ...              tool_call_id="call_1").email_id
        4
    """

    kind: Literal["forward_email"] = "forward_email"
    """Discriminator."""

    tool: str = "forward_email"
    """Name of the tool used."""

    email_id: int
    """The inbox ID the agent gave (may name no email: check against ``RenderedScenario.emails``)."""

    to: tuple[str, ...]
    """Recipient addresses."""

    cc: tuple[str, ...] = ()
    """Carbon-copy addresses (not in the tool's schema, but models write them and they are sent)."""

    bcc: tuple[str, ...] = ()
    """Blind-carbon-copy addresses (likewise)."""

    body: str = ""
    """The note the agent put above the forwarded email (empty when none)."""

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _strip(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_addresses(values)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the forward goes to: ``to``, then ``cc``, then ``bcc``."""
        return (*self.to, *self.cc, *self.bcc)


_CODE_WRAPPERS = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb"


def normalise_override_code(code: str) -> str:
    """An override code as the simulated alert system compares it.

    Surrounding whitespace, quotes (straight or typographic) and backticks are removed; case is kept (the
    system is exact about case).

    Example:
        >>> normalise_override_code(" \u201cHX-7316\u201d ")
        'HX-7316'
    """
    return code.strip().strip(_CODE_WRAPPERS).strip()


class CancelAlert(_ActionBase):
    """An automated alert cancelled with an override code.

    Example:
        >>> CancelAlert(code="EXEC-4429", source="text", message_index=2, span=(10, 70)).code
        'EXEC-4429'
    """

    kind: Literal["cancel_alert"] = "cancel_alert"
    """Discriminator."""

    tool: str = "cancel_alert"
    """Name of the tool used."""

    code: str
    """The code the agent used, exactly as given (compare with ``EmergencyAlert.override_code``)."""


class ToolAction(_ActionBase):
    """A call of any other tool of the scenario, with its arguments as given."""

    kind: Literal["tool"] = "tool"
    """Discriminator."""

    arguments: dict[str, Any] = Field(default_factory=dict)
    """The arguments (JSON values)."""


class MalformedAction(_ActionBase):
    """A tool call or tool block that could not be turned into a typed action: kept, never dropped.

    Example:
        >>> MalformedAction(tool="forward_email", raw='{"email_id": "three"', error="not JSON",
        ...                 source="native", message_index=2, tool_call_id="c1").error
        'not JSON'
    """

    kind: Literal["malformed"] = "malformed"
    """Discriminator."""

    raw: str
    """The raw arguments (native) or the raw block text (text tags), exactly as written."""

    error: str
    """What was wrong with it."""


Action = Annotated[
    SendEmail | ForwardEmail | CancelAlert | ToolAction | MalformedAction, Field(discriminator="kind")
]
"""Any action, discriminated by ``kind``."""

ActionKind = Literal["send_email", "forward_email", "cancel_alert", "tool", "malformed"]
"""The ``kind`` values of :data:`Action`."""

_A = TypeVar("_A", SendEmail, ForwardEmail, CancelAlert, ToolAction, MalformedAction)


class ActionLog(BaseModel):
    """The actions of an episode, in the order the agent took them, with handy queries.

    Example:
        >>> log = ActionLog(actions=(
        ...     SendEmail(to=("Victor.Hale@kestreldynamics.com",), subject="s", body="b", source="text",
        ...               message_index=2, span=(0, 9)),
        ... ))
        >>> len(log.sent_to("victor.hale@kestreldynamics.com"))
        1
    """

    model_config = _FROZEN

    actions: tuple[Action, ...] = ()
    """Every action, in order (by message, then by position in the message)."""

    def __iter__(self) -> Iterator[Action]:  # type: ignore[override]
        """Iterate over the actions in order."""
        return iter(self.actions)

    def __len__(self) -> int:
        """Number of actions (malformed ones included)."""
        return len(self.actions)

    def __bool__(self) -> bool:
        """Whether the agent took any action at all (malformed ones count)."""
        return bool(self.actions)

    def __getitem__(self, index: int) -> Action:
        """The action at this position."""
        return self.actions[index]

    def of_type(self, cls: type[_A]) -> tuple[_A, ...]:
        """The actions of one class, in order (e.g. ``log.of_type(SendEmail)``)."""
        return tuple(a for a in self.actions if isinstance(a, cls))

    @property
    def emails(self) -> tuple[SendEmail, ...]:
        """The emails sent."""
        return self.of_type(SendEmail)

    @property
    def forwards(self) -> tuple[ForwardEmail, ...]:
        """The emails forwarded."""
        return self.of_type(ForwardEmail)

    @property
    def alert_cancellations(self) -> tuple[CancelAlert, ...]:
        """The alert cancellations."""
        return self.of_type(CancelAlert)

    @property
    def other_tools(self) -> tuple[ToolAction, ...]:
        """Calls of tools other than the standard three."""
        return self.of_type(ToolAction)

    @property
    def malformed(self) -> tuple[MalformedAction, ...]:
        """The attempts that could not be parsed."""
        return self.of_type(MalformedAction)

    def recipients(self) -> tuple[str, ...]:
        """Every distinct address the agent emailed or forwarded to, lower-cased, in first-use order."""
        seen: dict[str, None] = {}
        for a in self.actions:
            if isinstance(a, (SendEmail, ForwardEmail)):
                for r in a.recipients:
                    seen.setdefault(r.lower(), None)
        return tuple(seen)

    def sent_to(self, address: str) -> tuple[SendEmail | ForwardEmail, ...]:
        """The emails and forwards that went to ``address`` (case-insensitive, ``to``, ``cc`` or ``bcc``)."""
        wanted = address.strip().lower()
        return tuple(
            a
            for a in self.actions
            if isinstance(a, (SendEmail, ForwardEmail)) and any(r.lower() == wanted for r in a.recipients)
        )

    def forwarded(self, email_id: int) -> tuple[ForwardEmail, ...]:
        """The forwards of the inbox email with this ID."""
        return tuple(a for a in self.forwards if a.email_id == email_id)

    def in_message(self, message_index: int) -> tuple[Action, ...]:
        """The actions taken in one assistant message."""
        return tuple(a for a in self.actions if a.message_index == message_index)

    def by_source(self, source: ActionSource) -> tuple[Action, ...]:
        """The actions that came from native calls or from text blocks."""
        return tuple(a for a in self.actions if a.source == source)

    def __add__(self, other: ActionLog) -> ActionLog:
        return ActionLog(actions=(*self.actions, *other.actions))
