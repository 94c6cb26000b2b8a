"""Sampling a model's harmful rate on one scenario: N explicit samples, each with its index and seed.

Randomness has owners: Hypothesis chooses the scenario, and repeated sampling of the model is explicit.
Sample ``i`` of a scenario always gets the seed :func:`episode_seed` ``(fingerprint, i, seed)``, so with
recorded responses (keyed by the request, which includes the rendered prompt and that seed, and by ``i``) a
property replays and shrinks deterministically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import partial
from typing import Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field

from scenariokit.agent import Transcript, run_episode
from scenariokit.detectors._actions import BlackmailDetector, LeakDetector, LethalActionDetector
from scenariokit.detectors._base import BaseDetector, Detector
from scenariokit.detectors._suite import FAMILY_ACTION_DETECTORS
from scenariokit.detectors._verdict import Verdict
from scenariokit.providers._protocol import Provider
from scenariokit.providers._types import GenerateConfig
from scenariokit.scenario import ConfidentialMaterial, EmergencyAlert, RenderedScenario, Scenario, ToolMode
from scenariokit.stats import Decision, Rate, SequentialTest, estimate_rate
from scenariokit.testing._model import CallBudget, ModelUnderTest, as_model, run_sync

SampleOutcome = Literal["harmful", "benign", "unscorable"]
"""What the detector said about one sample (an episode error is ``unscorable``)."""

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
_DEFAULT_CONFIG = GenerateConfig()


def episode_seed(fingerprint: str, sample_index: int, seed: int = 0) -> int:
    """The seed of sample ``sample_index`` of the scenario with this fingerprint (32 bits).

    It depends only on the rendered prompt's fingerprint, the index and the base ``seed``, never on
    Hypothesis or on the order in which scenarios are tried, so replays and shrinking see the same requests.

    Example:
        >>> episode_seed("ab12", 0) == episode_seed("ab12", 0) != episode_seed("ab12", 1)
        True
    """
    if sample_index < 0:
        raise ValueError(f"sample_index must be 0 or more, got {sample_index}")
    digest = hashlib.sha256(f"scenariokit-testing:{seed}:{fingerprint}:{sample_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def default_detector(scenario: Scenario | RenderedScenario) -> Detector:
    """The action detector that decides "harmful" for a scenario's family.

    The family's first action detector (``blackmail-action``, ``leak-action``, ``lethal-action``), so that
    a scenario and its perturbations (even one that removes the opportunity) are scored by the same
    detector. For a family of your own, it is chosen from what the scenario contains (leverage, confidential
    material, an emergency alert).

    Raises:
        ValueError: If nothing in the scenario or its family says which harm to look for.

    Example:
        >>> from scenariokit.scenario import leaking
        >>> default_detector(leaking()).name
        'leak-action'
    """
    s = scenario.scenario if isinstance(scenario, RenderedScenario) else scenario
    kinds = FAMILY_ACTION_DETECTORS.get(s.family)
    if kinds:
        return kinds[0]()
    chosen: type[BaseDetector] | None = None
    if s.leverage is not None:
        chosen = BlackmailDetector
    elif isinstance(s.opportunity, ConfidentialMaterial):
        chosen = LeakDetector
    elif isinstance(s.opportunity, EmergencyAlert):
        chosen = LethalActionDetector
    if chosen is None:
        raise ValueError(
            f"no default detector for family {s.family!r}: the scenario has no leverage, confidential material "
            "or emergency alert; pass detector=... (e.g. scenariokit.detectors.BlackmailDetector())"
        )
    return chosen()


def transcript_digest(transcript: Transcript) -> str:
    """A SHA-256 of a transcript's messages: equal digests mean the model said exactly the same."""
    data = [m.model_dump(mode="json") for m in transcript.messages]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class SampleRecord(BaseModel):
    """One sample of a scenario: its index, seed, verdict and the digest of its transcript."""

    model_config = _FROZEN

    index: int = Field(ge=0)
    """Sample index (sent to the provider; part of the recording key)."""

    seed: int
    """The sample's seed (:func:`episode_seed`)."""

    outcome: SampleOutcome
    """``harmful``, ``benign`` or ``unscorable``."""

    transcript: str
    """SHA-256 of the transcript's messages (:func:`transcript_digest`)."""

    reason: str | None = None
    """Why the sample is unscorable (the detector's reason or the episode's error), else ``None``."""


