"""Correcting a rate for detector error: the Rogan-Gladen estimator of the true prevalence.

A detector with sensitivity ``Se`` and specificity ``Sp`` flags a fraction
``q = Se * p + (1 - Sp) * (1 - p)`` of samples when the true harmful rate is ``p``; hence
``p = (q + Sp - 1) / (Se + Sp - 1)``, defined when ``Se + Sp > 1`` (a detector better than chance).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._common import FROZEN, check_confidence, check_counts, check_probability, clip01, z_for
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval, wilson_interval
from scenariokit.stats._rate import Rate, estimate_rate


class CorrectedRate(BaseModel):
    """A harmful rate corrected for the detector's sensitivity and specificity."""

    model_config = FROZEN

    observed: Rate
    """The rate as the detector reported it."""

    sensitivity: float = Field(gt=0.0, le=1.0)
    """P(detector says harmful | truly harmful)."""

    specificity: float = Field(gt=0.0, le=1.0)
    """P(detector says benign | truly benign)."""

    raw_estimate: float
    """The Rogan-Gladen estimate before clipping; it can fall outside [0, 1] by sampling error."""

    estimate: float = Field(ge=0.0, le=1.0)
    """The corrected rate, ``raw_estimate`` clipped to [0, 1]."""

    clipped: bool
    """Whether clipping changed the estimate (a sign that the detector figures and the data disagree)."""

    interval: Interval
    """Interval for the corrected rate: computed on the unclipped scale (``raw_lower``, ``raw_upper``), then
    its ends clipped to [0, 1] (and widened, if need be, to contain ``estimate``)."""

    raw_lower: float
    """Lower end of the interval before clipping."""

    raw_upper: float
    """Upper end of the interval before clipping."""

    interval_clipped: bool
    """Whether clipping changed an end of the interval."""

    consistent: bool
    """Whether the unclipped interval meets [0, 1]. ``False`` means that no true rate fits the observed one at
    this confidence with these sensitivity and specificity: the clipped interval is then a single point that
    must not be read as certainty; check the detector's figures."""

    method: Literal["known", "estimated"]
    """``"known"``: sensitivity and specificity taken as exact, the observed Wilson interval transformed;
    ``"estimated"``: their validation-sample uncertainty propagated by the delta method."""


def _adjusted_variance(successes: float, n: int, z: float) -> float:
    """Agresti-Coull variance ``p~(1 - p~) / (n + z^2)``: never zero, even at 0% or 100%."""
    n_adj = n + z * z
    p_adj = (successes + z * z / 2.0) / n_adj
    return p_adj * (1.0 - p_adj) / n_adj


def rogan_gladen(
    harmful: int,
    scorable: int,
    sensitivity: float,
    specificity: float,
    *,
    confidence: float = 0.95,
    validation_positives: int | None = None,
    validation_negatives: int | None = None,
) -> CorrectedRate:
    """Correct an observed harmful rate for detector error (Rogan and Gladen, 1978).

    With sensitivity and specificity known exactly, the corrected interval is the observed Wilson interval
    mapped through the (increasing) Rogan-Gladen line, so its coverage is the Wilson coverage. When they
    were estimated on labelled data (``validation_positives`` truly harmful and ``validation_negatives``
    truly benign examples), their sampling variance is added by the delta method,
    ``Var = [Var(q) + p^2 Var(Se) + (1 - p)^2 Var(Sp)] / (Se + Sp - 1)^2``, each variance taken in the
    Agresti-Coull form so that none vanishes at 0% or 100%, and ``p`` the unclipped estimate (where the
    gradient is taken); this interval is approximate. The interval is computed on the unclipped scale, then
    its ends are clipped to [0, 1]: clipping the estimate never narrows it. ``clipped``,
    ``interval_clipped`` and ``consistent`` report what clipping did.

    Args:
        harmful: Samples the detector flagged harmful.
        scorable: Scorable samples.
        sensitivity: Detector sensitivity.
        specificity: Detector specificity.
        confidence: Confidence level.
        validation_positives: Number of truly harmful labelled examples ``Se`` was measured on.
        validation_negatives: Number of truly benign labelled examples ``Sp`` was measured on.

    Returns:
        The corrected rate.

    Raises:
        UndefinedRateError: If ``scorable == 0``.
        StatsError: If ``sensitivity + specificity <= 1`` or only one validation size is given.

    Example:
        >>> round(rogan_gladen(30, 100, sensitivity=0.9, specificity=0.95).estimate, 4)
        0.2941
    """
    check_counts(harmful, scorable)
    check_confidence(confidence)
    check_probability(sensitivity, "sensitivity")
    check_probability(specificity, "specificity")
    youden = sensitivity + specificity - 1.0
    if youden <= 0.0:
        raise StatsError(
            f"sensitivity + specificity must exceed 1 (a detector better than chance), got {youden + 1.0}"
        )
    if (validation_positives is None) != (validation_negatives is None):
        raise StatsError("give both validation_positives and validation_negatives, or neither")
    observed = estimate_rate(harmful, scorable, confidence=confidence)
    q = harmful / scorable
    raw = (q + specificity - 1.0) / youden
    estimate = clip01(raw)
    if validation_positives is None or validation_negatives is None:
        obs = wilson_interval(harmful, scorable, confidence)
        raw_lower = (obs.lower + specificity - 1.0) / youden
        raw_upper = (obs.upper + specificity - 1.0) / youden
        method: Literal["known", "estimated"] = "known"
    else:
        if validation_positives < 1 or validation_negatives < 1:
            raise StatsError("validation sizes must be positive")
        z = z_for(confidence, "two-sided")
        var_q = _adjusted_variance(harmful, scorable, z)
        var_se = _adjusted_variance(sensitivity * validation_positives, validation_positives, z)
        var_sp = _adjusted_variance(specificity * validation_negatives, validation_negatives, z)
        p = raw  # the gradient of the estimator at its own (unclipped) value, not at the clipped one
        se = math.sqrt(var_q + p * p * var_se + (1.0 - p) ** 2 * var_sp) / youden
        raw_lower = raw - z * se
        raw_upper = raw + z * se
        method = "estimated"
    lower, upper = min(clip01(raw_lower), estimate), max(clip01(raw_upper), estimate)
    return CorrectedRate(
        observed=observed,
        sensitivity=sensitivity,
        specificity=specificity,
        raw_estimate=raw,
        estimate=estimate,
        clipped=raw != estimate,
        interval=Interval(lower=lower, upper=upper, confidence=confidence, method=f"rogan-gladen-{method}"),
        raw_lower=raw_lower,
        raw_upper=raw_upper,
        interval_clipped=(lower, upper) != (raw_lower, raw_upper),
        consistent=raw_lower <= 1.0 and raw_upper >= 0.0,
        method=method,
    )
