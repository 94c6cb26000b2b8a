"""Gemini API client (``models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``).

The key is sent in the ``x-goog-api-key`` header, never in the URL, so it cannot leak through a
logged or echoed URL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

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
    AuthenticationError,
    ProviderError,
    QuotaExhaustedError,
    RateLimitError,
    ResponseParseError,
)
from scenariokit.providers._models import ModelCapabilities
from scenariokit.providers._secret import Secret
from scenariokit.providers._sse import SSEEvent
from scenariokit.providers._transport import RetryPolicy, VerifyTypes, error_class_for_status, parse_duration
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
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"

FINISH_REASONS: dict[str, StopReason] = {
    "STOP": StopReason.END_TURN,
    "MAX_TOKENS": StopReason.MAX_TOKENS,
    "SAFETY": StopReason.CONTENT_FILTER,
    "RECITATION": StopReason.CONTENT_FILTER,
    "BLOCKLIST": StopReason.CONTENT_FILTER,
    "PROHIBITED_CONTENT": StopReason.CONTENT_FILTER,
    "SPII": StopReason.CONTENT_FILTER,
    "IMAGE_SAFETY": StopReason.CONTENT_FILTER,
    "MALFORMED_FUNCTION_CALL": StopReason.ERROR,
    "UNEXPECTED_TOOL_CALL": StopReason.ERROR,
    "TOO_MANY_TOOL_CALLS": StopReason.ERROR,
    "LANGUAGE": StopReason.OTHER,
    "OTHER": StopReason.OTHER,
}

_DAILY_MARKERS = ("PerDay", "per_day", "Daily", "daily")


_SYNTHETIC_ID = "gemini_call_"


def _function_response(call_id: str, name: str, content: str, is_error: bool) -> JSONDict:
    response: JSONDict = {"name": name, "response": {"error" if is_error else "result": content}}
    if not call_id.startswith(_SYNTHETIC_ID):
        response["id"] = call_id
    return response


def encode_contents(request: GenerateRequest) -> tuple[JSONDict | None, list[JSONDict]]:
    """Convert normalised messages to ``systemInstruction`` and ``contents``.

    Thought signatures are replayed on the parts that carried them; tool results become
    ``functionResponse`` parts of a ``user`` turn, with ``{"result": ...}`` or ``{"error": ...}``.
    """
    system: list[str] = []
    contents: list[JSONDict] = []

    def append(role: str, parts: list[JSONDict]) -> None:
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for message in request.messages:
        if isinstance(message, SystemMessage):
            system.append(message.content)
        elif isinstance(message, UserMessage):
            append("user", [{"text": message.content}])
        elif isinstance(message, ToolMessage):
            append(
                "user",
                [
                    {"functionResponse": _function_response(r.tool_call_id, r.name, r.content, r.is_error)}
                    for r in message.results
                ],
            )
        else:
            parts: list[JSONDict] = []
            for part in message.content:
                entry: JSONDict
                if isinstance(part, TextPart):
                    entry = {"text": part.text}
                elif isinstance(part, ReasoningPart):
                    if part.source != "gemini_thought":
                        continue
                    entry = {"text": part.text, "thought": True}
                else:
                    call: JSONDict = {"name": part.name, "args": part.arguments}
                    if not part.id.startswith(_SYNTHETIC_ID):
                        call["id"] = part.id
                    entry = {"functionCall": call}
                if part.signature is not None:
                    entry["thoughtSignature"] = part.signature
                parts.append(entry)
            if parts:
                append("model", parts)
    instruction = {"parts": [{"text": "\n\n".join(system)}]} if system else None
    return instruction, contents


def decode_parts(parts: list[Any]) -> tuple[AssistantPart, ...]:
    """Convert Gemini response parts (thoughts, text, function calls) to normalised parts."""
    out: list[AssistantPart] = []
    calls = 0
    for raw in parts:
        part = as_dict(raw)
        signature = part.get("thoughtSignature")
        if "functionCall" in part:
            call = as_dict(part["functionCall"])
            args = call.get("args")
            call_id = str(call.get("id") or f"{_SYNTHETIC_ID}{calls}_{call.get('name', '')}")
            calls += 1
            if isinstance(args, dict) or args is None:
                out.append(
                    ToolCall(
                        id=call_id,
                        name=str(call.get("name", "")),
                        arguments=args or {},
                        signature=signature,
                    )
                )
            else:
                out.append(
                    ToolCall(
                        id=call_id,
                        name=str(call.get("name", "")),
                        raw_arguments=json.dumps(args),
                        parse_error=f"args is not an object (got {type(args).__name__})",
                        signature=signature,
                    )
                )
        elif "text" in part:
            text = str(part.get("text") or "")
            if part.get("thought"):
                out.append(ReasoningPart(text=text, source="gemini_thought", signature=signature))
            else:
                out.append(TextPart(text=text, signature=signature))
    return tuple(out)


def decode_usage(usage: Mapping[str, Any]) -> Usage:
    """Convert ``usageMetadata`` (candidates exclude thoughts) to :class:`Usage`."""
    thoughts = as_int(usage.get("thoughtsTokenCount"))
    return Usage(
        input_tokens=as_int(usage.get("promptTokenCount")) + as_int(usage.get("toolUsePromptTokenCount")),
        output_tokens=as_int(usage.get("candidatesTokenCount")) + thoughts,
        cache_read_tokens=as_int(usage.get("cachedContentTokenCount")),
        reasoning_tokens=thoughts,
    )


def _merge_parts(parts: list[JSONDict], new: list[Any]) -> None:
    for raw in new:
        part = dict(as_dict(raw))
        if (
            parts
            and "text" in part
            and "text" in parts[-1]
            and bool(part.get("thought")) == bool(parts[-1].get("thought"))
            and "thoughtSignature" not in parts[-1]
        ):
            parts[-1]["text"] = str(parts[-1]["text"]) + str(part["text"])
            if "thoughtSignature" in part:
                parts[-1]["thoughtSignature"] = part["thoughtSignature"]
        else:
            parts.append(part)


class GeminiProvider(HTTPProvider):
    """Client of the Gemini API (Google AI Studio keys).

    Keys come from ``api_key``, ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY`` (in that order, as the
    official SDK does); the base URL from ``base_url`` or ``GOOGLE_GEMINI_BASE_URL``. Tools are sent
    as ``parametersJsonSchema`` (full JSON Schema). Reasoning: ``reasoning_budget_tokens`` (or the
    budget of ``reasoning_effort``) becomes ``thinkingConfig.thinkingBudget`` with
    ``includeThoughts``; effort ``none`` sets the budget to 0.
    """

    prefix = "google"

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
        capabilities: ModelCapabilities | None = None,
    ) -> None:
        key = resolve_key(api_key, ("GOOGLE_API_KEY", "GEMINI_API_KEY"), provider=self.prefix, model=model)
        super().__init__(
            model.removeprefix("models/"),
            base_url=resolve_base_url(
                base_url, ("GOOGLE_GEMINI_BASE_URL",), DEFAULT_BASE_URL, provider=self.prefix, model=model
            ),
            api_key=key,
            retry_policy=retry_policy,
            stream=stream,
            extra_headers=extra_headers,
            verify=verify,
            capabilities=capabilities,
        )

    def url(self, *, stream: bool) -> str:
        """Return the generateContent (or streamGenerateContent SSE) endpoint."""
        base = f"{self.base_url}/{API_VERSION}/models/{self.model}"
        return f"{base}:streamGenerateContent?alt=sse" if stream else f"{base}:generateContent"

    def stream_body(self, body: JSONDict) -> JSONDict:
        """Streaming is chosen by the URL; the body is unchanged."""
        return body

    def auth_headers(self) -> dict[str, str]:
        """Return the ``x-goog-api-key`` header."""
        assert self._api_key is not None
        return {"x-goog-api-key": self._api_key.reveal()}

    def request_id_from(self, headers: httpx.Headers) -> str | None:
        """Return the ``x-request-id`` header if any (Gemini puts ``responseId`` in the body)."""
        value: str | None = headers.get("x-request-id")
        return value

    def encode(self, request: GenerateRequest) -> JSONDict:
        """Return the generateContent request body."""
        config = request.config
        instruction, contents = encode_contents(request)
        body: JSONDict = {"contents": contents}
        if instruction is not None:
            body["systemInstruction"] = instruction
        if request.tools:
            body["tools"] = [
                {
                    "functionDeclarations": [
                        {
                            "name": t.name,
                            "description": t.description,
                            "parametersJsonSchema": t.parameters,
                        }
                        for t in request.tools
                    ]
                }
            ]
        generation: JSONDict = {"maxOutputTokens": config.max_tokens}
        if config.temperature is not None:
            generation["temperature"] = config.temperature
        if config.top_p is not None:
            generation["topP"] = config.top_p
        if config.seed is not None:
            generation["seed"] = config.seed
        if config.stop:
            generation["stopSequences"] = list(config.stop)
        budget = effort_budget(config)
        if budget is not None:
            generation["thinkingConfig"] = (
                {"thinkingBudget": budget, "includeThoughts": True} if budget > 0 else {"thinkingBudget": 0}
            )
        body["generationConfig"] = generation
        return body

    def decode(self, data: JSONDict, request_id: str | None) -> ModelResponse:
        """Return the normalised response of a generateContent body."""
        candidates = as_list(data.get("candidates"), "candidates")
        usage = decode_usage(as_dict(data.get("usageMetadata")))
        rid = request_id or data.get("responseId")
        model = str(data.get("modelVersion") or self.model)
        if not candidates:
            block = as_dict(data.get("promptFeedback")).get("blockReason")
            if block is None:
                raise ResponseParseError(
                    "response has no candidates and no promptFeedback.blockReason",
                    provider=self.provider,
                    model=self.model,
                    request_id=rid,
                )
            return ModelResponse(
                message=AssistantMessage(),
                stop_reason=StopReason.CONTENT_FILTER,
                raw_stop_reason=f"blocked:{block}",
                usage=usage,
                request_id=rid,
                model=model,
            )
        candidate = as_dict(candidates[0])
        content = as_object(candidate.get("content"), "candidates[0].content")
        parts = decode_parts(as_list(content.get("parts"), "candidates[0].content.parts"))
        raw_stop = candidate.get("finishReason")
        stop = FINISH_REASONS.get(str(raw_stop), StopReason.OTHER)
        if stop is StopReason.END_TURN and any(isinstance(p, ToolCall) for p in parts):
            stop = StopReason.TOOL_USE
        return ModelResponse(
            message=AssistantMessage(content=parts),
            stop_reason=stop,
            raw_stop_reason=None if raw_stop is None else str(raw_stop),
            usage=usage,
            request_id=rid,
            model=model,
        )

    async def decode_stream(
        self, events: AsyncIterator[SSEEvent], headers: httpx.Headers, request_id: str | None
    ) -> ModelResponse:
        """Merge streamed ``GenerateContentResponse`` chunks (the last has ``finishReason``)."""
        parts: list[JSONDict] = []
        last: JSONDict = {}
        finish: str | None = None
        async for event in events:
            chunk = self.event_json(event, request_id)
            if chunk.get("error"):
                status = as_int(as_dict(chunk["error"]).get("code")) or 500
                raise self.error_from_body(status, headers, chunk)
            last = chunk
            for raw in chunk.get("candidates") or []:
                candidate = as_dict(raw)
                _merge_parts(parts, list(as_dict(candidate.get("content")).get("parts") or []))
                finish = candidate.get("finishReason") or finish
        if finish is None and not as_dict(last.get("promptFeedback")).get("blockReason"):
            raise self.make_error(
                ResponseParseError,
                "stream truncated: no chunk carried a finishReason",
                status=None,
                headers=headers,
            )
        data = dict(last)
        if finish is not None:
            data["candidates"] = [{"content": {"role": "model", "parts": parts}, "finishReason": finish}]
        return self.decode(data, request_id)

    def error_from_body(self, status: int, headers: httpx.Headers, data: JSONDict) -> ProviderError:
        """Map a Gemini error (``{"error":{code,message,status,details}}``) to an exception.

        A ``RESOURCE_EXHAUSTED`` whose ``QuotaFailure`` names a daily quota is not retryable
        (:class:`QuotaExhaustedError`); per-minute ones are rate limits, retried after
        ``RetryInfo.retryDelay``. ``API_KEY_INVALID`` is an authentication error even though
        Gemini sends it as HTTP 400.
        """
        error = as_dict(data.get("error"))
        grpc = str(error.get("status") or "")
        message = str(error.get("message") or "no message")
        retry_delay: float | None = None
        daily = False
        reasons: list[str] = []
        for raw in error.get("details") or []:
            detail = as_dict(raw)
            dtype = str(detail.get("@type", ""))
            if dtype.endswith("RetryInfo") and isinstance(detail.get("retryDelay"), str):
                retry_delay = parse_duration(detail["retryDelay"])
            elif dtype.endswith("QuotaFailure"):
                for violation in detail.get("violations") or []:
                    quota = " ".join(str(as_dict(violation).get(k, "")) for k in ("quotaId", "quotaMetric"))
                    if any(marker in quota for marker in _DAILY_MARKERS):
                        daily = True
            elif dtype.endswith("ErrorInfo") and detail.get("reason"):
                reasons.append(str(detail["reason"]))
        cls: type[ProviderError] = error_class_for_status(status)
        if "API_KEY_INVALID" in reasons or grpc == "UNAUTHENTICATED":
            cls = AuthenticationError
        elif status == 429 or grpc == "RESOURCE_EXHAUSTED":
            cls = QuotaExhaustedError if daily else RateLimitError
        return self.make_error(
            cls,
            f"Gemini returned {grpc or 'an error'}: {message}",
            status=status,
            headers=headers,
            code=grpc or None,
            retry_after=retry_delay,
        )
