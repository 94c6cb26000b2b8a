"""Dry runs: what a design would run, how many requests, and an estimated token cost."""

from __future__ import annotations

from dataclasses import dataclass, field

from scenariokit.detectors import default_suite
from scenariokit.experiment._conditions import ExpandedDesign, NotApplicable, PerturbationRecord
from scenariokit.experiment._judges import judge_slots
from scenariokit.experiment._runner import FREE_PREFIXES, estimate_prompt_tokens
from scenariokit.experiment._store import StudyStore
from scenariokit.providers import PRICES_AS_OF, UsageTracker, capabilities_for, parse_provider_name


@dataclass(frozen=True)
class PlanRow:
    """What one (model, condition) would run."""

    model: str
    """``provider/model``."""

    label: str
    """Condition label."""

    fingerprint: str
    """Condition fingerprint."""

    samples: int
    """Samples still to run (already stored ``ok`` ones excluded)."""

    prompt_tokens: int
    """Estimated prompt tokens of one request (rendered characters / 4)."""

    perturbations: tuple[PerturbationRecord, ...] = ()
    """For a sweep variant: how it was made from its base (operator, declared effect, changes)."""


@dataclass(frozen=True)
class Plan:
    """A dry run: the conditions, requests and estimated tokens and cost of a design."""

    rows: tuple[PlanRow, ...]
    """One per (model, condition)."""

    max_turns: int
    """Most requests per sample."""

    max_tokens: dict[str, int]
    """Model -> ``max_tokens`` of its config (output tokens per request, at most)."""

    prices: dict[str, tuple[float, float] | None]
    """Model -> (input, output) USD per million tokens, or ``None`` when unknown."""

    already_done: int = 0
    """Samples already stored in the study's store."""

    cache_prices: dict[str, tuple[float, float, int] | None] | None = None
    """Model -> (cached-read, cache-write USD per million tokens, shortest cached prompt in tokens) for models
    with prompt caching, else ``None``."""

    batch_prices: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    """Model -> (input, output) USD per million tokens through the vendor's batch API, or ``None`` when it
    has none or its price is unknown (free models have no entry)."""

    not_applicable: tuple[NotApplicable, ...] = ()
    """Sweep operators that do not apply to their base (no variant is run for them)."""

    judges: dict[str, tuple[int, int, tuple[float, float] | None]] = field(default_factory=dict)
    """Judge model -> (requests for the samples to run, one per sample and category; at most tokens of
    those requests; (input, output) USD per million tokens or ``None``). Stored samples a judge has not
    judged yet add requests too."""

    @property
    def samples(self) -> int:
        """Samples to run."""
        return sum(r.samples for r in self.rows)

    @property
    def requests(self) -> int:
        """Requests at most (samples x max_turns; single-turn designs make exactly one per sample)."""
        return self.samples * self.max_turns

    def tokens(self, model: str | None = None) -> tuple[int, int]:
        """Estimated (input, at most output) tokens, for one model or all."""
        rows = [r for r in self.rows if model is None or r.model == model]
        prompt = sum(r.samples * r.prompt_tokens for r in rows) * self.max_turns
        output = sum(r.samples * self.max_tokens[r.model] for r in rows) * self.max_turns
        return prompt, output

    def cost(self, model: str | None = None, *, batch: bool = False) -> tuple[float, float] | None:
        """Estimated USD: (prompt tokens only, prompt + max output tokens); ``None`` if a price is unknown.

        With ``batch``, at the batch APIs' prices (``None`` if a model has none). Prompt caching is not
        counted: it lowers the cost of the prompt tokens it serves.
        """
        models = [model] if model is not None else list(self.max_tokens)
        low = high = 0.0
        for m in models:
            price = self.batch_prices.get(m) if batch else self.prices[m]
            if price is None:
                return None
            prompt, output = self.tokens(m)
            low += prompt * price[0] / 1e6
            high += (prompt * price[0] + output * price[1]) / 1e6
        return low, high

    def cached_cost(self, model: str) -> tuple[float, float] | None:
        """Estimated USD with prompt caching, as :meth:`cost` (``None`` when the price is unknown).

        Each condition's prompt is written to the cache by its first sample and read by the others (when it is
        long enough to be cached); later turns of multi-turn episodes are counted uncached.
        """
        price = self.prices[model]
        cache = (self.cache_prices or {}).get(model)
        if price is None:
            return None
        if cache is None:
            return self.cost(model)
        read, write, minimum = cache
        low = 0.0
        for r in self.rows:
            if r.model != model or not r.samples:
                continue
            first_turn = r.samples * r.prompt_tokens * price[0]
            if r.prompt_tokens >= minimum:
                first_turn = r.prompt_tokens * write + (r.samples - 1) * r.prompt_tokens * read
            low += (first_turn + r.samples * r.prompt_tokens * (self.max_turns - 1) * price[0]) / 1e6
        _, output = self.tokens(model)
        return low, low + output * price[1] / 1e6

    def describe(self) -> str:
        """A plain-text description of the plan."""
        lines = [f"{'model':<32} {'condition':<48} {'samples':>8} {'prompt tok':>10}"]
        lines += [f"{r.model:<32} {r.label:<48} {r.samples:>8} {r.prompt_tokens:>10}" for r in self.rows]
        prompt, output = self.tokens()
        variants = {r.fingerprint: r for r in self.rows if r.perturbations}
        if variants or self.not_applicable:
            lines += [
                "",
                f"perturbation sweeps: {len(variants)} variant condition(s), each compared with its base:",
            ]
            for r in variants.values():
                for p in r.perturbations:
                    lines.append(f"  {r.label}: variant of {p.base_label} by {p.summary(limit=2)}")
            for na in self.not_applicable:
                lines.append(f"  not applicable: {na.source} {na.operator} on {na.base_label}: {na.reason}")
        lines.append("")
        if self.already_done:
            lines.append(f"{self.already_done} sample(s) already stored will not be run again.")
        lines.append(
            f"{len({r.fingerprint for r in self.rows})} condition(s) x {len(self.max_tokens)} model(s): "
            f"{self.samples} sample(s), {self.requests} request(s) at most (max_turns={self.max_turns})"
        )
        lines.append(
            f"estimated tokens: {prompt:,} input + at most {output:,} output (4 characters per token)"
        )
        for m in self.max_tokens:
            cost = self.cost(m)
            text = (
                "unknown price"
                if cost is None
                else f"${cost[0]:.2f} (input only) to ${cost[1]:.2f} (max output)"
            )
            cached = self.cached_cost(m) if (self.cache_prices or {}).get(m) is not None else None
            if cost is not None and cached is not None:
                text += f"; with prompt caching ${cached[0]:.2f} to ${cached[1]:.2f}"
            batch = self.cost(m, batch=True)
            if cost is not None and m in self.batch_prices:
                text += (
                    "; through the batch API: no batch API or price"
                    if batch is None
                    else f"; through the batch API: ${batch[0]:.2f} to ${batch[1]:.2f}"
                )
            lines.append(f"estimated cost {m}: {text}")
        for judge, (requests, tokens, price) in self.judges.items():
            usd = "unknown price" if price is None else f"at most ${tokens * max(price) / 1e6:.2f}"
            lines.append(
                f"judge {judge}: {requests} request(s) for the samples to run (one per sample and category; more if "
                f"an answer is invalid), at most {tokens:,} tokens, {usd}"
            )
        lines.append(f"(prices approximate, as of {PRICES_AS_OF}; the simulator is free)")
        return "\n".join(lines)


