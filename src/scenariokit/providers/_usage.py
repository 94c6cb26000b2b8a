"""Token and cost accounting per model and role.

:data:`DEFAULT_PRICES` lists approximate list prices in US dollars per million tokens as of
:data:`PRICES_AS_OF` (from the model capability table, ``scenariokit.providers.capabilities_for``).
Cached prompt reads and cache writes are charged at their own prices, and each record also keeps what
its usage would have cost without caching. Long-context tiers and regional pricing are not modelled:
treat costs as estimates and override prices with :meth:`UsageTracker.set_price` when accuracy
matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scenariokit.providers._models import (
    PRICES_AS_OF,
    ModelPrice,
    capabilities_for,
    default_prices,
    registered_price,
)
from scenariokit.providers._types import ModelResponse, Usage

DEFAULT_PRICES: dict[str, ModelPrice] = default_prices()
"""Approximate prices (USD per million tokens) as of :data:`PRICES_AS_OF`, from the model capability table."""


@dataclass
class UsageRecord:
    """Aggregated usage of one (model, role).

    Attributes:
        calls: Number of responses recorded.
        usage: Summed token counts.
        cost_usd: Estimated cost, or ``None`` when the model has no known price.
        uncached_cost_usd: What the same usage would have cost with no prompt caching, or ``None``.
    """

    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0
    uncached_cost_usd: float | None = 0.0


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
        self._given: set[str] = set() if prices is None else set(prices)
        self._records: dict[tuple[str, str], UsageRecord] = {}

    def set_price(self, model: str, price: ModelPrice) -> None:
        """Set or override the price of ``model`` (a ``provider/model`` name or prefix)."""
        self.prices[model] = price
        self._given.add(model)

    def price_of(self, model: str) -> ModelPrice | None:
        """Return the price used for ``model``, or ``None`` when unknown.

        In order: a price given to this tracker (``prices=`` or :meth:`set_price`, longest matching prefix), a
        price in a capability row you registered (``register_capabilities``, ``SCENARIOKIT_MODELS``), the
        table's price (longest matching prefix of :data:`DEFAULT_PRICES`, then the model's capability row).
        """
        best = max((k for k in self.prices if model.startswith(k)), key=len, default=None)
        if best is not None and best in self._given:
            return self.prices[best]
        registered = registered_price(model)
        if registered is not None:
            return registered
        if best is not None:
            return self.prices[best]
        return capabilities_for(model).price

    def record(self, model: str, usage: Usage, *, role: str = "agent") -> None:
        """Add ``usage`` of ``model`` (a ``provider/model`` name) under ``role``."""
        entry = self._records.setdefault((model, role), UsageRecord())
        entry.calls += 1
        entry.usage = entry.usage + usage
        price = self.price_of(model)
        entry.cost_usd = None if price is None else price.cost(entry.usage)
        entry.uncached_cost_usd = None if price is None else price.uncached_cost(entry.usage)

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

    def total_uncached_cost(self) -> float | None:
        """Return what the recorded usage would have cost without prompt caching (``None`` if unpriced)."""
        costs = [entry.uncached_cost_usd for entry in self._records.values()]
        if any(c is None for c in costs):
            return None
        return sum(c for c in costs if c is not None)

    def unpriced_models(self) -> list[str]:
        """Return the recorded models that have no known price."""
        return sorted({m for (m, _), e in self._records.items() if e.cost_usd is None})

    def summary(self) -> str:
        """Return a plain-text table of usage and cost per model and role."""
        lines = [
            f"{'model':<48} {'role':<8} {'calls':>6} {'input':>10} {'cached':>10} {'output':>10} "
            f"{'cost $':>10} {'no cache $':>10}"
        ]
        for (model, role), entry in sorted(self._records.items()):
            cost = "?" if entry.cost_usd is None else f"{entry.cost_usd:.4f}"
            uncached = "?" if entry.uncached_cost_usd is None else f"{entry.uncached_cost_usd:.4f}"
            lines.append(
                f"{model:<48} {role:<8} {entry.calls:>6} {entry.usage.input_tokens:>10} "
                f"{entry.usage.cache_read_tokens:>10} {entry.usage.output_tokens:>10} {cost:>10} {uncached:>10}"
            )
        lines.append(f"(prices approximate, as of {PRICES_AS_OF})")
        return "\n".join(lines)
