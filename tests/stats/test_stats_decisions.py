"""Threshold, invariance and direction decisions: behaviour, exact error rates, and simulation."""

from __future__ import annotations

import math
import random

import pytest

from scenariokit.stats import (
    StatsError,
    decide_direction,
    decide_invariance,
    decide_threshold,
    newcombe_interval,
    two_proportion_test,
)


def test_threshold_zero_of_59_passes_at_five_percent() -> None:
    d = decide_threshold(0, 59, 0.05)
    assert d.outcome == "pass" and d.passed
    assert d.interval is not None and d.interval.upper < 0.05
    assert d.p_value_pass is not None and d.p_value_pass == pytest.approx(0.95**59)
    assert d.n == 59 and d.alpha == 0.05 and d.threshold == 0.05 and d.method == "clopper-pearson"
    assert decide_threshold(0, 58, 0.05).outcome == "inconclusive"


def test_threshold_fail_and_inconclusive() -> None:
    fail = decide_threshold(20, 50, 0.2)
    assert fail.outcome == "fail" and fail.failed
    assert fail.p_value_fail is not None and fail.p_value_fail < 0.05
    assert decide_threshold(5, 50, 0.1).outcome == "inconclusive"


@pytest.mark.parametrize("method", ["clopper-pearson", "wilson", "jeffreys"])
def test_threshold_p_values_agree_with_bounds(method: str) -> None:
    for n in (10, 37, 120):
        for k in range(n + 1):
            d = decide_threshold(k, n, 0.15, method=method, alpha=0.1)  # type: ignore[arg-type]
            assert d.p_value_pass is not None and d.p_value_fail is not None
            assert (d.outcome == "pass") == (d.p_value_pass < 0.1)
            assert (d.outcome == "fail") == (d.p_value_fail < 0.1)


def test_no_scorable_samples_is_inconclusive() -> None:
    d = decide_threshold(0, 0, 0.1, unscorable=7)
    assert d.outcome == "inconclusive" and d.rate.unscorable == 7 and "undefined" in d.explanation
    assert decide_invariance(0, 0, 3, 10, margin=0.1).outcome == "inconclusive"
    assert decide_direction(3, 10, 0, 0, expect="lower").outcome == "inconclusive"


def test_no_significant_difference_is_not_a_pass() -> None:
    small = decide_invariance(3, 20, 3, 20, margin=0.1)
    assert small.outcome == "inconclusive"
    assert small.p_value_pass is not None and small.p_value_pass > 0.05
    big = decide_invariance(300, 2000, 310, 2000, margin=0.05)
    assert big.outcome == "pass"
    assert big.interval is not None and big.interval.lower > -0.05 and big.interval.upper < 0.05
    shifted = decide_invariance(120, 200, 40, 200, margin=0.1)
    assert shifted.outcome == "fail"
    assert shifted.p_value_fail is not None and shifted.p_value_fail < 0.05


