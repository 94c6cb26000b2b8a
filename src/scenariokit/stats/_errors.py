"""Exceptions raised by ``scenariokit.stats``."""

from __future__ import annotations


class StatsError(ValueError):
    """Base class for invalid statistical input (counts out of range, bad confidence levels, ...)."""


class UndefinedRateError(StatsError):
    """A rate or interval was requested where it is undefined, e.g. with no scorable samples (n = 0)."""
