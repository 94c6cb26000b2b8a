"""Errors and warnings of the experiment layer."""

from __future__ import annotations


class ExperimentError(Exception):
    """Base class of every error raised by ``scenariokit.experiment``."""


class DesignError(ExperimentError):
    """A study design is invalid: the message says where (file, entry, field), what and how to fix it."""


class StoreError(ExperimentError):
    """A study store cannot be opened, read or written; the message names the file and the fix."""


class IncompatibleStoreError(StoreError):
    """The file is not a scenariokit study store, or was written by an incompatible version.

    The file is never modified when this is raised.
    """


class StoreBusyError(StoreError):
    """Another process is running a study into the same store; the message says which and what to do."""


class StoreMismatchError(StoreError):
    """A run would put one design's samples into a store made by another design (names both; see ``append``)."""


class BudgetError(ExperimentError):
    """A budget cannot be enforced as asked (e.g. a dollar budget for a model with no known price)."""


class DuplicateConditionWarning(UserWarning):
    """Two or more design entries render the same prompt (same fingerprint) and were merged into one."""


class PerturbationNotApplicableWarning(UserWarning):
    """A sweep's operator does not apply to its base scenario (nothing to remove, already switched on, ...).

    The variant is left out of the design; the message names the sweep entry, the base, the operator and the
    reason. The dry run lists these too.
    """
