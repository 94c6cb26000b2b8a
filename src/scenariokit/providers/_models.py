"""The model capability table: what each model accepts, and what it costs.

One entry per provider route and model family, matched on the model name (a regular expression searched in
it, so dated snapshots such as ``claude-opus-4-20250514`` match ``claude-opus-4``). An entry says which
sampling knobs the model accepts, the name of its token-limit parameter, how its reasoning is controlled and
within which bounds, whether it takes tools, system prompts and prompt caching, and its prices (input, cached
input, cache write, output, and batch).

Every HTTP provider adjusts each request to its model's entry before sending it (:func:`adjust_config`): a
knob the model refuses is dropped (never sent), a value out of bounds is brought within them, and each kind of
change is logged once per provider instance (so once per run), as a warning on the
``scenariokit.providers`` logger. Nothing is adjusted silently except a seed for a model without one and a
value equal to the only one the model accepts.

Override it: pass ``capabilities=`` to a provider, register an entry of your own with
:func:`register_capabilities` (it wins over the built-in ones), or, from the command line, name a YAML file
of rows in the ``SCENARIOKIT_MODELS`` environment variable (see :func:`load_capabilities`);
:func:`capabilities_for` shows what applies.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, ValidationError

from scenariokit.providers._types import GenerateConfig, ReasoningEffort, Usage

logger = logging.getLogger("scenariokit.providers")

PRICES_AS_OF = "2025-11-01"
"""Date of the prices in the table (approximate list prices; check the vendors' pricing pages)."""


@dataclass(frozen=True)
class ModelPrice:
    """Price of a model in USD per million tokens.

    Attributes:
        input: Uncached prompt tokens.
        output: Generated tokens (reasoning included).
        cache_read: Prompt tokens read from the cache (defaults to ``input``).
        cache_write: Prompt tokens written to the cache (defaults to ``input``: no surcharge).
        batch_input: Uncached prompt tokens sent through the vendor's batch API (``None``: no batch API).
        batch_output: Generated tokens through the batch API (``None``: no batch API).

    In batch mode cache reads and writes are scaled by ``batch_input / input`` (the discounts stack, as
    Anthropic documents).

    Example:
        >>> price = ModelPrice(3.0, 15.0, cache_read=0.3, cache_write=3.75)
        >>> round(price.cost(Usage(input_tokens=1000, cache_read_tokens=800, output_tokens=100)), 6)
        0.00234
        >>> round(price.uncached_cost(Usage(input_tokens=1000, cache_read_tokens=800, output_tokens=100)), 6)
        0.0045
    """

    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None
    batch_input: float | None = None
    batch_output: float | None = None

    @property
    def has_batch(self) -> bool:
        """Whether the vendor offers a batch API at a known price for this model."""
        return self.batch_input is not None and self.batch_output is not None

    def cost(self, usage: Usage, *, batch: bool = False) -> float:
        """Return the cost in USD of ``usage``, cached reads and cache writes at their own prices.

        Args:
            usage: Token counts (``input_tokens`` includes the cached ones).
            batch: Price at the batch rates (falls back to the online rates when there are none).
        """
        uncached = max(0, usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens)
        read = self.input if self.cache_read is None else self.cache_read
        write = self.input if self.cache_write is None else self.cache_write
        inp, out, scale = self.input, self.output, 1.0
        if batch and self.batch_input is not None and self.batch_output is not None:
            scale = self.batch_input / self.input if self.input else 1.0
            inp, out = self.batch_input, self.batch_output
        return (
            uncached * inp
            + usage.cache_read_tokens * read * scale
            + usage.cache_write_tokens * write * scale
            + usage.output_tokens * out
        ) / 1_000_000

    def uncached_cost(self, usage: Usage, *, batch: bool = False) -> float:
        """Return what ``usage`` would have cost with no prompt caching (every prompt token at the input price)."""
        return self.cost(
            usage.model_copy(update={"cache_read_tokens": 0, "cache_write_tokens": 0}), batch=batch
        )


def _batch(price: ModelPrice, ratio: float = 0.5) -> ModelPrice:
    return ModelPrice(
        price.input,
        price.output,
        price.cache_read,
        price.cache_write,
        round(price.input * ratio, 6),
        round(price.output * ratio, 6),
    )


ReasoningControl = Literal["none", "effort", "budget"]
"""How a model's reasoning is controlled: not at all, by an effort level, or by a token budget."""

PromptCaching = Literal["none", "breakpoints", "automatic"]
"""``breakpoints``: the client marks the cached prefix (Anthropic ``cache_control``); ``automatic``: the
vendor caches repeated prefixes by itself (OpenAI, with ``prompt_cache_key`` as a routing hint; Gemini 2.5
implicit caching; DeepSeek); ``none``: no prompt caching."""


class ModelCapabilities(BaseModel):
    """What one model family accepts on one provider route, and its price.

    Example:
        >>> caps = capabilities_for("openai/o3")
        >>> caps.temperature, caps.max_tokens_param, caps.reasoning
        (False, 'max_completion_tokens', 'effort')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    family: str
    """Human-readable name of the family (shown in warnings), e.g. ``OpenAI o-series``."""

    temperature: bool = True
    """Whether a ``temperature`` other than the default is accepted."""

    temperature_max: float = Field(default=2.0, ge=0.0)
    """Largest accepted temperature (Anthropic: 1)."""

    top_p: bool = True
    """Whether ``top_p`` is accepted."""

    seed: bool = True
    """Whether a sampling ``seed`` is accepted (dropped silently when not: the runner sets one per sample)."""

    stop: bool = True
    """Whether stop sequences are accepted."""

    max_tokens_param: str | None = None
    """Name of the token-limit parameter (``max_tokens``, ``max_completion_tokens``...); ``None``: the
    route's default."""

    max_output_tokens: PositiveInt | None = None
    """Most output tokens the model can produce (reasoning included); larger ``max_tokens`` are lowered."""

    reasoning: ReasoningControl = "none"
    """How reasoning is controlled: ``none`` (no control is accepted), ``effort`` or ``budget``."""

    reasoning_efforts: tuple[ReasoningEffort, ...] = ()
    """The accepted effort levels (``effort`` control)."""

    reasoning_always_on: bool = False
    """The model always reasons: turning reasoning off (effort ``none``, budget 0) is not possible."""

    budget_min: NonNegativeInt = 0
    """Smallest accepted reasoning budget when reasoning is on (``budget`` control)."""

    budget_max: PositiveInt | None = None
    """Largest accepted reasoning budget (``budget`` control)."""

    budget_below_max_tokens: bool = False
    """The reasoning budget must be smaller than ``max_tokens`` (Anthropic): ``max_tokens`` is raised."""

    thinking_fixes_sampling: bool = False
    """With reasoning on, ``temperature`` must be left at 1 and ``top_p`` at 0.95 or more (Anthropic)."""

    tools: bool = True
    """Whether native tool (function) calling is supported."""

    system_prompt: bool = True
    """Whether a system prompt is accepted."""

    prompt_caching: PromptCaching = "none"
    """How prompt caching works for this model."""

    cache_min_tokens: NonNegativeInt = 0
    """Shortest prompt prefix the vendor caches (shorter ones are never cached)."""

    price: ModelPrice | None = None
    """Approximate price (USD per million tokens) as of :data:`PRICES_AS_OF`; ``None`` when unknown."""


@dataclass(frozen=True)
class CapabilityEntry:
    """One row of the table: the routes and model-name pattern it applies to, and the capabilities.

    Attributes:
        providers: Provider prefixes (routes) the row applies to.
        pattern: Regular expression searched in the model name (case-sensitive).
        capabilities: What the matching models accept.
        name: The canonical model name of the row, used as the price key in ``DEFAULT_PRICES``.
    """

    providers: tuple[str, ...]
    pattern: str
    capabilities: ModelCapabilities
    name: str | None = None

    def matches(self, provider: str, model: str) -> bool:
        """Whether the row applies to ``provider/model``."""
        return provider in self.providers and re.search(self.pattern, model) is not None


# -------------------------------------------------------------------------------------------- families

_CLAUDE_THINKING = ModelCapabilities(
    family="Claude model",
    temperature_max=1.0,
    seed=False,
    reasoning="budget",
    budget_min=1024,
    budget_below_max_tokens=True,
    thinking_fixes_sampling=True,
    prompt_caching="breakpoints",
    cache_min_tokens=1024,
)


def _claude(
    family: str, price: ModelPrice, max_output: int, *, thinking: bool = True, cache_min: int = 1024
) -> ModelCapabilities:
    update: dict[str, object] = {
        "family": family,
        "max_output_tokens": max_output,
        "cache_min_tokens": cache_min,
        "price": _batch(price),
    }
    if not thinking:
        update.update(
            reasoning="none", budget_min=0, budget_below_max_tokens=False, thinking_fixes_sampling=False
        )
    return _CLAUDE_THINKING.model_copy(update=update)


def _o_series(
    family: str,
    price: ModelPrice | None,
    *,
    efforts: tuple[ReasoningEffort, ...] = ("low", "medium", "high"),
    max_output: int = 100_000,
    route: str = "openai",
) -> ModelCapabilities:
    return ModelCapabilities(
        family=family,
        temperature=False,
        top_p=False,
        stop=False,
        max_tokens_param="max_completion_tokens" if route == "openai" else None,
        max_output_tokens=max_output,
        reasoning="effort",
        reasoning_efforts=efforts,
        reasoning_always_on=True,
        prompt_caching="automatic",
        cache_min_tokens=1024,
        price=price,
    )


def _gpt(
    family: str, price: ModelPrice | None, max_output: int, *, route: str = "openai"
) -> ModelCapabilities:
    return ModelCapabilities(
        family=family,
        max_tokens_param="max_completion_tokens" if route == "openai" else None,
        max_output_tokens=max_output,
        prompt_caching="automatic",
        cache_min_tokens=1024,
        price=price,
    )


def _gemini(
    family: str,
    price: ModelPrice,
    max_output: int,
    *,
    budget: tuple[int, int] | None,
    always_on: bool,
    cache_min: int,
) -> ModelCapabilities:
    if budget is None:
        return ModelCapabilities(family=family, max_output_tokens=max_output, price=_batch(price))
    return ModelCapabilities(
        family=family,
        max_output_tokens=max_output,
        reasoning="budget",
        reasoning_always_on=always_on,
        budget_min=budget[0],
        budget_max=budget[1],
        prompt_caching="automatic",
        cache_min_tokens=cache_min,
        price=_batch(price),
    )


_R1_DEEPSEEK = ModelCapabilities(
    family="DeepSeek R1 (deepseek-reasoner)",
    temperature=False,  # accepted but without effect: dropped so a study does not believe it set it
    top_p=False,
    reasoning="none",
    reasoning_always_on=True,
    max_output_tokens=65_536,
    prompt_caching="automatic",
    cache_min_tokens=64,
    price=ModelPrice(0.28, 0.42, 0.028),
)

_O3 = ModelPrice(2.0, 8.0, 0.5, None, 1.0, 4.0)
_O4_MINI = ModelPrice(1.1, 4.4, 0.275, None, 0.55, 2.2)
_GPT41 = ModelPrice(2.0, 8.0, 0.5, None, 1.0, 4.0)
_GROK3 = ModelPrice(3.0, 15.0, 0.75)
_MAVERICK_TOGETHER = ModelPrice(0.27, 0.85)
_MAVERICK_OPENROUTER = ModelPrice(0.15, 0.6)
_R1_TOGETHER = ModelPrice(3.0, 7.0)
_R1_OPENROUTER = ModelPrice(0.4, 2.0)

BUILTIN_CAPABILITIES: tuple[CapabilityEntry, ...] = (
    # Anthropic ----------------------------------------------------------------------------------------
    CapabilityEntry(
        ("anthropic",),
        r"^claude-opus-4-5",
        _claude("Claude Opus 4.5", ModelPrice(5.0, 25.0, 0.5, 6.25), 64_000, cache_min=4096),
        "anthropic/claude-opus-4-5",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-opus-4-1",
        _claude("Claude Opus 4.1", ModelPrice(15.0, 75.0, 1.5, 18.75), 32_000),
        "anthropic/claude-opus-4-1",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-opus-4",
        _claude("Claude Opus 4", ModelPrice(15.0, 75.0, 1.5, 18.75), 32_000),
        "anthropic/claude-opus-4",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-sonnet-4-5",
        _claude("Claude Sonnet 4.5", ModelPrice(3.0, 15.0, 0.3, 3.75), 64_000),
        "anthropic/claude-sonnet-4-5",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-sonnet-4",
        _claude("Claude Sonnet 4", ModelPrice(3.0, 15.0, 0.3, 3.75), 64_000),
        "anthropic/claude-sonnet-4",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-3-7-sonnet",
        _claude("Claude Sonnet 3.7", ModelPrice(3.0, 15.0, 0.3, 3.75), 64_000),
        "anthropic/claude-3-7-sonnet",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-haiku-4-5",
        _claude("Claude Haiku 4.5", ModelPrice(1.0, 5.0, 0.1, 1.25), 64_000, cache_min=4096),
        "anthropic/claude-haiku-4-5",
    ),
    CapabilityEntry(
        ("anthropic",),
        r"^claude-3-5-haiku",
        _claude("Claude Haiku 3.5", ModelPrice(0.8, 4.0, 0.08, 1.0), 8_192, thinking=False, cache_min=2048),
        "anthropic/claude-3-5-haiku",
    ),
    # OpenAI -------------------------------------------------------------------------------------------
    CapabilityEntry(
        ("openai",),
        r"^o3-pro",
        _o_series("OpenAI o3-pro", ModelPrice(20.0, 80.0, None, None, 10.0, 40.0)),
        "openai/o3-pro",
    ),
    CapabilityEntry(
        ("openai",),
        r"^o3-mini",
        _o_series("OpenAI o3-mini", ModelPrice(1.1, 4.4, 0.55, None, 0.55, 2.2)),
        "openai/o3-mini",
    ),
    CapabilityEntry(("openai",), r"^o4-mini", _o_series("OpenAI o4-mini", _O4_MINI), "openai/o4-mini"),
    CapabilityEntry(("openai",), r"^o3(?:-\d{4}-\d\d-\d\d)?$", _o_series("OpenAI o3", _O3), "openai/o3"),
    CapabilityEntry(
        ("openai",),
        r"^o1-mini",
        _o_series("OpenAI o1-mini", ModelPrice(1.1, 4.4, 0.55)).model_copy(
            update={"tools": False, "system_prompt": False, "reasoning": "none", "reasoning_efforts": ()}
        ),
    ),
    CapabilityEntry(("openai",), r"^o\d", _o_series("OpenAI o-series", None)),
    CapabilityEntry(
        ("openai",),
        r"^gpt-5-nano",
        _o_series(
            "GPT-5 nano",
            _batch(ModelPrice(0.05, 0.4, 0.005)),
            efforts=("minimal", "low", "medium", "high"),
            max_output=128_000,
        ),
        "openai/gpt-5-nano",
    ),
    CapabilityEntry(
        ("openai",),
        r"^gpt-5-mini",
        _o_series(
            "GPT-5 mini",
            _batch(ModelPrice(0.25, 2.0, 0.025)),
            efforts=("minimal", "low", "medium", "high"),
            max_output=128_000,
        ),
        "openai/gpt-5-mini",
    ),
    CapabilityEntry(
        ("openai",), r"^gpt-5-chat", _gpt("GPT-5 chat", _batch(ModelPrice(1.25, 10.0, 0.125)), 16_384)
    ),
    CapabilityEntry(
        ("openai",),
        r"^gpt-5",
        _o_series(
            "GPT-5",
            _batch(ModelPrice(1.25, 10.0, 0.125)),
            efforts=("minimal", "low", "medium", "high"),
            max_output=128_000,
        ),
        "openai/gpt-5",
    ),
    CapabilityEntry(
        ("openai",),
        r"^gpt-4\.1-nano",
        _gpt("GPT-4.1 nano", _batch(ModelPrice(0.1, 0.4, 0.025)), 32_768),
        "openai/gpt-4.1-nano",
    ),
    CapabilityEntry(
        ("openai",),
        r"^gpt-4\.1-mini",
        _gpt("GPT-4.1 mini", _batch(ModelPrice(0.4, 1.6, 0.1)), 32_768),
        "openai/gpt-4.1-mini",
    ),
    CapabilityEntry(("openai",), r"^gpt-4\.1", _gpt("GPT-4.1", _GPT41, 32_768), "openai/gpt-4.1"),
    CapabilityEntry(
        ("openai",),
        r"^gpt-4o-mini",
        _gpt("GPT-4o mini", _batch(ModelPrice(0.15, 0.6, 0.075)), 16_384),
        "openai/gpt-4o-mini",
    ),
    CapabilityEntry(
        ("openai",), r"^gpt-4o", _gpt("GPT-4o", _batch(ModelPrice(2.5, 10.0, 1.25)), 16_384), "openai/gpt-4o"
    ),
    # Gemini -------------------------------------------------------------------------------------------
    CapabilityEntry(
        ("google", "gemini"),
        r"^gemini-2\.5-pro",
        _gemini(
            "Gemini 2.5 Pro",
            ModelPrice(1.25, 10.0, 0.125),
            65_536,
            budget=(128, 32_768),
            always_on=True,
            cache_min=2048,
        ),
        "google/gemini-2.5-pro",
    ),
    CapabilityEntry(
        ("google", "gemini"),
        r"^gemini-2\.5-flash-lite",
        _gemini(
            "Gemini 2.5 Flash-Lite",
            ModelPrice(0.1, 0.4, 0.01),
            65_536,
            budget=(512, 24_576),
            always_on=False,
            cache_min=1024,
        ),
        "google/gemini-2.5-flash-lite",
    ),
    CapabilityEntry(
        ("google", "gemini"),
        r"^gemini-2\.5-flash",
        _gemini(
            "Gemini 2.5 Flash",
            ModelPrice(0.3, 2.5, 0.03),
            65_536,
            budget=(1, 24_576),
            always_on=False,
            cache_min=1024,
        ),
        "google/gemini-2.5-flash",
    ),
    CapabilityEntry(
        ("google", "gemini"),
        r"^gemini-2\.0-flash",
        _gemini(
            "Gemini 2.0 Flash", ModelPrice(0.1, 0.4, 0.025), 8_192, budget=None, always_on=False, cache_min=0
        ),
        "google/gemini-2.0-flash",
    ),
    # xAI ----------------------------------------------------------------------------------------------
    CapabilityEntry(
        ("xai",),
        r"^grok-3-mini",
        ModelCapabilities(
            family="Grok 3 mini",
            reasoning="effort",
            reasoning_efforts=("low", "high"),
            reasoning_always_on=True,
            prompt_caching="automatic",
            price=ModelPrice(0.3, 0.5, 0.075),
        ),
        "xai/grok-3-mini",
    ),
    CapabilityEntry(
        ("xai",),
        r"^grok-3",
        ModelCapabilities(
            family="Grok 3", prompt_caching="automatic", max_output_tokens=131_072, price=_GROK3
        ),
        "xai/grok-3",
    ),
    CapabilityEntry(
        ("xai",),
        r"^grok-4",
        ModelCapabilities(
            family="Grok 4",
            stop=False,
            reasoning="none",
            reasoning_always_on=True,
            prompt_caching="automatic",
            price=ModelPrice(3.0, 15.0, 0.75),
        ),
        "xai/grok-4",
    ),
    # DeepSeek -----------------------------------------------------------------------------------------
    CapabilityEntry(("deepseek",), r"^deepseek-reasoner", _R1_DEEPSEEK, "deepseek/deepseek-reasoner"),
    CapabilityEntry(
        ("deepseek",),
        r"^deepseek-chat",
        ModelCapabilities(
            family="DeepSeek chat",
            max_output_tokens=8_192,
            prompt_caching="automatic",
            cache_min_tokens=64,
            price=ModelPrice(0.28, 0.42, 0.028),
        ),
        "deepseek/deepseek-chat",
    ),
    # Together -----------------------------------------------------------------------------------------
    CapabilityEntry(
        ("together",),
        r"(?i)^deepseek-ai/DeepSeek-R1",
        ModelCapabilities(
            family="DeepSeek R1 (Together)", reasoning="none", reasoning_always_on=True, price=_R1_TOGETHER
        ),
        "together/deepseek-ai/DeepSeek-R1",
    ),
    CapabilityEntry(
        ("together",),
        r"(?i)^meta-llama/Llama-4-Maverick",
        ModelCapabilities(family="Llama 4 Maverick (Together)", price=_MAVERICK_TOGETHER),
        "together/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    ),
    CapabilityEntry(
        ("together",),
        r"(?i)^meta-llama/Llama-3\.3-70B-Instruct-Turbo",
        ModelCapabilities(family="Llama 3.3 70B (Together)", price=ModelPrice(0.88, 0.88)),
        "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    ),
    # OpenRouter (its own names; it takes max_tokens and a unified `reasoning` object) ---------------------
    CapabilityEntry(
        ("openrouter",),
        r"^openai/o3$",
        _o_series("OpenAI o3 (OpenRouter)", ModelPrice(2.0, 8.0, 0.5), route="openrouter"),
        "openrouter/openai/o3",
    ),
    CapabilityEntry(
        ("openrouter",),
        r"^openai/(?:o\d|gpt-5(?!-chat))",
        _o_series("OpenAI reasoning model (OpenRouter)", None, route="openrouter"),
    ),
    CapabilityEntry(
        ("openrouter",),
        r"^anthropic/claude",
        ModelCapabilities(
            family="Claude (OpenRouter)",
            temperature_max=1.0,
            seed=False,
            reasoning="budget",
            budget_min=1024,
            budget_below_max_tokens=True,
            thinking_fixes_sampling=True,
            prompt_caching="breakpoints",
            cache_min_tokens=1024,
        ),
    ),
    CapabilityEntry(
        ("openrouter",),
        r"^deepseek/deepseek-r1",
        ModelCapabilities(
            family="DeepSeek R1 (OpenRouter)",
            reasoning="effort",
            reasoning_efforts=("low", "medium", "high"),
            reasoning_always_on=True,
            price=_R1_OPENROUTER,
        ),
        "openrouter/deepseek/deepseek-r1",
    ),
    CapabilityEntry(
        ("openrouter",),
        r"^meta-llama/llama-4-maverick",
        ModelCapabilities(family="Llama 4 Maverick (OpenRouter)", price=_MAVERICK_OPENROUTER),
        "openrouter/meta-llama/llama-4-maverick",
    ),
    CapabilityEntry(
        ("openrouter",),
        r"^x-ai/grok-3(?!-mini)",
        ModelCapabilities(family="Grok 3 (OpenRouter)", price=_GROK3),
        "openrouter/x-ai/grok-3",
    ),
)
"""The built-in table, most specific rows first (the first matching row applies)."""

_USER_CAPABILITIES: list[CapabilityEntry] = []


def register_capabilities(
    provider: str | Iterable[str], pattern: str, capabilities: ModelCapabilities
) -> None:
    """Add a row that wins over the built-in table (and over rows registered before it).

    Args:
        provider: Provider prefix(es) the row applies to, e.g. ``openai`` or ``("together", "openrouter")``.
        pattern: Regular expression searched in the model name, e.g. ``^my-finetune``.
        capabilities: What matching models accept.

    Raises:
        ValueError: If ``pattern`` is not a valid regular expression.

    Example:
        >>> from scenariokit.providers import capabilities_for
        >>> caps = capabilities_for("openai/o3").model_copy(update={"temperature": True})
        >>> register_capabilities("openai", r"^o3$", caps)
        >>> capabilities_for("openai/o3").temperature
        True
        >>> reset_capabilities()
    """
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"register_capabilities: invalid pattern {pattern!r}: {exc}") from None
    providers = (provider,) if isinstance(provider, str) else tuple(provider)
    _USER_CAPABILITIES.insert(0, CapabilityEntry(providers, pattern, capabilities))


def reset_capabilities() -> None:
    """Remove every row added with :func:`register_capabilities` or :func:`load_capabilities`.

    The file named by ``SCENARIOKIT_MODELS`` is read again on the next lookup.
    """
    global _ENV_LOADED
    _USER_CAPABILITIES.clear()
    _ENV_LOADED = None


MODELS_ENV = "SCENARIOKIT_MODELS"
"""Environment variable naming a YAML file of capability rows, loaded on the first lookup."""

_ENV_LOADED: str | None = None


def load_capabilities(path: str | os.PathLike[str]) -> int:
    """Register the capability rows of a YAML file (each wins over the built-in table).

    The file is a list of rows. ``provider`` (a prefix or a list of them) and ``pattern`` (a regular
    expression searched in the model name) say which models a row is for; ``base`` (a ``provider/model``
    name) starts it from that model's capabilities; any other key is a :class:`ModelCapabilities` field::

        - provider: openai
          pattern: "^o3"
          base: openai/o3
          temperature: true
        - provider: vllm
          pattern: "^my-model$"
          family: my fine-tune
          max_output_tokens: 8192
          price: {input: 0.5, output: 1.5}

    Args:
        path: The YAML file.

    Returns:
        The number of rows registered.

    Raises:
        ValueError: If the file cannot be read or a row is invalid (the message names the row and the field).
    """
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            rows = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"model capabilities file {os.fspath(path)!r} cannot be read: {exc}") from None
    if rows is None:
        return 0
    if not isinstance(rows, list):
        raise ValueError(f"{os.fspath(path)}: expected a list of rows (- provider: ..., pattern: ...)")
    entries: list[tuple[tuple[str, ...], str, ModelCapabilities]] = []
    for index, row in enumerate(rows, start=1):
        where = f"{os.fspath(path)}, row {index}"
        if not isinstance(row, dict) or "provider" not in row or "pattern" not in row:
            raise ValueError(f"{where}: each row needs 'provider' and 'pattern' keys")
        fields = dict(row)
        provider = fields.pop("provider")
        pattern = str(fields.pop("pattern"))
        base_name = fields.pop("base", None)
        providers = (provider,) if isinstance(provider, str) else tuple(str(p) for p in provider)
        if base_name is not None:
            base = capabilities_for(str(base_name)).model_dump()
        else:
            base = {"family": f"{providers[0]} model matching {pattern}"}
        try:
            re.compile(pattern)
            caps = ModelCapabilities.model_validate({**base, **fields})
        except re.error as exc:
            raise ValueError(f"{where}: invalid pattern {pattern!r}: {exc}") from None
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"{where}: {problems}") from None
        entries.append((providers, pattern, caps))
    for providers, pattern, caps in entries:
        register_capabilities(providers, pattern, caps)
    return len(entries)


