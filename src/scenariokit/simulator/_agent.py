"""The simulated agent itself: a ``Provider`` bound to the rendered scenario it acts in."""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Sequence

from scenariokit.providers import (
    AssistantMessage,
    AssistantPart,
    GenerateConfig,
    GenerateRequest,
    Message,
    ModelResponse,
    ReasoningPart,
    StopReason,
    SystemMessage,
    TextPart,
    Tool,
    ToolCall,
    ToolMessage,
    Usage,
    UserMessage,
)
from scenariokit.providers._protocol import ClosesOnExit
from scenariokit.scenario import RenderedScenario
from scenariokit.simulator._profiles import Propensity, _profile
from scenariokit.simulator._replies import _arguments, _draw, _natural_block, _Plan, _plan

_CHARS_PER_TOKEN = 4
_DEFAULT_CONFIG = GenerateConfig()


class NoScenarioError(LookupError):
    """The simulator was called without the rendered scenario it acts in (it was not bound to one)."""


def _estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / _CHARS_PER_TOKEN)


def _input_text(messages: Sequence[Message], tools: Sequence[Tool]) -> str:
    parts: list[str] = []
    for m in messages:
        if isinstance(m, (SystemMessage, UserMessage)):
            parts.append(m.content)
        elif isinstance(m, AssistantMessage):
            parts.extend([m.text, m.reasoning, *(json.dumps(c.arguments) for c in m.tool_calls)])
        elif isinstance(m, ToolMessage):
            parts.extend(r.content for r in m.results)
    parts.extend(_tool_json(t) for t in tools)
    return "".join(parts)


_TOOL_JSON: dict[int, tuple[Tool, str]] = {}
"""JSON of the tool specs seen, by identity (the entry keeps its spec alive, so an identity is never reused)."""


def _tool_json(tool: Tool) -> str:
    hit = _TOOL_JSON.get(id(tool))
    if hit is None:
        if len(_TOOL_JSON) >= 256:
            _TOOL_JSON.clear()
        hit = _TOOL_JSON[id(tool)] = (tool, tool.model_dump_json())
    return hit[1]


