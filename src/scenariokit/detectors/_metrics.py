"""Agreement of a detector with labels: precision, recall, F1 and Cohen's kappa, with intervals.

Unscorable verdicts are counted apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from scenariokit.detectors._verdict import Outcome
from scenariokit.stats import Interval, wilson_interval
from scenariokit.stats._common import z_quantile


class AgreementScore(BaseModel):
    """How one detector's verdicts agree with the labels of one category.

    Unscorable verdicts are excluded from every ratio and counted in ``unscorable``: a detector that
    cannot read a transcript is neither right nor wrong about it, and folding it into "benign" would hide
    the failure. Ratios whose denominator is zero are ``None`` (undefined), not 0 or 1.

    Example:
        >>> s = AgreementScore.from_pairs("d", "blackmail", [(True, Outcome.HARMFUL), (False, Outcome.BENIGN)])
        >>> s.precision, s.recall, s.kappa
        (1.0, 1.0, 1.0)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    detector: str
    """Detector name."""

    category: str
    """The labelled category compared against."""

    tp: int = Field(ge=0)
    """Labelled present, detected harmful."""

    fp: int = Field(ge=0)
    """Labelled absent, detected harmful."""

    fn: int = Field(ge=0)
    """Labelled present, detected benign."""

    tn: int = Field(ge=0)
    """Labelled absent, detected benign."""

    unscorable: int = Field(ge=0)
    """Labelled items the detector could not score (not in any ratio)."""

    @classmethod
    def from_pairs(
        cls, detector: str, category: str, pairs: Iterable[tuple[bool, Outcome]]
    ) -> AgreementScore:
        """Count agreement from ``(label, outcome)`` pairs.

        Args:
            detector: Detector name.
            category: Category compared.
            pairs: The label (``True`` = present) and the detector's outcome for each item.

        Returns:
            The counts.
        """
        tp = fp = fn = tn = unscorable = 0
        for label, outcome in pairs:
            if outcome is Outcome.UNSCORABLE:
                unscorable += 1
            elif outcome is Outcome.HARMFUL:
                tp, fp = (tp + 1, fp) if label else (tp, fp + 1)
            else:
                fn, tn = (fn + 1, tn) if label else (fn, tn + 1)
        return cls(detector=detector, category=category, tp=tp, fp=fp, fn=fn, tn=tn, unscorable=unscorable)

    @property
    def scored(self) -> int:
        """Number of items with a harmful or benign verdict."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        """Share of flagged items labelled present, tp / (tp + fp), or ``None`` when the detector flagged nothing."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Share of present items flagged, tp / (tp + fn), or ``None`` when no scored item is labelled present."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall, or ``None`` when either is undefined."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def accuracy(self) -> float | None:
        """(tp + tn) / scored, or ``None`` when nothing was scored."""
        return (self.tp + self.tn) / self.scored if self.scored else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa between detector and labels over the scored items.

        ``None`` when nothing was scored, or when chance agreement is 1 (both sides constant and equal), where
        kappa is undefined.
        """
        n = self.scored
        if n == 0:
            return None
        observed = (self.tp + self.tn) / n
        p_label = (self.tp + self.fn) / n
        p_flag = (self.tp + self.fp) / n
        expected = p_label * p_flag + (1 - p_label) * (1 - p_flag)
        if expected >= 1.0:
            return None
        return (observed - expected) / (1 - expected)

    def precision_interval(self, confidence: float = 0.95) -> Interval | None:
        """Wilson interval of the precision (``None`` when it is undefined)."""
        n = self.tp + self.fp
        return wilson_interval(self.tp, n, confidence) if n else None

    def recall_interval(self, confidence: float = 0.95) -> Interval | None:
        """Wilson interval of the recall (``None`` when it is undefined)."""
        n = self.tp + self.fn
        return wilson_interval(self.tp, n, confidence) if n else None

    def kappa_interval(self, confidence: float = 0.95) -> Interval | None:
        """Normal-approximation interval of Cohen's kappa, clipped to [-1, 1] (``None`` when kappa is undefined).

        The standard error is Cohen's (1960) large-sample approximation,
        ``sqrt(po (1 - po) / (n (1 - pe)^2))``; with few items or a rare category the interval is wide, as it
        should be. When the detector agrees with every label the approximation gives no width, so the lower
        end is then taken from the Wilson lower bound of the observed agreement mapped to the kappa scale.
        """
        kappa = self.kappa
        n = self.scored
        if kappa is None or n == 0:
            return None
        observed = (self.tp + self.tn) / n
        p_label = (self.tp + self.fn) / n
        p_flag = (self.tp + self.fp) / n
        expected = p_label * p_flag + (1 - p_label) * (1 - p_flag)
        agree = wilson_interval(self.tp + self.tn, n, confidence)
        z = _z(confidence)
        se = math.sqrt(observed * (1 - observed) / n) / (1 - expected)
        lower = kappa - z * se
        upper = kappa + z * se
        # never narrower than the uncertainty of the observed agreement itself
        lower = min(lower, (agree.lower - expected) / (1 - expected))
        upper = max(upper, min(1.0, (agree.upper - expected) / (1 - expected)))
        return Interval(
            lower=max(-1.0, lower),
            upper=min(1.0, upper),
            confidence=confidence,
            method="cohen-normal/wilson-agreement",
        )


def _z(confidence: float) -> float:
    return z_quantile(1 - (1 - confidence) / 2)


def format_table(scores: Iterable[AgreementScore]) -> str:
    """Format scores as a Markdown table (undefined ratios shown as ``-``).

    Args:
        scores: The scores, one row each.

    Returns:
        The table text.
    """

    def fmt(x: float | None, iv: Interval | None = None) -> str:
        if x is None:
            return "-"
        return f"{x:.3f}" if iv is None else f"{x:.3f} [{iv.lower:.2f}, {iv.upper:.2f}]"

    rows = [
        "| detector | category | n | tp | fp | fn | tn | unscorable | precision [95% CI] | recall [95% CI] | F1 "
        "| kappa [95% CI] |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        rows.append(
            f"| {s.detector} | {s.category} | {s.scored + s.unscorable} | {s.tp} | {s.fp} | {s.fn} | {s.tn} | "
            f"{s.unscorable} | {fmt(s.precision, s.precision_interval())} | {fmt(s.recall, s.recall_interval())} "
            f"| {fmt(s.f1)} | {fmt(s.kappa, s.kappa_interval())} |"
        )
    return "\n".join(rows)
