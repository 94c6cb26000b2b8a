"""The incomplete beta function and its inverse, checked against closed forms and binomial sums."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scenariokit.stats import beta_quantile, regularized_incomplete_beta


def binomial_cdf(k: int, n: int, p: float) -> float:
    return math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


@pytest.mark.parametrize(
    ("x", "a", "b", "expected"), [(0.3, 1, 1, 0.3), (0.25, 2, 1, 0.0625), (0.5, 7, 7, 0.5)]
)
def test_closed_forms(x: float, a: float, b: float, expected: float) -> None:
    assert regularized_incomplete_beta(x, a, b) == pytest.approx(expected, abs=1e-14)


@pytest.mark.parametrize(
    ("k", "n", "p"), [(0, 10, 0.1), (3, 10, 0.3), (81, 263, 0.3), (5, 500, 0.02), (40, 41, 0.9)]
)
def test_matches_binomial_tail_sum(k: int, n: int, p: float) -> None:
    # P(X <= k) = I_{1-p}(n - k, k + 1)
    assert regularized_incomplete_beta(1 - p, n - k, k + 1) == pytest.approx(binomial_cdf(k, n, p), rel=1e-11)


def test_ends_and_errors() -> None:
    assert regularized_incomplete_beta(0.0, 2, 3) == 0.0
    assert regularized_incomplete_beta(1.0, 2, 3) == 1.0
    assert beta_quantile(0.0, 2, 3) == 0.0
    assert beta_quantile(1.0, 2, 3) == 1.0
    with pytest.raises(ValueError, match="shape"):
        regularized_incomplete_beta(0.5, 0, 1)
    with pytest.raises(ValueError, match="x must be"):
        regularized_incomplete_beta(1.5, 1, 1)
    with pytest.raises(ValueError, match="q must be"):
        beta_quantile(-0.1, 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    q=st.floats(1e-6, 1 - 1e-6),
    a=st.floats(0.5, 2000.0),
    b=st.floats(0.5, 2000.0),
)
@example(q=0.9999989999999999, a=329.0, b=0.5)  # found by CI: the CDF steeper than the float spacing near 1
def test_quantile_inverts_cdf(q: float, a: float, b: float) -> None:
    x = beta_quantile(q, a, b)
    assert 0.0 <= x <= 1.0
    if regularized_incomplete_beta(x, a, b) == pytest.approx(q, rel=1e-8, abs=1e-12):
        return
    # Where the CDF is steep against the float spacing (x within a few ulps of 1 and b < 1, e.g. q = 1 - 1e-6,
    # a = 329, b = 0.5: one ulp of x moves the CDF by 2.3e-8), no float x is within 1e-8 of q. The quantile must
    # then be as good as a float can be: q lies between the CDF a few ulps below x and a few ulps above it.
    below, above = x, x
    for _ in range(16):
        below, above = math.nextafter(below, 0.0), math.nextafter(above, 1.0)
    assert (
        regularized_incomplete_beta(below, a, b) - 1e-12
        <= q
        <= regularized_incomplete_beta(above, a, b) + 1e-12
    )


@settings(max_examples=100, deadline=None)
@given(x=st.floats(1e-6, 1 - 1e-6), a=st.floats(0.1, 500.0), b=st.floats(0.1, 500.0))
def test_symmetry_relation(x: float, a: float, b: float) -> None:
    assert regularized_incomplete_beta(x, a, b) == pytest.approx(
        1.0 - regularized_incomplete_beta(1.0 - x, b, a), abs=1e-9
    )
