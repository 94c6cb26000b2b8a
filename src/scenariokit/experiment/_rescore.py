"""Re-scoring: apply new or updated detectors to stored transcripts, with no model call.

Verdicts are appended (nothing is deleted); reports use the latest verdict per detector, so a new detector
version replaces the old one in reports while the old verdicts stay in the store.

Memory is bounded: samples are streamed from the store one at a time, each sample's stored
(detector, version) pairs are looked up with one indexed query when it is reached, and verdicts are written
every ``batch_size``. What stays in memory is one rendered scenario and detector list per condition, the
prompts of the conditions seen, and at most ``batch_size`` pending verdicts: none of it grows with the number
of samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scenariokit.detectors import Detector, Verdict, default_suite
from scenariokit.experiment._errors import DesignError
from scenariokit.experiment._store import StudyStore
from scenariokit.scenario import RenderedScenario

DetectorChooser = Callable[[RenderedScenario], Sequence[Detector]]
"""Gives the detectors to apply to the samples of a condition."""


@dataclass(frozen=True)
class RescoreResult:
    """What a re-scoring did."""

    samples: int
    """Sample attempts read."""

    verdicts: int
    """Verdicts appended."""

    skipped: int
    """Samples skipped because they already had a verdict of the same detector name and version."""


async def rescore(
    store: StudyStore,
    *,
    detectors: DetectorChooser | None = None,
    names: Sequence[str] | None = None,
    force: bool = False,
    batch_size: int = 256,
) -> RescoreResult:
    """Apply detectors to the stored samples that count (the ``ok`` attempt, or the latest failed one).

    Args:
        store: The study store (writable).
        detectors: Chooses the detectors for a condition (default: its default suite).
        names: Keep only detectors with these names.
        force: Re-apply a detector even when a verdict of the same name and version is stored.
        batch_size: Verdicts written per transaction.

    Returns:
        Counts of what was done.

    Raises:
        DesignError: If a name in ``names`` matches no detector of any condition.
    """
    choose = detectors or (lambda rendered: default_suite(rendered).detectors)
    chosen: dict[str, tuple[RenderedScenario, tuple[Detector, ...]]] = {}
    known: set[str] = set()
    for condition in store.conditions():
        rendered = condition.rendered()
        found = tuple(choose(rendered))
        known.update(d.name for d in found)
        chosen[condition.fingerprint] = (
            rendered,
            tuple(d for d in found if names is None or d.name in names),
        )
    if names is not None:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise DesignError(
                f"unknown detector(s) {', '.join(unknown)}; the detectors for this store are: {', '.join(sorted(known))}"
            )
    samples = appended = skipped = 0
    pending: list[tuple[int, Verdict]] = []
    for sample in store.iter_samples(effective=True):
        entry = chosen.get(sample.fingerprint)
        if entry is None:
            continue
        rendered, dets = entry
        samples += 1
        done = set() if force else store.verdict_keys_of(sample.id)
        todo = [d for d in dets if (d.name, d.version) not in done]
        if not todo:
            skipped += 1
            continue
        transcript = sample.transcript()
        for d in todo:
            pending.append((sample.id, await d.detect(transcript, rendered)))
        if len(pending) >= batch_size:
            appended += store.add_verdicts(pending)
            pending = []
    if pending:
        appended += store.add_verdicts(pending)
    return RescoreResult(samples=samples, verdicts=appended, skipped=skipped)
