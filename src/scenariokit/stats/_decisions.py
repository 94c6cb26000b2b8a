"""Statistical decisions for robustness properties: threshold, invariance (TOST) and direction.

Every decision is three-valued. ``pass`` means the property was *shown* at level ``alpha``; ``fail`` means
its negation was shown at level ``alpha``; anything else is ``inconclusive`` (too few samples to tell).
"No significant difference" is never a pass: invariance must be shown by an equivalence test.

Error guarantees (each at most ``alpha``, exactly for the Clopper-Pearson threshold decision and
approximately, as checked by simulation in the test-suite, for the Newcombe-based ones):

* threshold ``rate <= p0``: P(pass | rate > p0) and P(fail | rate <= p0);
* invariance ``|p_a - p_b| < margin``: P(pass | |d| >= margin) and P(fail | |d| <= margin);
* direction ``p_change < p_base - margin``: P(pass | d >= -margin) and P(fail | d <= -margin).

The Newcombe-based errors oscillate around ``alpha`` on the binomial lattice (up to about 0.06 at
``alpha = 0.05`` for some sample sizes); ``decide_direction(method="exact")`` guarantees them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._beta import regularized_incomplete_beta
from scenariokit.stats._common import FROZEN, check_alpha, check_counts, normal_sf
from scenariokit.stats._difference import newcombe_interval, newcombe_p_value, two_proportion_test
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval, IntervalMethod, binomial_interval
from scenariokit.stats._rate import Rate, estimate_rate

Outcome = Literal["pass", "fail", "inconclusive"]
"""A decision's outcome."""

DecisionKind = Literal["threshold", "invariance", "direction", "sequential"]
"""Which kind of property was decided."""


class Decision(BaseModel):
    """The outcome of a statistical decision about a robustness property, with the numbers behind it."""

    model_config = FROZEN

    kind: DecisionKind
    """The kind of property: threshold, invariance, direction or sequential."""

    outcome: Outcome
    """``pass`` (property shown), ``fail`` (its negation shown) or ``inconclusive``."""

    alpha: float = Field(gt=0.0, lt=1.0)
    """Significance level: the bound on each wrong-way error (false pass, false fail)."""

    rate: Rate
    """The rate under test (for comparisons: the rate under the change, group a)."""

    base: Rate | None = None
    """The base rate for comparisons (group b); ``None`` for single-rate decisions."""

    n: int = Field(ge=0)
    """Scorable samples used, over all groups."""

    estimate: float | None
    """Point estimate of the quantity decided on: the rate, or the difference ``p_a - p_b``."""

    interval: Interval | None
    """The ``1 - 2*alpha`` two-sided interval whose ends are the two one-sided bounds the decision used."""

    threshold: float | None = None
    """The threshold ``p0`` for threshold and sequential decisions."""

    alternative_rate: float | None = None
    """For sequential decisions, the rate ``p1`` that must be detected with power ``1 - beta``."""

    beta: float | None = None
    """For sequential decisions, the error bound on accepting ``p0`` when the rate is ``p1``."""

    margin: float | None = None
    """Equivalence margin (invariance) or minimal effect (direction) on the difference."""

    p_value_pass: float | None = None
    """p-value of the test whose rejection means ``pass`` (``pass`` iff below ``alpha``)."""

    p_value_fail: float | None = None
    """p-value of the test whose rejection means ``fail`` (``fail`` iff below ``alpha``)."""

    method: str
    """How the bounds and p-values were computed, e.g. ``"clopper-pearson"`` or ``"newcombe"``."""

    explanation: str
    """A one-line human-readable account of why this outcome was reached."""

    @property
    def passed(self) -> bool:
        """Whether the outcome is ``pass``."""
        return self.outcome == "pass"

    @property
    def failed(self) -> bool:
        """Whether the outcome is ``fail``."""
        return self.outcome == "fail"


def _binom_cdf(k: int, n: int, p: float) -> float:
    """``P(X <= k)`` for ``X ~ Binomial(n, p)``, via ``I_{1-p}(n - k, k + 1)``."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return regularized_incomplete_beta(1.0 - p, n - k, k + 1)


def _threshold_p_values(k: int, n: int, p0: float, method: IntervalMethod) -> tuple[float, float]:
    """Return (p for H0: rate >= p0, p for H0: rate <= p0), each consistent with the method's bounds."""
    if method == "clopper-pearson":
        return _binom_cdf(k, n, p0), 1.0 - _binom_cdf(k - 1, n, p0)
    if method == "wilson":
        z = (k / n - p0) / (p0 * (1.0 - p0) / n) ** 0.5
        return 1.0 - normal_sf(z), normal_sf(z)
    # Jeffreys: posterior tail probabilities, with the boundary modification used by the interval.
    below = 1.0 if k == n else 1.0 - regularized_incomplete_beta(p0, k + 0.5, n - k + 0.5)
    above = 1.0 if k == 0 else regularized_incomplete_beta(p0, k + 0.5, n - k + 0.5)
    return below, above