def plan(expanded: ExpandedDesign, store: StudyStore | None = None) -> Plan:
    """Plan a design without running it (reads, never writes, ``store`` to skip what is done).

    Args:
        expanded: The expanded design.
        store: The study's store, if it exists.

    Returns:
        The plan.
    """
    tracker = UsageTracker()
    rows = []
    done_total = 0
    n = expanded.design.samples
    for m in expanded.models:
        for c in expanded.conditions:
            done = (
                store.completed_indices(c.fingerprint, m.name, m.config_hash) if store is not None else set()
            )
            done_count = len([i for i in done if i < n])
            done_total += done_count
            rows.append(
                PlanRow(
                    m.name, c.label, c.fingerprint, n - done_count, estimate_prompt_tokens(c), c.perturbations
                )
            )
    design = expanded.design
    judges: dict[str, tuple[int, int, tuple[float, float] | None]] = {}
    if design.judge is not None or design.judge_models:
        written = max((m.spec.config.max_tokens for m in expanded.models), default=0) * design.max_turns
        for c in expanded.conditions:
            todo = sum(r.samples for r in rows if r.fingerprint == c.fingerprint)
            categories = [d.category for d in default_suite(c.rendered).detectors]
            for slot in judge_slots(categories, design.judge, design.detectors):
                requests, tokens, _ = judges.get(slot.model, (0, 0, None))
                per_call = estimate_prompt_tokens(c) + written + slot.max_tokens
                judges[slot.model] = (requests + todo, tokens + todo * per_call, None)
        for judge, (requests, tokens, _) in judges.items():
            judge_price = None if parse_provider_name(judge)[0] not in FREE_PREFIXES else (0.0, 0.0)
            if judge_price is None:
                found = tracker.price_of(judge)
                judge_price = None if found is None else (found.input, found.output)
            judges[judge] = (requests, tokens, judge_price)
    prices: dict[str, tuple[float, float] | None] = {}
    cache_prices: dict[str, tuple[float, float, int] | None] = {}
    batch_prices: dict[str, tuple[float, float] | None] = {}
    for m in expanded.models:
        cache_prices[m.name] = None
        if parse_provider_name(m.name)[0] in FREE_PREFIXES:
            prices[m.name] = (0.0, 0.0)
        else:
            price = tracker.price_of(m.name)
            prices[m.name] = None if price is None else (price.input, price.output)
            caps = capabilities_for(m.name)
            if price is not None and caps.prompt_caching != "none":
                read = price.input if price.cache_read is None else price.cache_read
                write = price.input if price.cache_write is None else price.cache_write
                cache_prices[m.name] = (read, write, caps.cache_min_tokens)
            batch_prices[m.name] = (
                (price.batch_input, price.batch_output)
                if price is not None and price.batch_input is not None and price.batch_output is not None
                else None
            )
    return Plan(
        rows=tuple(rows),
        max_turns=expanded.design.max_turns,
        max_tokens={m.name: m.spec.config.max_tokens for m in expanded.models},
        prices=prices,
        cache_prices=cache_prices,
        batch_prices=batch_prices,
        already_done=done_total,
        not_applicable=expanded.not_applicable,
        judges=judges,
    )
