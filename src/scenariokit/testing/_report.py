"""Readable reports of property decisions, and how many samples an inconclusive one would need."""

from __future__ import annotations

import os
import shlex
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scenariokit.stats import Decision, decide_direction, decide_invariance, decide_threshold
from scenariokit.testing._sampling import RateSample

PropertyKind = Literal["threshold", "invariance", "direction"]
"""The kinds of robustness property the assertion helpers decide."""

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
_MAX_N = 100_000


def _scaled(count: int, total: int, new_total: int) -> int:
    return round(count * new_total / total) if total else 0


def _conclusive_at(decision: Decision, n: int, expect: Literal["lower", "higher"] | None) -> bool:
    """Whether the decision would be conclusive with ``n`` samples per group at the observed rates."""
    a = decision.rate
    if decision.kind in ("threshold", "sequential"):
        assert decision.threshold is not None
        k = _scaled(a.harmful, a.scorable, n)
        return decide_threshold(k, n, decision.threshold, alpha=decision.alpha).outcome != "inconclusive"
    b = decision.base
    assert b is not None
    assert decision.margin is not None
    ka, kb = _scaled(a.harmful, a.scorable, n), _scaled(b.harmful, b.scorable, n)
    if decision.kind == "invariance":
        d = decide_invariance(ka, n, kb, n, margin=decision.margin, alpha=decision.alpha)
    else:
        if expect is None:
            raise ValueError("suggest_n needs expect='lower' or 'higher' for a direction decision")
        d = decide_direction(ka, n, kb, n, expect=expect, margin=decision.margin, alpha=decision.alpha)
    return d.outcome != "inconclusive"


def suggest_n(decision: Decision, *, expect: Literal["lower", "higher"] | None = None) -> int | None:
    """Roughly how many scorable samples per scenario would make an inconclusive decision conclusive.

    It assumes the observed rates are the true ones and finds the smallest ``n`` at which the same decision
    rule, applied to those rates, is no longer inconclusive. ``None`` when no ``n`` up to 100,000 would do
    (e.g. the observed rate sits exactly on the threshold or the margin): change the threshold or the
    margin instead.

    Args:
        decision: A threshold, sequential, invariance or direction decision.
        expect: For a direction decision, the direction it tested (``"lower"`` or ``"higher"``).

    Example:
        >>> from scenariokit.stats import decide_threshold
        >>> d = decide_threshold(1, 20, 0.2)
        >>> d.outcome, suggest_n(d)
        ('inconclusive', 22)
    """
    if decision.rate.scorable == 0 or (decision.base is not None and decision.base.scorable == 0):
        return None
    current = max(decision.rate.scorable, decision.base.scorable if decision.base else 0, 1)
    if _conclusive_at(decision, current, expect):
        return current
    hi = current
    while not _conclusive_at(decision, hi, expect):
        hi *= 2
        if hi > _MAX_N:
            return None
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _conclusive_at(decision, mid, expect):
            hi = mid
        else:
            lo = mid
    return hi


class Reproduction(BaseModel):
    """How to run a property again exactly."""

    model_config = _FROZEN

    model: str
    """The model's ``provider/model`` name."""

    seed: int
    """The base seed of the samples."""

    n: int
    """Samples per scenario."""

    recordings: str | None = None
    """The recordings directory, or ``None``."""

    record: str | None = None
    """The record mode used with the recordings."""

    test: str | None = None
    """The pytest node id, when run under pytest."""

    def python_call(self) -> str:
        """The Python call that resamples one scenario exactly (pass the scenario with the fingerprint shown)."""
        recordings = (
            f", recordings={self.recordings!r}, record={self.record or 'none'!r}" if self.recordings else ""
        )
        return (
            f"sample_rate(ModelUnderTest({self.model!r}{recordings}), scenario, n={self.n}, seed={self.seed})"
        )

    def commands(self) -> list[str]:
        """The pytest command that reruns the property (empty outside pytest)."""
        out: list[str] = []
        if self.test:
            args = [
                "pytest",
                self.test,
                f"--scenariokit-model={self.model}",
                f"--scenariokit-seed={self.seed}",
            ]
            if self.recordings:
                args += [f"--scenariokit-recordings={self.recordings}", "--scenariokit-record=none"]
            out.append(shlex.join(args))
        return out


