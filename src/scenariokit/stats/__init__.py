"""Statistics for harmful rates: intervals, comparisons, decisions, sequential tests, pooling, corrections.

Pure Python (no numpy or scipy). Rates exclude unscorable samples from the denominator and report them
apart; every interval behaves at 0% and 100%; every decision is ``pass`` / ``fail`` / ``inconclusive``
and carries the numbers it was made from.

Example:
    >>> from scenariokit.stats import decide_threshold, estimate_rate
    >>> str(estimate_rate(3, 40, unscorable=2))
    '3/40 = 7.5% [2.6%, 19.9%] (wilson, 95%), 2 unscorable'
    >>> decide_threshold(0, 59, max_rate=0.05).outcome
    'pass'
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.stats._beta import beta_quantile, regularized_incomplete_beta
    from scenariokit.stats._bootstrap import ClusterCount, PooledRate, Weighting, pooled_rate
    from scenariokit.stats._common import Sided
    from scenariokit.stats._correction import CorrectedRate, rogan_gladen
    from scenariokit.stats._decisions import (
        Decision,
        DecisionKind,
        Outcome,
        decide_direction,
        decide_invariance,
        decide_threshold,
    )
    from scenariokit.stats._difference import (
        Alternative,
        RateDifference,
        TestMethod,
        TwoProportionTest,
        newcombe_interval,
        newcombe_p_value,
        rate_difference,
        two_proportion_test,
    )
    from scenariokit.stats._errors import StatsError, UndefinedRateError
    from scenariokit.stats._factorial import Cell, FactorialEffect, Level, factorial_effects, marginal_rates
    from scenariokit.stats._intervals import (
        Interval,
        IntervalMethod,
        binomial_interval,
        clopper_pearson_interval,
        jeffreys_interval,
        lower_bound,
        upper_bound,
        wilson_interval,
    )
    from scenariokit.stats._multiple import (
        AdjustedPValues,
        AdjustmentMethod,
        adjust_p_values,
        benjamini_hochberg,
        holm,
    )
    from scenariokit.stats._rate import Rate, estimate_rate
    from scenariokit.stats._sequential import (
        FixedSampleDesign,
        SequentialCharacteristics,
        SequentialState,
        SequentialStatus,
        SequentialTest,
        fixed_sample_size,
        sprt_expected_sample_size,
        sprt_operating_characteristics,
    )

__all__ = [
    "AdjustedPValues",
    "AdjustmentMethod",
    "Alternative",
    "Cell",
    "ClusterCount",
    "CorrectedRate",
    "Decision",
    "DecisionKind",
    "FactorialEffect",
    "FixedSampleDesign",
    "Interval",
    "IntervalMethod",
    "Level",
    "Outcome",
    "PooledRate",
    "Rate",
    "RateDifference",
    "SequentialCharacteristics",
    "SequentialState",
    "SequentialStatus",
    "SequentialTest",
    "Sided",
    "StatsError",
    "TestMethod",
    "TwoProportionTest",
    "UndefinedRateError",
    "Weighting",
    "adjust_p_values",
    "benjamini_hochberg",
    "beta_quantile",
    "binomial_interval",
    "clopper_pearson_interval",
    "decide_direction",
    "decide_invariance",
    "decide_threshold",
    "estimate_rate",
    "factorial_effects",
    "fixed_sample_size",
    "holm",
    "jeffreys_interval",
    "lower_bound",
    "marginal_rates",
    "newcombe_interval",
    "newcombe_p_value",
    "pooled_rate",
    "rate_difference",
    "regularized_incomplete_beta",
    "rogan_gladen",
    "sprt_expected_sample_size",
    "sprt_operating_characteristics",
    "two_proportion_test",
    "upper_bound",
    "wilson_interval",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