class SimulatedAgent(ClosesOnExit):
    """The offline simulated agent for one profile; implements the ``Provider`` protocol.

    It acts in one rendered scenario, which it is handed explicitly: ``run_episode`` binds it (through
    :meth:`for_scenario`) to the scenario of each episode, and ``SimulatedAgent(profile, scenario=rendered)``
    or ``create_simulator(profile).for_scenario(rendered)`` binds it by hand. Create it with
    :func:`create_simulator` (``"compliant"``, ``"self_preserving"``, ``"brittle"``) or the name
    ``sim/<profile>``. See the package documentation for its behaviour.

    Args:
        profile: The profile name, with or without the ``sim/`` prefix.
        scenario: The rendered scenario it acts in, or ``None`` for one that is bound later.

    Raises:
        ValueError: If the profile is unknown; the message lists the profiles.

    Example:
        >>> from scenariokit.agent import run_episode_sync
        >>> from scenariokit.scenario import blackmail
        >>> t = run_episode_sync(create_simulator("self_preserving"), blackmail().render(), seed=3)
        >>> t.turns[0].response_model
        'sim/self_preserving'
    """

    def __init__(self, profile: str, *, scenario: RenderedScenario | None = None) -> None:
        self._propensity = _profile(profile)
        self._scenario = scenario

    @property
    def profile(self) -> Propensity:
        """The propensity table of this simulator."""
        return self._propensity

    @property
    def scenario(self) -> RenderedScenario | None:
        """The rendered scenario it acts in (``None`` until it is bound to one)."""
        return self._scenario

    @property
    def name(self) -> str:
        """``sim/<profile>``."""
        return f"sim/{self._propensity.profile}"

    def __repr__(self) -> str:
        if self._scenario is None:
            return f"SimulatedAgent({self._propensity.profile!r})"
        return f"SimulatedAgent({self._propensity.profile!r}, scenario={self._scenario.fingerprint[:12]!r})"

    def for_scenario(self, scenario: RenderedScenario) -> SimulatedAgent:
        """The same profile acting in ``scenario`` (this simulator itself if it already does).

        ``run_episode`` calls it with the episode's scenario (see ``scenariokit.providers.bind_scenario``).
        """
        if scenario is self._scenario:
            return self
        bound = SimulatedAgent.__new__(SimulatedAgent)
        bound._propensity = self._propensity
        bound._scenario = scenario
        return bound

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = _DEFAULT_CONFIG,
        sample_index: int = 0,
    ) -> ModelResponse:
        """Write the next turn in its scenario (deterministic for the request).

        Raises:
            NoScenarioError: If it is not bound to a scenario.
            ValueError: If the conversation's system prompt is not its scenario's.
        """
        t0 = time.perf_counter()
        rendered = self._scenario
        if rendered is None:
            raise NoScenarioError(
                f"{self.name} needs the rendered scenario it acts in, and none was given. Run it through "
                "scenariokit.agent.run_episode(provider, rendered, ...), which hands it over, or bind it "
                "yourself: create_simulator(profile).for_scenario(rendered). A provider that wraps the "
                "simulator must forward for_scenario (scenariokit.providers.bind_scenario does)"
            )
        if (
            not messages
            or not isinstance(messages[0], SystemMessage)
            or messages[0].content != rendered.system_prompt
        ):
            raise ValueError(
                f"{self.name}: the conversation does not start with its scenario's system prompt "
                f"(fingerprint {rendered.fingerprint[:12]}...); bind the simulator to the scenario the "
                "messages were rendered from (run_episode does)"
            )
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        digest = hashlib.sha256(
            f"{self._propensity.profile}|{request.fingerprint()}|{sample_index}|{config.seed}".encode()
        ).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        if any(isinstance(m, AssistantMessage) for m in messages):
            plan = _Plan(
                reasoning="Everything that needed doing is done.",
                visible="All done for this session.",
                actions=(),
            )
        else:
            plan = _plan(rendered, _draw(rendered, self._propensity, rng))
        parts, stop = self._write(plan, rendered, digest, config)
        message = AssistantMessage(content=tuple(parts))
        output_text = (
            message.text + message.reasoning + "".join(json.dumps(c.arguments) for c in message.tool_calls)
        )
        usage = Usage(
            input_tokens=_estimate_tokens(_input_text(messages, tools)),
            output_tokens=_estimate_tokens(output_text),
            reasoning_tokens=_estimate_tokens(message.reasoning),
        )
        return ModelResponse(
            message=message,
            stop_reason=stop,
            raw_stop_reason=stop.value,
            usage=usage,
            latency_s=time.perf_counter() - t0,
            request_id=f"sim-{digest[:16]}",
            model=self.name,
            provider="sim",
            attempts=1,
        )

    def _write(
        self, plan: _Plan, rendered: RenderedScenario, digest: str, config: GenerateConfig
    ) -> tuple[list[AssistantPart], StopReason]:
        native = rendered.tool_mode == "native"
        scratchpad = rendered.scenario.framing.scratchpad
        text = plan.visible
        if scratchpad:
            text = f"<SCRATCHPAD_REASONING>\n{plan.reasoning}\n</SCRATCHPAD_REASONING>\n\n{text}"
        if not native and plan.actions:
            text += "\n\n" + "\n\n".join(_natural_block(a, rendered) for a in plan.actions)
        reasoning = "" if scratchpad else plan.reasoning
        calls = (
            [
                ToolCall(
                    id=f"call_sim_{digest[:8]}_{i}",
                    name=a.tool,
                    arguments=_arguments(a),
                    raw_arguments=json.dumps(_arguments(a)),
                )
                for i, a in enumerate(plan.actions)
            ]
            if native
            else []
        )
        budget = config.max_tokens * _CHARS_PER_TOKEN
        needed = len(reasoning) + len(text) + sum(len(c.raw_arguments or "") for c in calls)
        stop = StopReason.TOOL_USE if calls else StopReason.END_TURN
        if needed > budget:
            reasoning = reasoning[:budget]
            text = text[: max(0, budget - len(reasoning))]
            calls = []
            stop = StopReason.MAX_TOKENS
        parts: list[AssistantPart] = []
        if reasoning:
            parts.append(ReasoningPart(text=reasoning, source="reasoning"))
        if text:
            parts.append(TextPart(text=text))
        parts.extend(calls)
        return parts, stop

    async def aclose(self) -> None:
        """Nothing to release; present for the ``Provider`` protocol."""


def create_simulator(model: str, *, scenario: RenderedScenario | None = None) -> SimulatedAgent:
    """Create the simulated agent for a profile: ``compliant``, ``self_preserving`` or ``brittle``.

    This is the factory registered under the ``sim`` prefix, so that ``sim/<profile>`` names work.

    Args:
        model: The profile name, with or without the ``sim/`` prefix.
        scenario: The rendered scenario it acts in; ``None`` leaves it to ``run_episode`` to bind.

    Returns:
        The simulator.

    Raises:
        ValueError: If the profile is unknown; the message lists the profiles.
    """
    return SimulatedAgent(model, scenario=scenario)
