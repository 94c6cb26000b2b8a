"""Shared validation helpers and small numeric utilities (private)."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

from pydantic import ConfigDict

from scenariokit.stats._errors import StatsError, UndefinedRateError

FROZEN = ConfigDict(frozen=True, extra="forbid")

Sided = Literal["two-sided", "upper", "lower"]
"""Which bounds an interval has: both, only an upper bound (lower is 0), or only a lower bound (upper is 1)."""

_STANDARD_NORMAL = NormalDist()


def check_confidence(confidence: float) -> None:
    """Raise ``StatsError`` unless ``0 < confidence < 1``."""
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise StatsError(f"confidence must be strictly between 0 and 1, got {confidence!r}")


def check_alpha(alpha: float, name: str = "alpha") -> None:
    """Raise ``StatsError`` unless ``0 < alpha < 1``."""
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise StatsError(f"{name} must be strictly between 0 and 1, got {alpha!r}")


def check_probability(p: float, name: str) -> None:
    """Raise ``StatsError`` unless ``0 <= p <= 1``."""
    if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
        raise StatsError(f"{name} must be in [0, 1], got {p!r}")


def check_counts(harmful: int, scorable: int, *, allow_empty: bool = False) -> None:
    """Validate binomial counts ``0 <= harmful <= scorable``; ``scorable = 0`` is undefined unless allowed."""
    for name, value in (("harmful", harmful), ("scorable", scorable)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise StatsError(f"{name} must be an int, got {value!r}")
    if scorable < 0 or harmful < 0:
        raise StatsError(f"counts must be non-negative, got harmful={harmful}, scorable={scorable}")
    if harmful > scorable:
        raise StatsError(f"harmful ({harmful}) cannot exceed scorable ({scorable})")
    if scorable == 0 and not allow_empty:
        raise UndefinedRateError("no scorable samples (n = 0): the rate and its interval are undefined")


def z_quantile(q: float) -> float:
    """Return the ``q``-quantile of the standard normal distribution."""
    return _STANDARD_NORMAL.inv_cdf(q)


def normal_cdf(x: float) -> float:
    """Return the standard normal CDF at ``x``."""
    return _STANDARD_NORMAL.cdf(x)


def normal_sf(x: float) -> float:
    """Return the standard normal survival function ``1 - Phi(x)``, accurate in the upper tail."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def z_for(confidence: float, sided: Sided) -> float:
    """Return the critical value for a two-sided or one-sided interval at ``confidence``."""
    check_confidence(confidence)
    if sided == "two-sided":
        return z_quantile(0.5 + confidence / 2.0)
    return z_quantile(confidence)


def clip01(x: float) -> float:
    """Clip ``x`` to [0, 1]."""
    return min(1.0, max(0.0, x))
