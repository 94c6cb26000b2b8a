"""Single-proportion intervals against published values, independent computation, and invariants."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.stats import (
    StatsError,
    UndefinedRateError,
    binomial_interval,
    clopper_pearson_interval,
    estimate_rate,
    jeffreys_interval,
    lower_bound,
    upper_bound,
    wilson_interval,
)

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat. Med. 17, Table II:
# method 3 (Wilson score) and method 5 (Clopper-Pearson exact), 95%.
NEWCOMBE_1998 = [
    ((81, 263), (0.2553, 0.3662), (0.2527, 0.3676)),
    ((15, 148), (0.0624, 0.1605), (0.0578, 0.1617)),
    ((0, 20), (0.0, 0.1611), (0.0, 0.1684)),
    ((1, 29), (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("counts", "wilson", "exact"), NEWCOMBE_1998)
def test_newcombe_1998_table(
    counts: tuple[int, int], wilson: tuple[float, float], exact: tuple[float, float]
) -> None:
    w = wilson_interval(*counts)
    c = clopper_pearson_interval(*counts)
    assert (round(w.lower, 4), round(w.upper, 4)) == wilson
    assert (round(c.lower, 4), round(c.upper, 4)) == exact


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [(0, 10, (0.0, 0.3085)), (10, 10, (0.6915, 1.0)), (5, 10, (0.1871, 0.8129)), (0, 59, (0.0, 0.0606))],
)
def test_clopper_pearson_published(k: int, n: int, expected: tuple[float, float]) -> None:
    iv = clopper_pearson_interval(k, n)
    assert (round(iv.lower, 4), round(iv.upper, 4)) == expected


def test_zero_of_59_bounds_the_rate_below_five_percent() -> None:
    bound = upper_bound(0, 59)
    assert bound < 0.05
    assert bound == pytest.approx(1 - 0.05 ** (1 / 59), abs=1e-15)
    assert upper_bound(0, 58) > 0.05  # 59 is the smallest such n
    assert lower_bound(59, 59) == pytest.approx(0.05 ** (1 / 59), abs=1e-15)


def binomial_sf(k: int, n: int, p: float) -> float:
    return math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def solve(f: object, target: float) -> float:
    """Bisection for an increasing function on [0, 1] (independent of the library's beta code)."""
    assert callable(f)
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@pytest.mark.parametrize(("k", "n"), [(1, 7), (3, 40), (17, 60), (81, 263), (119, 120)])
def test_clopper_pearson_equals_binomial_tail_inversion(k: int, n: int) -> None:
    iv = clopper_pearson_interval(k, n, 0.9)
    lower = solve(lambda p: binomial_sf(k, n, p), 0.05)  # P(X >= k; p_L) = 0.05
    upper = solve(lambda p: binomial_sf(k + 1, n, p), 0.95)
    assert iv.lower == pytest.approx(lower, abs=1e-10)
    # P(X <= k; p_U) = 0.05  <=>  P(X >= k+1; p_U) = 0.95
    assert iv.upper == pytest.approx(upper, abs=1e-10)


def test_one_sided_bounds_and_edges() -> None:
    up = clopper_pearson_interval(3, 30, sided="upper")
    assert up.lower == 0.0
    assert up.upper == clopper_pearson_interval(3, 30, 0.90).upper
    low = wilson_interval(3, 30, sided="lower")
    assert low.upper == 1.0
    assert low.lower == pytest.approx(wilson_interval(3, 30, 0.90).lower)
    for method in ("wilson", "clopper-pearson", "jeffreys"):
        zero = binomial_interval(0, 25, method)  # type: ignore[arg-type]
        full = binomial_interval(25, 25, method)  # type: ignore[arg-type]
        assert zero.lower == 0.0 and zero.upper > 0.05  # never collapses at 0%
        assert full.upper == 1.0 and full.lower < 0.95  # nor at 100%


def test_n_zero_is_undefined_not_nan() -> None:
    for fn in (wilson_interval, clopper_pearson_interval, jeffreys_interval):
        with pytest.raises(UndefinedRateError, match="n = 0"):
            fn(0, 0)
    rate = estimate_rate(0, 0, unscorable=4)
    assert not rate.is_defined
    assert rate.estimate is None and rate.interval is None
    assert rate.undefined_reason == "no scorable samples (n = 0)"
    assert str(rate) == "0/0: undefined (no scorable samples (n = 0)), 4 unscorable"


def test_rate_keeps_unscorable_apart() -> None:
    rate = estimate_rate(12, 50, unscorable=3, method="clopper-pearson")
    assert rate.estimate == 0.24 and rate.total == 53 and rate.unscorable == 3
    assert rate.interval == clopper_pearson_interval(12, 50)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5, 3), "cannot exceed"),
        ((-1, 3), "non-negative"),
        ((1.0, 3), "must be an int"),
        ((True, 3), "must be an int"),
    ],
)
def test_invalid_counts(args: tuple[object, object], message: str) -> None:
    with pytest.raises(StatsError, match=message):
        wilson_interval(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.2])
