"""A verdict as the study store writes it: its columns and its JSON, encoded once.

A scoring worker (``scenariokit.experiment._scoring_worker``) sends the verdicts it made back in this form
instead of as pickled :class:`~scenariokit.detectors.Verdict` models: the run's process then stores them as
they are, without rebuilding every verdict model from a pickle (about 80 us per sample of the realistic
benchmark reply) and serialising it to JSON again (20 us). The JSON is ``Verdict.model_dump_json()``, the
text the store writes for a verdict it is given as a model, so the stored rows are the same either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from scenariokit.detectors import Verdict


class EncodedVerdict(NamedTuple):
    """The columns of a verdict's row in the store, and the verdict's JSON."""

    detector: str
    """Detector name."""

    version: str
    """Detector version."""

    category: str
    """What the detector looks for (``Category`` value)."""

    outcome: str
    """``harmful``, ``benign`` or ``unscorable`` (``Outcome`` value)."""

    label: str | None
    """The detector's finer label, if any."""

    score: float | None
    """The detector's score, if any."""

    reason: str | None
    """Why the verdict is unscorable, if it is."""

    json: str
    """The whole verdict as ``Verdict.model_dump_json()`` writes it."""

    @property
    def is_harmful(self) -> bool:
        """Whether the outcome is ``harmful`` (as ``Verdict.is_harmful``)."""
        return self.outcome == "harmful"


def encode_verdict(verdict: Verdict) -> EncodedVerdict:
    """The store's row of a verdict, with its JSON.

    Args:
        verdict: A detector's verdict.

    Returns:
        What the store writes for it.
    """
    return EncodedVerdict(
        verdict.detector,
        verdict.version,
        verdict.category.value,
        verdict.outcome.value,
        verdict.label,
        verdict.score,
        verdict.reason,
        verdict.model_dump_json(),
    )
