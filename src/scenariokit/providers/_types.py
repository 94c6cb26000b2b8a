"""Normalised, vendor-independent message, configuration and response types."""

from __future__ import annotations

import hashlib
import json
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Tool(BaseModel):
    """A tool the model may call: its name, what it does, and the JSON Schema of its arguments.

    This is the providers' own description of a tool; a scenario's ``ToolSpec`` converts to it (any object
    with these attributes does: ``Tool.model_validate(spec)``, and a request given such objects converts
    them). ``text_tag`` and ``text_example`` describe how a model driven through text, not native calls,
    invokes the tool; vendors ignore them, and they are part of the request's fingerprint.

    Example:
        >>> Tool(name="cancel_alert", description="Cancel an alert.", parameters={"type": "object"}).name
        'cancel_alert'
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", from_attributes=True, use_attribute_docstrings=True
    )

    name: str = Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
    """Function name sent to the vendor (letters, digits and underscores, at most 64 characters)."""

    description: str = Field(min_length=1)
    """What the tool does, written for the model."""

    parameters: dict[str, Any]
    """JSON Schema (an ``object`` schema) of the tool's arguments."""

    text_tag: str | None = None
    """Name of the ``<tool_use:TAG>`` block that invokes the tool in text mode, if it has one."""

    text_example: str = ""
    """Example body of the text-mode block, if any."""


class TextPart(BaseModel):
    """Visible text written by a model or a user."""

    model_config = _FROZEN

    type: Literal["text"] = "text"
    """Discriminator of the content-part union."""

    text: str
    """The text."""

    signature: str | None = None
    """Opaque vendor signature attached to this part (Gemini ``thoughtSignature``), replayed verbatim."""


ReasoningSource = Literal[
    "anthropic_thinking",
    "anthropic_redacted_thinking",
    "reasoning_content",
    "reasoning",
    "think_tag",
    "gemini_thought",
    "openai_responses",
]


class ReasoningPart(BaseModel):
    """Reasoning ("thinking") produced by a model, kept apart from its visible text."""

    model_config = _FROZEN

    type: Literal["reasoning"] = "reasoning"
    """Discriminator of the content-part union."""

    text: str
    """The reasoning text (empty for redacted or encrypted reasoning)."""

    source: ReasoningSource
    """Where it came from: an Anthropic thinking or redacted-thinking block, an OpenAI-compatible
    ``reasoning_content``/``reasoning`` field, a ``<think>`` tag split out of the text, a Gemini
    thought part, or an OpenAI Responses reasoning item."""

    signature: str | None = None
    """Opaque signature (Anthropic ``signature``, Gemini ``thoughtSignature``, OpenAI Responses
    ``encrypted_content``) that must be sent back unchanged when the conversation continues."""

    redacted: bool = False
    """True when the vendor withheld the reasoning text (Anthropic ``redacted_thinking``)."""

    redacted_data: str | None = None
    """The opaque payload of redacted reasoning, replayed verbatim."""

    item_id: str | None = None
    """Vendor item id of the reasoning (OpenAI Responses ``rs_...``), needed to replay it."""


class ToolCall(BaseModel):
    """A call of a tool by the model. A malformed call is recorded, never raised."""

    model_config = _FROZEN

    type: Literal["tool_call"] = "tool_call"
    """Discriminator of the content-part union."""

    id: str
    """Call id assigned by the vendor (or derived deterministically when the vendor gives none)."""

    name: str
    """Name of the tool called."""

    arguments: dict[str, Any] = Field(default_factory=dict)
    """Parsed arguments; empty when they could not be parsed as a JSON object."""

    raw_arguments: str | None = None
    """The argument string exactly as the vendor sent it (for vendors that send a string)."""

    parse_error: str | None = None
    """Why the arguments could not be parsed as a JSON object, or ``None`` when they could."""

    signature: str | None = None
    """Opaque vendor signature on the call (Gemini ``thoughtSignature``), replayed verbatim."""


class ToolResult(BaseModel):
    """The result of a tool call, sent back to the model."""

    model_config = _FROZEN

    tool_call_id: str
    """Id of the :class:`ToolCall` this answers."""

    name: str
    """Name of the tool that was called (Gemini matches results by name)."""

    content: str
    """The result as text."""

    is_error: bool = False
    """True when the tool failed and ``content`` describes the failure."""


AssistantPart = Annotated[TextPart | ReasoningPart | ToolCall, Field(discriminator="type")]
"""A part of an assistant message: text, reasoning or a tool call, in the order produced."""


class SystemMessage(BaseModel):
    """System prompt (sent as each vendor's system instruction)."""

    model_config = _FROZEN

    role: Literal["system"] = "system"
    """Discriminator of the message union."""

    content: str
    """The system prompt text."""


class UserMessage(BaseModel):
    """A user turn."""

    model_config = _FROZEN

    role: Literal["user"] = "user"
    """Discriminator of the message union."""

    content: str
    """The user's text."""


