"""A scripted provider for episode tests."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from scenariokit.providers import Tool
from scenariokit.providers._types import (
    AssistantMessage,
    AssistantPart,
    GenerateConfig,
    Message,
    ModelResponse,
    StopReason,
    TextPart,
    ToolCall,
    Usage,
)
from scenariokit.scenario import RenderedScenario

Step = AssistantMessage | BaseException


def text_reply(text: str) -> AssistantMessage:
    return AssistantMessage(content=(TextPart(text=text),))


def call_reply(*calls: ToolCall, text: str = "") -> AssistantMessage:
    parts: list[AssistantPart] = [TextPart(text=text)] if text else []
    return AssistantMessage(content=(*parts, *calls))


class ScriptedProvider:
    """Replies with the scripted steps in order (an exception step is raised); records every call."""

    def __init__(self, *steps: Step, repeat_last: bool = False) -> None:
        self.steps = list(steps)
        self.repeat_last = repeat_last
        self.calls: list[tuple[tuple[Message, ...], tuple[Tool, ...], GenerateConfig, int]] = []
        self.seen_scenarios: list[RenderedScenario] = []
        self.closed = 0

    @property
    def name(self) -> str:
        return "fake/scripted"

    def for_scenario(self, scenario: RenderedScenario) -> ScriptedProvider:
        """Remember the scenario the episode hands over (as the simulator needs it); the same provider."""
        self.seen_scenarios.append(scenario)
        return self

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        self.calls.append((tuple(messages), tuple(tools), config, sample_index))
        i = len(self.calls) - 1
        step = self.steps[min(i, len(self.steps) - 1)] if self.repeat_last else self.steps[i]
        if isinstance(step, BaseException):
            raise step
        return ModelResponse(
            message=step,
            stop_reason=StopReason.TOOL_USE if step.tool_calls else StopReason.END_TURN,
            usage=Usage(input_tokens=100, output_tokens=10),
            latency_s=0.25,
            model="fake-model-2026-01-01",
            request_id=f"req-{i}",
        )

    async def aclose(self) -> None:
        self.closed += 1

    async def __aenter__(self) -> ScriptedProvider:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