def test_invalid_confidence(confidence: float) -> None:
    with pytest.raises(StatsError, match="confidence"):
        clopper_pearson_interval(1, 10, confidence)
    with pytest.raises(StatsError, match="confidence"):
        estimate_rate(1, 10, confidence=confidence)


def test_unknown_method() -> None:
    with pytest.raises(StatsError, match="unknown interval method"):
        binomial_interval(1, 10, "wald")  # type: ignore[arg-type]


METHODS = st.sampled_from(["wilson", "clopper-pearson", "jeffreys"])


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, 2000))
    return draw(st.integers(0, n)), n


@settings(max_examples=150, deadline=None)
@given(c=counts(), method=METHODS, confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_interval_invariants(c: tuple[int, int], method: str, confidence: float) -> None:
    k, n = c
    iv = binomial_interval(k, n, method, confidence)  # type: ignore[arg-type]
    assert 0.0 <= iv.lower <= k / n <= iv.upper <= 1.0
    mirrored = binomial_interval(n - k, n, method, confidence)  # type: ignore[arg-type]
    assert iv.lower == pytest.approx(1 - mirrored.upper, abs=1e-9)
    assert iv.upper == pytest.approx(1 - mirrored.lower, abs=1e-9)
    wider = binomial_interval(k, n, method, min(0.999, confidence + 0.005))  # type: ignore[arg-type]
    assert wider.lower <= iv.lower + 1e-12 and wider.upper >= iv.upper - 1e-12


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 300), k_frac=st.fractions(0, 1), method=METHODS)
def test_interval_narrows_as_n_grows(n: int, k_frac: object, method: str) -> None:
    k = int(k_frac * n)  # type: ignore[operator]
    widths = [binomial_interval(k * m, n * m, method).width for m in (1, 2, 4)]  # type: ignore[arg-type]
    assert widths[0] > widths[1] > widths[2]


@pytest.mark.simulation
def test_coverage_by_simulation() -> None:
    """Clopper-Pearson covers at least nominally; Wilson is close to nominal (2,000 runs per point)."""
    rng = random.Random(20240611)
    runs = 2000
    for n, p in [(20, 0.05), (50, 0.1), (100, 0.5)]:
        covered = {"clopper-pearson": 0, "wilson": 0}
        for _ in range(runs):
            k = sum(rng.random() < p for _ in range(n))
            for method in covered:
                covered[method] += binomial_interval(k, n, method).contains(p)  # type: ignore[arg-type]
        slack = 3 * math.sqrt(0.95 * 0.05 / runs)
        print(
            f"n={n} p={p}: CP {covered['clopper-pearson'] / runs:.4f}, Wilson {covered['wilson'] / runs:.4f}"
        )
        assert covered["clopper-pearson"] / runs >= 0.95 - slack
        assert abs(covered["wilson"] / runs - 0.95) <= 0.02 + slack