def decide_threshold(
    harmful: int,
    scorable: int,
    max_rate: float,
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "clopper-pearson",
    unscorable: int = 0,
) -> Decision:
    """Decide the property "the harmful rate is at most ``max_rate``" from one-sided bounds.

    ``pass`` when the one-sided ``1 - alpha`` upper bound is below ``max_rate``; ``fail`` when the one-sided
    ``1 - alpha`` lower bound is above it; otherwise ``inconclusive``. With the default exact
    Clopper-Pearson bounds each error is at most ``alpha`` for every true rate. With no scorable sample
    the outcome is ``inconclusive``.

    Args:
        harmful: Harmful samples.
        scorable: Scorable samples.
        max_rate: The threshold ``p0``, strictly between 0 and 1.
        alpha: Significance level.
        method: Bound method; ``"clopper-pearson"`` guarantees the error bounds.
        unscorable: Unscorable samples, reported and not counted.

    Returns:
        The decision.

    Example:
        >>> decide_threshold(0, 59, 0.05).outcome
        'pass'
    """
    check_counts(harmful, scorable, allow_empty=True)
    check_alpha(alpha)
    if not 0.0 < max_rate < 1.0:
        raise StatsError(f"max_rate must be strictly between 0 and 1, got {max_rate}")
    if alpha >= 0.5:
        raise StatsError(f"alpha must be below 0.5 for a decision, got {alpha}")
    rate = estimate_rate(harmful, scorable, unscorable, method=method, confidence=1.0 - alpha)
    if scorable == 0:
        return Decision(
            kind="threshold",
            outcome="inconclusive",
            alpha=alpha,
            rate=rate,
            n=0,
            estimate=None,
            interval=None,
            threshold=max_rate,
            method=method,
            explanation="no scorable samples: the rate is undefined",
        )
    interval = binomial_interval(harmful, scorable, method, 1.0 - 2.0 * alpha)
    p_pass, p_fail = _threshold_p_values(harmful, scorable, max_rate, method)
    level = f"{1 - alpha:.0%}"
    if interval.upper < max_rate:
        outcome: Outcome = "pass"
        why = f"one-sided {level} upper bound {interval.upper:.4f} < {max_rate}"
    elif interval.lower > max_rate:
        outcome = "fail"
        why = f"one-sided {level} lower bound {interval.lower:.4f} > {max_rate}"
    else:
        outcome = "inconclusive"
        why = f"one-sided {level} bounds [{interval.lower:.4f}, {interval.upper:.4f}] contain {max_rate}"
    return Decision(
        kind="threshold",
        outcome=outcome,
        alpha=alpha,
        rate=rate,
        n=scorable,
        estimate=harmful / scorable,
        interval=interval,
        threshold=max_rate,
        p_value_pass=p_pass,
        p_value_fail=p_fail,
        method=method,
        explanation=f"{harmful}/{scorable} harmful: {why}",
    )


def _two_group_setup(
    kind: DecisionKind,
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    alpha: float,
    margin: float,
    unscorable_a: int,
    unscorable_b: int,
) -> tuple[Rate, Rate, Decision | None]:
    check_counts(harmful_a, scorable_a, allow_empty=True)
    check_counts(harmful_b, scorable_b, allow_empty=True)
    check_alpha(alpha)
    if alpha >= 0.5:
        raise StatsError(f"alpha must be below 0.5 for a decision, got {alpha}")
    rate_a = estimate_rate(harmful_a, scorable_a, unscorable_a, confidence=1.0 - alpha)
    rate_b = estimate_rate(harmful_b, scorable_b, unscorable_b, confidence=1.0 - alpha)
    if scorable_a == 0 or scorable_b == 0:
        return (
            rate_a,
            rate_b,
            Decision(
                kind=kind,
                outcome="inconclusive",
                alpha=alpha,
                rate=rate_a,
                base=rate_b,
                n=scorable_a + scorable_b,
                estimate=None,
                interval=None,
                margin=margin,
                method="newcombe",
                explanation="a group has no scorable samples: the difference is undefined",
            ),
        )
    return rate_a, rate_b, None


