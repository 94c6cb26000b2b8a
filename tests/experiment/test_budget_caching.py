"""A dollar budget charges cached prompt reads and cache writes at their prices, not at the input price."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from scenariokit.experiment import Design, Runner, StudyStore
from scenariokit.providers import GenerateConfig, Message, ModelResponse, Usage, capabilities_for
from scenariokit.simulator import create_simulator

pytestmark = pytest.mark.anyio

MODEL = "anthropic/claude-opus-4"
PREFIX = 4_000


class CachingSim:
    """The simulator, with the usage of a vendor whose cache holds the prompt after the first call."""

    def __init__(self, *, cached: bool) -> None:
        self._inner = create_simulator("self_preserving")
        self.cached = cached
        self.calls = 0

    @property
    def name(self) -> str:
        return MODEL

    def for_scenario(self, rendered: object) -> CachingSim:
        self._inner = self._inner.for_scenario(rendered)  # type: ignore[arg-type]
        return self

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[object] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        response = await self._inner.generate(messages, tools=tools, config=config, sample_index=sample_index)  # type: ignore[arg-type]
        self.calls += 1
        read = PREFIX if self.cached and self.calls > 1 else 0
        write = PREFIX if self.cached and self.calls == 1 else 0
        usage = Usage(
            input_tokens=PREFIX + 100, cache_read_tokens=read, cache_write_tokens=write, output_tokens=400
        )
        return response.model_copy(update={"usage": usage})

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("cached", [True, False])
async def test_the_budget_is_spent_at_cached_prices(tmp_path: Path, cached: bool) -> None:
    price = capabilities_for(MODEL).price
    assert price is not None
    per_cached = price.cost(Usage(input_tokens=PREFIX + 100, cache_read_tokens=PREFIX, output_tokens=400))
    per_uncached = price.cost(Usage(input_tokens=PREFIX + 100, output_tokens=400))
    budget = 21 * per_cached + 2 * per_uncached  # room for 20 cached samples, not for 20 uncached ones
    assert budget < 20 * per_uncached
    design = Design(scenarios=[{"family": "blackmail"}], models=[MODEL], samples=20)
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(
            design.expand(), store, {MODEL: CachingSim(cached=cached)}, concurrency=1, budget_usd=budget
        )
        result = await runner.run()
    if cached:
        assert result.stop_reason == "complete" and result.completed == 20
    else:
        assert result.stop_reason == "budget" and result.completed < 20
    assert result.cost_usd <= budget
