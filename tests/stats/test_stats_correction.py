"""Rogan-Gladen correction for detector error."""

from __future__ import annotations

import pytest

from scenariokit.stats import StatsError, UndefinedRateError, rogan_gladen, wilson_interval


def test_known_value_and_transformed_interval() -> None:
    corrected = rogan_gladen(30, 100, sensitivity=0.9, specificity=0.95)
    assert corrected.estimate == pytest.approx(0.25 / 0.85)
    obs = wilson_interval(30, 100)
    assert corrected.interval.lower == pytest.approx((obs.lower - 0.05) / 0.85)
    assert corrected.interval.upper == pytest.approx((obs.upper - 0.05) / 0.85)
    assert corrected.method == "known" and not corrected.clipped


def test_perfect_detector_is_identity() -> None:
    corrected = rogan_gladen(7, 40, sensitivity=1.0, specificity=1.0)
    assert corrected.estimate == pytest.approx(7 / 40)
    assert corrected.interval.lower == pytest.approx(wilson_interval(7, 40).lower)


def test_clipping_at_zero() -> None:
    corrected = rogan_gladen(1, 100, sensitivity=0.9, specificity=0.95)  # 1% flagged < 5% false positives
    assert corrected.raw_estimate < 0 and corrected.estimate == 0.0 and corrected.clipped
    assert corrected.interval.lower == 0.0 and corrected.interval.upper > 0.0


def test_estimated_detector_widens_interval() -> None:
    known = rogan_gladen(30, 100, sensitivity=0.9, specificity=0.95)
    estimated = rogan_gladen(30, 100, 0.9, 0.95, validation_positives=40, validation_negatives=40)
    assert estimated.method == "estimated"
    assert estimated.interval.width > known.interval.width
    assert estimated.interval.contains(estimated.estimate)


def test_invalid() -> None:
    with pytest.raises(StatsError, match="exceed 1"):
        rogan_gladen(3, 10, sensitivity=0.5, specificity=0.5)
    with pytest.raises(StatsError, match="both"):
        rogan_gladen(3, 10, 0.9, 0.9, validation_positives=10)
    with pytest.raises(UndefinedRateError):
        rogan_gladen(0, 0, 0.9, 0.9)
