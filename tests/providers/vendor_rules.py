"""The vendors' per-model request rules and prompt caching, as the fake vendor server enforces them.

Written from the vendors' documentation (see ``reference/provider-wire-formats.md`` and the vendors' model
pages), independently of ``scenariokit.providers._models``: a request the real API refuses is refused here
with the vendor's status and a message in its words, so a client that sends it fails the tests.

Rules:

* Anthropic Messages: unknown top-level fields are refused (``seed``...); ``temperature`` in 0..1; with
  extended thinking, ``temperature`` other than 1, ``top_p`` under 0.95 and ``top_k`` are refused,
  ``budget_tokens`` must be >= 1024 and < ``max_tokens``, and models without thinking refuse it;
  ``max_tokens`` above the model's output limit is refused; at most 4 ``cache_control`` breakpoints.
* OpenAI Chat / Responses: o1-mini refuses system messages and tools; reasoning models (o-series, gpt-5 except gpt-5-chat) refuse ``max_tokens``
  (use ``max_completion_tokens``), ``temperature``/``top_p`` other than 1, ``stop``, and efforts they do
  not know; other models refuse ``reasoning_effort``; ``max_completion_tokens`` above the model's limit.
* Gemini: 2.5 Pro cannot turn thinking off (budget 0) and takes budgets 128..32768; 2.5 Flash 0..24576;
  2.0 models refuse ``thinkingConfig``; ``maxOutputTokens`` above the model's limit.
* xAI: Grok 3 refuses ``reasoning_effort``; Grok 3 mini takes only ``low``/``high``; Grok 4 refuses
  ``stop``, ``presence_penalty``, ``frequency_penalty`` and ``reasoning_effort``.
* DeepSeek: ``deepseek-reasoner`` refuses ``logprobs``; ``max_tokens`` above the model's limit.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from typing import Any


class RefusedError(Exception):
    """The vendor would refuse the request (status and message in the vendor's words)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_ANTHROPIC_FIELDS = frozenset(
    {
        "model",
        "max_tokens",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "temperature",
        "top_p",
        "top_k",
        "stop_sequences",
        "stream",
        "thinking",
        "metadata",
        "service_tier",
        "container",
        "mcp_servers",
    }
)
_ANTHROPIC_MAX_OUTPUT = (
    (r"claude-opus-4-5", 64_000),
    (r"claude-opus-4", 32_000),
    (r"claude-sonnet-4", 64_000),
    (r"claude-haiku-4-5", 64_000),
    (r"claude-3-7-sonnet", 64_000),
    (r"claude-3-5-haiku", 8_192),
)
_ANTHROPIC_NO_THINKING = re.compile(r"claude-3-5|claude-3-haiku|claude-3-opus")


def _limit(table: tuple[tuple[str, int], ...], model: str) -> int | None:
    return next((limit for pattern, limit in table if re.search(pattern, model)), None)


def check_anthropic(body: dict[str, Any]) -> None:
    """Refuse what the Messages API refuses."""
    model = str(body.get("model", ""))
    for name in body:
        if name not in _ANTHROPIC_FIELDS:
            raise RefusedError(400, f"{name}: Extra inputs are not permitted")
    max_tokens = body.get("max_tokens")
    limit = _limit(_ANTHROPIC_MAX_OUTPUT, model)
    if isinstance(max_tokens, int) and limit is not None and max_tokens > limit:
        raise RefusedError(
            400,
            f"max_tokens: {max_tokens} > {limit}, which is the maximum allowed number of output tokens for {model}",
        )
    temperature = body.get("temperature")
    if temperature is not None and not 0 <= temperature <= 1:
        raise RefusedError(400, "temperature: Input should be less than or equal to 1")
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        if _ANTHROPIC_NO_THINKING.search(model):
            raise RefusedError(400, f"'claude-thinking' is not supported for model {model}")
        if temperature is not None and temperature != 1:
            raise RefusedError(
                400,
                "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
                "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
            )
        top_p = body.get("top_p")
        if top_p is not None and top_p < 0.95:
            raise RefusedError(400, "`top_p` must be greater than or equal to 0.95 when thinking is enabled")
        if "top_k" in body:
            raise RefusedError(400, "`top_k` is not supported when thinking is enabled")
    breakpoints = _count_cache_control(body)
    if breakpoints > 4:
        raise RefusedError(
            400, f"A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}."
        )


def _count_cache_control(value: Any) -> int:
    if isinstance(value, dict):
        own = 1 if "cache_control" in value else 0
        return own + sum(_count_cache_control(v) for k, v in value.items() if k != "cache_control")
    if isinstance(value, list):
        return sum(_count_cache_control(v) for v in value)
    return 0


