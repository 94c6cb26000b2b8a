"""Putting external transcripts in a study store, scored, so that ``report`` and ``rescore`` work on them.

Each external condition (a world with the transcript's verbatim prompts) is stored like a rendered condition;
each sample under its model with the configuration hash :data:`IMPORT_CONFIG_HASH` and its sample index. A
sample already stored (an ``ok`` attempt of the same key, or the same failure) is not stored again, so
importing the same source twice adds nothing; a sample that failed before and reads well now is stored
and supersedes the failure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from scenariokit._version import __version__
from scenariokit.agent._external import ExternalFailure, ExternalItem, ExternalSample
from scenariokit.detectors import Category, Detector, Outcome, Verdict, default_suite
from scenariokit.experiment._store import SampleRecord, StudyStore
from scenariokit.scenario import ConfidentialMaterial, EmergencyAlert, RenderedScenario

IMPORT_CONFIG = {"source": "import"}
"""The configuration recorded for imported samples (nothing of how they were generated is known)."""

IMPORT_CONFIG_HASH = hashlib.sha256(json.dumps(IMPORT_CONFIG, sort_keys=True).encode()).hexdigest()[:16]
"""The configuration hash of imported samples."""

HUMAN_DETECTOR = "human"
"""The detector name of labels (the name human reviews use, so that reports compare detectors with them)."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    samples: int
    """Samples read."""

    stored: int
    """Samples stored (failed ones included)."""

    duplicates: int
    """Samples already in the store, not stored again."""

    failed: tuple[tuple[str, str], ...]
    """``(source, reason)`` of each sample stored as failed (unscorable)."""

    skipped: tuple[ExternalFailure, ...]
    """Parts of the source that could not be imported at all (reported, not stored)."""

    conditions: int
    """Distinct conditions read."""

    labels: int = 0
    """Labels stored as review verdicts."""

    notes: tuple[str, ...] = field(default_factory=tuple)
    """Other things worth saying (e.g. labels that could not be stored)."""

    @property
    def ok(self) -> bool:
        """Whether every sample was read and stored without failure."""
        return not self.failed and not self.skipped


def _harm_category(rendered: RenderedScenario) -> str | None:
    s = rendered.scenario
    if s.leverage is not None:
        return "blackmail"
    if isinstance(s.opportunity, ConfidentialMaterial):
        return "leak"
    if isinstance(s.opportunity, EmergencyAlert):
        return "lethal_action"
    return None


def _label_verdict(label: str, labeller: str, category: str) -> Verdict:
    if label == "ambiguous":
        return Verdict(
            detector=HUMAN_DETECTOR,
            version=labeller,
            outcome=Outcome.UNSCORABLE,
            category=Category(category),
            label=label,
            reason="judged ambiguous by a human reviewer",
            rationale="label imported with the transcript",
        )
    return Verdict(
        detector=HUMAN_DETECTOR,
        version=labeller,
        outcome=Outcome(label),
        category=Category(category),
        label=label,
        score=1.0 if label == "harmful" else 0.0,
        rationale="label imported with the transcript",
    )


async def import_transcripts(
    store: StudyStore,
    items: Iterable[ExternalItem],
    *,
    source: str,
    detectors: Callable[[RenderedScenario], Sequence[Detector]] | None = None,
    batch_size: int = 64,
) -> ImportResult:
    """Score external samples with the detectors and store them (idempotent).

    Args:
        store: The study store (writable; created empty if new).
        items: What a reader yielded (``scenariokit.agent.read_external``).
        source: Where they came from (recorded with the run).
        detectors: Chooses the detectors of a condition (default: its default suite, heuristics only).
        batch_size: Samples written per transaction.

    Returns:
        Counts, and what failed or was skipped with the reasons.
    """
    choose = detectors or (lambda rendered: default_suite(rendered).detectors)
    existing: dict[tuple[str, str, str, int], tuple[str, str | None]] = {
        (s.fingerprint, s.model, s.config_hash, s.sample_index): (s.status, s.error)
        for s in store.iter_samples(effective=True)
    }
    run_id: int | None = None
    known: dict[str, tuple[Detector, ...]] = {}
    models: list[str] = []
    skipped: list[ExternalFailure] = []
    failed: list[tuple[str, str]] = []
    notes: list[str] = []
    pending: list[SampleRecord] = []
    seen: set[tuple[str, str, str, int]] = set()
    samples = stored = duplicates = labels = 0

    def flush() -> int:
        nonlocal run_id
        if not pending:
            return 0
        if run_id is None:
            run_id = store.begin_run(
                {"design": {"name": "imported"}, "import": {"source": source, "library_version": __version__}}
            )
        ids = store.write_samples(pending, run_id=run_id)
        pending.clear()
        return sum(i >= 0 for i in ids)

    for item in items:
        if isinstance(item, ExternalFailure):
            skipped.append(item)
            continue
        samples += 1
        sample: ExternalSample = item
        t = sample.transcript
        fp = sample.rendered.fingerprint
        key = (fp, t.model, IMPORT_CONFIG_HASH, t.sample_index)
        if key in seen:
            skipped.append(
                ExternalFailure(
                    sample.source,
                    f"sample {t.sample_index} of model {t.model!r} in condition {sample.label!r} is given twice; "
                    "give each sample its own 'sample_index'",
                )
            )
            continue
        seen.add(key)
        message = None if t.error is None else f"{t.error.type}: {t.error.message}"
        before = existing.get(key)
        if before is not None and (before[0] == "ok" or before == ("error", message)):
            duplicates += 1
            if t.error is not None:
                failed.append((sample.source, f"{t.error.message} (already stored as failed)"))
            continue
        if fp not in known:
            store.add_conditions(
                [
                    (
                        fp,
                        sample.label,
                        sample.rendered.scenario.family,
                        sample.rendered.condition_id,
                        {"source": "import"},
                        sample.rendered.model_dump_json(),
                    )
                ]
            )
            known[fp] = tuple(choose(sample.rendered))
        if t.model not in models:
            models.append(t.model)
            store.add_config(t.model, IMPORT_CONFIG_HASH, IMPORT_CONFIG)
        verdicts: list[Verdict] = []
        if t.error is None:
            verdicts = [await d.detect(t, sample.rendered) for d in known[fp]]
        else:
            failed.append((sample.source, t.error.message))
        if sample.human_label is not None:
            category = _harm_category(sample.rendered)
            if category is None:
                notes.append(
                    f"{sample.source}: the label is not stored: the world has no leverage, confidential material "
                    "or emergency alert, so there is no harm category to label"
                )
            else:
                verdicts.append(_label_verdict(sample.human_label, sample.labeller, category))
                labels += 1
        pending.append(
            SampleRecord(
                fp,
                t.model,
                IMPORT_CONFIG_HASH,
                t.sample_index,
                None,
                t,
                None,
                tuple(verdicts),
                prompt=(sample.rendered.system_prompt, sample.rendered.user_message),
            )
        )
        if len(pending) >= batch_size:
            stored += flush()
    stored += flush()
    return ImportResult(
        samples=samples,
        stored=stored,
        duplicates=duplicates,
        failed=tuple(failed),
        skipped=tuple(skipped),
        conditions=len({k[0] for k in seen}),
        labels=labels,
        notes=tuple(notes),
    )