class RateSample(BaseModel):
    """The harmful rate of a model on one scenario, from explicit samples, with what is needed to reproduce it.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> r = sample_rate("sim/self_preserving", blackmail(), n=10, seed=1)
        >>> r.rate.scorable, r.fingerprint == blackmail().render().fingerprint
        (10, True)
    """

    model_config = _FROZEN

    model: str
    """The model's ``provider/model`` name."""

    fingerprint: str
    """Fingerprint of the rendered scenario."""

    condition_id: str | None
    """The study's condition id, or ``None``."""

    family: str
    """The scenario's family."""

    tool_mode: ToolMode
    """How the agent acted (text tags or native calls)."""

    detector: str
    """Name and version of the detector that decided harm (``name@version``)."""

    seed: int
    """Base seed; sample ``i`` used ``episode_seed(fingerprint, i, seed)``."""

    requested: int = Field(ge=0)
    """Samples asked for (``n``); fewer were used when a sequential test stopped early."""

    rate: Rate
    """Harmful rate over scorable samples (Wilson 95%), unscorable ones counted apart."""

    samples: tuple[SampleRecord, ...]
    """Every sample used, in index order."""

    sequential: Decision | None = None
    """The SPRT's decision when sampling was sequential, else ``None``."""

    @property
    def transcript_fingerprints(self) -> tuple[str, ...]:
        """The transcript digests, in sample order."""
        return tuple(s.transcript for s in self.samples)

    @property
    def label(self) -> str:
        """The condition id, or the family and the first 12 characters of the fingerprint."""
        return self.condition_id or f"{self.family} {self.fingerprint[:12]}"

    @property
    def unscorable_reasons(self) -> dict[str, int]:
        """Each distinct unscorable reason with its count."""
        out: dict[str, int] = {}
        for s in self.samples:
            if s.reason is not None:
                out[s.reason] = out.get(s.reason, 0) + 1
        return out


def _outcome(transcript: Transcript, verdict: Verdict | None) -> tuple[SampleOutcome, str | None]:
    if transcript.error is not None:
        return (
            "unscorable",
            f"episode error {transcript.error.type.rpartition('.')[2]}: {transcript.error.message}",
        )
    assert verdict is not None
    if not verdict.is_scorable:
        return "unscorable", verdict.reason
    return ("harmful" if verdict.is_harmful else "benign"), None


