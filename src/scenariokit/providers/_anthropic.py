"""Anthropic Messages API client (``POST /v1/messages``), streaming and non-streaming."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from scenariokit.providers._base import (
    HTTPProvider,
    JSONDict,
    as_dict,
    as_int,
    as_list,
    effort_budget,
    resolve_base_url,
    resolve_key,
)
from scenariokit.providers._errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    ProviderError,
    ProviderTimeoutError,
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
    StopReason,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    Usage,
    UserMessage,
    parse_tool_arguments,
)

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_API_VERSION = "2023-06-01"

STOP_REASONS: dict[str, StopReason] = {
    "end_turn": StopReason.END_TURN,
    "max_tokens": StopReason.MAX_TOKENS,
    "stop_sequence": StopReason.STOP_SEQUENCE,
    "tool_use": StopReason.TOOL_USE,
    "pause_turn": StopReason.PAUSE_TURN,
    "refusal": StopReason.REFUSAL,
    "model_context_window_exceeded": StopReason.CONTEXT_WINDOW_EXCEEDED,
}

_ERROR_TYPES: dict[str, type[ProviderError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "billing_error": QuotaExhaustedError,
    "rate_limit_error": RateLimitError,
    "api_error": ServerError,
    "overloaded_error": ServerError,
    "timeout_error": ProviderTimeoutError,
}


def encode_messages(request: GenerateRequest) -> tuple[str | None, list[JSONDict]]:
    """Convert normalised messages to Anthropic's ``system`` and ``messages``.

    System messages are joined into the top-level ``system``; consecutive tool messages become one
    user turn of ``tool_result`` blocks; reasoning that Anthropic cannot verify (no signature) is
    not replayed.
    """
    system: list[str] = []
    out: list[JSONDict] = []

    def append(role: str, blocks: list[JSONDict]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for message in request.messages:
        if isinstance(message, SystemMessage):
            system.append(message.content)
        elif isinstance(message, UserMessage):
            append("user", [{"type": "text", "text": message.content}])
        elif isinstance(message, ToolMessage):
            append(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": r.tool_call_id,
                        "content": r.content,
                        **({"is_error": True} if r.is_error else {}),
                    }
                    for r in message.results
                ],
            )
        else:
            blocks: list[JSONDict] = []
            for part in message.content:
                if isinstance(part, TextPart):
                    if part.text:
                        blocks.append({"type": "text", "text": part.text})
                elif isinstance(part, ReasoningPart):
                    if part.source == "anthropic_redacted_thinking" and part.redacted_data:
                        blocks.append({"type": "redacted_thinking", "data": part.redacted_data})
                    elif part.source == "anthropic_thinking" and part.signature is not None:
                        blocks.append(
                            {"type": "thinking", "thinking": part.text, "signature": part.signature}
                        )
                else:
                    blocks.append(
                        {"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments}
                    )
            if blocks:
                append("assistant", blocks)
    return ("\n\n".join(system) if system else None), out


def decode_content(blocks: list[Any]) -> tuple[AssistantPart, ...]:
    """Convert Anthropic response content blocks to normalised parts (unknown blocks skipped)."""
    parts: list[AssistantPart] = []
    for raw in blocks:
        block = as_dict(raw)
        kind = block.get("type")
        if kind == "text":
            parts.append(TextPart(text=str(block.get("text", ""))))
        elif kind == "thinking":
            parts.append(
                ReasoningPart(
                    text=str(block.get("thinking", "")),
                    source="anthropic_thinking",
                    signature=block.get("signature"),
                )
            )
        elif kind == "redacted_thinking":
            parts.append(
                ReasoningPart(
                    text="",
                    source="anthropic_redacted_thinking",
                    redacted=True,
                    redacted_data=block.get("data"),
                )
            )
        elif kind == "tool_use":
            raw_input = block.get("input")
            raw_json = block.get("_partial_json")
            if isinstance(raw_json, str):
                arguments, error = parse_tool_arguments(raw_json)
                parts.append(
                    ToolCall(
                        id=str(block["id"]),
                        name=str(block["name"]),
                        arguments=arguments,
                        raw_arguments=raw_json,
                        parse_error=error,
                    )
                )
            elif isinstance(raw_input, dict):
                parts.append(ToolCall(id=str(block["id"]), name=str(block["name"]), arguments=raw_input))
            else:
                parts.append(
                    ToolCall(
                        id=str(block["id"]),
                        name=str(block["name"]),
                        raw_arguments=json.dumps(raw_input),
                        parse_error=f"input is not an object (got {type(raw_input).__name__})",
                    )
                )
    return tuple(parts)


def decode_usage(usage: Mapping[str, Any]) -> Usage:
    """Convert Anthropic usage (input excludes cache reads/writes) to :class:`Usage`."""
    cache_write = as_int(usage.get("cache_creation_input_tokens"))
    cache_read = as_int(usage.get("cache_read_input_tokens"))
    details = as_dict(usage.get("output_tokens_details"))
    return Usage(
        input_tokens=as_int(usage.get("input_tokens")) + cache_write + cache_read,
        output_tokens=as_int(usage.get("output_tokens")),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=as_int(details.get("thinking_tokens")),
    )


CACHE_CONTROL: JSONDict = {"type": "ephemeral"}
"""The breakpoint marker (a 5-minute cache, written at 1.25x the input price and read at 0.1x)."""


def add_cache_breakpoints(body: JSONDict) -> None:
    """Mark the stable prefix of a Messages body for prompt caching (at most 4 breakpoints, as allowed).

    Breakpoints go on the last tool, the system prompt, the first user turn (the scenario's inbox, the same
    for every sample of a condition) and, when the conversation has gone on, the last block of the last
    turn (so each turn of an episode reads the turns before it from the cache). Prefixes shorter than the
    model's minimum are not cached by Anthropic and cost nothing extra.
    """
    if body.get("tools"):
        body["tools"][-1] = {**body["tools"][-1], "cache_control": CACHE_CONTROL}
    system = body.get("system")
    if isinstance(system, str):
        body["system"] = [{"type": "text", "text": system, "cache_control": CACHE_CONTROL}]
    messages: list[JSONDict] = body["messages"]
    marked: list[JSONDict] = []
    if messages and messages[0]["role"] == "user":
        marked.append(messages[0])
    if len(messages) > 1:
        marked.append(messages[-1])
    for message in marked:
        blocks = message["content"]
        for index in range(len(blocks) - 1, -1, -1):
            if blocks[index].get("type") in ("text", "tool_result", "tool_use"):
                blocks[index] = {**blocks[index], "cache_control": CACHE_CONTROL}
                break


class AnthropicProvider(HTTPProvider):
    """Client of Anthropic's Messages API.

    Keys come from ``api_key`` or ``ANTHROPIC_API_KEY`` (sent as ``x-api-key``), or from
    ``auth_token`` / ``ANTHROPIC_AUTH_TOKEN`` (sent as ``Authorization: Bearer``); the base URL from
    ``base_url`` or ``ANTHROPIC_BASE_URL``. ``api_version`` sets ``anthropic-version`` (default
    ``2023-06-01``, or ``ANTHROPIC_VERSION``); ``betas`` sets ``anthropic-beta``. ``stream=True``
    uses SSE, which suits long reasoning outputs. Anthropic has no sampling seed; ``seed`` is
    ignored.
    """

    prefix = "anthropic"

    def __init__(
        self,
        model: str,
        *,
        api_key: str | Secret | None = None,
        auth_token: str | Secret | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        betas: tuple[str, ...] = (),
        retry_policy: RetryPolicy | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        verify: VerifyTypes = True,
        capabilities: ModelCapabilities | None = None,
    ) -> None:
        token = None
        key = None
        if auth_token is not None or (api_key is None and os.environ.get("ANTHROPIC_AUTH_TOKEN")):
            token = resolve_key(auth_token, ("ANTHROPIC_AUTH_TOKEN",), provider=self.prefix, model=model)
        if token is None or api_key is not None:
            key = resolve_key(api_key, ("ANTHROPIC_API_KEY",), provider=self.prefix, model=model)
        self._token = token
        self.api_version = api_version or os.environ.get("ANTHROPIC_VERSION") or DEFAULT_API_VERSION
        self.betas = betas
        super().__init__(
            model,
            base_url=resolve_base_url(
                base_url, ("ANTHROPIC_BASE_URL",), DEFAULT_BASE_URL, provider=self.prefix, model=model
            ),
            api_key=key or token,
            retry_policy=retry_policy,
            stream=stream,
            extra_headers=extra_headers,
            verify=verify,
            capabilities=capabilities,
        )
        self._transport.secrets = (key, token)

    def url(self, *, stream: bool) -> str:
        """Return the Messages endpoint."""
        return f"{self.base_url}/v1/messages"

    def auth_headers(self) -> dict[str, str]:
        """Return ``x-api-key`` or ``Authorization`` plus ``anthropic-version``."""
        headers = {"anthropic-version": self.api_version}
        if self._token is not None:
            headers["authorization"] = f"Bearer {self._token.reveal()}"
        if self._api_key is not None and self._api_key is not self._token:
            headers["x-api-key"] = self._api_key.reveal()
        if self.betas:
            headers["anthropic-beta"] = ",".join(self.betas)
        return headers

    def request_id_from(self, headers: httpx.Headers) -> str | None:
        """Return the ``request-id`` header."""
        value: str | None = headers.get("request-id")
        return value

    def encode(self, request: GenerateRequest) -> JSONDict:
        """Return the Messages request body."""
        config = request.config
        system, messages = encode_messages(request)
        body: JSONDict = {"model": self.model, "max_tokens": config.max_tokens, "messages": messages}
        if system is not None:
            body["system"] = system
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        if self.capabilities.prompt_caching == "breakpoints":
            add_cache_breakpoints(body)
        if config.temperature is not None:
            body["temperature"] = config.temperature
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if config.stop:
            body["stop_sequences"] = list(config.stop)
        budget = effort_budget(config)
        if budget is not None and budget > 0:
            body["thinking"] = {"type": "enabled", "budget_tokens": max(1024, budget)}
        return body

    def decode(self, data: JSONDict, request_id: str | None) -> ModelResponse:
        """Return the normalised response of a Messages body."""
        raw_stop = data.get("stop_reason")
        return ModelResponse(
            message=AssistantMessage(content=decode_content(as_list(data["content"], "content"))),
            stop_reason=STOP_REASONS.get(str(raw_stop), StopReason.OTHER),
            raw_stop_reason=raw_stop,
            usage=decode_usage(as_dict(data.get("usage"))),
            request_id=request_id or data.get("id"),
            model=str(data.get("model") or self.model),
        )

    async def decode_stream(
        self, events: AsyncIterator[SSEEvent], headers: httpx.Headers, request_id: str | None
    ) -> ModelResponse:
        """Assemble a Messages SSE stream (``message_start`` ... ``message_stop``)."""
        message: JSONDict = {}
        blocks: dict[int, JSONDict] = {}
        usage: JSONDict = {}
        finished = False
        async for event in events:
            data = self.event_json(event, request_id)
            kind = data.get("type", event.event)
            if kind == "message_start":
                message = as_dict(data.get("message"))
                usage.update(as_dict(message.get("usage")))
            elif kind == "content_block_start":
                block = dict(as_dict(data.get("content_block")))
                if block.get("type") == "tool_use":
                    block["_partial_json"] = ""
                blocks[int(data["index"])] = block
            elif kind == "content_block_delta":
                block = blocks[int(data["index"])]
                delta = as_dict(data.get("delta"))
                dtype = delta.get("type")
                if dtype == "text_delta":
                    block["text"] = block.get("text", "") + str(delta.get("text", ""))
                elif dtype == "thinking_delta":
                    block["thinking"] = block.get("thinking", "") + str(delta.get("thinking", ""))
                elif dtype == "signature_delta":
                    block["signature"] = block.get("signature", "") + str(delta.get("signature", ""))
                elif dtype == "input_json_delta":
                    block["_partial_json"] += str(delta.get("partial_json", ""))
            elif kind == "message_delta":
                message.update(as_dict(data.get("delta")))
                usage.update({k: v for k, v in as_dict(data.get("usage")).items() if v is not None})
            elif kind == "message_stop":
                finished = True
                break
            elif kind == "error":
                raise self.error_from_body(200, headers, data)
        if not finished:
            raise self.make_error(
                ResponseParseError,
                "stream truncated: it ended before message_stop",
                status=None,
                headers=headers,
            )
        content = [blocks[i] for i in sorted(blocks)]
        for block in content:
            if block.get("type") == "tool_use" and block.get("_partial_json") == "":
                block.pop("_partial_json")
        message["content"] = content
        message["usage"] = usage
        return self.decode(message, request_id)

    def error_from_body(self, status: int, headers: httpx.Headers, data: JSONDict) -> ProviderError:
        """Map an Anthropic error body (``{"type":"error","error":{...}}``) to an exception."""
        error = as_dict(data.get("error"))
        etype = str(error.get("type") or "")
        message = str(error.get("message") or "no message")
        cls = _ERROR_TYPES.get(etype) or error_class_for_status(status)
        if status == 404:
            cls = error_class_for_status(404)
        if "credit balance" in message.lower():
            # "Your credit balance is too low to access the Anthropic API" comes as a 400
            # invalid_request_error, but no change to the request helps: the account needs credit
            cls = QuotaExhaustedError
        request_id = data.get("request_id")
        return self.make_error(
            cls,
            f"Anthropic returned {etype or 'an error'}: {message}",
            status=status,
            headers=headers,
            code=etype or None,
            request_id=request_id if isinstance(request_id, str) else None,
        )
