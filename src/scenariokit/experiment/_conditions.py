"""What expanding a design gives: conditions (one per fingerprint), merges, models and sweep records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from scenariokit.perturb import Change, Effect
from scenariokit.scenario import RenderedScenario

if TYPE_CHECKING:
    from scenariokit.experiment._design import Design, ModelSpec


class PerturbationRecord(BaseModel):
    """How a sweep variant was made: its base, the operator (with every parameter used), effect and changes.

    Stored with the condition (``StudyStore.condition_metadata``) so reports can compare variant and base.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    base_fingerprint: str
    """Fingerprint of the base condition."""

    base_label: str
    """Label of the base condition."""

    operator: str
    """The operator's name (``rename_company``)."""

    effect: Effect
    """The operator's declared effect on harmful behaviour: ``invariant``, ``decrease`` or ``increase``."""

    params: dict[str, Any]
    """Every parameter of the operator as applied (drawn ones included): the operator can be rebuilt from it."""

    changes: tuple[Change, ...]
    """What the operator changed (the typed diff of ``scenariokit.perturb``)."""

    source: str
    """The design entry and operator that made it, e.g. ``scenarios[1].sweep.operators[0]``."""

    draw: int | None = None
    """Index of the draw (0-based) for an operator that draws parameters; ``None`` for one with no draws."""

    def summary(self, limit: int = 3) -> str:
        """The operator, its effect and its first changes on one line."""
        shown = "; ".join(c.summary for c in self.changes[:limit])
        more = f"; and {len(self.changes) - limit} more" if len(self.changes) > limit else ""
        return f"{self.operator} ({self.effect.value}): {shown}{more}"


@dataclass(frozen=True)
class NotApplicable:
    """A sweep operator that did not apply to a base (left out of the design)."""

    source: str
    """The sweep entry and operator, e.g. ``scenarios[1].sweep.operators[2]``."""

    base_label: str
    """The base condition."""

    operator: str
    """The operator's name."""

    reason: str
    """Why it did not apply."""


@dataclass(frozen=True)
class Condition:
    """One distinct prompt of a study, identified by its fingerprint."""

    fingerprint: str
    """Fingerprint of the rendered scenario."""

    label: str
    """Column label: the study condition id when there is one, else the family and its non-default
    factors (or the scenario file's stem)."""

    family: str
    """The scenario family."""

    condition_id: str | None
    """The study's condition id, or ``None``."""

    factors: Mapping[str, str]
    """Factor values as text (for per-factor breakdowns); factors that differ between merged entries are
    left out, since they do not change the prompt. Empty for a sweep variant (its factors are its base's,
    changed by the perturbation): variants are compared with their base instead."""

    rendered: RenderedScenario = field(repr=False, compare=False)
    """What the model sees."""

    merged_sources: tuple[str, ...] = ()
    """Every design entry that rendered this prompt (condition id, family settings or file), first first."""

    perturbations: tuple[PerturbationRecord, ...] = ()
    """How sweeps made this prompt from a base (empty unless it is a sweep variant; several when variants of
    different sweeps render the same prompt)."""

    @property
    def is_variant(self) -> bool:
        """Whether a sweep made this condition by perturbing a base."""
        return bool(self.perturbations)


@dataclass(frozen=True)
class Merge:
    """Entries that rendered the same prompt and were merged."""

    fingerprint: str
    """The shared fingerprint."""

    label: str
    """Label of the condition kept."""

    sources: tuple[str, ...]
    """The merged entries (condition id, family settings or file), in design order."""


@dataclass(frozen=True)
class ModelRun:
    """A model with its settings and the hash that keys its samples in the store."""

    spec: ModelSpec
    """The model and its generation settings."""

    config_hash: str
    """Hash of its settings, the design's ``max_turns`` and ``seed`` (see :func:`config_hash`)."""

    @property
    def name(self) -> str:
        """``provider/model``."""
        return self.spec.name


@dataclass(frozen=True)
class ExpandedDesign:
    """A design's distinct conditions, models and the merges made while expanding it."""

    design: Design
    """The design."""

    conditions: tuple[Condition, ...]
    """One per fingerprint, in the order the entries produced them."""

    models: tuple[ModelRun, ...]
    """The models with their configuration hashes."""

    merges: tuple[Merge, ...] = ()
    """Entries merged because they rendered the same prompt."""

    not_applicable: tuple[NotApplicable, ...] = ()
    """Sweep operators that did not apply to their base (left out, with the reason)."""

    @property
    def total_samples(self) -> int:
        """Conditions x models x samples."""
        return len(self.conditions) * len(self.models) * self.design.samples