def _load_env() -> None:
    global _ENV_LOADED
    path = os.environ.get(MODELS_ENV, "").strip()
    if path and path != _ENV_LOADED:
        _ENV_LOADED = path
        load_capabilities(path)


def registered_price(name: str) -> ModelPrice | None:
    """The price in a capability row you registered that matches ``provider/model``, or ``None``."""
    _load_env()
    provider, _, model = name.partition("/")
    for entry in _USER_CAPABILITIES:
        if entry.matches(provider, model):
            return entry.capabilities.price
    return None


def find_capabilities(provider: str, model: str) -> ModelCapabilities | None:
    """Return the capabilities of ``model`` on route ``provider`` (user rows first), or ``None``."""
    _load_env()
    for entry in (*_USER_CAPABILITIES, *BUILTIN_CAPABILITIES):
        if entry.matches(provider, model):
            return entry.capabilities
    return None


ROUTE_DEFAULTS: dict[str, ModelCapabilities] = {
    "anthropic": _CLAUDE_THINKING,
    "openai": ModelCapabilities(family="OpenAI model", max_tokens_param="max_completion_tokens"),
}
"""What an unknown model of a route is assumed to accept (other routes: everything)."""


def capabilities_for(name: str) -> ModelCapabilities:
    """Return the capabilities that apply to ``provider/model`` (permissive defaults for an unknown model).

    Example:
        >>> capabilities_for("anthropic/claude-opus-4-20250514").budget_below_max_tokens
        True
        >>> capabilities_for("vllm/Qwen/Qwen3-8B").family
        'vllm model'
    """
    provider, _, model = name.partition("/")
    found = find_capabilities(provider, model)
    if found is not None:
        return found
    return ROUTE_DEFAULTS.get(provider) or ModelCapabilities(family=f"{provider} model")


