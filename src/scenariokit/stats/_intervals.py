"""Confidence intervals for a single binomial proportion: Wilson score, Clopper-Pearson exact, Jeffreys.

All three behave correctly at the edges: at ``k = 0`` the lower bound is exactly 0 and the upper bound is
positive; at ``k = n`` the upper bound is exactly 1 and the lower bound is below 1. None of them collapses to
a point at 0% or 100% (the Wald interval, and percentile bootstraps, do). ``n = 0`` raises
:class:`UndefinedRateError` rather than returning NaN.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from scenariokit.stats._beta import beta_quantile
from scenariokit.stats._common import FROZEN, Sided, check_confidence, check_counts, clip01, z_for
from scenariokit.stats._errors import StatsError

IntervalMethod = Literal["wilson", "clopper-pearson", "jeffreys"]
"""Interval methods for one proportion: ``"wilson"`` (score), ``"clopper-pearson"`` (exact), ``"jeffreys"``."""


class Interval(BaseModel):
    """A confidence interval (or a one-sided confidence bound) for a proportion or a difference.

    Example:
        >>> iv = wilson_interval(0, 20)
        >>> (iv.lower, round(iv.upper, 4))
        (0.0, 0.1611)
    """

    model_config = FROZEN

    lower: float
    """Lower end. For an upper-only bound this is the natural minimum (0 for a rate, -1 for a difference)."""

    upper: float
    """Upper end. For a lower-only bound this is the natural maximum (1 for a rate or a difference)."""

    confidence: float = Field(gt=0.0, lt=1.0)
    """Confidence level, e.g. 0.95."""

    method: str = Field(min_length=1)
    """How it was computed, e.g. ``"wilson"``, ``"clopper-pearson"``, ``"newcombe"``."""

    sided: Sided = "two-sided"
    """``"two-sided"``, or ``"upper"`` / ``"lower"`` for a one-sided bound."""

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            raise ValueError(f"interval ends must be finite, got [{self.lower}, {self.upper}]")
        if self.lower > self.upper:
            raise ValueError(f"interval lower end {self.lower} exceeds upper end {self.upper}")
        return self

    def contains(self, value: float) -> bool:
        """Return whether ``value`` lies in the closed interval."""
        return self.lower <= value <= self.upper

    @property
    def width(self) -> float:
        """Width ``upper - lower``."""
        return self.upper - self.lower


def _one_sided(lower: float, upper: float, sided: Sided) -> tuple[float, float]:
    if sided == "upper":
        return 0.0, upper
    if sided == "lower":
        return lower, 1.0
    return lower, upper


def wilson_interval(
    harmful: int, scorable: int, confidence: float = 0.95, sided: Sided = "two-sided"
) -> Interval:
    """Return the Wilson score interval for ``harmful`` successes in ``scorable`` trials.

    Coverage is close to nominal on average (it can dip slightly below for some ``p``); it never collapses
    at 0% or 100%.

    Args:
        harmful: Number of harmful samples ``k``.
        scorable: Number of scorable samples ``n`` (unscorable samples excluded).
        confidence: Confidence level.
        sided: ``"two-sided"`` or a one-sided ``"upper"`` / ``"lower"`` bound at level ``confidence``.

    Returns:
        The interval.

    Raises:
        UndefinedRateError: If ``scorable == 0``.
        StatsError: On invalid counts or confidence.
    """
    check_counts(harmful, scorable)
    z = z_for(confidence, sided)
    n = float(scorable)
    p = harmful / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    lower = 0.0 if harmful == 0 else clip01(centre - half)
    upper = 1.0 if harmful == scorable else clip01(centre + half)
    lower, upper = _one_sided(lower, upper, sided)
    return Interval(lower=lower, upper=upper, confidence=confidence, method="wilson", sided=sided)


def clopper_pearson_interval(
    harmful: int, scorable: int, confidence: float = 0.95, sided: Sided = "two-sided"
) -> Interval:
    """Return the Clopper-Pearson exact interval: its coverage is at least ``confidence`` for every ``p``.

    Bounds are beta quantiles: lower ``B(alpha'; k, n-k+1)``, upper ``B(1-alpha'; k+1, n-k)`` with
    ``alpha' = alpha/2`` (two-sided) or ``alpha`` (one-sided). At ``k = 0`` the lower bound is 0 and the
    upper bound is ``1 - alpha'^(1/n)`` exactly; symmetric at ``k = n``.

    Args:
        harmful: Number of harmful samples ``k``.
        scorable: Number of scorable samples ``n``.
        confidence: Confidence level.
        sided: ``"two-sided"`` or a one-sided ``"upper"`` / ``"lower"`` bound.

    Returns:
        The interval.

    Raises:
        UndefinedRateError: If ``scorable == 0``.
        StatsError: On invalid counts or confidence.

    Example:
        >>> round(clopper_pearson_interval(0, 59, sided="upper").upper, 4)  # 0 of 59: below 5% at 95%
        0.0495
    """
    check_counts(harmful, scorable)
    check_confidence(confidence)
    alpha = 1.0 - confidence
    tail = alpha / 2.0 if sided == "two-sided" else alpha
    k, n = harmful, scorable
    lower = 0.0 if k == 0 else beta_quantile(tail, k, n - k + 1)
    upper = 1.0 if k == n else beta_quantile(1.0 - tail, k + 1, n - k)
    lower, upper = _one_sided(lower, upper, sided)
    return Interval(lower=lower, upper=upper, confidence=confidence, method="clopper-pearson", sided=sided)


def jeffreys_interval(
    harmful: int, scorable: int, confidence: float = 0.95, sided: Sided = "two-sided"
) -> Interval:
    """Return the Jeffreys interval (equal-tailed Beta(k+1/2, n-k+1/2) posterior interval).

    Uses the Brown-Cai-DasGupta boundary modification: the lower bound is 0 at ``k = 0`` and the upper
    bound is 1 at ``k = n``. Coverage is close to nominal, like Wilson's.

    Args:
        harmful: Number of harmful samples ``k``.
        scorable: Number of scorable samples ``n``.
        confidence: Confidence level.
        sided: ``"two-sided"`` or a one-sided ``"upper"`` / ``"lower"`` bound.

    Returns:
        The interval.

    Raises:
        UndefinedRateError: If ``scorable == 0``.
        StatsError: On invalid counts or confidence.
    """
    check_counts(harmful, scorable)
    check_confidence(confidence)
    alpha = 1.0 - confidence
    tail = alpha / 2.0 if sided == "two-sided" else alpha
    k, n = harmful, scorable
    lower = 0.0 if k == 0 else beta_quantile(tail, k + 0.5, n - k + 0.5)
    upper = 1.0 if k == n else beta_quantile(1.0 - tail, k + 0.5, n - k + 0.5)
    lower, upper = _one_sided(lower, upper, sided)
    return Interval(lower=lower, upper=upper, confidence=confidence, method="jeffreys", sided=sided)


def binomial_interval(
    harmful: int,
    scorable: int,
    method: IntervalMethod = "wilson",
    confidence: float = 0.95,
    sided: Sided = "two-sided",
) -> Interval:
    """Return an interval for a proportion by the named ``method`` (see :data:`IntervalMethod`).

    Raises:
        UndefinedRateError: If ``scorable == 0``.
        StatsError: On invalid input or an unknown method.
    """
    if method == "wilson":
        return wilson_interval(harmful, scorable, confidence, sided)
    if method == "clopper-pearson":
        return clopper_pearson_interval(harmful, scorable, confidence, sided)
    if method == "jeffreys":
        return jeffreys_interval(harmful, scorable, confidence, sided)
    raise StatsError(f"unknown interval method {method!r}; use 'wilson', 'clopper-pearson' or 'jeffreys'")


def upper_bound(
    harmful: int, scorable: int, confidence: float = 0.95, method: IntervalMethod = "clopper-pearson"
) -> float:
    """Return a one-sided upper confidence bound on the rate (exact Clopper-Pearson by default).

    Example:
        >>> upper_bound(0, 59) < 0.05
        True
    """
    return binomial_interval(harmful, scorable, method, confidence, "upper").upper


def lower_bound(
    harmful: int, scorable: int, confidence: float = 0.95, method: IntervalMethod = "clopper-pearson"
) -> float:
    """Return a one-sided lower confidence bound on the rate (exact Clopper-Pearson by default)."""
    return binomial_interval(harmful, scorable, method, confidence, "lower").lower