def decide_invariance(
    harmful_a: int,
    scorable_a: int,
    harmful_b: int,
    scorable_b: int,
    *,
    margin: float,
    alpha: float = 0.05,
    unscorable_a: int = 0,
    unscorable_b: int = 0,
) -> Decision:
    """Decide "the change does not move the rate by ``margin`` or more" by TOST equivalence.

    With ``d = p_a - p_b`` and Newcombe's bounds: ``pass`` when both one-sided tests reject, i.e. the
    ``1 - 2*alpha`` interval lies inside ``(-margin, margin)`` (equivalence shown); ``fail`` when the
    interval lies entirely outside ``[-margin, margin]`` (a difference at least as large as the margin is
    shown, one-sided at level ``alpha``); otherwise ``inconclusive``. A small, non-significant difference is
    not a pass: with few samples the interval is wide and the outcome is ``inconclusive``.

    The error rates are approximate (Newcombe's bounds): exact enumeration at ``alpha = 0.05`` and margin
    0.1 finds false passes up to about 0.058, in the corner where one true rate is 0 (see
    ``benchmarks/bench_stats_calibration.py``).

    Args:
        harmful_a: Harmful samples under the change.
        scorable_a: Scorable samples under the change.
        harmful_b: Harmful samples in the base condition.
        scorable_b: Scorable samples in the base condition.
        margin: Equivalence margin on the difference of rates, in (0, 1).
        alpha: Significance level of each one-sided test.
        unscorable_a: Unscorable samples under the change (reported only).
        unscorable_b: Unscorable samples in the base condition (reported only).

    Returns:
        The decision; ``p_value_pass`` is the TOST p-value ``max(p_lower, p_upper)``.
    """
    if not 0.0 < margin < 1.0:
        raise StatsError(f"margin must be strictly between 0 and 1, got {margin}")
    rate_a, rate_b, early = _two_group_setup(
        "invariance", harmful_a, scorable_a, harmful_b, scorable_b, alpha, margin, unscorable_a, unscorable_b
    )
    if early is not None:
        return early
    d = harmful_a / scorable_a - harmful_b / scorable_b
    interval = newcombe_interval(harmful_a, scorable_a, harmful_b, scorable_b, 1.0 - 2.0 * alpha)
    p_below_upper = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, margin, "less")
    p_above_lower = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, -margin, "greater")
    p_above_upper = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, margin, "greater")
    p_below_lower = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, -margin, "less")
    p_pass = max(p_below_upper, p_above_lower)
    p_fail = min(p_above_upper, p_below_lower)
    bounds = f"[{interval.lower:.4f}, {interval.upper:.4f}]"
    if -margin < interval.lower and interval.upper < margin:
        outcome: Outcome = "pass"
        why = f"{1 - 2 * alpha:.0%} interval {bounds} inside (-{margin}, {margin}): equivalent"
    elif interval.lower > margin or interval.upper < -margin:
        outcome = "fail"
        why = f"{1 - 2 * alpha:.0%} interval {bounds} outside [-{margin}, {margin}]: a difference beyond the margin"
    else:
        outcome = "inconclusive"
        why = f"{1 - 2 * alpha:.0%} interval {bounds} overlaps the margin ±{margin}"
    return Decision(
        kind="invariance",
        outcome=outcome,
        alpha=alpha,
        rate=rate_a,
        base=rate_b,
        n=scorable_a + scorable_b,
        estimate=d,
        interval=interval,
        margin=margin,
        p_value_pass=p_pass,
        p_value_fail=p_fail,
        method="newcombe",
        explanation=f"difference {d:+.4f}: {why}",
    )


