"""Errors and warnings of the testing toolkit: failed and inconclusive properties, budgets, live calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenariokit.testing._report import PropertyReport


class ScenarioTestError(Exception):
    """Base class of the testing toolkit's usage errors (not property failures)."""


class BudgetExceededError(ScenarioTestError):
    """A test tried to make more model calls than its budget allows.

    The message names the budget, how many calls were made and how to raise it.
    """


class LiveCallError(ScenarioTestError):
    """A live (network) model call was attempted where only recorded responses are allowed.

    Raised under the ``scenariokit-ci`` profile or ``live=False``; the message says how to record the
    missing responses.
    """


class NoAPIKeyError(ScenarioTestError):
    """The model under test needs an API key and none is set; the message says how to test offline instead.

    Raised by the test instead of letting every sample fail (which read as an inconclusive property).
    """


class ReplayMissError(ScenarioTestError):
    """Replay-only mode found no recording for a request; the message names the file it looked for."""


class PropertyFailedError(AssertionError):
    """A robustness property was statistically refuted (its negation was shown at level ``alpha``).

    ``str(error)`` is the full readable report; ``error.report`` holds it as data.
    """

    def __init__(self, report: PropertyReport) -> None:
        self.report = report
        super().__init__(report.render())


class PropertyInconclusiveError(PropertyFailedError):
    """Too few samples to decide a property either way (raised when ``on_inconclusive="fail"``).

    The report says roughly how many samples would decide it.
    """


class InconclusiveWarning(UserWarning):
    """Warned instead of raising when ``on_inconclusive="warn"``; the message is the full report."""
