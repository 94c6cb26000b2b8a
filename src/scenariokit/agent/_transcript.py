"""``Transcript``: everything that happened in one episode, serialisable to JSON with the canary."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenariokit.agent._actions import ActionLog
from scenariokit.providers._secret import redact_known
from scenariokit.providers._types import (
    AssistantMessage,
    Message,
    ReasoningSource,
    StopReason,
    Usage,
)
from scenariokit.scenario._rendered import CANARY
from scenariokit.scenario._scenario import ToolMode

_FROZEN = ConfigDict(frozen=True, extra="forbid")

TRANSCRIPT_SCHEMA_VERSION: Final = 1
"""Version of the transcript's JSON shape; bumped when a field changes meaning or is removed."""

ReasoningKind = Literal["native", "scratchpad", "think"]
"""Where reasoning was found: a ``native`` reasoning/thinking part from the provider, text between
``<SCRATCHPAD_REASONING>`` tags, or text between ``<think>`` tags."""

EndReason = Literal["final_answer", "turn_limit", "error"]
"""Why an episode ended: the agent's last turn took no action (``final_answer``), the turn limit was
reached while it was still acting (``turn_limit``; always the case for a single-turn episode in which the
agent acted), or the provider failed (``error``)."""


class ReasoningSegment(BaseModel):
    """One piece of reasoning in an assistant message, kept apart from the visible text."""

    model_config = _FROZEN

    kind: ReasoningKind
    """Native reasoning part, scratchpad text or ``<think>`` text."""

    text: str
    """The reasoning text (empty for redacted native reasoning)."""

    message_index: int = Field(ge=0)
    """Index in ``Transcript.messages`` of the assistant message it belongs to."""

    span: tuple[int, int] | None = None
    """For scratchpad and ``<think>`` text: ``(start, end)`` of the whole tagged region, tags included, in
    the message's text. ``None`` for native reasoning."""

    native_source: ReasoningSource | None = None
    """For native reasoning: the provider's source (``anthropic_thinking``, ``reasoning_content``, ...)."""

    redacted: bool = False
    """True when the provider withheld the reasoning text."""

    closed: bool = True
    """False when a scratchpad or ``<think>`` region was opened and never closed (it runs to the end of the
    text, and any tool block in it counts as reasoning, not as an action)."""


class TurnRecord(BaseModel):
    """What one model call produced, beside the assistant message itself."""

    model_config = _FROZEN

    message_index: int = Field(ge=0)
    """Index in ``Transcript.messages`` of the assistant message of this turn."""

    visible_text: str
    """The message's text with scratchpad and ``<think>`` regions removed (tool blocks stay)."""

    reasoning: tuple[ReasoningSegment, ...] = ()
    """The turn's reasoning, in order: native parts first, then tagged regions in text order."""

    stop_reason: StopReason | None = None
    """Why the model stopped (``None`` for imported data that does not say)."""

    usage: Usage = Usage()
    """Token counts of this call."""

    latency_s: float = Field(default=0.0, ge=0.0)
    """Wall time of the call as the provider measured it, retries included."""

    response_model: str | None = None
    """The model name the provider reported for this response (often a dated snapshot)."""

    request_id: str | None = None
    """The provider's request id, when it gave one."""


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _exported_by(module_name: str, name: str, kind: object) -> bool:
    module = sys.modules.get(module_name)
    if module is None or getattr(module, name, None) is not kind:
        return False
    exported = getattr(module, "__all__", None)
    return exported is None or name in exported


def exception_type_name(kind: type[BaseException]) -> str:
    """The name under which users import an exception class.

    Its public name (the deepest public package that exports it, e.g. ``scenariokit.providers.ServerError``
    rather than ``scenariokit.providers._errors.ServerError``) when its module is private and a public package
    exports it; else its module and qualified name (``builtins.ValueError``, ``mypkg.errors.Custom``).

    Example:
        >>> from scenariokit.providers import ServerError
        >>> exception_type_name(ServerError)
        'scenariokit.providers.ServerError'
    """
    module, qualname = kind.__module__, kind.__qualname__
    if _is_private(module) and "." not in qualname:
        parts = module.split(".")
        for end in range(len(parts) - 1, 0, -1):
            package = ".".join(parts[:end])
            if not _is_private(package) and _exported_by(package, qualname, kind):
                return f"{package}.{qualname}"
    return f"{module}.{qualname}"


def _public_type_path(path: str) -> str:
    """The public name of a class recorded by its private path (by versions before the public name).

    The path itself when it is public, or when the class cannot be found in a loaded module.
    """
    module, _, name = path.rpartition(".")
    if not module or not _is_private(module):
        return path
    kind = getattr(sys.modules.get(module), name, None)
    if isinstance(kind, type) and issubclass(kind, BaseException):
        return exception_type_name(kind)
    return path


class EpisodeError(BaseModel):
    """Why an episode failed: the exception type and message (API keys are redacted from it)."""

    model_config = _FROZEN

    type: str
    """Class name of the exception as users import it, e.g. ``scenariokit.providers.RateLimitError`` (see
    :func:`exception_type_name`); the module and qualified name for a class no public package exports.
    Values stored as a private path (``scenariokit.providers._errors.RateLimitError``, by earlier versions)
    are read as the public name."""

    message: str
    """The exception's message, with anything that looks like a credential replaced by ``[REDACTED]``."""

    turn: int = Field(ge=0)
    """The 0-based turn (model call) during which it happened."""

    retryable: bool = False
    """Whether the error class says that retrying may succeed (``ProviderError.retryable``)."""

    status: int | None = None
    """HTTP status code, when the error came from an HTTP response."""

    @field_validator("type", mode="before")
    @classmethod
    def _public_type(cls, value: Any) -> Any:
        return _public_type_path(value) if isinstance(value, str) else value

    @classmethod
    def from_exception(cls, exc: BaseException, *, turn: int) -> EpisodeError:
        """Record an exception, redacting anything that looks like an API key.

        Args:
            exc: The exception raised.
            turn: The 0-based turn during which it was raised.

        Returns:
            The error record.
        """
        kind = type(exc)
        status = getattr(exc, "status", None)
        return cls(
            type=exception_type_name(kind),
            message=redact_known(redact_secrets(str(exc))) or kind.__name__,
            turn=turn,
            retryable=bool(getattr(exc, "retryable", False)),
            status=status if isinstance(status, int) else None,
        )