def default_prices() -> dict[str, ModelPrice]:
    """The price of each named row of the table, by ``provider/model`` (for the usage ledger)."""
    prices: dict[str, ModelPrice] = {}
    for entry in BUILTIN_CAPABILITIES:
        if entry.name is not None and entry.capabilities.price is not None:
            prices.setdefault(entry.name, entry.capabilities.price)
            for alias in entry.providers[1:]:
                prices.setdefault(alias + entry.name[entry.name.index("/") :], entry.capabilities.price)
    return prices


# ------------------------------------------------------------------------------------------- adjustment

_EFFORT_BUDGET = {"minimal": 1024, "low": 1024, "medium": 4096, "high": 16384}
_EFFORT_ORDER: tuple[ReasoningEffort, ...] = ("none", "minimal", "low", "medium", "high")


REASONING_MAX_TOKENS_ADVICE = 8192
"""Below this ``max_tokens``, a model that always reasons (and takes no separate reasoning budget) gets advice:
its reasoning tokens count against the limit, and the answer may be cut off."""


@dataclass(frozen=True)
class Adjustment:
    """One change made to a request to fit the model.

    Attributes:
        knob: The setting changed (``temperature``, ``max_tokens``...); warnings are given once per knob.
        message: What was changed and why.
        advice: Nothing was changed; the message is advice about a setting that may not work as meant.
    """

    knob: str
    message: str
    advice: bool = False


