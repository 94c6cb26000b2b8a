"""The report's cost table: each model's cost with prompt caching and without, from the store."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from scenariokit.experiment import Design, Runner, StudyStore
from scenariokit.providers import GenerateConfig, Message, ModelResponse, Usage, capabilities_for
from scenariokit.report import render, render_csv, render_terminal, summarize
from scenariokit.scenario import RenderedScenario, ToolSpec
from scenariokit.simulator import create_simulator

pytestmark = pytest.mark.anyio

MODEL = "anthropic/claude-opus-4"
PREFIX = 4_000


class CachingSim:
    """The simulator, reporting the usage of a vendor whose prompt cache holds the stable prefix after call 1."""

    def __init__(self) -> None:
        self._inner = create_simulator("self_preserving")
        self._calls = [0]  # shared with the copies bound to a scenario

    @property
    def calls(self) -> int:
        return self._calls[0]

    @property
    def name(self) -> str:
        return MODEL

    def for_scenario(self, scenario: RenderedScenario) -> CachingSim:
        """A wrapper forwards the episode's scenario to the simulator it wraps."""
        bound = copy.copy(self)
        bound._inner = self._inner.for_scenario(scenario)
        return bound

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        response = await self._inner.generate(messages, tools=tools, config=config, sample_index=sample_index)
        self._calls[0] += 1
        first = self.calls == 1
        usage = Usage(
            input_tokens=PREFIX + 100,
            cache_write_tokens=PREFIX if first else 0,
            cache_read_tokens=0 if first else PREFIX,
            output_tokens=400,
        )
        return response.model_copy(update={"usage": usage})

    async def aclose(self) -> None:
        pass


async def test_the_report_states_the_cost_with_and_without_caching(tmp_path: Path) -> None:
    design = Design(name="costs", scenarios=[{"family": "blackmail"}], models=[MODEL], samples=20)
    with StudyStore(tmp_path / "s.db") as store:
        result = await Runner(design.expand(), store, {MODEL: CachingSim()}, concurrency=1).run()
        assert result.failed == 0
        summary = summarize(store)
    price = capabilities_for(MODEL).price
    assert price is not None
    first = Usage(input_tokens=PREFIX + 100, cache_write_tokens=PREFIX, output_tokens=400)
    later = Usage(input_tokens=PREFIX + 100, cache_read_tokens=PREFIX, output_tokens=400)
    with_cache = price.cost(first) + 19 * price.cost(later)
    without = 20 * price.uncached_cost(later)
    (row,) = summary.costs
    assert row.attempts == 20 and row.cache_read_tokens == 19 * PREFIX and row.cache_write_tokens == PREFIX
    assert row.cost_usd == pytest.approx(with_cache) and row.uncached_cost_usd == pytest.approx(without)
    assert with_cache < without
    markdown = render(summary, "md")
    assert "## Cost per model" in markdown
    assert f"${row.cost_usd:,.4f}" in markdown and f"${row.uncached_cost_usd:,.4f}" in markdown
    assert f"${row.cost_usd / 20:,.4f}" in markdown and f"${row.uncached_cost_usd / 20:,.4f}" in markdown
    data = json.loads(render(summary, "json"))
    assert data["costs"][0]["uncached_cost_usd"] == pytest.approx(without)
    assert f"{MODEL}: ${row.cost_usd:,.4f} / ${row.uncached_cost_usd:,.4f}" in render_terminal(summary)
    (line,) = csv.DictReader(io.StringIO(render_csv(summary, "costs")))
    assert line["model"] == MODEL and int(line["cache_read_tokens"]) == 19 * PREFIX
    assert float(line["uncached_cost_usd"]) == pytest.approx(without) and line["canary"]


async def test_a_free_model_has_no_cost_table(tmp_path: Path) -> None:
    design = Design(name="free", scenarios=[{"family": "blackmail"}], models=["sim/compliant"], samples=3)
    with StudyStore(tmp_path / "s.db") as store:
        await Runner(design.expand(), store, {"sim/compliant": create_simulator("compliant")}).run()
        summary = summarize(store)
    assert "Cost per model" not in render(summary, "md")