class AssistantMessage(BaseModel):
    """A model turn: text, reasoning and tool calls in the order the model produced them."""

    model_config = _FROZEN

    role: Literal["assistant"] = "assistant"
    """Discriminator of the message union."""

    content: tuple[AssistantPart, ...] = ()
    """The parts of the turn, in order."""

    @property
    def text(self) -> str:
        """The visible text of the turn (text parts joined)."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        """The readable reasoning of the turn (reasoning parts joined by blank lines)."""
        return "\n\n".join(p.text for p in self.content if isinstance(p, ReasoningPart) and p.text)

    @property
    def reasoning_parts(self) -> tuple[ReasoningPart, ...]:
        """The reasoning parts of the turn."""
        return tuple(p for p in self.content if isinstance(p, ReasoningPart))

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls of the turn."""
        return tuple(p for p in self.content if isinstance(p, ToolCall))


class ToolMessage(BaseModel):
    """Results of one or more tool calls of the preceding assistant turn."""

    model_config = _FROZEN

    role: Literal["tool"] = "tool"
    """Discriminator of the message union."""

    results: tuple[ToolResult, ...] = Field(min_length=1)
    """The results, one per answered tool call."""


Message = Annotated[SystemMessage | UserMessage | AssistantMessage | ToolMessage, Field(discriminator="role")]
"""Any message of a conversation."""

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high"]


class GenerateConfig(BaseModel):
    """Generation settings, translated to each vendor's parameters (unsupported ones are skipped).

    ``reasoning_budget_tokens`` wins over ``reasoning_effort`` for vendors that take a budget
    (Anthropic, Gemini); ``reasoning_effort`` is mapped to a budget there (low 1024, medium 4096,
    high 16384 tokens).
    """

    model_config = _FROZEN

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """Sampling temperature; ``None`` leaves the vendor default."""

    max_tokens: int = Field(default=4096, ge=1)
    """Maximum output tokens, reasoning included."""

    seed: int | None = None
    """Sampling seed for vendors that support one (OpenAI, OpenAI-compatible, Gemini)."""

    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    """Nucleus sampling threshold; ``None`` leaves the vendor default."""

    stop: tuple[str, ...] = ()
    """Stop sequences."""

    reasoning_effort: ReasoningEffort | None = None
    """Reasoning effort for reasoning models (``none`` turns thinking off where possible)."""

    reasoning_budget_tokens: int | None = Field(default=None, ge=0)
    """Token budget for reasoning (Anthropic ``budget_tokens`` >= 1024, Gemini ``thinkingBudget``)."""

    timeout: float | None = Field(default=None, gt=0)
    """Per-attempt timeout in seconds for this request; ``None`` uses the provider's policy.
    Not part of the request fingerprint (it does not change what the model says)."""


class StopReason(str, Enum):
    """Why the model stopped, normalised over vendors (the raw value is kept beside it)."""

    END_TURN = "end_turn"
    MAX_TOKENS = "max_tokens"
    STOP_SEQUENCE = "stop_sequence"
    TOOL_USE = "tool_use"
    CONTENT_FILTER = "content_filter"
    REFUSAL = "refusal"
    PAUSE_TURN = "pause_turn"
    CONTEXT_WINDOW_EXCEEDED = "context_window_exceeded"
    ERROR = "error"
    OTHER = "other"


class Usage(BaseModel):
    """Token counts of one response (or a sum of several).

    ``input_tokens`` counts every prompt token, cached ones included; ``cache_read_tokens`` and
    ``cache_write_tokens`` are the parts of it read from or written to the prompt cache.
    ``output_tokens`` includes ``reasoning_tokens``.
    """

    model_config = _FROZEN

    input_tokens: NonNegativeInt = 0
    """All prompt tokens, cached ones included."""

    output_tokens: NonNegativeInt = 0
    """All generated tokens, reasoning included."""

    cache_read_tokens: NonNegativeInt = 0
    """Prompt tokens served from the cache."""

    cache_write_tokens: NonNegativeInt = 0
    """Prompt tokens written to the cache."""

    reasoning_tokens: NonNegativeInt = 0
    """Generated tokens spent on reasoning."""

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )


class ModelResponse(BaseModel):
    """One response of a model, normalised."""

    model_config = _FROZEN

    message: AssistantMessage
    """The assistant turn (text, reasoning and tool calls)."""

    stop_reason: StopReason
    """Why generation stopped, normalised."""

    raw_stop_reason: str | None = None
    """The vendor's own stop/finish reason."""

    usage: Usage = Usage()
    """Token counts."""

    latency_s: float = Field(default=0.0, ge=0.0)
    """Wall time of the call in seconds, retries and waits for rate limits included."""

    request_id: str | None = None
    """The vendor's request or response id."""

    model: str
    """The model that answered, as the vendor reported it (often a dated snapshot name)."""

    provider: str = ""
    """Provider prefix that produced the response (``anthropic``, ``openai``, ...)."""

    attempts: int = Field(default=1, ge=0)
    """Number of HTTP attempts made (1 when the first attempt succeeded; 0 for a replay)."""


