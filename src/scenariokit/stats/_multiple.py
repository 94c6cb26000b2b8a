"""Multiple-comparison adjustments: Holm (family-wise error) and Benjamini-Hochberg (false discovery rate)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._common import FROZEN, check_alpha
from scenariokit.stats._errors import StatsError

AdjustmentMethod = Literal["holm", "benjamini-hochberg"]
"""``"holm"`` controls the family-wise error rate; ``"benjamini-hochberg"`` the false discovery rate."""


class AdjustedPValues(BaseModel):
    """p-values adjusted for multiple comparisons, in the order they were given."""

    model_config = FROZEN

    method: AdjustmentMethod
    """The adjustment."""

    alpha: float = Field(gt=0.0, lt=1.0)
    """Level at which ``rejected`` is decided."""

    p_values: tuple[float, ...]
    """The raw p-values."""

    adjusted: tuple[float, ...]
    """Adjusted p-values (never below the raw ones, at most 1)."""

    rejected: tuple[bool, ...]
    """Whether each hypothesis is rejected: ``adjusted <= alpha``."""


def _check(p_values: Sequence[float]) -> list[float]:
    values = [float(p) for p in p_values]
    for p in values:
        if not (math.isfinite(p) and 0.0 <= p <= 1.0):
            raise StatsError(f"p-values must be in [0, 1], got {p}")
    return values


def holm(p_values: Sequence[float], alpha: float = 0.05) -> AdjustedPValues:
    """Holm's step-down adjustment: ``adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))`` on sorted p-values.

    Example:
        >>> holm([0.01, 0.04, 0.03]).adjusted
        (0.03, 0.06, 0.06)
    """
    check_alpha(alpha)
    values = _check(p_values)
    m = len(values)
    order = sorted(range(m), key=lambda i: values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * values[i]))
        adjusted[i] = running
    return AdjustedPValues(
        method="holm",
        alpha=alpha,
        p_values=tuple(values),
        adjusted=tuple(adjusted),
        rejected=tuple(a <= alpha for a in adjusted),
    )


def benjamini_hochberg(p_values: Sequence[float], alpha: float = 0.05) -> AdjustedPValues:
    """Benjamini-Hochberg step-up adjustment: ``adj_(i) = min_{j >= i} min(1, m p_(j) / j)``.

    Controls the false discovery rate at ``alpha`` for independent or positively dependent tests.

    Example:
        >>> benjamini_hochberg([0.01, 0.04, 0.03]).adjusted
        (0.03, 0.04, 0.04)
    """
    check_alpha(alpha)
    values = _check(p_values)
    m = len(values)
    order = sorted(range(m), key=lambda i: values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, 1.0, max(values[i], m * values[i] / (rank + 1)))
        adjusted[i] = running
    return AdjustedPValues(
        method="benjamini-hochberg",
        alpha=alpha,
        p_values=tuple(values),
        adjusted=tuple(adjusted),
        rejected=tuple(a <= alpha for a in adjusted),
    )


def adjust_p_values(
    p_values: Sequence[float], method: AdjustmentMethod = "holm", alpha: float = 0.05
) -> AdjustedPValues:
    """Adjust p-values by ``"holm"`` or ``"benjamini-hochberg"``."""
    if method == "holm":
        return holm(p_values, alpha)
    if method == "benjamini-hochberg":
        return benjamini_hochberg(p_values, alpha)
    raise StatsError(f"unknown adjustment {method!r}; use 'holm' or 'benjamini-hochberg'")