_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5(?!-chat))")
_OPENAI_EFFORTS = (
    (r"^gpt-5", ("minimal", "low", "medium", "high")),
    (r"^o", ("low", "medium", "high")),
)
_OPENAI_MAX_OUTPUT = (
    (r"^gpt-4\.1", 32_768),
    (r"^gpt-4o", 16_384),
    (r"^o\d", 100_000),
    (r"^gpt-5", 128_000),
)


def check_openai(body: dict[str, Any], *, responses: bool) -> None:
    """Refuse what OpenAI Chat Completions (or Responses) refuses for the model."""
    model = str(body.get("model", ""))
    reasoning = _OPENAI_REASONING.search(model) is not None
    if model.startswith("o1-mini"):
        for index, message in enumerate(body.get("messages") or []):
            if message.get("role") in ("system", "developer"):
                raise RefusedError(
                    400,
                    f"Unsupported value: 'messages[{index}].role' does not support '{message['role']}' with this "
                    "model.",
                )
        if body.get("tools"):
            raise RefusedError(400, "Unsupported parameter: 'tools' is not supported with this model.")
    if reasoning:
        if not responses and "max_tokens" in body:
            raise RefusedError(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                "'max_completion_tokens' instead.",
            )
        for knob in ("temperature", "top_p"):
            if knob in body and body[knob] != 1:
                raise RefusedError(
                    400,
                    f"Unsupported value: '{knob}' does not support {body[knob]} with this model. Only the "
                    "default (1) value is supported.",
                )
        if "stop" in body:
            raise RefusedError(400, "Unsupported parameter: 'stop' is not supported with this model.")
    effort = (body.get("reasoning") or {}).get("effort") if responses else body.get("reasoning_effort")
    if effort is not None:
        if not reasoning:
            knob = "reasoning.effort" if responses else "reasoning_effort"
            raise RefusedError(400, f"Unsupported parameter: '{knob}' is not supported with this model.")
        accepted = next((e for p, e in _OPENAI_EFFORTS if re.search(p, model)), ())
        if effort not in accepted:
            raise RefusedError(
                400,
                f"Unsupported value: '{effort}' is not supported with the '{model}' model. Supported values "
                f"are: {', '.join(repr(a) for a in accepted)}.",
            )
    if responses and "reasoning" in body and not reasoning:
        raise RefusedError(400, "Unsupported parameter: 'reasoning' is not supported with this model.")
    limit = _limit(_OPENAI_MAX_OUTPUT, model)
    asked = body.get("max_output_tokens" if responses else "max_completion_tokens", body.get("max_tokens"))
    if isinstance(asked, int) and limit is not None and asked > limit:
        raise RefusedError(
            400,
            f"max_tokens is too large: {asked}. This model supports at most {limit} completion tokens, "
            f"whereas you provided {asked}.",
        )
    temperature = body.get("temperature")
    if temperature is not None and not 0 <= temperature <= 2:
        raise RefusedError(
            400,
            f"Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got {temperature} instead.",
        )
    key = body.get("prompt_cache_key")
    if key is not None and not isinstance(key, str):
        raise RefusedError(400, "Invalid type for 'prompt_cache_key': expected a string.")


_GEMINI_BUDGETS = (
    (r"^gemini-2\.5-pro", (128, 32_768, False)),
    (r"^gemini-2\.5-flash-lite", (512, 24_576, True)),
    (r"^gemini-2\.5-flash", (1, 24_576, True)),
)
_GEMINI_MAX_OUTPUT = ((r"^gemini-2\.5", 65_536), (r"^gemini-2\.0", 8_192))


def check_gemini(model: str, body: dict[str, Any]) -> None:
    """Refuse what generateContent refuses for the model."""
    generation = body.get("generationConfig") or body.get("generation_config") or {}
    thinking = generation.get("thinkingConfig") or generation.get("thinking_config")
    if thinking is not None:
        if model.startswith(("gemini-2.0", "gemini-1")):
            raise RefusedError(400, "Thinking is not supported for this model.")
        budget = thinking.get("thinkingBudget", thinking.get("thinking_budget"))
        rule = next((r for p, r in _GEMINI_BUDGETS if re.search(p, model)), None)
        if budget is not None and rule is not None and budget != -1:
            low, high, can_disable = rule
            if budget == 0 and not can_disable:
                raise RefusedError(400, "Budget 0 is invalid. This model only works in thinking mode.")
            if budget != 0 and not low <= budget <= high:
                raise RefusedError(
                    400,
                    f"The thinking budget {budget} is invalid. Please choose a value between {low} and {high}.",
                )
    limit = _limit(_GEMINI_MAX_OUTPUT, model)
    asked = generation.get("maxOutputTokens", generation.get("max_output_tokens"))
    if isinstance(asked, int) and limit is not None and asked > limit:
        raise RefusedError(
            400,
            f"The input token count ... maxOutputTokens {asked} exceeds the model's limit: the supported range is "
            f"from 1 (inclusive) to {limit + 1} (exclusive)",
        )


