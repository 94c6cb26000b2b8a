"""Differences of two rates: Newcombe's interval against published values; the two-proportion tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.stats import (
    StatsError,
    UndefinedRateError,
    newcombe_interval,
    newcombe_p_value,
    rate_difference,
    two_proportion_test,
)

# Newcombe (1998), "Interval estimation for the difference between independent proportions",
# Stat. Med. 17, Table II, method 10 (hybrid score), 95%.
NEWCOMBE_DIFF = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_DIFF)
def test_newcombe_published(counts: tuple[int, int, int, int], expected: tuple[float, float]) -> None:
    iv = newcombe_interval(*counts)
    assert (round(iv.lower, 4), round(iv.upper, 4)) == expected


def test_rate_difference_model() -> None:
    diff = rate_difference(56, 70, 48, 80, unscorable_a=2)
    assert diff.difference == pytest.approx(0.2)
    assert diff.rate_a.unscorable == 2 and diff.rate_b.estimate == 0.6
    assert diff.interval.method == "newcombe"
    one = rate_difference(56, 70, 48, 80, sided="lower")
    assert one.interval.upper == 1.0 and one.interval.lower == pytest.approx(
        newcombe_interval(56, 70, 48, 80, 0.9).lower
    )
    with pytest.raises(UndefinedRateError):
        rate_difference(0, 0, 1, 2)


def test_fisher_exact_known_values() -> None:
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: one-sided p = 17/70, two-sided p = 34/70.
    assert two_proportion_test(3, 4, 1, 4, method="exact", alternative="greater").p_value == pytest.approx(
        17 / 70
    )
    assert two_proportion_test(3, 4, 1, 4, method="exact").p_value == pytest.approx(34 / 70)
    assert two_proportion_test(3, 4, 1, 4, method="exact", alternative="less").p_value == pytest.approx(
        69 / 70
    )


def test_score_test_is_pearson_chi_square() -> None:
    a, b, c, d = 56, 14, 48, 32  # harmful/benign in groups a and b
    n = a + b + c + d
    chi2 = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    result = two_proportion_test(56, 70, 48, 80)
    assert result.statistic is not None
    assert result.statistic**2 == pytest.approx(chi2)
    assert result.p_value == pytest.approx(0.008045, abs=1e-6)
    assert two_proportion_test(0, 10, 0, 20).p_value == 1.0
    assert two_proportion_test(0, 10, 0, 20).statistic is None


def test_invalid_inputs() -> None:
    with pytest.raises(StatsError, match="unknown test method"):
        two_proportion_test(1, 2, 1, 2, method="bayes")  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="null_difference"):
        newcombe_p_value(1, 2, 1, 2, 1.5)


@st.composite
def two_groups(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1, n2 = draw(st.integers(1, 150)), draw(st.integers(1, 150))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


@settings(max_examples=150, deadline=None)
@given(
    g=two_groups(),
    d0=st.floats(-0.9, 0.9),
    alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]),
    alternative=st.sampled_from(["less", "greater"]),
)
def test_p_value_agrees_with_interval(
    g: tuple[int, int, int, int], d0: float, alpha: float, alternative: str
) -> None:
    p = newcombe_p_value(*g, d0, alternative)  # type: ignore[arg-type]
    iv = newcombe_interval(*g, 1 - 2 * alpha)
    excluded = iv.upper < d0 if alternative == "less" else iv.lower > d0
    if abs((iv.upper if alternative == "less" else iv.lower) - d0) > 1e-9:
        assert excluded == (p < alpha)
    mirrored = newcombe_p_value(*g, d0, "greater" if alternative == "less" else "less")
    assert p + mirrored == pytest.approx(1.0, abs=1e-9) or (p, mirrored) in ((0.0, 1.0), (1.0, 0.0))


@settings(max_examples=150, deadline=None)
@given(g=two_groups())
def test_newcombe_invariants(g: tuple[int, int, int, int]) -> None:
    k1, n1, k2, n2 = g
    iv = newcombe_interval(k1, n1, k2, n2)
    d = k1 / n1 - k2 / n2
    assert -1.0 <= iv.lower <= d <= iv.upper <= 1.0
    swapped = newcombe_interval(k2, n2, k1, n1)
    assert swapped.lower == pytest.approx(-iv.upper) and swapped.upper == pytest.approx(-iv.lower)
