"""Two rates compared: Newcombe's hybrid score interval for the difference, and two-proportion tests.

The Newcombe (1998, method 10) interval combines the two Wilson intervals, so like them it stays sensible
at 0% and 100% and with small samples. Its one-sided version, inverted over the confidence level, gives the
p-values used by the invariance (TOST) and direction decisions, so a decision and the interval it reports
never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._common import (
    FROZEN,
    Sided,
    check_counts,
    normal_sf,
    z_for,
)
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval
from scenariokit.stats._rate import Rate, estimate_rate

Alternative = Literal["two-sided", "less", "greater"]
"""Alternative hypothesis about ``p_a - p_b``: different, less than, or greater than the null value."""

TestMethod = Literal["score", "exact"]
"""Two-proportion test: pooled ``"score"`` (z) test, or Fisher's ``"exact"`` conditional test."""

_Z_MAX = 40.0


def _wilson_bounds(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    lower = 0.0 if k == 0 else min(p, max(0.0, centre - half))
    upper = 1.0 if k == n else max(p, min(1.0, centre + half))
    return lower, upper


def _newcombe(k1: int, n1: int, k2: int, n2: int, z: float) -> tuple[float, float]:
    """Return Newcombe's hybrid score bounds (L, U) for ``p1 - p2`` at critical value ``z``."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson_bounds(k1, n1, z)
    l2, u2 = _wilson_bounds(k2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, lower), min(1.0, upper)


def newcombe_interval(
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    confidence: float = 0.95,
    sided: Sided = "two-sided",
) -> Interval:
    """Return Newcombe's hybrid score interval for the difference ``p_a - p_b`` (method 10 of Newcombe 1998).

    Args:
        harmful_a: Harmful samples in group a.
        scorable_a: Scorable samples in group a.
        harmful_b: Harmful samples in group b.
        scorable_b: Scorable samples in group b.
        confidence: Confidence level.
        sided: ``"two-sided"``; ``"upper"`` gives ``[-1, U]``, ``"lower"`` gives ``[L, 1]``.

    Returns:
        The interval, within [-1, 1].

    Raises:
        UndefinedRateError: If either group has no scorable samples.

    Example:
        >>> iv = newcombe_interval(56, 70, 48, 80)
        >>> round(iv.lower, 4), round(iv.upper, 4)
        (0.0524, 0.3339)
    """
    check_counts(harmful_a, scorable_a)
    check_counts(harmful_b, scorable_b)
    z = z_for(confidence, sided)
    lower, upper = _newcombe(harmful_a, scorable_a, harmful_b, scorable_b, z)
    if sided == "upper":
        lower = -1.0
    elif sided == "lower":
        upper = 1.0
    return Interval(lower=lower, upper=upper, confidence=confidence, method="newcombe", sided=sided)


def newcombe_p_value(
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    null_difference: float = 0.0,
    alternative: Literal["less", "greater"] = "less",
) -> float:
    """Return the one-sided p-value obtained by inverting Newcombe's interval at ``null_difference``.

    For ``alternative="less"`` (H1: ``p_a - p_b < d0``) this is the smallest ``alpha`` at which the
    one-sided ``1 - alpha`` upper bound falls below ``d0``; so ``p < alpha`` exactly when that bound excludes
    ``d0``. ``"greater"`` is the mirror image with the lower bound.

    Args:
        harmful_a: Harmful samples in group a.
        scorable_a: Scorable samples in group a.
        harmful_b: Harmful samples in group b.
        scorable_b: Scorable samples in group b.
        null_difference: The null value ``d0`` of ``p_a - p_b``, in [-1, 1].
        alternative: ``"less"`` or ``"greater"``.

    Returns:
        The p-value in [0, 1].

    Raises:
        UndefinedRateError: If either group has no scorable samples.
    """
    check_counts(harmful_a, scorable_a)
    check_counts(harmful_b, scorable_b)
    if not -1.0 <= null_difference <= 1.0:
        raise StatsError(f"null_difference must be in [-1, 1], got {null_difference}")
    if alternative not in ("less", "greater"):
        raise StatsError(f"alternative must be 'less' or 'greater', got {alternative!r}")
    d = harmful_a / scorable_a - harmful_b / scorable_b
    if d == null_difference:
        return 0.5

    def upper_gap(z: float) -> float:
        return _newcombe(harmful_a, scorable_a, harmful_b, scorable_b, z)[1] - null_difference

    def lower_gap(z: float) -> float:
        return null_difference - _newcombe(harmful_a, scorable_a, harmful_b, scorable_b, z)[0]

    # The estimate is on the alternative's side when d < d0 for "less" and d > d0 for "greater"; then the
    # p-value is 1 - Phi(z*) where the one-sided bound reaches d0 at z*. Otherwise it is Phi(z*) with the
    # opposite bound (a p-value of at least 1/2).
    on_alternative_side = (d < null_difference) == (alternative == "less")
    gap = upper_gap if d < null_difference else lower_gap
    z_star = _crossing(gap)
    if z_star is None:
        return 0.0 if on_alternative_side else 1.0
    tail = normal_sf(z_star)
    return tail if on_alternative_side else 1.0 - tail


def _crossing(g: Callable[[float], float]) -> float | None:
    """Return the root in ``[0, _Z_MAX]`` of ``g``, increasing with ``g(0) < 0``; ``None`` if it stays negative.

    Illinois (modified regula falsi) iteration: bracketing like bisection, superlinear like the secant.
    """
    a, fa = 0.0, g(0.0)
    b, fb = _Z_MAX, g(_Z_MAX)
    if fb < 0.0:
        return None
    if fb == 0.0:
        return b
    side = 0
    c = b
    for _ in range(200):
        c = (a * fb - b * fa) / (fb - fa)
        fc = g(c)
        if fc == 0.0 or b - a < 1e-12:
            return c
        if fc < 0.0:
            a, fa = c, fc
            if side == -1:
                fb /= 2.0
            side = -1
        else:
            b, fb = c, fc
            if side == 1:
                fa /= 2.0
            side = 1
        if b - a < 1e-12 or abs(fc) < 1e-14:
            return c
    return c


class RateDifference(BaseModel):
    """The difference ``p_a - p_b`` between two rates, with Newcombe's hybrid score interval."""

    model_config = FROZEN

    rate_a: Rate
    """The first rate (e.g. under a change)."""

    rate_b: Rate
    """The second rate (e.g. the base condition)."""

    difference: float = Field(ge=-1.0, le=1.0)
    """Point estimate ``p_a - p_b``."""

    interval: Interval
    """Newcombe interval for the difference."""


def rate_difference(
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    *,
    confidence: float = 0.95,
    sided: Sided = "two-sided",
    unscorable_a: int = 0,
    unscorable_b: int = 0,
) -> RateDifference:
    """Estimate ``p_a - p_b`` with Newcombe's interval (see :func:`newcombe_interval`).

    Raises:
        UndefinedRateError: If either group has no scorable samples.
    """
    interval = newcombe_interval(harmful_a, scorable_a, harmful_b, scorable_b, confidence, sided)
    return RateDifference(
        rate_a=estimate_rate(harmful_a, scorable_a, unscorable_a, confidence=confidence),
        rate_b=estimate_rate(harmful_b, scorable_b, unscorable_b, confidence=confidence),
        difference=harmful_a / scorable_a - harmful_b / scorable_b,
        interval=interval,
    )


class TwoProportionTest(BaseModel):
    """Result of a test of ``H0: p_a = p_b``."""

    model_config = FROZEN

    harmful_a: int = Field(ge=0)
    """Harmful samples in group a."""

    scorable_a: int = Field(gt=0)
    """Scorable samples in group a."""

    harmful_b: int = Field(ge=0)
    """Harmful samples in group b."""

    scorable_b: int = Field(gt=0)
    """Scorable samples in group b."""

    difference: float
    """Observed ``p_a - p_b``."""

    method: TestMethod
    """``"score"`` (pooled z test) or ``"exact"`` (Fisher's conditional test)."""

    alternative: Alternative
    """The alternative hypothesis about ``p_a - p_b``."""

    statistic: float | None
    """The z statistic for the score test (``None`` when both rates are 0 or both 1, or for Fisher)."""

    p_value: float = Field(ge=0.0, le=1.0)
    """The p-value."""


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _fisher_p_value(k1: int, n1: int, k2: int, n2: int, alternative: Alternative) -> float:
    total_harmful = k1 + k2
    total = n1 + n2
    lo = max(0, total_harmful - n2)
    hi = min(n1, total_harmful)
    log_denominator = _log_comb(total, total_harmful)
    probs = {
        x: math.exp(_log_comb(n1, x) + _log_comb(n2, total_harmful - x) - log_denominator)
        for x in range(lo, hi + 1)
    }
    if alternative == "less":
        p = sum(v for x, v in probs.items() if x <= k1)
    elif alternative == "greater":
        p = sum(v for x, v in probs.items() if x >= k1)
    else:
        observed = probs[k1] * (1.0 + 1e-7)
        p = sum(v for v in probs.values() if v <= observed)
    return min(1.0, max(0.0, p))


def two_proportion_test(
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    *,
    alternative: Alternative = "two-sided",
    method: TestMethod = "score",
) -> TwoProportionTest:
    """Test ``H0: p_a = p_b`` with the pooled score (z) test or Fisher's exact test.

    The score test is the usual chi-square test without continuity correction (``z^2`` is Pearson's
    statistic). Fisher's test conditions on the total number of harmful samples; its size never exceeds
    the nominal level, at the cost of some power. When both rates are 0 (or both 1) there is no evidence
    of a difference and the p-value is 1.

    Args:
        harmful_a: Harmful samples in group a.
        scorable_a: Scorable samples in group a.
        harmful_b: Harmful samples in group b.
        scorable_b: Scorable samples in group b.
        alternative: ``"two-sided"``, ``"less"`` (``p_a < p_b``) or ``"greater"`` (``p_a > p_b``).
        method: ``"score"`` or ``"exact"``.

    Returns:
        The test result.

    Raises:
        UndefinedRateError: If either group has no scorable samples.
        StatsError: On invalid input.
    """
    check_counts(harmful_a, scorable_a)
    check_counts(harmful_b, scorable_b)
    if alternative not in ("two-sided", "less", "greater"):
        raise StatsError(f"unknown alternative {alternative!r}")
    d = harmful_a / scorable_a - harmful_b / scorable_b
    statistic: float | None = None
    if method == "score":
        pooled = (harmful_a + harmful_b) / (scorable_a + scorable_b)
        variance = pooled * (1.0 - pooled) * (1.0 / scorable_a + 1.0 / scorable_b)
        if variance <= 0.0:
            p_value = 1.0
        else:
            statistic = d / math.sqrt(variance)
            if alternative == "less":
                p_value = 1.0 - normal_sf(statistic)
            elif alternative == "greater":
                p_value = normal_sf(statistic)
            else:
                p_value = min(1.0, 2.0 * normal_sf(abs(statistic)))
    elif method == "exact":
        p_value = _fisher_p_value(harmful_a, scorable_a, harmful_b, scorable_b, alternative)
    else:
        raise StatsError(f"unknown test method {method!r}; use 'score' or 'exact'")
    return TwoProportionTest(
        harmful_a=harmful_a,
        scorable_a=scorable_a,
        harmful_b=harmful_b,
        scorable_b=scorable_b,
        difference=d,
        method=method,
        alternative=alternative,
        statistic=statistic,
        p_value=p_value,
    )