def check_compatible(flavour: str, body: dict[str, Any]) -> None:
    """Refuse what xAI and DeepSeek refuse for the model."""
    model = str(body.get("model", ""))
    if flavour == "xai":
        if re.match(r"grok-4", model):
            for knob in ("stop", "presence_penalty", "frequency_penalty", "reasoning_effort"):
                if knob in body:
                    raise RefusedError(400, f"Argument not supported on this model: {knob}")
        elif re.match(r"grok-3-mini", model):
            effort = body.get("reasoning_effort")
            if effort is not None and effort not in ("low", "high"):
                raise RefusedError(400, f"Invalid reasoning effort {effort!r}: expected 'low' or 'high'")
        elif re.match(r"grok-3", model) and "reasoning_effort" in body:
            raise RefusedError(400, f"Model {model} does not support parameter reasoningEffort.")
    if flavour == "deepseek":
        if model == "deepseek-reasoner" and ("logprobs" in body or "top_logprobs" in body):
            raise RefusedError(400, "deepseek-reasoner does not support the parameter logprobs")
        limit = 65_536 if model == "deepseek-reasoner" else 8_192
        asked = body.get("max_tokens")
        if isinstance(asked, int) and asked > limit:
            raise RefusedError(
                400, f"Invalid max_tokens value, the valid range of max_tokens is [1, {limit}]"
            )


# --------------------------------------------------------------------------------------------- caching


class PromptCache:
    """The vendors' prompt caches, simulated: what each request reads from and writes to the cache.

    * Anthropic: the prefix up to the last ``cache_control`` breakpoint (tools, then system, then
      messages) is written on first sight and read afterwards, if it is at least 1024 tokens long.
    * Automatic caching (OpenAI, Gemini, DeepSeek, xAI): the stable prefix (tools, system prompt and the
      first user turn) is read once it was seen before (the same ``prompt_cache_key``, if one is sent),
      if it is at least ``minimum`` tokens long, in 128-token steps for OpenAI; nothing is charged for a
      write.

    Tokens are estimated as characters / 4.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def _lookup(self, key: str) -> bool:
        with self._lock:
            hit = key in self._seen
            self._seen.add(key)
            return hit

    def anthropic(self, body: dict[str, Any]) -> tuple[int, int]:
        """``(cache_read, cache_write)`` tokens of a Messages request."""
        pieces: list[Any] = []
        prefix: list[Any] | None = None
        for tool in body.get("tools") or []:
            pieces.append(tool)
            if "cache_control" in tool:
                prefix = list(pieces)
        system = body.get("system")
        for block in system if isinstance(system, list) else ([system] if system else []):
            pieces.append(block)
            if isinstance(block, dict) and "cache_control" in block:
                prefix = list(pieces)
        for message in body.get("messages") or []:
            content = message.get("content")
            for block in content if isinstance(content, list) else [content]:
                pieces.append([message.get("role"), block])
                if isinstance(block, dict) and "cache_control" in block:
                    prefix = list(pieces)
        if prefix is None:
            return 0, 0
        text = json.dumps([body.get("model"), prefix], sort_keys=True)
        tokens = len(text) // 4
        if tokens < 1024:
            return 0, 0
        hit = self._lookup("anthropic:" + hashlib.sha256(text.encode()).hexdigest())
        return (tokens, 0) if hit else (0, tokens)

    def automatic(
        self,
        flavour: str,
        model: str,
        prefix: Any,
        *,
        key: str | None = None,
        minimum: int = 1024,
        step: int = 1,
    ) -> int:
        """Cached tokens of a request whose stable prefix is ``prefix``."""
        text = json.dumps([model, prefix], sort_keys=True)
        tokens = len(text) // 4
        if tokens < minimum:
            return 0
        digest = hashlib.sha256(f"{flavour}:{key}:{text}".encode()).hexdigest()
        return (tokens // step) * step if self._lookup(digest) else 0


def stable_prefix(messages: list[Any], tools: Any) -> list[Any]:
    """Tools, system/developer messages and the first user turn of a chat request."""
    prefix: list[Any] = [tools]
    for message in messages:
        prefix.append(message)
        if isinstance(message, dict) and message.get("role") == "user":
            break
    return prefix
