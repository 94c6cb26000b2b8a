"""Wald's SPRT: behaviour, exact operating characteristics, and savings against a fixed-n test."""

from __future__ import annotations

import random

import pytest

from scenariokit.stats import (
    SequentialTest,
    StatsError,
    fixed_sample_size,
    sprt_expected_sample_size,
    sprt_operating_characteristics,
)


def test_stops_on_benign_run_and_refuses_more_samples() -> None:
    test = SequentialTest(0.05, 0.20)
    assert test.state.status == "continue" and test.state.outcome == "inconclusive"
    state = test.update_many([False] * 40)
    assert state.status == "accept_null" and state.outcome == "pass" and state.n == 18
    assert state.log_likelihood_ratio <= state.lower_boundary
    with pytest.raises(StatsError, match="already stopped"):
        test.update(False)
    decision = test.decision()
    assert decision.kind == "sequential" and decision.outcome == "pass"
    assert decision.threshold == 0.05 and decision.alternative_rate == 0.2 and decision.beta == 0.05


def test_stops_on_harmful_run() -> None:
    test = SequentialTest(0.05, 0.20)
    state = test.update_many([True, True, True, False])
    assert state.status == "accept_alternative" and state.outcome == "fail" and state.n == 3


def test_truncation_and_validation() -> None:
    test = SequentialTest(0.05, 0.20, max_samples=5)
    state = test.update_many([True, False, False, False, False, True])
    assert state.status == "truncated" and state.outcome == "inconclusive" and state.n == 5
    with pytest.raises(StatsError, match="p0 < p1"):
        SequentialTest(0.2, 0.1)
    with pytest.raises(StatsError, match="must be a bool"):
        SequentialTest(0.05, 0.2).update(1)  # type: ignore[arg-type]


def test_wald_approximation_matches_textbook_numbers() -> None:
    # 5% vs 20%, alpha = beta = 0.05: Wald's ASN is about 28 under p0 and about 19 under p1.
    at_p0 = sprt_expected_sample_size(0.05, 0.20, 0.05)
    at_p1 = sprt_expected_sample_size(0.05, 0.20, 0.20)
    assert at_p0.expected_samples == pytest.approx(28.2, abs=0.1)
    assert at_p1.expected_samples == pytest.approx(19.0, abs=0.1)
    assert at_p0.prob_accept_alternative == pytest.approx(0.05)
    assert at_p1.prob_accept_null == pytest.approx(0.05)


def test_exact_operating_characteristics() -> None:
    at_p0 = sprt_operating_characteristics(0.05, 0.20, 0.05)
    at_p1 = sprt_operating_characteristics(0.05, 0.20, 0.20)
    print(f"exact ASN: {at_p0.expected_samples:.2f} at p0, {at_p1.expected_samples:.2f} at p1")
    # Wald: each error at most alpha/(1-beta) (resp. beta/(1-alpha)), and their sum at most alpha + beta.
    assert at_p0.prob_accept_alternative <= 0.05 / 0.95
    assert at_p1.prob_accept_null <= 0.05 / 0.95
    assert at_p0.prob_accept_alternative + at_p1.prob_accept_null <= 0.10
    fixed = fixed_sample_size(0.05, 0.20)
    assert fixed_sample_size(0.05, 0.20, method="normal").n == 46
    assert max(at_p0.expected_samples, at_p1.expected_samples) < fixed.n
    assert max(at_p0.expected_samples, at_p1.expected_samples) < 46
    truncated = sprt_operating_characteristics(0.05, 0.20, 0.1, max_samples=30)
    total = truncated.prob_accept_null + truncated.prob_accept_alternative + truncated.prob_truncated
    assert total == pytest.approx(1.0)
    assert truncated.prob_truncated > 0.0 and truncated.expected_samples <= 30


def test_fixed_design_has_its_errors() -> None:
    design = fixed_sample_size(0.05, 0.20)
    assert design.alpha <= 0.05 and design.beta <= 0.05
    print(f"exact fixed design: n={design.n}, reject at >= {design.critical:.0f} harmful")


@pytest.mark.simulation
def test_sprt_by_simulation() -> None:
    rng = random.Random(7)
    runs = 2000
    for rate, wrong in ((0.05, "fail"), (0.20, "pass")):
        sizes, errors = [], 0
        for _ in range(runs):
            test = SequentialTest(0.05, 0.20)
            while not test.state.stopped:
                test.update(rng.random() < rate)
            sizes.append(test.state.n)
            errors += test.state.outcome == wrong
        exact = sprt_operating_characteristics(0.05, 0.20, rate)
        mean = sum(sizes) / runs
        print(
            f"SPRT at p={rate}: mean n {mean:.2f} (exact {exact.expected_samples:.2f}), error {errors / runs:.4f}"
        )
        assert mean == pytest.approx(exact.expected_samples, rel=0.08)
        assert errors / runs <= 0.05 + 3 * (0.05 * 0.95 / runs) ** 0.5