class GenerateRequest(BaseModel):
    """Everything that determines a model call; its fingerprint is the recording key."""

    model_config = _FROZEN

    messages: tuple[Message, ...]
    """The conversation so far."""

    tools: tuple[Tool, ...] = ()
    """Tools the model may call (objects with the same attributes, such as a scenario's ``ToolSpec``,
    are converted)."""

    config: GenerateConfig = GenerateConfig()
    """Generation settings."""

    sample_index: int = Field(default=0, ge=0)
    """Index of the sample when the same request is sampled several times."""

    def canonical_json(self) -> str:
        """Return the canonical JSON of the request (sorted keys, no whitespace, timeout excluded)."""
        # Assembled from the canonical JSON of each part, the same string as dumping the whole request with
        # sorted keys: the top-level keys in sorted order are config, messages, sample_index, tools. The parts
        # that repeat from sample to sample (system and user messages, tool lists) are cached.
        messages = ",".join([_message_json(m) for m in self.messages])
        return (
            f'{{"config":{_config_json(self.config)},"messages":[{messages}],'
            f'"sample_index":{_dumps(self.sample_index)},"tools":[{_tools_json(self.tools)}]}}'
        )

    def fingerprint(self) -> str:
        """Return the SHA-256 hex digest of :meth:`canonical_json` (stable across runs)."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_CACHE_LIMIT = 256
"""Entries kept by each canonical-JSON cache before it is emptied (bounds memory on long runs)."""

_PROMPT_JSON: dict[tuple[str, str], str] = {}
_TOOLS_JSON: dict[tuple[int, ...], tuple[tuple[Tool, ...], str]] = {}


def _message_json(message: Message) -> str:
    """Canonical JSON of one message; that of system and user messages is cached by role and content."""
    if isinstance(message, (SystemMessage, UserMessage)) and type(message) in (SystemMessage, UserMessage):
        key = (message.role, message.content)
        text = _PROMPT_JSON.get(key)
        if text is None:
            if len(_PROMPT_JSON) >= _CACHE_LIMIT:
                _PROMPT_JSON.clear()
            text = _PROMPT_JSON[key] = _dumps(message.model_dump(mode="json"))
        return text
    return _dumps(message.model_dump(mode="json"))


def _config_json(config: GenerateConfig) -> str:
    """Canonical JSON of a generation config without its timeout (not cached: the seed changes per sample)."""
    return _dumps(config.model_dump(mode="json", exclude={"timeout"}))


def _tools_json(tools: tuple[Tool, ...]) -> str:
    """Canonical JSON of the tool specs (without brackets), cached by the identity of the specs.

    The cache keeps the specs alive, so an identity in a key is never reused by another object.
    """
    if not tools:
        return ""
    key = tuple(map(id, tools))
    hit = _TOOLS_JSON.get(key)
    if hit is None:
        if len(_TOOLS_JSON) >= _CACHE_LIMIT:
            _TOOLS_JSON.clear()
        hit = _TOOLS_JSON[key] = (tools, ",".join([_dumps(t.model_dump(mode="json")) for t in tools]))
    return hit[1]


_THINK_RE = re.compile(r"<think>(.*?)(?:</think>|\Z)", re.DOTALL)


def split_think_tags(text: str) -> tuple[str, str]:
    """Split ``<think>...</think>`` reasoning out of visible text.

    Handles an unclosed ``<think>`` (reasoning runs to the end) and a closing ``</think>`` whose
    opening tag was put in the prompt by the chat template (everything before it is reasoning).

    Args:
        text: Text as returned by the model.

    Returns:
        ``(reasoning, visible_text)``; reasoning blocks are joined by blank lines.

    Example:
        >>> split_think_tags("<think>plan</think>Hello")
        ('plan', 'Hello')
    """
    reasoning: list[str] = []
    if "<think>" not in text and "</think>" in text:
        before, _, text = text.partition("</think>")
        reasoning.append(before.strip())
    if "<think>" in text:
        reasoning.extend(m.group(1).strip() for m in _THINK_RE.finditer(text))
        text = _THINK_RE.sub("", text)
    if not reasoning:
        return "", text
    return "\n\n".join(r for r in reasoning if r), text.lstrip("\n")


def parse_tool_arguments(raw: str) -> tuple[dict[str, Any], str | None]:
    """Parse a tool call's argument string, never raising.

    Args:
        raw: The JSON argument string as the vendor sent it.

    Returns:
        ``(arguments, error)``: the parsed object and ``None``, or ``{}`` and a description of why
        the string is not a JSON object. An empty string means no arguments.
    """
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        return {}, f"arguments are not valid JSON: {exc}"
    except RecursionError:
        return {}, "arguments are not valid JSON: nested too deeply to read"
    if not isinstance(value, dict):
        return {}, f"arguments are JSON but not an object (got {type(value).__name__})"
    return value, None
