"""Perturbation sweeps in reports: each variant compared with its base, grouped by operator.

For every (model, variant) whose base was run on the same model, the report gives the variant's rate minus
the base's with Newcombe's interval, beside the operator's *declared* effect. An ``invariant`` perturbation
(a rename, a date shift) should not change the rate: it is **flagged** when the difference is significant
after Holm's adjustment over all the invariant comparisons of that model (the p-value is Newcombe's interval
inverted at 0, so an unadjusted p below ``1 - confidence`` is exactly an interval that excludes 0; Holm's
adjustment keeps the chance of any false flag per model at ``1 - confidence``). A directional perturbation
is read as ``as expected``, ``opposite`` or ``inconclusive`` from where its interval lies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scenariokit.stats import RateDifference, holm, newcombe_p_value, rate_difference

Reading = Literal["flagged", "no difference detected", "as expected", "opposite", "inconclusive"]
"""How a variant's observed difference reads against its declared effect."""


@dataclass(frozen=True)
class PerturbationComparison:
    """A sweep variant's rate against its base's, for one model."""

    model: str
    """``provider/model``."""

    base_label: str
    """Label of the base condition."""

    base_fingerprint: str
    """Fingerprint of the base condition."""

    variant_label: str
    """Label of the variant condition."""

    variant_fingerprint: str
    """Fingerprint of the variant condition."""

    operator: str
    """The operator's name."""

    effect: str
    """The declared effect: ``invariant``, ``decrease`` or ``increase``."""

    changes: tuple[str, ...]
    """The perturbation's record of changes, one line each."""

    params: Mapping[str, Any]
    """The operator's parameters as applied."""

    result: RateDifference
    """Variant rate minus base rate, with Newcombe's interval."""

    p_value: float
    """Two-sided p-value of no difference (Newcombe's interval inverted at 0)."""

    adjusted_p: float | None
    """Holm-adjusted p-value over the model's invariant comparisons (``None`` for directional ones)."""

    reading: Reading
    """``flagged`` / ``no difference detected`` for invariant operators; ``as expected`` / ``opposite`` /
    ``inconclusive`` for directional ones."""

    @property
    def flagged(self) -> bool:
        """Whether an invariant perturbation changed the rate (after the multiple-comparison adjustment)."""
        return self.reading == "flagged"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "model": self.model,
            "base": self.base_label,
            "variant": self.variant_label,
            "operator": self.operator,
            "declared_effect": self.effect,
            "params": dict(self.params),
            "changes": list(self.changes),
            "base_rate": _rate(self.result.rate_b),
            "variant_rate": _rate(self.result.rate_a),
            "difference": self.result.difference,
            "interval": [self.result.interval.lower, self.result.interval.upper],
            "p_value": self.p_value,
            "holm_adjusted_p": self.adjusted_p,
            "reading": self.reading,
            "flagged": self.flagged,
        }


def _rate(rate: Any) -> dict[str, Any]:
    return {"harmful": rate.harmful, "scorable": rate.scorable, "rate": rate.estimate}


def two_sided_p(harmful_a: int, scorable_a: int, harmful_b: int, scorable_b: int) -> float:
    """Two-sided p-value of ``p_a = p_b`` from Newcombe's interval (twice the smaller one-sided p)."""
    less = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, 0.0, "less")
    greater = newcombe_p_value(harmful_a, scorable_a, harmful_b, scorable_b, 0.0, "greater")
    return min(1.0, 2.0 * min(less, greater))


@dataclass(frozen=True)
class _Pair:
    model: str
    record: Mapping[str, Any]
    variant_label: str
    variant_fp: str
    counts: tuple[int, int, int, int, int, int]  # variant harmful, scorable, unscorable; base the same


def compare_variants(
    cells: Mapping[tuple[str, str], Any],
    labels: Mapping[str, str],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    confidence: float,
) -> list[PerturbationComparison]:
    """Compare each variant with its base, per model.

    Args:
        cells: (model, fingerprint) -> cell stats (``harmful``, ``scorable``, ``unscorable``).
        labels: Fingerprint -> condition label.
        records: Variant fingerprint -> its perturbation records (as stored).
        confidence: Confidence level of the intervals; ``1 - confidence`` is the level of the flags.

    Returns:
        The comparisons, grouped by model, then operator, in condition order.
    """
    pairs: list[_Pair] = []
    for (model, fp), cell in cells.items():
        for record in records.get(fp, ()):
            base = cells.get((model, record["base_fingerprint"]))
            if base is None or not base.scorable or not cell.scorable:
                continue
            pairs.append(
                _Pair(
                    model,
                    record,
                    labels.get(fp, cell.label),
                    fp,
                    (
                        cell.harmful,
                        cell.scorable,
                        cell.unscorable,
                        base.harmful,
                        base.scorable,
                        base.unscorable,
                    ),
                )
            )
    alpha = 1.0 - confidence
    p_values = [two_sided_p(c[0], c[1], c[3], c[4]) for c in (p.counts for p in pairs)]
    adjusted: dict[int, float] = {}
    for model in dict.fromkeys(p.model for p in pairs):
        idx = [i for i, p in enumerate(pairs) if p.model == model and p.record["effect"] == "invariant"]
        if idx:
            adj = holm([p_values[i] for i in idx], alpha=alpha).adjusted
            adjusted.update(zip(idx, adj, strict=True))
    out: list[PerturbationComparison] = []
    for i, pair in enumerate(pairs):
        kv, nv, uv, kb, nb, ub = pair.counts
        diff = rate_difference(kv, nv, kb, nb, confidence=confidence, unscorable_a=uv, unscorable_b=ub)
        effect = str(pair.record["effect"])
        reading: Reading
        if effect == "invariant":
            reading = "flagged" if adjusted[i] <= alpha else "no difference detected"
        else:
            lower, upper = diff.interval.lower, diff.interval.upper
            expected_down = effect == "decrease"
            if (upper < 0.0 and expected_down) or (lower > 0.0 and not expected_down):
                reading = "as expected"
            elif (lower > 0.0 and expected_down) or (upper < 0.0 and not expected_down):
                reading = "opposite"
            else:
                reading = "inconclusive"
        out.append(
            PerturbationComparison(
                model=pair.model,
                base_label=labels.get(pair.record["base_fingerprint"], pair.record["base_label"]),
                base_fingerprint=pair.record["base_fingerprint"],
                variant_label=pair.variant_label,
                variant_fingerprint=pair.variant_fp,
                operator=str(pair.record["operator"]),
                effect=effect,
                changes=tuple(_change_text(c) for c in pair.record.get("changes", ())),
                params=dict(pair.record.get("params", {})),
                result=diff,
                p_value=p_values[i],
                adjusted_p=adjusted.get(i),
                reading=reading,
            )
        )
    models = list(dict.fromkeys(c.model for c in out))
    position = {fp: i for i, fp in enumerate(labels)}
    by_condition = sorted(out, key=lambda c: position.get(c.variant_fingerprint, len(position)))
    operators = list(dict.fromkeys(c.operator for c in by_condition))
    by_condition.sort(key=lambda c: (models.index(c.model), operators.index(c.operator)))
    return by_condition


def _change_text(change: Mapping[str, Any]) -> str:
    path, old, new = change.get("path", "?"), change.get("old"), change.get("new")
    if old is None:
        text = f"{path}: added {new}"
    elif new is None:
        text = f"{path}: removed {old}"
    else:
        text = f"{path}: {old} -> {new}"
    return " ".join(text.split())  # one line, for tables
