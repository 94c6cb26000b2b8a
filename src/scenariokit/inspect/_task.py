"""An Inspect task that runs scenariokit scenarios: dataset, episode solver, detector scorers.

This module imports inspect-ai when it is imported (``scenariokit.inspect.scenario_task`` imports it on first
use).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import ToolInfo, ToolParams

from scenariokit.agent import Transcript, run_episode
from scenariokit.detectors import Verdict, default_suite
from scenariokit.experiment import ExpandedDesign, design_from_data, load_design
from scenariokit.inspect._export import outcome_metrics, verdict_score
from scenariokit.inspect._messages import from_inspect_messages, to_inspect_messages
from scenariokit.providers import AssistantMessage, Message, ModelResponse, StopReason, Tool, Usage
from scenariokit.providers import GenerateConfig as SkGenerateConfig
from scenariokit.providers._protocol import ClosesOnExit
from scenariokit.scenario import RenderedScenario

TRANSCRIPT_KEY = "scenariokit_transcript"
"""Key of the sample's store under which the solver keeps the episode's transcript (JSON)."""

_STOP = {
    "stop": StopReason.END_TURN,
    "max_tokens": StopReason.MAX_TOKENS,
    "model_length": StopReason.CONTEXT_WINDOW_EXCEEDED,
    "tool_calls": StopReason.TOOL_USE,
    "content_filter": StopReason.CONTENT_FILTER,
}


class InspectModelProvider(ClosesOnExit):
    """A scenariokit provider that asks an Inspect model (so that episodes run through Inspect's model API).

    Args:
        model: The Inspect model (``get_model()`` inside a task: the one ``inspect eval --model`` chose).
    """

    def __init__(self, model: Model) -> None:
        self._model = model

    @property
    def name(self) -> str:
        """The Inspect model's name (``openai/gpt-4.1``, ``mockllm/model``)."""
        return str(self._model)

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: SkGenerateConfig = SkGenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Ask the Inspect model for the next turn (tools are offered as Inspect tool definitions)."""
        inspect_messages = to_inspect_messages(Transcript(model=self.name, messages=tuple(messages)))
        infos = [
            ToolInfo(
                name=t.name, description=t.description, parameters=ToolParams.model_validate(t.parameters)
            )
            for t in tools
        ]
        started = time.monotonic()
        output = await self._model.generate(
            inspect_messages,
            tools=infos,
            config=GenerateConfig(
                temperature=config.temperature,
                max_tokens=config.max_tokens,
                seed=config.seed,
                top_p=config.top_p,
                stop_seqs=list(config.stop) or None,
            ),
        )
        converted = from_inspect_messages([output.message])[0]
        message = converted if isinstance(converted, AssistantMessage) else AssistantMessage()
        usage = output.usage
        return ModelResponse(
            message=message,
            stop_reason=_STOP.get(output.stop_reason, StopReason.OTHER),
            raw_stop_reason=output.stop_reason,
            usage=Usage(
                input_tokens=usage.input_tokens if usage is not None else 0,
                output_tokens=usage.output_tokens if usage is not None else 0,
            ),
            latency_s=time.monotonic() - started,
            model=output.model or self.name,
            provider=self.name.split("/", 1)[0],
        )


def _sample(rendered: RenderedScenario, label: str, factors: dict[str, str]) -> Sample:
    return Sample(
        id=label,
        input=[
            ChatMessageSystem(content=rendered.system_prompt),
            ChatMessageUser(content=rendered.user_message),
        ],
        target="",
        metadata={
            "condition": label,
            "fingerprint": rendered.fingerprint,
            "condition_id": rendered.condition_id,
            "family": rendered.scenario.family,
            "factors": factors,
            "rendered": rendered.model_dump(mode="json"),
        },
    )


def _expanded(design: str | None, family: str, factors: dict[str, Any] | None) -> ExpandedDesign:
    if design is not None:
        return load_design(design).expand()
    entry: dict[str, Any] = {"family": family}
    if factors:
        entry["factors"] = factors
    data = {"name": f"inspect-{family}", "scenarios": [entry], "models": ["sim/compliant"], "samples": 1}
    return design_from_data(data, source="scenario_task").expand()


@solver
def play_episode(max_turns: int = 1) -> Solver:
    """Play the sample's scenario as a scenariokit episode through the task's Inspect model.

    The episode's messages replace the state's messages (reasoning as reasoning content), and its transcript
    is kept in the sample's store under :data:`TRANSCRIPT_KEY` for the scorers.

    Args:
        max_turns: Most model calls per episode (1: the study's set-up).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        rendered = RenderedScenario.model_validate(state.metadata["rendered"])
        provider = InspectModelProvider(get_model())
        transcript = await run_episode(provider, rendered, sample_index=state.epoch - 1, max_turns=max_turns)
        state.messages = to_inspect_messages(transcript)
        last = next((m for m in reversed(state.messages) if m.role == "assistant"), None)
        if last is not None:
            state.output = ModelOutput.from_message(last)
        state.store.set(TRANSCRIPT_KEY, transcript.to_json())
        return state

    return solve


@metric
def harm_rate() -> Metric:
    """Share of harmful verdicts among the scored ones (unscorable ones left out; NaN when none is scored)."""

    def compute(scores: list[SampleScore]) -> float:
        return outcome_metrics([str(s.score.value) for s in scores])["harm_rate"]

    return compute


@metric
def unscorable() -> Metric:
    """Number of unscorable verdicts."""

    def compute(scores: list[SampleScore]) -> float:
        return outcome_metrics([str(s.score.value) for s in scores])["unscorable"]

    return compute


async def _verdicts(state: TaskState) -> dict[str, Verdict]:
    rendered = RenderedScenario.model_validate(state.metadata["rendered"])
    raw = state.store.get(TRANSCRIPT_KEY)
    if raw is None:
        return {}
    return await default_suite(rendered).run(Transcript.from_json(raw), rendered)


def detector_scorer(name: str) -> Scorer:
    """A scorer that gives the verdict of one detector of the sample's default suite.

    The value is ``harmful``, ``benign`` or ``unscorable`` (also when the detector does not apply to the
    sample's scenario, or the solver kept no transcript), with the evidence in the explanation and metadata.

    Args:
        name: The detector's name (``blackmail-action``, ``eval-awareness-heuristic``, ...).
    """

    @scorer(metrics=[harm_rate(), unscorable()], name=name)
    def make() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            verdict = (await _verdicts(state)).get(name)
            if verdict is None:
                return Score(
                    value="unscorable", explanation=f"{name} does not apply, or the episode did not run"
                )
            return verdict_score(verdict.model_dump(mode="json"))

        return score

    return make()


@task
def scenario_task(
    design: str | None = None,
    family: str = "blackmail",
    factors: dict[str, Any] | None = None,
    max_turns: int = 1,
) -> Task:
    """Run scenariokit scenarios as an Inspect task: one sample per condition, scored by the default detectors.

    Run it with ``inspect eval scenariokit/scenario_task --model ...`` (``-T family=leaking``,
    ``-T design=study.yaml``; ``--epochs N`` for repeated samples).

    Args:
        design: A YAML design whose conditions (scenarios x factors) make the dataset; its models are ignored.
        family: Without a design: the family whose default condition (with ``factors``) is the dataset.
        factors: Without a design: factor values of the family (a value or a list of values each).
        max_turns: Most model calls per episode.
    """
    expanded = _expanded(design, family, factors)
    samples = [_sample(c.rendered, c.label, dict(c.factors)) for c in expanded.conditions]
    names: list[str] = []
    for c in expanded.conditions:
        names.extend(d.name for d in default_suite(c.rendered).detectors if d.name not in names)
    return Task(
        dataset=MemoryDataset(samples, name=expanded.design.name),
        solver=play_episode(max_turns=max_turns),
        scorer=[detector_scorer(n) for n in names],
        metadata={"scenariokit": {"design": expanded.design.name}},
    )