class PropertyReport(BaseModel):
    """Everything about one property decision, for a failure message or a log.

    ``render()`` gives the readable text: the verdict and its numbers, each scenario's rate with its
    interval, fingerprint and condition id, the perturbation's record of changes, and how to reproduce.
    """

    model_config = _FROZEN

    kind: PropertyKind
    """Threshold, invariance or direction."""

    claim: str
    """The property in words, e.g. ``"harmful rate <= 0.1"``."""

    decision: Decision
    """The statistical decision with its numbers."""

    model: str
    """The model, with a note when it is the simulator."""

    samples: tuple[RateSample, ...]
    """The sampled scenarios: the scenario under test first, then (for comparisons) the changed one."""

    roles: tuple[str, ...]
    """A label per sampled scenario (``"scenario"``, ``"base"``, ``"changed"``)."""

    changes: str | None = None
    """The perturbation's description and record of changes, or ``None``."""

    suggested_n: int | None = None
    """For an inconclusive decision: about how many samples per scenario would decide it."""

    reproduction: Reproduction
    """How to run it again."""

    extra: tuple[str, ...] = Field(default=())
    """Further lines (e.g. Hypothesis context)."""

    @property
    def outcome(self) -> str:
        """The decision's outcome."""
        return self.decision.outcome

    def headline(self) -> str:
        """The first line of the report."""
        word = {"pass": "PASSED", "fail": "FAILED", "inconclusive": "INCONCLUSIVE"}[self.decision.outcome]
        return f"scenariokit property {word}: {self.claim}"

    def render(self) -> str:
        """The full readable report."""
        d = self.decision
        lines = [self.headline(), f"  model: {self.model}"]
        lines.append(f"  decision: {d.outcome} ({d.kind}, alpha={d.alpha}, {d.method}): {d.explanation}")
        if d.estimate is not None and d.interval is not None:
            what = "rate" if d.base is None else "difference (changed - base)"
            lines.append(
                f"  {what}: {d.estimate:+.3f}" if d.base is not None else f"  {what}: {d.estimate:.3f}"
            )
            lines[-1] += f", {1 - 2 * d.alpha:.0%} interval [{d.interval.lower:.3f}, {d.interval.upper:.3f}]"
        numbers = []
        if d.threshold is not None:
            numbers.append(f"threshold={d.threshold}")
        if d.margin is not None:
            numbers.append(f"margin={d.margin}")
        if d.p_value_pass is not None:
            numbers.append(f"p(pass)={d.p_value_pass:.4g}")
        if d.p_value_fail is not None:
            numbers.append(f"p(fail)={d.p_value_fail:.4g}")
        if numbers:
            lines.append("  " + ", ".join(numbers))
        for role, s in zip(self.roles, self.samples, strict=True):
            lines.append(f"  {role}: {s.rate}")
            lines.append(
                f"    condition: {s.condition_id or '(not a study condition)'}; fingerprint: {s.fingerprint}"
            )
            lines.append(
                f"    detector: {s.detector}; samples 0..{len(s.samples) - 1} of {s.requested} requested, "
                f"base seed {s.seed}"
            )
            for reason, count in s.unscorable_reasons.items():
                lines.append(f"    unscorable x{count}: {reason}")
        if self.changes:
            lines.append("  perturbation: " + self.changes.replace("\n", "\n    "))
        if d.outcome == "inconclusive":
            if self.suggested_n is not None:
                lines.append(
                    f"  inconclusive: raise n to about {self.suggested_n} per scenario (estimated from the "
                    "observed rates), or widen the threshold/margin"
                )
            else:
                lines.append(
                    "  inconclusive: no sample size up to 100000 would decide it at the observed rates; "
                    "change the threshold or margin"
                )
        r = self.reproduction
        lines.append(
            f"  reproduce: model={r.model} seed={r.seed} n={r.n}"
            + (f" recordings={r.recordings} (record={r.record})" if r.recordings else "")
        )
        lines += [f"    $ {c}" for c in r.commands()]
        lines.append(f"    python: {r.python_call()}  (scenariokit.testing; for each scenario above)")
        lines += [f"  {x}" for x in self.extra]
        return "\n".join(lines)


def current_test_id() -> str | None:
    """The running pytest test's node id (from ``PYTEST_CURRENT_TEST``), or ``None`` outside pytest."""
    value = os.environ.get("PYTEST_CURRENT_TEST")
    if not value:
        return None
    return value.rsplit(" (", 1)[0]
