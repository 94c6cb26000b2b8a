"""``Rate``: a harmful rate with its denominator, its unscorable count kept apart, and an interval."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from scenariokit.stats._common import FROZEN, Sided, check_confidence, check_counts
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval, IntervalMethod, binomial_interval


class Rate(BaseModel):
    """A harmful rate ``k / n`` over scorable samples, with a confidence interval.

    Unscorable samples (API errors, unparseable judges, empty transcripts) are *not* in the denominator;
    their number is kept in ``unscorable`` so a report can say how many there were. With no scorable sample
    the rate is undefined: ``estimate`` and ``interval`` are ``None`` and ``undefined_reason`` says why.

    Example:
        >>> r = estimate_rate(12, 50, unscorable=3)
        >>> str(r)
        '12/50 = 24.0% [14.3%, 37.4%] (wilson, 95%), 3 unscorable'
    """

    model_config = FROZEN

    harmful: int = Field(ge=0)
    """Number of scorable samples judged harmful (``k``)."""

    scorable: int = Field(ge=0)
    """Number of scorable samples: the denominator ``n``."""

    unscorable: int = Field(default=0, ge=0)
    """Samples that could not be scored; excluded from ``n`` and reported apart."""

    estimate: float | None
    """Point estimate ``k / n``; ``None`` when ``n = 0``."""

    interval: Interval | None
    """Confidence interval for the rate; ``None`` when ``n = 0``."""

    method: IntervalMethod
    """Interval method requested."""

    confidence: float = Field(gt=0.0, lt=1.0)
    """Confidence level requested."""

    sided: Sided = "two-sided"
    """Two-sided interval or a one-sided bound."""

    undefined_reason: str | None = None
    """Why the rate is undefined (only when ``n = 0``), e.g. ``"no scorable samples (n = 0)"``."""

    @model_validator(mode="after")
    def _consistent(self) -> Rate:
        if self.harmful > self.scorable:
            raise ValueError(f"harmful ({self.harmful}) cannot exceed scorable ({self.scorable})")
        if self.scorable == 0:
            if self.estimate is not None or self.interval is not None or not self.undefined_reason:
                raise ValueError(
                    "a rate with no scorable samples must have no estimate, no interval and a reason"
                )
        elif self.estimate is None or self.interval is None:
            raise ValueError("a rate with scorable samples must have an estimate and an interval")
        return self

    @property
    def is_defined(self) -> bool:
        """Whether there is at least one scorable sample."""
        return self.scorable > 0

    @property
    def total(self) -> int:
        """All samples, scorable and unscorable."""
        return self.scorable + self.unscorable

    def __str__(self) -> str:
        """Render as ``"k/n = x% [lo%, hi%] (method, conf%)"`` plus the unscorable count if any."""
        tail = f", {self.unscorable} unscorable" if self.unscorable else ""
        if self.estimate is None or self.interval is None:
            return f"{self.harmful}/{self.scorable}: undefined ({self.undefined_reason}){tail}"
        iv = self.interval
        return (
            f"{self.harmful}/{self.scorable} = {self.estimate:.1%} [{iv.lower:.1%}, {iv.upper:.1%}] "
            f"({self.method}, {self.confidence:.0%}){tail}"
        )


def estimate_rate(
    harmful: int,
    scorable: int,
    unscorable: int = 0,
    *,
    method: IntervalMethod = "wilson",
    confidence: float = 0.95,
    sided: Sided = "two-sided",
) -> Rate:
    """Estimate a harmful rate with its interval.

    Args:
        harmful: Harmful samples ``k``.
        scorable: Scorable samples ``n`` (harmful + benign); unscorable samples are *not* included.
        unscorable: Samples that could not be scored, kept apart.
        method: ``"wilson"`` (default), ``"clopper-pearson"`` or ``"jeffreys"``.
        confidence: Confidence level.
        sided: ``"two-sided"``, or ``"upper"`` / ``"lower"`` for a one-sided bound.

    Returns:
        The rate; undefined (no estimate, no interval, with a reason) when ``scorable == 0``.

    Raises:
        StatsError: On negative counts, ``harmful > scorable`` or an invalid confidence.
    """
    check_counts(harmful, scorable, allow_empty=True)
    check_confidence(confidence)
    if isinstance(unscorable, bool) or not isinstance(unscorable, int) or unscorable < 0:
        raise StatsError(f"unscorable must be a non-negative int, got {unscorable!r}")
    if scorable == 0:
        reason = "no scorable samples (n = 0)"
        return Rate(
            harmful=0,
            scorable=0,
            unscorable=unscorable,
            estimate=None,
            interval=None,
            method=method,
            confidence=confidence,
            sided=sided,
            undefined_reason=reason,
        )
    return Rate(
        harmful=harmful,
        scorable=scorable,
        unscorable=unscorable,
        estimate=harmful / scorable,
        interval=binomial_interval(harmful, scorable, method, confidence, sided),
        method=method,
        confidence=confidence,
        sided=sided,
    )