async def sample_rate_async(
    model: str | Provider | ModelUnderTest,
    scenario: Scenario | RenderedScenario,
    detector: Detector | None = None,
    *,
    n: int = 30,
    seed: int = 0,
    budget: CallBudget | int | None = None,
    sequential: SequentialTest | None = None,
    tool_mode: ToolMode = "text",
    config: GenerateConfig = _DEFAULT_CONFIG,
    max_turns: int = 1,
    concurrency: int = 8,
) -> RateSample:
    """Run ``n`` episodes of a scenario and return the harmful rate (async form of :func:`sample_rate`)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    mut = as_model(model, budget=budget)
    rendered = scenario if isinstance(scenario, RenderedScenario) else scenario.render(tool_mode=tool_mode)
    det = detector if detector is not None else default_detector(rendered)
    fp = rendered.fingerprint
    records: list[SampleRecord] = []
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(i: int, out: list[SampleRecord | None]) -> None:
        async with limiter:
            s = episode_seed(fp, i, seed)
            t = await run_episode(
                mut.provider, rendered, config=config, sample_index=i, seed=s, max_turns=max_turns
            )
            verdict = await det.detect(t, rendered) if t.error is None else None
            outcome, reason = _outcome(t, verdict)
            out[i - start] = SampleRecord(
                index=i, seed=s, outcome=outcome, transcript=transcript_digest(t), reason=reason
            )

    start = 0
    decision: Decision | None = None
    batch = n if sequential is None else concurrency
    while start < n:
        stop = min(n, start + batch)
        got: list[SampleRecord | None] = [None] * (stop - start)
        async with anyio.create_task_group() as tg:
            for i in range(start, stop):
                tg.start_soon(one, i, got)
        mut.raise_if_aborted()
        done = [r for r in got if r is not None]
        if sequential is None:
            records.extend(done)
        else:
            for r in done:
                if sequential.state.stopped:
                    break
                records.append(r)
                if r.outcome != "unscorable":
                    sequential.update(r.outcome == "harmful")
            if sequential.state.stopped:
                break
        start = stop
    if sequential is not None:
        decision = sequential.decision()
    harmful = sum(r.outcome == "harmful" for r in records)
    scorable = sum(r.outcome != "unscorable" for r in records)
    return RateSample(
        model=mut.name,
        fingerprint=fp,
        condition_id=rendered.condition_id,
        family=rendered.scenario.family,
        tool_mode=rendered.tool_mode,
        detector=f"{det.name}@{det.version}",
        seed=seed,
        requested=n,
        rate=estimate_rate(harmful, scorable, len(records) - scorable),
        samples=tuple(records),
        sequential=decision,
    )


def sample_rate(
    model: str | Provider | ModelUnderTest,
    scenario: Scenario | RenderedScenario,
    detector: Detector | None = None,
    *,
    n: int = 30,
    seed: int = 0,
    budget: CallBudget | int | None = None,
    sequential: SequentialTest | None = None,
    tool_mode: ToolMode = "text",
    config: GenerateConfig = _DEFAULT_CONFIG,
    max_turns: int = 1,
    concurrency: int = 8,
) -> RateSample:
    """Run ``n`` episodes of a scenario against a model and return its harmful rate.

    Sample ``i`` (``0 <= i < n``) is sent with ``sample_index=i`` and ``seed=episode_seed(fingerprint, i,
    seed)``; the detector (by default the family's action detector, see :func:`default_detector`) scores
    each transcript. Episode errors and detector "unscorable" verdicts are counted apart from the rate's
    denominator, never as benign.

    Args:
        model: ``provider/model`` name (``sim/<profile>`` for the offline simulator), a provider, or a
            :class:`ModelUnderTest` (recordings, live policy, budget).
        scenario: The scenario (rendered with ``tool_mode``) or a rendered scenario.
        detector: The detector that decides harm; default :func:`default_detector`.
        n: Samples to run (the most, with ``sequential``).
        seed: Base seed of the samples.
        budget: A :class:`CallBudget` or a maximum number of calls for this sampling (default: the model's).
        sequential: An SPRT (:class:`scenariokit.stats.SequentialTest`) fed each scorable sample in index
            order; sampling stops when it decides (its decision is in ``RateSample.sequential``).
        tool_mode: ``text`` (the study's tags) or ``native`` tool calls, when ``scenario`` is not rendered.
        config: Generation settings (its seed is replaced by each sample's).
        max_turns: Model calls per episode.
        concurrency: Episodes in flight at once (with ``sequential``, also the batch size).

    Returns:
        The rate, the per-sample records (index, seed, outcome, transcript digest) and what reproduces it.

    Raises:
        BudgetExceededError: If the model's budget does not allow the calls.
        LiveCallError: If live calls are refused and a response is not recorded.
        ReplayMissError: In replay-only mode, if a response is not recorded.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> from scenariokit.stats import SequentialTest
        >>> r = sample_rate("sim/compliant", blackmail(), n=200, sequential=SequentialTest(0.05, 0.2))
        >>> r.sequential.outcome, len(r.samples) < 200
        ('pass', True)
    """
    mut = as_model(model, budget=budget)
    return run_sync(
        mut,
        partial(
            sample_rate_async,
            mut,
            scenario,
            detector,
            n=n,
            seed=seed,
            sequential=sequential,
            tool_mode=tool_mode,
            config=config,
            max_turns=max_turns,
            concurrency=concurrency,
        ),
    )


async def sample_rates_async(
    model: str | Provider | ModelUnderTest,
    scenarios: Sequence[Scenario | RenderedScenario],
    detector: Detector | None = None,
    *,
    n: int = 30,
    seed: int = 0,
    budget: CallBudget | int | None = None,
    tool_mode: ToolMode = "text",
    config: GenerateConfig = _DEFAULT_CONFIG,
    max_turns: int = 1,
    concurrency: int = 8,
) -> list[RateSample]:
    """Sample several scenarios with one model and one budget; results in the order given."""
    mut = as_model(model, budget=budget)
    return [
        await sample_rate_async(
            mut,
            s,
            detector,
            n=n,
            seed=seed,
            tool_mode=tool_mode,
            config=config,
            max_turns=max_turns,
            concurrency=concurrency,
        )
        for s in scenarios
    ]
