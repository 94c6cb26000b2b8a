"""Dry runs estimate the cost with prompt caching beside the uncached one."""

from __future__ import annotations

import pytest

from scenariokit.experiment import Design, ModelSpec, plan
from scenariokit.providers import GenerateConfig, capabilities_for


def _plan(model: str, samples: int = 100) -> object:
    design = Design(
        scenarios=[{"family": "blackmail"}],
        models=[ModelSpec(name=model, config=GenerateConfig(max_tokens=1000))],
        samples=samples,
    )
    return plan(design.expand())


def test_a_cached_prompt_is_written_once_and_read_by_the_other_samples() -> None:
    name = "anthropic/claude-opus-4-20250514"
    p = _plan(name)
    (row,) = p.rows  # type: ignore[attr-defined]
    price = capabilities_for(name).price
    assert price is not None and price.cache_read is not None and price.cache_write is not None
    assert row.prompt_tokens >= capabilities_for(name).cache_min_tokens
    low, high = p.cached_cost(name)  # type: ignore[attr-defined]
    expected = (row.prompt_tokens * price.cache_write + 99 * row.prompt_tokens * price.cache_read) / 1e6
    assert low == pytest.approx(expected)
    assert high == pytest.approx(expected + 100 * 1000 * price.output / 1e6)
    uncached_low, _ = p.cost(name)  # type: ignore[attr-defined]
    assert low < 0.2 * uncached_low
    assert "with prompt caching" in p.describe()  # type: ignore[attr-defined]


def test_a_prompt_shorter_than_the_cache_minimum_and_a_model_without_caching_cost_the_same() -> None:
    gemini = _plan("google/gemini-2.5-pro")
    (row,) = gemini.rows  # type: ignore[attr-defined]
    assert row.prompt_tokens < capabilities_for("google/gemini-2.5-pro").cache_min_tokens
    assert gemini.cached_cost("google/gemini-2.5-pro") == gemini.cost("google/gemini-2.5-pro")  # type: ignore[attr-defined]
    llama = _plan("together/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8")
    assert "with prompt caching" not in llama.describe()  # type: ignore[attr-defined]
