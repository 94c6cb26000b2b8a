"""Token and cost accounting per model and role.

:data:`DEFAULT_PRICES` lists approximate list prices in US dollars per million tokens as of
:data:`PRICES_AS_OF`. Vendors change prices, and discounts (batch, long-context tiers, regional
pricing) are not modelled: treat costs as estimates and override prices with
:meth:`UsageTracker.set_price` when accuracy matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scenariokit.providers._types import ModelResponse, Usage

PRICES_AS_OF = "2025-11-01"
"""Date of the price table below (approximate; check the vendors' pricing pages)."""


@dataclass(frozen=True)
class ModelPrice:
    """Price of a model in USD per million tokens.

    Attributes:
        input: Uncached prompt tokens.
        output: Generated tokens (reasoning included).
        cache_read: Prompt tokens read from the cache (defaults to ``input``).
        cache_write: Prompt tokens written to the cache (defaults to ``input``).
    """

    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None

    def cost(self, usage: Usage) -> float:
        """Return the cost in USD of ``usage``."""
        uncached = max(0, usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens)
        read = self.input if self.cache_read is None else self.cache_read
        write = self.input if self.cache_write is None else self.cache_write
        return (
            uncached * self.input
            + usage.cache_read_tokens * read
            + usage.cache_write_tokens * write
            + usage.output_tokens * self.output
        ) / 1_000_000


DEFAULT_PRICES: dict[str, ModelPrice] = {
    "anthropic/claude-opus-4-5": ModelPrice(5.0, 25.0, 0.5, 6.25),
    "anthropic/claude-opus-4-1": ModelPrice(15.0, 75.0, 1.5, 18.75),
    "anthropic/claude-opus-4": ModelPrice(15.0, 75.0, 1.5, 18.75),
    "anthropic/claude-sonnet-4-5": ModelPrice(3.0, 15.0, 0.3, 3.75),
    "anthropic/claude-sonnet-4": ModelPrice(3.0, 15.0, 0.3, 3.75),
    "anthropic/claude-3-7-sonnet": ModelPrice(3.0, 15.0, 0.3, 3.75),
    "anthropic/claude-haiku-4-5": ModelPrice(1.0, 5.0, 0.1, 1.25),
    "anthropic/claude-3-5-haiku": ModelPrice(0.8, 4.0, 0.08, 1.0),
    "openai/gpt-5": ModelPrice(1.25, 10.0, 0.125),
    "openai/gpt-5-mini": ModelPrice(0.25, 2.0, 0.025),
    "openai/gpt-5-nano": ModelPrice(0.05, 0.4, 0.005),
    "openai/gpt-4.1": ModelPrice(2.0, 8.0, 0.5),
    "openai/gpt-4.1-mini": ModelPrice(0.4, 1.6, 0.1),
    "openai/gpt-4.1-nano": ModelPrice(0.1, 0.4, 0.025),
    "openai/gpt-4o": ModelPrice(2.5, 10.0, 1.25),
    "openai/gpt-4o-mini": ModelPrice(0.15, 0.6, 0.075),
    "openai/o3": ModelPrice(2.0, 8.0, 0.5),
    "openai/o3-pro": ModelPrice(20.0, 80.0),
    "openai/o3-mini": ModelPrice(1.1, 4.4, 0.55),
    "openai/o4-mini": ModelPrice(1.1, 4.4, 0.275),
    "google/gemini-2.5-pro": ModelPrice(1.25, 10.0, 0.125),
    "google/gemini-2.5-flash": ModelPrice(0.3, 2.5, 0.03),
    "google/gemini-2.5-flash-lite": ModelPrice(0.1, 0.4, 0.01),
    "google/gemini-2.0-flash": ModelPrice(0.1, 0.4, 0.025),
    "deepseek/deepseek-chat": ModelPrice(0.28, 0.42, 0.028),
    "deepseek/deepseek-reasoner": ModelPrice(0.28, 0.42, 0.028),
    "xai/grok-4": ModelPrice(3.0, 15.0, 0.75),
    "xai/grok-3-mini": ModelPrice(0.3, 0.5, 0.075),
    "together/meta-llama/Llama-3.3-70B-Instruct-Turbo": ModelPrice(0.88, 0.88),
    "together/deepseek-ai/DeepSeek-R1": ModelPrice(3.0, 7.0),
}
"""Approximate prices (USD per million tokens) as of :data:`PRICES_AS_OF`."""


@dataclass
class UsageRecord:
    """Aggregated usage of one (model, role).

    Attributes:
        calls: Number of responses recorded.
        usage: Summed token counts.
        cost_usd: Estimated cost, or ``None`` when the model has no known price.
    """

    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0


class UsageTracker:
    """A ledger of token usage and estimated cost per model (``provider/model``) and role.

    Args:
        prices: Prices by ``provider/model`` name (defaults to :data:`DEFAULT_PRICES`). A model is
            priced by the longest entry its name starts with, so dated snapshots
            (``anthropic/claude-sonnet-4-5-20250929``) use the base model's price.

    Example:
        >>> tracker = UsageTracker()
        >>> tracker.record("openai/gpt-4.1", Usage(input_tokens=1000, output_tokens=100))
        >>> round(tracker.total_cost() or 0, 6)
        0.0028
    """

    def __init__(self, prices: Mapping[str, ModelPrice] | None = None) -> None:
        self.prices: dict[str, ModelPrice] = dict(DEFAULT_PRICES if prices is None else prices)
        self._records: dict[tuple[str, str], UsageRecord] = {}

    def set_price(self, model: str, price: ModelPrice) -> None:
        """Set or override the price of ``model`` (a ``provider/model`` name or prefix)."""
        self.prices[model] = price

    def price_of(self, model: str) -> ModelPrice | None:
        """Return the price used for ``model``, or ``None`` when unknown."""
        best = max((k for k in self.prices if model.startswith(k)), key=len, default=None)
        return None if best is None else self.prices[best]

    def record(self, model: str, usage: Usage, *, role: str = "agent") -> None:
        """Add ``usage`` of ``model`` (a ``provider/model`` name) under ``role``."""
        entry = self._records.setdefault((model, role), UsageRecord())
        entry.calls += 1
        entry.usage = entry.usage + usage
        price = self.price_of(model)
        entry.cost_usd = None if price is None else price.cost(entry.usage)

    def record_response(self, response: ModelResponse, *, name: str, role: str = "agent") -> None:
        """Add the usage of ``response`` from provider ``name`` (``provider/model``)."""
        self.record(name, response.usage, role=role)

    def records(self) -> dict[tuple[str, str], UsageRecord]:
        """Return the aggregated records by (model, role)."""
        return dict(self._records)

    def total_usage(self) -> Usage:
        """Return the summed usage of every model and role."""
        total = Usage()
        for entry in self._records.values():
            total = total + entry.usage
        return total

    def total_cost(self) -> float | None:
        """Return the total estimated cost, or ``None`` if any recorded model has no price."""
        costs = [entry.cost_usd for entry in self._records.values()]
        if any(c is None for c in costs):
            return None
        return sum(c for c in costs if c is not None)

    def unpriced_models(self) -> list[str]:
        """Return the recorded models that have no known price."""
        return sorted({m for (m, _), e in self._records.items() if e.cost_usd is None})

    def summary(self) -> str:
        """Return a plain-text table of usage and cost per model and role."""
        lines = [f"{'model':<48} {'role':<8} {'calls':>6} {'input':>10} {'output':>10} {'cost $':>10}"]
        for (model, role), entry in sorted(self._records.items()):
            cost = "?" if entry.cost_usd is None else f"{entry.cost_usd:.4f}"
            lines.append(
                f"{model:<48} {role:<8} {entry.calls:>6} {entry.usage.input_tokens:>10} "
                f"{entry.usage.output_tokens:>10} {cost:>10}"
            )
        lines.append(f"(prices approximate, as of {PRICES_AS_OF})")
        return "\n".join(lines)
