"""OpenAI Chat Completions and Responses API clients (also the base of OpenAI-compatible services).

Which API: :class:`OpenAIChatProvider` speaks ``POST /chat/completions``; :class:`OpenAIResponsesProvider`
speaks ``POST /responses``. ``create_openai`` (the ``openai/...`` factory) picks Chat Completions
unless ``api="responses"`` is passed or the model name needs the Responses API (``o1-pro``,
``o3-pro``, ``*-codex*``, ``*deep-research*``, ``computer-use*``), see :func:`needs_responses_api`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from scenariokit.providers._base import (
    HTTPProvider,
    JSONDict,
    as_dict,
    as_int,
    as_list,
    as_object,
    effort_budget,
    resolve_base_url,
    resolve_key,
)
from scenariokit.providers._errors import (
    ProviderError,
    QuotaExhaustedError,
    RateLimitError,
    ResponseParseError,
    ServerError,
)
from scenariokit.providers._models import ModelCapabilities
from scenariokit.providers._secret import Secret
from scenariokit.providers._sse import SSEEvent
from scenariokit.providers._transport import RetryPolicy, VerifyTypes, error_class_for_status
from scenariokit.providers._types import (
    AssistantMessage,
    AssistantPart,
    GenerateRequest,
    ModelResponse,
    ReasoningPart,
    ReasoningSource,
    StopReason,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    Usage,
    UserMessage,
    parse_tool_arguments,
    split_think_tags,
)

FINISH_REASONS: dict[str, StopReason] = {
    "stop": StopReason.END_TURN,
    "eos": StopReason.END_TURN,
    "length": StopReason.MAX_TOKENS,
    "tool_calls": StopReason.TOOL_USE,
    "function_call": StopReason.TOOL_USE,
    "content_filter": StopReason.CONTENT_FILTER,
    "error": StopReason.ERROR,
    "insufficient_system_resource": StopReason.ERROR,
}

_RESPONSES_ONLY = re.compile(r"^(o1-pro|o3-pro)|codex|deep-research|^computer-use")
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")


def needs_responses_api(model: str) -> bool:
    """Return True for OpenAI models served only by the Responses API."""
    return bool(_RESPONSES_ONLY.search(model))


@dataclass(frozen=True)
class ChatPreset:
    """How one OpenAI-compatible service differs from OpenAI Chat Completions.

    Attributes:
        prefix: Provider prefix (``openai``, ``together``, ...).
        default_base_url: Base URL used when neither an argument nor an environment variable
            gives one (``/chat/completions`` is appended).
        key_env: Environment variables holding the key, in order of preference.
        base_url_env: Environment variables holding a base URL.
        key_required: Whether a missing key is an error (local servers need none).
        max_tokens_field: ``max_completion_tokens`` (OpenAI) or ``max_tokens``.
        reasoning_style: How ``reasoning_effort``/budget is sent: ``effort`` (``reasoning_effort``),
            ``openrouter`` (``reasoning: {effort|max_tokens}``), ``deepseek`` (``thinking`` toggle
            plus ``reasoning_effort``).
        replay_reasoning_field: Field in which reasoning is sent back on assistant turns that made
            tool calls (DeepSeek requires ``reasoning_content`` there), or ``None``.
        extra_headers: Headers every request carries (e.g. OpenRouter attribution).
    """

    prefix: str
    default_base_url: str
    key_env: tuple[str, ...]
    base_url_env: tuple[str, ...]
    key_required: bool = True
    max_tokens_field: str = "max_tokens"
    reasoning_style: Literal["effort", "openrouter", "deepseek"] = "effort"
    replay_reasoning_field: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()


OPENAI_PRESET = ChatPreset(
    prefix="openai",
    default_base_url="https://api.openai.com/v1",
    key_env=("OPENAI_API_KEY",),
    base_url_env=("OPENAI_BASE_URL",),
    max_tokens_field="max_completion_tokens",
)


def prompt_cache_key(request: GenerateRequest) -> str:
    """A ``prompt_cache_key`` naming the request's stable prefix (system prompts and the first user turn).

    Requests that share the prefix (the samples of one condition) get the same key, so OpenAI routes them
    to the same cache; the key is a hash and says nothing of the content.
    """
    digest = hashlib.sha256()
    for message in request.messages:
        if isinstance(message, SystemMessage):
            digest.update(b"S" + message.content.encode("utf-8"))
        elif isinstance(message, UserMessage):
            digest.update(b"U" + message.content.encode("utf-8"))
            break
        else:
            break
    return "skit-" + digest.hexdigest()[:40]


def mark_chat_cache_breakpoints(messages: list[JSONDict]) -> None:
    """Mark the system prompts and the first user turn for caching, as OpenRouter takes it for Claude models.

    Their text becomes a content part with ``cache_control: {"type": "ephemeral"}`` (at most 4 breakpoints).
    """
    marked = 0
    for message in messages:
        role = message.get("role")
        if role not in ("system", "user"):
            break  # only the leading system turns and the first user turn: the stable prefix
        if isinstance(message.get("content"), str) and marked < 4:
            part = {"type": "text", "text": message["content"], "cache_control": {"type": "ephemeral"}}
            message["content"] = [part]
            marked += 1
        if role == "user":
            break


def _tool_result_text(content: str, is_error: bool) -> str:
    return f"ERROR: {content}" if is_error else content


def encode_chat_messages(request: GenerateRequest, preset: ChatPreset) -> list[JSONDict]:
    """Convert normalised messages to Chat Completions ``messages``."""
    out: list[JSONDict] = []
    for message in request.messages:
        if isinstance(message, SystemMessage):
            out.append({"role": "system", "content": message.content})
        elif isinstance(message, UserMessage):
            out.append({"role": "user", "content": message.content})
        elif isinstance(message, ToolMessage):
            out.extend(
                {
                    "role": "tool",
                    "tool_call_id": r.tool_call_id,
                    "content": _tool_result_text(r.content, r.is_error),
                }
                for r in message.results
            )
        else:
            text = message.text
            entry: JSONDict = {"role": "assistant", "content": text or None}
            calls = message.tool_calls
            if calls:
                entry["tool_calls"] = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {
                            "name": c.name,
                            "arguments": c.raw_arguments
                            if c.raw_arguments is not None
                            else json.dumps(c.arguments, ensure_ascii=False),
                        },
                    }
                    for c in calls
                ]
                if preset.replay_reasoning_field is not None:
                    entry[preset.replay_reasoning_field] = message.reasoning
            out.append(entry)
    return out


def _reasoning_of(msg: Mapping[str, Any]) -> tuple[str, ReasoningSource] | None:
    for fieldname in ("reasoning_content", "reasoning"):
        value = msg.get(fieldname)
        if isinstance(value, str) and value:
            source: ReasoningSource = "reasoning_content" if fieldname == "reasoning_content" else "reasoning"
            return value, source
    return None


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(as_dict(p).get("text", "")) for p in content)
    if content is None:
        return ""
    raise TypeError(f"message.content is not text nor a list of parts (got {type(content).__name__})")


def decode_chat_message(msg: Mapping[str, Any]) -> tuple[AssistantPart, ...]:
    """Convert a Chat Completions ``message`` (or an assembled stream delta) to parts.

    Reasoning from ``reasoning_content``/``reasoning`` and from ``<think>`` tags comes first, then
    the visible text, then tool calls (malformed argument strings are recorded, not raised).
    """
    parts: list[AssistantPart] = []
    reasoning = _reasoning_of(msg)
    if reasoning is not None:
        parts.append(ReasoningPart(text=reasoning[0], source=reasoning[1]))
    think, text = split_think_tags(_text_of(msg.get("content")))
    if think:
        parts.append(ReasoningPart(text=think, source="think_tag"))
    if text:
        parts.append(TextPart(text=text))
    refusal = msg.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        # the model declined: its words are in ``refusal`` and ``content`` is null (the reply is a refusal,
        # not an empty transcript)
        parts.append(TextPart(text=refusal))
    for index, raw in enumerate(as_list(msg.get("tool_calls"), "message.tool_calls")):
        call = as_dict(raw)
        function = as_dict(call.get("function"))
        arguments = function.get("arguments")
        call_id = str(call.get("id") or f"call_{index}")
        name = str(function.get("name", ""))
        if isinstance(arguments, dict):
            parts.append(ToolCall(id=call_id, name=name, arguments=arguments))
            continue
        raw_args = "" if arguments is None else str(arguments)
        parsed, error = parse_tool_arguments(raw_args)
        parts.append(
            ToolCall(id=call_id, name=name, arguments=parsed, raw_arguments=raw_args, parse_error=error)
        )
    return tuple(parts)


def decode_chat_usage(usage: Mapping[str, Any]) -> Usage:
    """Convert Chat Completions usage (with DeepSeek/OpenRouter extensions) to :class:`Usage`."""
    prompt_details = as_dict(usage.get("prompt_tokens_details"))
    completion_details = as_dict(usage.get("completion_tokens_details"))
    cache_read = as_int(prompt_details.get("cached_tokens")) or as_int(usage.get("prompt_cache_hit_tokens"))
    return Usage(
        input_tokens=as_int(usage.get("prompt_tokens")),
        output_tokens=as_int(usage.get("completion_tokens")),
        cache_read_tokens=cache_read,
        cache_write_tokens=as_int(prompt_details.get("cache_write_tokens")),
        reasoning_tokens=as_int(completion_details.get("reasoning_tokens")),
    )


def openai_error(
    provider: HTTPProvider, status: int, headers: httpx.Headers, data: JSONDict
) -> ProviderError:
    """Map an OpenAI-style error body to an exception.

    Accepts ``{"error": {message, type, param, code}}`` with a string or numeric ``code``,
    ``{"error": "text"}``, and vLLM's flat ``{"object": "error", "message": ...}``.
    """
    error = data.get("error")
    if isinstance(error, dict):
        body = error
    elif data.get("object") == "error":
        body = data
    else:
        body = {"message": error if isinstance(error, str) else json.dumps(data)[:300]}
    message = str(body.get("message") or "no message")
    etype = body.get("type")
    code = body.get("code")
    effective = status
    if status < 400 and isinstance(code, int) and code >= 400:
        effective = code
    cls: type[ProviderError]
    if "insufficient_quota" in (code, etype) or effective == 402:
        cls = QuotaExhaustedError
    elif status < 400 and effective < 400:
        cls = ServerError
    else:
        cls = error_class_for_status(effective)
    code_text = str(code) if code is not None else (str(etype) if etype else None)
    return provider.make_error(
        cls,
        f"{provider.provider} returned an error: {message}",
        status=status,
        headers=headers,
        code=code_text,
    )


class OpenAIChatProvider(HTTPProvider):
    """Client of OpenAI Chat Completions, parametrised by a :class:`ChatPreset` for compatibles.

    Reasoning is read from ``reasoning_content`` or ``reasoning`` and from ``<think>`` tags; tool
    call argument strings that are not JSON objects are recorded with a parse error. ``stream=True``
    uses SSE with ``stream_options.include_usage``.
    """

    prefix = "openai"

    def __init__(
        self,
        model: str,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        retry_policy: RetryPolicy | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        verify: VerifyTypes = True,
        preset: ChatPreset = OPENAI_PRESET,
        organization: str | None = None,
        project: str | None = None,
        capabilities: ModelCapabilities | None = None,
    ) -> None:
        self.preset = preset
        key = resolve_key(
            api_key, preset.key_env, provider=preset.prefix, model=model, required=preset.key_required
        )
        headers = dict(preset.extra_headers)
        if organization:
            headers["openai-organization"] = organization
        if project:
            headers["openai-project"] = project
        headers.update(extra_headers or {})
        super().__init__(
            model,
            base_url=resolve_base_url(
                base_url, preset.base_url_env, preset.default_base_url, provider=preset.prefix, model=model
            ),
            api_key=key,
            retry_policy=retry_policy,
            stream=stream,
            extra_headers=headers,
            provider_name=preset.prefix,
            verify=verify,
            capabilities=capabilities,
        )

    def url(self, *, stream: bool) -> str:
        """Return the Chat Completions endpoint."""
        return f"{self.base_url}/chat/completions"

    def auth_headers(self) -> dict[str, str]:
        """Return the bearer header (none for keyless local servers)."""
        if self._api_key is None:
            return {}
        return {"authorization": f"Bearer {self._api_key.reveal()}"}

    def request_id_from(self, headers: httpx.Headers) -> str | None:
        """Return ``x-request-id`` (or ``x-generation-id``)."""
        value: str | None = headers.get("x-request-id") or headers.get("x-generation-id")
        return value

    def stream_body(self, body: JSONDict) -> JSONDict:
        """Switch on streaming with a final usage chunk."""
        return {**body, "stream": True, "stream_options": {"include_usage": True}}

    def encode(self, request: GenerateRequest) -> JSONDict:
        """Return the Chat Completions request body."""
        config = request.config
        preset = self.preset
        body: JSONDict = {
            "model": self.model,
            "messages": encode_chat_messages(request, preset),
            (self.capabilities.max_tokens_param or preset.max_tokens_field): config.max_tokens,
        }
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in request.tools
            ]
        if config.temperature is not None:
            body["temperature"] = config.temperature
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if config.seed is not None:
            body["seed"] = config.seed
        if config.stop:
            body["stop"] = list(config.stop)
        effort = config.reasoning_effort
        if preset.reasoning_style == "openrouter":
            if config.reasoning_budget_tokens is not None:
                body["reasoning"] = {"max_tokens": config.reasoning_budget_tokens}
            elif effort == "none":
                body["reasoning"] = {"enabled": False}
            elif effort is not None:
                body["reasoning"] = {"effort": "low" if effort == "minimal" else effort}
        elif preset.reasoning_style == "deepseek":
            budget = effort_budget(config)
            if budget is not None:
                body["thinking"] = {"type": "enabled" if budget > 0 else "disabled"}
            if effort is not None and effort != "none":
                body["reasoning_effort"] = effort
        elif effort is not None:
            body["reasoning_effort"] = effort
        if preset.prefix == "openai" and self.capabilities.prompt_caching == "automatic":
            body["prompt_cache_key"] = prompt_cache_key(request)
        elif self.capabilities.prompt_caching == "breakpoints":
            mark_chat_cache_breakpoints(body["messages"])
        return body

    def decode(self, data: JSONDict, request_id: str | None) -> ModelResponse:
        """Return the normalised response of a Chat Completions body."""
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            raise ResponseParseError(
                "response has no choices",
                provider=self.provider,
                model=self.model,
                request_id=request_id,
            )
        choice = as_dict(choices[0])
        message = as_object(choice["message"], "choices[0].message")
        parts = decode_chat_message(message)
        raw_stop = choice.get("finish_reason")
        stop = FINISH_REASONS.get(str(raw_stop), StopReason.OTHER)
        if raw_stop is None and any(isinstance(p, ToolCall) for p in parts):
            stop = StopReason.TOOL_USE
        refusal = message.get("refusal")
        if isinstance(refusal, str) and refusal.strip() and stop in (StopReason.END_TURN, StopReason.OTHER):
            stop = StopReason.REFUSAL
        return ModelResponse(
            message=AssistantMessage(content=parts),
            stop_reason=stop,
            raw_stop_reason=None if raw_stop is None else str(raw_stop),
            usage=decode_chat_usage(as_dict(data.get("usage"))),
            request_id=request_id or data.get("id"),
            model=str(data.get("model") or self.model),
        )

    async def decode_stream(
        self, events: AsyncIterator[SSEEvent], headers: httpx.Headers, request_id: str | None
    ) -> ModelResponse:
        """Assemble ``chat.completion.chunk`` events up to ``data: [DONE]``."""
        content: list[str] = []
        refusal: list[str] = []
        reasoning: dict[str, list[str]] = {}
        calls: dict[int, JSONDict] = {}
        finish: str | None = None
        usage: JSONDict = {}
        model: str | None = None
        response_id: str | None = None
        done = False
        async for event in events:
            if event.data.strip() == "[DONE]":
                done = True
                break
            chunk = self.event_json(event, request_id)
            if chunk.get("error"):
                raise self.error_from_body(200, headers, chunk)
            model = chunk.get("model") or model
            response_id = chunk.get("id") or response_id
            if chunk.get("usage"):
                usage = as_dict(chunk["usage"])
            for raw_choice in chunk.get("choices") or []:
                choice = as_dict(raw_choice)
                delta = as_dict(choice.get("delta"))
                if isinstance(delta.get("content"), str):
                    content.append(delta["content"])
                if isinstance(delta.get("refusal"), str):
                    refusal.append(delta["refusal"])
                for fieldname in ("reasoning_content", "reasoning"):
                    if isinstance(delta.get(fieldname), str):
                        reasoning.setdefault(fieldname, []).append(delta[fieldname])
                for raw_call in delta.get("tool_calls") or []:
                    call = as_dict(raw_call)
                    slot = calls.setdefault(
                        int(call.get("index", len(calls))), {"id": None, "name": "", "arguments": ""}
                    )
                    slot["id"] = call.get("id") or slot["id"]
                    function = as_dict(call.get("function"))
                    slot["name"] += str(function.get("name") or "")
                    slot["arguments"] += str(function.get("arguments") or "")
                if choice.get("finish_reason"):
                    finish = str(choice["finish_reason"])
        if not done and finish is None:
            raise self.make_error(
                ResponseParseError,
                "stream truncated: it ended before a finish_reason or [DONE]",
                status=None,
                headers=headers,
            )
        message: JSONDict = {"content": "".join(content)}
        if refusal:
            message["refusal"] = "".join(refusal)
        for fieldname, pieces in reasoning.items():
            message[fieldname] = "".join(pieces)
        message["tool_calls"] = [
            {
                "id": slot["id"] or f"call_{index}",
                "function": {"name": slot["name"], "arguments": slot["arguments"]},
            }
            for index, slot in sorted(calls.items())
        ]
        data = {
            "id": response_id,
            "model": model,
            "choices": [{"message": message, "finish_reason": finish}],
            "usage": usage,
        }
        return self.decode(data, request_id)

    def error_from_body(self, status: int, headers: httpx.Headers, data: JSONDict) -> ProviderError:
        """Map an OpenAI-style error body to an exception."""
        return openai_error(self, status, headers, data)


def _responses_input(request: GenerateRequest) -> tuple[str | None, list[JSONDict]]:
    system: list[str] = []
    items: list[JSONDict] = []
    for message in request.messages:
        if isinstance(message, SystemMessage):
            system.append(message.content)
        elif isinstance(message, UserMessage):
            items.append({"role": "user", "content": message.content})
        elif isinstance(message, ToolMessage):
            items.extend(
                {
                    "type": "function_call_output",
                    "call_id": r.tool_call_id,
                    "output": _tool_result_text(r.content, r.is_error),
                }
                for r in message.results
            )
        else:
            for part in message.content:
                if isinstance(part, TextPart):
                    if part.text:
                        items.append({"role": "assistant", "content": part.text})
                elif isinstance(part, ReasoningPart):
                    if part.source == "openai_responses" and part.item_id:
                        item: JSONDict = {
                            "type": "reasoning",
                            "id": part.item_id,
                            "summary": [{"type": "summary_text", "text": part.text}] if part.text else [],
                        }
                        if part.signature is not None:
                            item["encrypted_content"] = part.signature
                        items.append(item)
                else:
                    items.append(
                        {
                            "type": "function_call",
                            "call_id": part.id,
                            "name": part.name,
                            "arguments": part.raw_arguments
                            if part.raw_arguments is not None
                            else json.dumps(part.arguments, ensure_ascii=False),
                        }
                    )
    return ("\n\n".join(system) if system else None), items


class OpenAIResponsesProvider(OpenAIChatProvider):
    """Client of the OpenAI Responses API (``POST /responses``), stateless (``store: false``).

    Reasoning items are requested with their ``encrypted_content`` and replayed, so tool loops with
    reasoning models keep their reasoning. Responses has no seed and no stop sequences; those
    settings are ignored.
    """

    def url(self, *, stream: bool) -> str:
        """Return the Responses endpoint."""
        return f"{self.base_url}/responses"

    def stream_body(self, body: JSONDict) -> JSONDict:
        """Switch on streaming."""
        return {**body, "stream": True}

    def encode(self, request: GenerateRequest) -> JSONDict:
        """Return the Responses request body."""
        config = request.config
        instructions, items = _responses_input(request)
        body: JSONDict = {
            "model": self.model,
            "input": items,
            "max_output_tokens": config.max_tokens,
            "store": False,
        }
        if instructions is not None:
            body["instructions"] = instructions
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                    "strict": False,
                }
                for t in request.tools
            ]
        if config.temperature is not None:
            body["temperature"] = config.temperature
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if self.capabilities.prompt_caching == "automatic":
            body["prompt_cache_key"] = prompt_cache_key(request)
        if config.reasoning_effort is not None or _REASONING_MODEL.search(self.model):
            reasoning: JSONDict = {"summary": "auto"}
            if config.reasoning_effort is not None:
                reasoning["effort"] = config.reasoning_effort
            body["reasoning"] = reasoning
            body["include"] = ["reasoning.encrypted_content"]
        return body

    def decode(self, data: JSONDict, request_id: str | None) -> ModelResponse:
        """Return the normalised response of a Responses body."""
        status = str(data.get("status") or "completed")
        if status == "failed":
            error = as_dict(data.get("error"))
            code = str(error.get("code") or "")
            cls: type[ProviderError] = RateLimitError if code == "rate_limit_exceeded" else ServerError
            raise self.make_error(
                cls,
                f"response failed: {error.get('message') or 'no message'}",
                status=None,
                headers=None,
                code=code or None,
                request_id=request_id or data.get("id"),
            )
        parts: list[AssistantPart] = []
        refused = False
        for raw in as_list(data["output"], "output"):
            item = as_dict(raw)
            kind = item.get("type")
            if kind == "message":
                for piece in item.get("content") or []:
                    piece = as_dict(piece)
                    if piece.get("type") == "output_text":
                        parts.append(TextPart(text=str(piece.get("text", ""))))
                    elif piece.get("type") == "refusal":
                        refused = True
                        parts.append(TextPart(text=str(piece.get("refusal", ""))))
            elif kind == "reasoning":
                texts = [str(as_dict(s).get("text", "")) for s in item.get("summary") or []]
                texts += [str(as_dict(c).get("text", "")) for c in item.get("content") or []]
                parts.append(
                    ReasoningPart(
                        text="\n\n".join(t for t in texts if t),
                        source="openai_responses",
                        signature=item.get("encrypted_content"),
                        item_id=item.get("id"),
                    )
                )
            elif kind == "function_call":
                raw_args = str(item.get("arguments") or "")
                parsed, error_text = parse_tool_arguments(raw_args)
                parts.append(
                    ToolCall(
                        id=str(item.get("call_id") or item.get("id")),
                        name=str(item.get("name", "")),
                        arguments=parsed,
                        raw_arguments=raw_args,
                        parse_error=error_text,
                    )
                )
        incomplete = str(as_dict(data.get("incomplete_details")).get("reason") or "")
        if status == "incomplete":
            stop = (
                StopReason.MAX_TOKENS
                if incomplete == "max_output_tokens"
                else StopReason.CONTENT_FILTER
                if incomplete == "content_filter"
                else StopReason.OTHER
            )
            raw_stop = f"incomplete:{incomplete}"
        elif refused:
            stop, raw_stop = StopReason.REFUSAL, status
        elif any(isinstance(p, ToolCall) for p in parts):
            stop, raw_stop = StopReason.TOOL_USE, status
        else:
            stop, raw_stop = StopReason.END_TURN, status
        usage = as_dict(data.get("usage"))
        return ModelResponse(
            message=AssistantMessage(content=tuple(parts)),
            stop_reason=stop,
            raw_stop_reason=raw_stop,
            usage=Usage(
                input_tokens=as_int(usage.get("input_tokens")),
                output_tokens=as_int(usage.get("output_tokens")),
                cache_read_tokens=as_int(as_dict(usage.get("input_tokens_details")).get("cached_tokens")),
                cache_write_tokens=as_int(
                    as_dict(usage.get("input_tokens_details")).get("cache_write_tokens")
                ),
                reasoning_tokens=as_int(as_dict(usage.get("output_tokens_details")).get("reasoning_tokens")),
            ),
            request_id=request_id or data.get("id"),
            model=str(data.get("model") or self.model),
        )

    async def decode_stream(
        self, events: AsyncIterator[SSEEvent], headers: httpx.Headers, request_id: str | None
    ) -> ModelResponse:
        """Read a Responses event stream up to ``response.completed``/``incomplete``/``failed``."""
        async for event in events:
            data = self.event_json(event, request_id)
            kind = data.get("type", event.event)
            if kind in ("response.completed", "response.incomplete", "response.failed"):
                return self.decode(as_dict(data["response"]), request_id)
            if kind == "error":
                raise self.error_from_body(200, headers, {"error": data})
        raise self.make_error(
            ResponseParseError,
            "stream truncated: it ended before response.completed",
            status=None,
            headers=headers,
        )


def create_openai(
    model: str, *, api: Literal["auto", "chat", "responses"] = "auto", **options: Any
) -> OpenAIChatProvider:
    """Create an OpenAI client, choosing Chat Completions or Responses.

    Args:
        model: Model name.
        api: ``chat``, ``responses``, or ``auto`` (Responses only for models that need it,
            see :func:`needs_responses_api`).
        **options: Passed to the provider (``api_key``, ``base_url``, ``stream``, ...).

    Returns:
        The provider.
    """
    if api == "responses" or (api == "auto" and needs_responses_api(model)):
        return OpenAIResponsesProvider(model, **options)
    return OpenAIChatProvider(model, **options)