def _nearest_effort(effort: ReasoningEffort, accepted: tuple[ReasoningEffort, ...]) -> ReasoningEffort:
    rank = _EFFORT_ORDER.index(effort)
    return min(accepted, key=lambda e: (abs(_EFFORT_ORDER.index(e) - rank), -_EFFORT_ORDER.index(e)))


def _effort_for_budget(budget: int) -> ReasoningEffort:
    if budget <= 0:
        return "none"
    if budget <= 1024:
        return "low"
    if budget <= 4096:
        return "medium"
    return "high"


def adjust_config(
    config: GenerateConfig, caps: ModelCapabilities, *, model: str
) -> tuple[GenerateConfig, tuple[Adjustment, ...]]:
    """Fit generation settings to what a model accepts.

    Reasoning: an effort becomes a budget (low 1024, medium 4096, high 16384 tokens) for models controlled by
    a budget, and a budget the nearest effort for models controlled by an effort; a budget is brought within
    the model's bounds; turning reasoning off is dropped for models that always reason; any reasoning control
    is dropped for models that take none. For Anthropic's rule that the thinking budget be below
    ``max_tokens``, ``max_tokens`` is raised by the budget (the answer keeps its tokens), within the model's
    output limit. Sampling: a refused ``temperature``, ``top_p`` or ``stop`` is dropped (for Anthropic with
    thinking: a temperature other than 1 and a ``top_p`` under 0.95); a temperature above the model's
    maximum is lowered to it; a ``seed`` the model does not take is dropped silently.

    Args:
        config: The settings asked for.
        caps: The model's capabilities.
        model: ``provider/model``, for the messages.

    Returns:
        The adjusted settings and what was changed (empty when nothing was).

    Example:
        >>> config = GenerateConfig(temperature=0.0, max_tokens=4096)
        >>> adjusted, changes = adjust_config(config, capabilities_for("openai/o3"), model="openai/o3")
        >>> adjusted.temperature is None, [change.knob for change in changes]
        (True, ['advice:max_tokens', 'temperature'])
    """
    changes: list[Adjustment] = []
    update: dict[str, object] = {}
    who = f"{model} ({caps.family})"

    def note(knob: str, message: str) -> None:
        changes.append(Adjustment(knob, f"{who}: {message}"))

    effort = config.reasoning_effort
    budget = config.reasoning_budget_tokens
    max_tokens = config.max_tokens
    thinking = caps.reasoning_always_on
    if effort is not None or budget is not None:
        asked = f"reasoning_budget_tokens={budget}" if budget is not None else f"reasoning_effort={effort!r}"
        wants_off = budget == 0 if budget is not None else effort == "none"
        if wants_off and caps.reasoning_always_on:
            note("reasoning", f"{asked} dropped: the model always reasons and cannot turn it off")
            update.update(reasoning_effort=None, reasoning_budget_tokens=None)
        elif caps.reasoning == "none":
            note("reasoning", f"{asked} dropped: the model takes no reasoning control")
            update.update(reasoning_effort=None, reasoning_budget_tokens=None)
        elif caps.reasoning == "effort":
            if budget is not None:
                effort = _effort_for_budget(budget)
                note("reasoning", f"reasoning_budget_tokens={budget} sent as reasoning_effort={effort!r}")
            assert effort is not None
            if effort not in caps.reasoning_efforts and caps.reasoning_efforts:
                chosen = _nearest_effort(effort, caps.reasoning_efforts)
                note(
                    "reasoning_effort",
                    f"reasoning_effort={effort!r} is not accepted (accepted: {', '.join(caps.reasoning_efforts)}); "
                    f"sent {chosen!r}",
                )
                effort = chosen
            update.update(reasoning_effort=effort, reasoning_budget_tokens=None)
            thinking = thinking or effort != "none"
        else:  # budget
            value = budget if budget is not None else (0 if effort == "none" else _EFFORT_BUDGET[str(effort)])
            if value > 0:
                low, high = caps.budget_min, caps.budget_max
                if value < low or (high is not None and value > high):
                    fitted = max(low, value if high is None else min(high, value))
                    note(
                        "reasoning_budget",
                        f"reasoning budget {value} is outside the accepted {low}..{high or 'max_tokens'}; sent {fitted}",
                    )
                    value = fitted
                if caps.budget_below_max_tokens and value >= max_tokens:
                    ceiling = caps.max_output_tokens
                    raised = value + max_tokens if ceiling is None else min(ceiling, value + max_tokens)
                    if raised <= value:
                        value = max(caps.budget_min, raised - max(1024, raised // 4))
                    note(
                        "max_tokens",
                        f"max_tokens raised from {max_tokens} to {raised} so that the reasoning budget {value} "
                        "fits below it (the vendor requires budget < max_tokens)",
                    )
                    max_tokens = raised
                thinking = True
            update.update(reasoning_effort=None, reasoning_budget_tokens=value)
    if caps.max_output_tokens is not None and max_tokens > caps.max_output_tokens:
        note(
            "max_tokens", f"max_tokens={max_tokens} is above the model's limit; sent {caps.max_output_tokens}"
        )
        max_tokens = caps.max_output_tokens
    if max_tokens != config.max_tokens:
        update["max_tokens"] = max_tokens
    if caps.reasoning_always_on and caps.reasoning != "budget" and max_tokens < REASONING_MAX_TOKENS_ADVICE:
        changes.append(
            Adjustment(
                "advice:max_tokens",
                f"{who}: max_tokens={max_tokens} counts the model's reasoning as well as its answer, so a reply "
                f"may end before the answer (stop reason max_tokens); consider {REASONING_MAX_TOKENS_ADVICE} or "
                "more",
                advice=True,
            )
        )

    temperature = config.temperature
    if temperature is not None:
        if not caps.temperature or (thinking and caps.thinking_fixes_sampling):
            if temperature != 1.0:
                why = (
                    "with reasoning on only the default (1) is accepted"
                    if caps.temperature
                    else "only the default is accepted"
                )
                note("temperature", f"temperature={temperature} dropped: {why}")
            update["temperature"] = None
        elif temperature > caps.temperature_max:
            note(
                "temperature",
                f"temperature={temperature} is above the model's maximum; sent {caps.temperature_max}",
            )
            update["temperature"] = caps.temperature_max
    top_p = config.top_p
    if top_p is not None:
        if not caps.top_p:
            if top_p != 1.0:
                note("top_p", f"top_p={top_p} dropped: only the default is accepted")
            update["top_p"] = None
        elif thinking and caps.thinking_fixes_sampling and top_p < 0.95:
            note("top_p", f"top_p={top_p} dropped: with reasoning on it must be 0.95 or more")
            update["top_p"] = None
    if config.stop and not caps.stop:
        note("stop", "stop sequences dropped: the model does not accept them")
        update["stop"] = ()
    if config.seed is not None and not caps.seed:
        update["seed"] = None
    if not update:
        return config, tuple(changes)
    return config.model_copy(update=update), tuple(changes)


class AdjustmentLog:
    """Logs each kind of adjustment once (a provider holds one, so once per run per model)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def report(self, changes: Iterable[Adjustment]) -> None:
        """Log the changes whose knob was not reported before."""
        for change in changes:
            if change.knob not in self._seen:
                self._seen.add(change.knob)
                suffix = (
                    "said once per run" if change.advice else "adjusted on every request; said once per run"
                )
                logger.warning("%s (%s)", change.message, suffix)

    @property
    def reported(self) -> frozenset[str]:
        """The knobs reported so far."""
        return frozenset(self._seen)
