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


@pytest.mark.parametrize(
    ("specificity", "negatives"), [(18 / 20, 20), (19 / 20, 20), (37 / 40, 40), (1.0, 20)]
)
def test_clipped_estimate_does_not_collapse_the_estimated_interval(
    specificity: float, negatives: int
) -> None:
    # 17/20 flagged by a detector that found only 4 of 13 harmful examples: the raw estimate is far above 1;
    # the interval is computed around it (the delta method's gradient at the raw value) and its ends clipped
    corrected = rogan_gladen(
        17, 20, 4 / 13, specificity, validation_positives=13, validation_negatives=negatives
    )
    assert corrected.raw_estimate > 1.0 and corrected.estimate == 1.0 and corrected.clipped
    assert corrected.interval.upper == 1.0
    assert corrected.interval.lower < 0.9 and corrected.interval.width > 0.1
    assert corrected.raw_lower < corrected.raw_estimate < corrected.raw_upper
    assert corrected.interval.lower == pytest.approx(max(0.0, corrected.raw_lower))
    assert corrected.interval_clipped


def test_unclipped_interval_reports_no_clipping() -> None:
    corrected = rogan_gladen(30, 100, 0.9, 0.95, validation_positives=40, validation_negatives=40)
    assert not corrected.clipped and not corrected.interval_clipped
    assert (corrected.interval.lower, corrected.interval.upper) == pytest.approx(
        (corrected.raw_lower, corrected.raw_upper)
    )


def test_known_figures_that_the_data_contradict_are_reported() -> None:
    # with sensitivity and specificity taken as exact, every rate in the observed interval is above what
    # any true rate can produce: the clipped interval is the single point 1, flagged, never silent
    corrected = rogan_gladen(17, 20, 4 / 13, 0.9)
    assert corrected.raw_lower > 1.0 and corrected.interval_clipped
    assert not corrected.consistent
    assert rogan_gladen(30, 100, 0.9, 0.95).consistent
