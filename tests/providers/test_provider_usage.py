"""Token and cost accounting."""

from __future__ import annotations

import pytest

from scenariokit.providers import (
    DEFAULT_PRICES,
    PRICES_AS_OF,
    AssistantMessage,
    ModelPrice,
    ModelResponse,
    StopReason,
    Usage,
    UsageTracker,
)


def test_costs_per_model_and_role():
    tracker = UsageTracker()
    tracker.record("anthropic/claude-sonnet-4-5-20250929", Usage(input_tokens=1_000_000, output_tokens=0))
    tracker.record("anthropic/claude-sonnet-4-5", Usage(output_tokens=1_000_000), role="judge")
    records = tracker.records()
    assert records[("anthropic/claude-sonnet-4-5-20250929", "agent")].cost_usd == pytest.approx(3.0)
    assert records[("anthropic/claude-sonnet-4-5", "judge")].cost_usd == pytest.approx(15.0)
    assert tracker.total_cost() == pytest.approx(18.0)
    assert tracker.total_usage() == Usage(input_tokens=1_000_000, output_tokens=1_000_000)


def test_cache_tokens_use_cache_prices():
    price = ModelPrice(input=10.0, output=20.0, cache_read=1.0, cache_write=12.5)
    usage = Usage(input_tokens=1_000_000, cache_read_tokens=400_000, cache_write_tokens=100_000)
    assert price.cost(usage) == pytest.approx(0.5 * 10 + 0.4 * 1 + 0.1 * 12.5)


def test_longest_prefix_wins():
    tracker = UsageTracker()
    assert tracker.price_of("openai/gpt-4.1-mini-2025-04-14") == DEFAULT_PRICES["openai/gpt-4.1-mini"]
    assert tracker.price_of("openai/gpt-4.1-2025-04-14") == DEFAULT_PRICES["openai/gpt-4.1"]


def test_unknown_model_has_no_cost_and_is_reported():
    tracker = UsageTracker()
    response = ModelResponse(
        message=AssistantMessage(), stop_reason=StopReason.END_TURN, usage=Usage(input_tokens=5), model="m"
    )
    tracker.record_response(response, name="vllm/local-model")
    assert tracker.total_cost() is None
    assert tracker.unpriced_models() == ["vllm/local-model"]
    tracker.set_price("vllm/local-model", ModelPrice(0.0, 0.0))
    tracker.record_response(response, name="vllm/local-model")
    assert tracker.total_cost() == 0.0
    assert PRICES_AS_OF in tracker.summary()
    assert "vllm/local-model" in tracker.summary()


def test_usage_addition():
    a = Usage(input_tokens=1, output_tokens=2, cache_read_tokens=3, cache_write_tokens=4, reasoning_tokens=5)
    assert a + a == Usage(
        input_tokens=2, output_tokens=4, cache_read_tokens=6, cache_write_tokens=8, reasoning_tokens=10
    )