def decide_direction(
    harmful_change: int,
    scorable_change: int,
    harmful_base: int,
    scorable_base: int,
    *,
    expect: Literal["lower", "higher"],
    margin: float = 0.0,
    alpha: float = 0.05,
    method: Literal["newcombe", "exact"] = "newcombe",
    unscorable_change: int = 0,
    unscorable_base: int = 0,
) -> Decision:
    """Decide "the change lowers (or raises) the rate by more than ``margin``" by one-sided tests.

    With ``d = p_change - p_base`` and Newcombe's one-sided ``1 - alpha`` bounds, for ``expect="lower"``:
    ``pass`` when the upper bound is below ``-margin`` (a reduction beyond the margin is shown); ``fail``
    when the lower bound is above ``-margin`` (a reduction of at least the margin is ruled out); otherwise
    ``inconclusive``. ``expect="higher"`` is the mirror image. With ``margin = 0`` a change that truly has
    no effect will usually be ``inconclusive`` (no sample size can separate "no effect" from "a tiny
    reduction"); give a positive ``margin``, the smallest effect that matters, to let "no effect" fail.

    Newcombe's bounds are approximate: on the binomial lattice the probability of a false pass can exceed
    ``alpha`` a little (exact enumeration finds up to about 0.06 at ``alpha = 0.05`` for some ``n`` and
    ``p``). ``method="exact"`` decides with one-sided Fisher exact tests instead (``margin`` must be 0),
    whose errors never exceed ``alpha``, at some cost in power; the reported interval stays Newcombe's.

    Args:
        harmful_change: Harmful samples under the change.
        scorable_change: Scorable samples under the change.
        harmful_base: Harmful samples in the base condition.
        scorable_base: Scorable samples in the base condition.
        expect: ``"lower"`` or ``"higher"``: the expected direction of the change.
        margin: Smallest effect that counts, in [0, 1).
        alpha: Significance level of each one-sided test.
        method: ``"newcombe"`` (default) or ``"exact"`` (Fisher; only with ``margin = 0``).
        unscorable_change: Unscorable samples under the change (reported only).
        unscorable_base: Unscorable samples in the base condition (reported only).

    Returns:
        The decision.
    """
    if expect not in ("lower", "higher"):
        raise StatsError(f"expect must be 'lower' or 'higher', got {expect!r}")
    if not 0.0 <= margin < 1.0:
        raise StatsError(f"margin must be in [0, 1), got {margin}")
    if method not in ("newcombe", "exact"):
        raise StatsError(f"unknown method {method!r}; use 'newcombe' or 'exact'")
    if method == "exact" and margin != 0.0:
        raise StatsError("the exact (Fisher) direction test supports only margin = 0")
    rate_a, rate_b, early = _two_group_setup(
        "direction",
        harmful_change,
        scorable_change,
        harmful_base,
        scorable_base,
        alpha,
        margin,
        unscorable_change,
        unscorable_base,
    )
    if early is not None:
        return early
    k1, n1, k2, n2 = harmful_change, scorable_change, harmful_base, scorable_base
    d = k1 / n1 - k2 / n2
    interval = newcombe_interval(k1, n1, k2, n2, 1.0 - 2.0 * alpha)
    bounds = f"[{interval.lower:.4f}, {interval.upper:.4f}]"
    if expect == "lower":
        p_pass = newcombe_p_value(k1, n1, k2, n2, -margin, "less")
        p_fail = newcombe_p_value(k1, n1, k2, n2, -margin, "greater")
        shown = interval.upper < -margin
        refuted = interval.lower > -margin
    else:
        p_pass = newcombe_p_value(k1, n1, k2, n2, margin, "greater")
        p_fail = newcombe_p_value(k1, n1, k2, n2, margin, "less")
        shown = interval.lower > margin
        refuted = interval.upper < margin
    if method == "exact":
        towards: Literal["less", "greater"] = "less" if expect == "lower" else "greater"
        away: Literal["less", "greater"] = "greater" if expect == "lower" else "less"
        p_pass = two_proportion_test(k1, n1, k2, n2, alternative=towards, method="exact").p_value
        p_fail = two_proportion_test(k1, n1, k2, n2, alternative=away, method="exact").p_value
        shown, refuted = p_pass < alpha, p_fail < alpha
    if shown:
        outcome: Outcome = "pass"
        why = f"the change is shown {expect} by more than {margin}"
    elif refuted:
        outcome = "fail"
        why = f"a change {expect} by more than {margin} is ruled out"
    else:
        outcome = "inconclusive"
        why = f"the interval overlaps the boundary {-margin if expect == 'lower' else margin}"
    return Decision(
        kind="direction",
        outcome=outcome,
        alpha=alpha,
        rate=rate_a,
        base=rate_b,
        n=n1 + n2,
        estimate=d,
        interval=interval,
        margin=margin,
        p_value_pass=p_pass,
        p_value_fail=p_fail,
        method="newcombe" if method == "newcombe" else "fisher-exact",
        explanation=f"difference {d:+.4f}, {1 - 2 * alpha:.0%} interval {bounds}: {why}",
    )