def test_direction() -> None:
    lower = decide_direction(5, 100, 30, 100, expect="lower")
    assert lower.outcome == "pass" and lower.estimate == pytest.approx(-0.25)
    assert decide_direction(30, 100, 5, 100, expect="lower").outcome == "fail"
    assert decide_direction(30, 100, 5, 100, expect="higher").outcome == "pass"
    exact = decide_direction(5, 100, 30, 100, expect="lower", method="exact")
    assert exact.outcome == "pass" and exact.method == "fisher-exact"
    assert (
        exact.p_value_pass == two_proportion_test(5, 100, 30, 100, alternative="less", method="exact").p_value
    )
    with pytest.raises(StatsError, match="only margin = 0"):
        decide_direction(5, 100, 30, 100, expect="lower", method="exact", margin=0.1)
    assert decide_direction(10, 50, 12, 50, expect="lower").outcome == "inconclusive"
    # A real but small reduction fails a claim of "at least 10 points lower" once it is measured well.
    assert decide_direction(190, 1000, 200, 1000, expect="lower", margin=0.1).outcome == "fail"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: decide_threshold(1, 10, 0.0), "max_rate"),
        (lambda: decide_threshold(1, 10, 0.1, alpha=0.6), "below 0.5"),
        (lambda: decide_invariance(1, 10, 1, 10, margin=0.0), "margin"),
        (lambda: decide_direction(1, 10, 1, 10, expect="up"), "expect"),  # type: ignore[arg-type]
    ],
)
def test_invalid_settings(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(StatsError, match=message):
        call()


def pmf(n: int, p: float) -> list[float]:
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


@pytest.mark.parametrize("n", [20, 59, 150])
@pytest.mark.parametrize("p0", [0.05, 0.2])
def test_threshold_exact_error_rates_at_most_alpha(n: int, p0: float) -> None:
    """Exact enumeration at the boundary rate p0, where both error probabilities are largest."""
    probs = pmf(n, p0)
    outcomes = [decide_threshold(k, n, p0).outcome for k in range(n + 1)]
    assert math.fsum(p for p, o in zip(probs, outcomes, strict=True) if o == "pass") <= 0.05
    assert math.fsum(p for p, o in zip(probs, outcomes, strict=True) if o == "fail") <= 0.05


@pytest.mark.parametrize(("n", "p"), [(30, 0.1), (60, 0.3), (60, 0.5)])
def test_direction_exact_size_near_alpha(n: int, p: float) -> None:
    """P(pass) when the change has no effect, by exact enumeration.

    Newcombe is approximate (its size oscillates around alpha: 0.060 at n=60, p=0.5); Fisher never
    exceeds alpha.
    """
    probs = pmf(n, p)
    newcombe = fisher = 0.0
    for k1 in range(n + 1):
        for k2 in range(n + 1):
            if newcombe_interval(k1, n, k2, n, 0.9).upper < 0.0:
                newcombe += probs[k1] * probs[k2]
            if two_proportion_test(k1, n, k2, n, alternative="less", method="exact").p_value < 0.05:
                fisher += probs[k1] * probs[k2]
    print(f"direction size n={n} p={p}: newcombe {newcombe:.4f}, fisher {fisher:.4f}")
    assert newcombe <= 0.065
    assert fisher <= 0.05


def binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


RUNS = 2000
SLACK = 3 * math.sqrt(0.05 * 0.95 / RUNS)  # three Monte-Carlo standard errors


def tally(outcomes: list[str]) -> dict[str, float]:
    return {o: outcomes.count(o) / len(outcomes) for o in ("pass", "fail", "inconclusive")}


@pytest.mark.simulation
def test_threshold_calibration_by_simulation() -> None:
    rng = random.Random(1)
    at_boundary = tally([decide_threshold(binomial(rng, 80, 0.1), 80, 0.1).outcome for _ in range(RUNS)])
    power = tally([decide_threshold(binomial(rng, 80, 0.01), 80, 0.1).outcome for _ in range(RUNS)])
    print(f"threshold p0=0.1 n=80: at p=p0 {at_boundary}; power at p=0.01: {power['pass']:.3f}")
    assert at_boundary["pass"] <= 0.05 + SLACK
    assert at_boundary["fail"] <= 0.05 + SLACK
    assert power["pass"] > 0.8


@pytest.mark.simulation
def test_invariance_calibration_by_simulation() -> None:
    rng = random.Random(2)
    n, margin = 150, 0.1

    def run(pa: float, pb: float, n: int = n) -> dict[str, float]:
        return tally(
            [
                decide_invariance(binomial(rng, n, pa), n, binomial(rng, n, pb), n, margin=margin).outcome
                for _ in range(RUNS)
            ]
        )

    boundary = run(0.4, 0.3)  # |d| = margin: a pass here is a false pass, a fail a false fail
    near_zero = run(0.12, 0.02)
    power = run(0.3, 0.3, n=400)
    print(
        f"invariance n=150 margin={margin}: d=margin {boundary}; low rates {near_zero}; power n=400 d=0 {power['pass']:.3f}"
    )
    for result in (boundary, near_zero):
        assert result["pass"] <= 0.05 + SLACK
        assert result["fail"] <= 0.05 + SLACK
    assert power["pass"] > 0.7


@pytest.mark.simulation
def test_direction_calibration_by_simulation() -> None:
    rng = random.Random(3)
    n = 60

    def run(pc: float, pb: float) -> dict[str, float]:
        return tally(
            [
                decide_direction(binomial(rng, n, pc), n, binomial(rng, n, pb), n, expect="lower").outcome
                for _ in range(RUNS)
            ]
        )

    null = run(0.25, 0.25)
    power = run(0.1, 0.3)
    print(f"direction n={n}: no effect {null}; power for 30% -> 10%: {power['pass']:.3f}")
    assert null["pass"] <= 0.05 + SLACK
    assert null["fail"] <= 0.05 + SLACK
    assert power["pass"] > 0.7
