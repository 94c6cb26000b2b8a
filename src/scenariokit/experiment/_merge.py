"""Merging of duplicates: entries that render the same prompt become one condition, counted once.

The expansion yields one :class:`Item` per scenario of the design, in design order; :func:`merge` groups them
by the fingerprint of their rendered prompt. A condition keeps the label of its first entry (made unique with
the fingerprint when two different prompts share a label), every entry as a merged source, the factor values
its entries agree on, and every perturbation that made it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from scenariokit.experiment._conditions import Condition, Merge, PerturbationRecord
from scenariokit.experiment._errors import DuplicateConditionWarning
from scenariokit.scenario import RenderedScenario


@dataclass
class Item:
    """One scenario of a design entry, before merging."""

    label: str
    """Its label (condition id, family and non-default factors, file stem, or variant name)."""
    source: str
    """The entry that made it (condition id, family settings, file or sweep variant)."""
    factors: dict[str, str] | None
    """Its factor values as text; ``None`` for a sweep variant."""
    perturbation: PerturbationRecord | None = None
    """How a sweep made it from its base, if it is a variant."""


@dataclass
class _Draft:
    rendered: RenderedScenario
    labels: list[str]
    sources: list[str]
    factors: list[dict[str, str] | None]
    perturbations: list[PerturbationRecord]


def merge(items: Iterable[tuple[Item, RenderedScenario]]) -> tuple[list[Condition], list[Merge]]:
    """Group items by fingerprint into conditions, in the order their fingerprints first appear.

    Returns:
        The conditions and the merges made (fingerprints rendered by more than one entry).
    """
    by_fp: dict[str, _Draft] = {}
    order: list[str] = []
    for item, rendered in items:
        draft = by_fp.get(rendered.fingerprint)
        if draft is None:
            draft = by_fp[rendered.fingerprint] = _Draft(rendered, [], [], [], [])
            order.append(rendered.fingerprint)
        draft.labels.append(item.label)
        draft.sources.append(item.source)
        draft.factors.append(item.factors)
        if item.perturbation is not None:
            draft.perturbations.append(item.perturbation)
    conditions: list[Condition] = []
    merges: list[Merge] = []
    used_labels: set[str] = set()
    final_label: dict[str, str] = {}
    for fp in order:
        draft = by_fp[fp]
        label = draft.labels[0]
        if label in used_labels:
            label = f"{label}#{fp[:8]}"
        used_labels.add(label)
        final_label[fp] = label
    for fp in order:
        draft = by_fp[fp]
        label = final_label[fp]
        known = [f for f in draft.factors if f is not None]
        first = known[0] if known else {}
        factors = {k: v for k, v in first.items() if all(f.get(k) == v for f in known[1:])}
        rendered = draft.rendered
        perturbations = tuple(
            p.model_copy(update={"base_label": final_label.get(p.base_fingerprint, p.base_label)})
            for p in draft.perturbations
        )
        conditions.append(
            Condition(
                fingerprint=fp,
                label=label,
                family=rendered.scenario.family,
                condition_id=rendered.condition_id,
                factors=factors,
                rendered=rendered,
                merged_sources=tuple(draft.sources),
                perturbations=perturbations,
            )
        )
        if len(draft.sources) > 1:
            merges.append(Merge(fingerprint=fp, label=label, sources=tuple(draft.sources)))
    return conditions, merges


def warn_merges(design_name: str, merges: Iterable[Merge], *, stacklevel: int) -> None:
    """One :class:`DuplicateConditionWarning` listing every merge, if there was any."""
    merges = list(merges)
    if not merges:
        return
    listed = "; ".join(
        f"{' = '.join(m.sources)} (kept as {m.label}, fingerprint {m.fingerprint[:12]})" for m in merges
    )
    warnings.warn(
        f"design {design_name!r}: {sum(len(m.sources) - 1 for m in merges)} scenario(s) render the same "
        f"prompt as another and were merged (each condition is run and counted once): {listed}",
        DuplicateConditionWarning,
        stacklevel=stacklevel + 1,
    )
