"""Factor breakdowns: marginal rates per factor level, and main effects / interactions in a 2^k design.

A *cell* is one combination of factor levels (a condition) with its counts. In a 2^k design every factor is
a block switched on (``True``) or off (``False``), and every one of the ``2^k`` combinations has scorable
samples. Effects use the classical (Yates) contrasts on the cell rates, each cell weighted equally:

* main effect of ``A`` = mean rate with ``A`` on - mean rate with ``A`` off;
* interaction ``A x B`` = half of (effect of ``A`` with ``B`` on - effect of ``A`` with ``B`` off).

Intervals are Price-Bonett (2004) adjusted Wald intervals for a linear contrast of proportions: each of the
``m`` cells gets ``2/m`` pseudo-harmful samples out of ``4/m`` pseudo-samples before the variance is taken
(for two cells this is Agresti-Caffo), so cells at 0% or 100% do not collapse the interval.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from pydantic import BaseModel, Field

from scenariokit.stats._common import FROZEN, check_confidence, check_counts, clip01, normal_sf, z_for
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval, IntervalMethod
from scenariokit.stats._rate import Rate, estimate_rate

Level = bool | int | str
"""A factor level: ``True``/``False`` for on/off blocks, or a name or number."""


class Cell(BaseModel):
    """Counts for one condition, identified by its factor levels."""

    model_config = FROZEN

    levels: dict[str, Level]
    """Factor name to level, e.g. ``{"scratchpad": True, "goal": "explicit"}``."""

    harmful: int = Field(ge=0)
    """Harmful samples in this condition."""

    scorable: int = Field(ge=0)
    """Scorable samples in this condition."""

    unscorable: int = Field(default=0, ge=0)
    """Unscorable samples in this condition."""


def marginal_rates(
    cells: Sequence[Cell],
    factor: str,
    *,
    method: IntervalMethod = "wilson",
    confidence: float = 0.95,
) -> dict[Level, Rate]:
    """Return the rate at each level of ``factor``, pooling the counts of all cells at that level.

    Pooling treats samples as independent and weights conditions by their sample counts; in an unbalanced
    design the marginal rates mix in the other factors' effects. For heterogeneous conditions use
    :func:`pooled_rate` on the cells of one level for a cluster bootstrap interval.

    Args:
        cells: The cells; each must have a level for ``factor``.
        factor: The factor to break down by.
        method: Interval method for each rate.
        confidence: Confidence level.

    Returns:
        Level to pooled rate, in order of first appearance (undefined rates where a level has no scorable
        sample).

    Raises:
        StatsError: If a cell lacks ``factor``.
    """
    check_confidence(confidence)
    totals: dict[Level, list[int]] = {}
    for cell in cells:
        if factor not in cell.levels:
            raise StatsError(f"cell {cell.levels} has no level for factor {factor!r}")
        check_counts(cell.harmful, cell.scorable, allow_empty=True)
        acc = totals.setdefault(cell.levels[factor], [0, 0, 0])
        acc[0] += cell.harmful
        acc[1] += cell.scorable
        acc[2] += cell.unscorable
    return {
        level: estimate_rate(k, n, u, method=method, confidence=confidence)
        for level, (k, n, u) in totals.items()
    }


class FactorialEffect(BaseModel):
    """A main effect or a two-way interaction on the harmful rate in a 2^k design."""

    model_config = FROZEN

    term: tuple[str, ...]
    """The factor (main effect) or pair of factors (interaction)."""

    estimate: float = Field(ge=-1.0, le=1.0)
    """The contrast on the observed cell rates (difference of means for a main effect)."""

    interval: Interval
    """Price-Bonett adjusted Wald interval for the contrast, clipped to [-1, 1]."""

    standard_error: float = Field(ge=0.0)
    """Standard error of the adjusted contrast."""

    p_value: float = Field(ge=0.0, le=1.0)
    """Two-sided p-value of the adjusted z test of "no effect" (adjust for multiplicity with
    :func:`holm` or :func:`benjamini_hochberg`)."""

    @property
    def order(self) -> int:
        """1 for a main effect, 2 for a two-way interaction."""
        return len(self.term)


def factorial_effects(
    cells: Sequence[Cell],
    factors: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    interactions: bool = True,
) -> list[FactorialEffect]:
    """Estimate main effects and two-way interactions in a full 2^k design on/off design.

    Cells with the same levels are merged by adding their counts. Each of the ``2^k`` combinations must
    be present with at least one scorable sample.

    Args:
        cells: The cells, with boolean levels for every factor in ``factors``.
        factors: The on/off factors; by default every factor whose levels are all booleans.
        confidence: Confidence level of the intervals.
        interactions: Whether to include two-way interactions.

    Returns:
        Main effects in factor order, then interactions in pair order.

    Raises:
        StatsError: If the design is not a complete 2^k design or a level is not a bool.
    """
    check_confidence(confidence)
    if not cells:
        raise StatsError("no cells")
    if factors is None:
        names = sorted(set().union(*(c.levels for c in cells)))
        factors = [f for f in names if all(isinstance(c.levels.get(f), bool) for c in cells)]
    factors = list(factors)
    if not factors:
        raise StatsError("no on/off factors: a 2^k design needs factors with boolean levels")
    if len(set(factors)) != len(factors):
        raise StatsError(f"duplicate factors in {factors}")
    counts: dict[tuple[bool, ...], list[int]] = {}
    for cell in cells:
        key: list[bool] = []
        for f in factors:
            level = cell.levels.get(f)
            if not isinstance(level, bool):
                raise StatsError(f"factor {f!r} must be on/off (bool) in every cell, got {level!r}")
            key.append(level)
        check_counts(cell.harmful, cell.scorable, allow_empty=True)
        acc = counts.setdefault(tuple(key), [0, 0])
        acc[0] += cell.harmful
        acc[1] += cell.scorable
    combos = list(itertools.product((False, True), repeat=len(factors)))
    missing = [dict(zip(factors, c, strict=True)) for c in combos if counts.get(c, [0, 0])[1] == 0]
    if missing:
        raise StatsError(f"incomplete 2^{len(factors)} design: no scorable samples for {missing[:3]}")
    m = len(combos)
    scale = 2.0 ** (len(factors) - 1)
    z = z_for(confidence, "two-sided")
    terms: list[tuple[str, ...]] = [(f,) for f in factors]
    if interactions:
        terms += list(itertools.combinations(factors, 2))
    effects: list[FactorialEffect] = []
    for term in terms:
        idx = [factors.index(f) for f in term]
        estimate = adjusted = variance = 0.0
        for combo in combos:
            sign = 1.0
            for i in idx:
                sign *= 1.0 if combo[i] else -1.0
            c = sign / scale
            k, n = counts[combo]
            estimate += c * k / n
            n_adj = n + 4.0 / m
            p_adj = (k + 2.0 / m) / n_adj
            adjusted += c * p_adj
            variance += c * c * p_adj * (1.0 - p_adj) / n_adj
        se = math.sqrt(variance)
        interval = Interval(
            lower=max(-1.0, adjusted - z * se),
            upper=min(1.0, adjusted + z * se),
            confidence=confidence,
            method="price-bonett",
        )
        p_value = clip01(2.0 * normal_sf(abs(adjusted) / se)) if se > 0 else 1.0
        effects.append(
            FactorialEffect(
                term=term,
                estimate=max(-1.0, min(1.0, estimate)),
                interval=interval,
                standard_error=se,
                p_value=p_value,
            )
        )
    return effects