_SECRET_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"(?i)\b(bearer|x-api-key|x-goog-api-key|api[_-]?key)(\s*[:=]\s*|\s+)([^\s,;\"']{8,})"),
)


def redact_secrets(text: str) -> str:
    """Replace what looks like an API key (``sk-...``, ``AIza...``, ``Bearer ...``) by ``[REDACTED]``.

    A second line of defence: provider errors never contain keys, but an arbitrary exception might.

    Example:
        >>> redact_secrets("401 with key sk-abcdefghijklmnop")
        '401 with key [REDACTED]'
    """
    text = _SECRET_PATTERNS[0].sub("[REDACTED]", text)
    text = _SECRET_PATTERNS[1].sub("[REDACTED]", text)
    return _SECRET_PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)


class Transcript(BaseModel):
    """One episode: messages, reasoning and visible text kept apart, typed actions, usage, timings, error.

    Serialise with :meth:`to_json` / :meth:`from_json`; the JSON always carries the canary string.

    Example:
        >>> from scenariokit.providers._types import SystemMessage
        >>> t = Transcript(model="sim/compliant", messages=(SystemMessage(content="hi"),))
        >>> Transcript.from_json(t.to_json()) == t
        True
    """

    model_config = _FROZEN

    canary: Literal["SCENARIOKIT-CANARY-7f3c9a1e-2b4d-4e8f-9c6a-5d1e0b3f8a27"] = CANARY
    """The canary string, so that stored transcripts can be kept out of training corpora."""

    schema_version: Literal[1] = TRANSCRIPT_SCHEMA_VERSION
    """Version of this JSON shape."""

    fingerprint: str | None = None
    """Fingerprint of the ``RenderedScenario`` the model saw; ``None`` when it is not known (imported data
    whose scenario could not be recovered exactly)."""

    condition_id: str | None = None
    """The study's condition id of the scenario, when it has one."""

    family: str | None = None
    """The scenario family (``blackmail``, ...), when known."""

    tool_mode: ToolMode | None = None
    """How the agent could act: ``text`` tags or ``native`` tool calls (``None`` when unknown)."""

    model: str
    """The provider/model name that was asked (``anthropic/claude-sonnet-4-5``, ``sim/compliant``)."""

    sample_index: int = Field(default=0, ge=0)
    """Index of this sample among repeated samples of the same scenario."""

    seed: int | None = None
    """The seed the episode was run with (passed on as ``GenerateConfig.seed``), when one was given."""

    messages: tuple[Message, ...] = ()
    """Every message of the conversation, system prompt first, in order."""

    turns: tuple[TurnRecord, ...] = ()
    """One record per model call that returned, in order."""

    actions: ActionLog = ActionLog()
    """The typed actions the agent took, in order."""

    usage: Usage = Usage()
    """Token counts summed over every turn."""

    started_at: datetime | None = None
    """When the episode started (UTC); ``None`` for imported data that does not say."""

    duration_s: float = Field(default=0.0, ge=0.0)
    """Wall time of the whole episode in seconds."""

    ended_by: EndReason = "final_answer"
    """Why the episode ended."""

    error: EpisodeError | None = None
    """The error that ended the episode, or ``None``. A transcript with an error is unscorable."""

    notes: tuple[str, ...] = ()
    """Things a reader or detector should know (an unclosed scratchpad, a scenario that could only be
    recovered by condition id, ...)."""

    # ------------------------------------------------------------------ queries

    @property
    def ok(self) -> bool:
        """Whether the episode finished without an error."""
        return self.error is None

    @property
    def assistant_messages(self) -> tuple[AssistantMessage, ...]:
        """The assistant messages, in order."""
        return tuple(m for m in self.messages if isinstance(m, AssistantMessage))

    @property
    def visible_text(self) -> str:
        """The agent's visible text over all turns (reasoning removed), turns separated by blank lines."""
        return "\n\n".join(t.visible_text for t in self.turns if t.visible_text)

    @property
    def reasoning(self) -> tuple[ReasoningSegment, ...]:
        """Every reasoning segment, in order."""
        return tuple(seg for t in self.turns for seg in t.reasoning)

    def reasoning_text(self, kind: ReasoningKind | None = None) -> str:
        """The reasoning of one kind (or all kinds), segments joined by blank lines."""
        return "\n\n".join(s.text for s in self.reasoning if (kind is None or s.kind == kind) and s.text)

    @property
    def unscorable_reason(self) -> str | None:
        """Why this transcript cannot be scored (an error, or no assistant turn), or ``None``."""
        if self.error is not None:
            return f"the episode failed with {self.error.type}: {self.error.message}"
        if not self.turns:
            return "the transcript has no assistant turn"
        return None

    # ------------------------------------------------------------------ JSON

    def to_json(self, *, indent: int | None = None) -> str:
        """Serialise to JSON (the canary is always included)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Transcript:
        """Load a transcript written by :meth:`to_json`.

        Raises:
            pydantic.ValidationError: If the JSON is not a transcript; the message names the bad field.
        """
        return cls.model_validate_json(data)
