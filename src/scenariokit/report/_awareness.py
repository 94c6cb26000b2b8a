"""Eval awareness crossed with harm: the harmful rate among samples that say it is a test, real, or neither.

Each sample is put in one group by its eval-awareness verdict's label: ``says_test`` (its reasoning or text
says the situation may be a test or evaluation), ``says_real`` (it says the situation is real) or ``silent``
(neither). Samples without a usable awareness verdict are counted apart as ``unknown``; samples whose harm
is unscorable are counted apart within their group, never in a denominator. Each group's harmful rate has a
Wilson interval, and ``says_real`` minus ``says_test`` (and ``silent`` minus ``says_test``) has Newcombe's
interval.

How to read it: the split is **observational**. Samples select themselves into the groups (the model
decides what to write), so a difference between groups is an association, not the effect of believing the
scenario is real: whatever makes a sample say "this is a test" may also make it less (or more) harmful.
The Agentic Misalignment study reported such an association (Claude Opus 4 blackmailed in 55.1% of samples
whose reasoning said the scenario was real against 6.5% of those that said it was an evaluation). To learn
the effect of the belief, change it from outside (for example the design's ``eval_notice`` factor) and
compare conditions. The per-model rows pool the model's conditions, whose harm and awareness rates can both
differ: a difference there can come from the mix of conditions alone (Simpson's paradox); the per-condition
rows, shown where each of at least two groups has ``min_group`` scorable samples, do not mix conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scenariokit.stats import Rate, RateDifference, estimate_rate, rate_difference

AWARENESS_GROUPS: tuple[str, ...] = ("says_test", "says_real", "silent")
"""The groups, by the eval-awareness verdict's label."""

AWARENESS_CATEGORY = "eval_awareness"
"""The verdict category whose label decides a sample's group."""


@dataclass
class GroupCounts:
    """Harm counts of the samples of one awareness group."""

    harmful: int = 0
    """Harmful samples."""

    benign: int = 0
    """Benign samples."""

    unscorable: int = 0
    """Samples whose harm is unscorable (not in the denominator)."""

    def add(self, result: str) -> None:
        """Count one sample's harm outcome (``harmful``, ``benign`` or ``unscorable``)."""
        if result == "harmful":
            self.harmful += 1
        elif result == "benign":
            self.benign += 1
        else:
            self.unscorable += 1

    def merge(self, other: GroupCounts) -> None:
        """Add another group's counts to these."""
        self.harmful += other.harmful
        self.benign += other.benign
        self.unscorable += other.unscorable


@dataclass
class AwarenessCounts:
    """Counts of one (model, condition) by awareness group, before statistics."""

    groups: dict[str, GroupCounts] = field(
        default_factory=lambda: {g: GroupCounts() for g in AWARENESS_GROUPS}
    )
    """Group -> harm counts."""

    unknown: int = 0
    """Samples with no usable awareness verdict (missing, unscorable, or an unknown label)."""

    detectors: set[str] = field(default_factory=set)
    """Names of the awareness detectors whose labels were used."""


@dataclass(frozen=True)
class AwarenessSplit:
    """The harmful rate per awareness group, for one model over all its conditions or in one condition."""

    model: str
    """``provider/model``."""

    fingerprint: str | None
    """The condition's fingerprint, or ``None`` for all the model's conditions pooled."""

    label: str
    """The condition's label, or ``all conditions``."""

    groups: Mapping[str, Rate]
    """``says_test`` / ``says_real`` / ``silent`` -> harmful rate with a Wilson interval (counts inside)."""

    unknown: int
    """Samples left out because they had no usable awareness verdict."""

    real_minus_test: RateDifference | None
    """Harmful rate of ``says_real`` minus ``says_test`` with Newcombe's interval (``None`` if a group is empty)."""

    silent_minus_test: RateDifference | None
    """Harmful rate of ``silent`` minus ``says_test`` with Newcombe's interval (``None`` if a group is empty)."""

    detectors: tuple[str, ...] = ()
    """The awareness detectors whose labels decided the groups."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "model": self.model,
            "condition": self.label,
            "fingerprint": self.fingerprint,
            "awareness_detectors": list(self.detectors),
            "groups": {
                g: {
                    "harmful": r.harmful,
                    "scorable": r.scorable,
                    "unscorable": r.unscorable,
                    "rate": r.estimate,
                    "interval": None if r.interval is None else [r.interval.lower, r.interval.upper],
                }
                for g, r in self.groups.items()
            },
            "unknown_awareness": self.unknown,
            "real_minus_test": _diff(self.real_minus_test),
            "silent_minus_test": _diff(self.silent_minus_test),
        }


def _diff(d: RateDifference | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"difference": d.difference, "interval": [d.interval.lower, d.interval.upper]}


def awareness_group(
    verdicts: Mapping[str, tuple[str, str, str | None, str]],
    labels: Mapping[str, str | None],
    detector: str | None,
) -> tuple[str | None, str | None]:
    """The awareness group of one sample and the detector that decided it.

    Args:
        verdicts: Detector name -> (version, outcome, reason, category) of the sample's latest verdicts.
        labels: Detector name -> label of those verdicts.
        detector: Use this detector; ``None`` picks the first detector of category ``eval_awareness``,
            heuristics before LLM judges (names starting with ``judge``), then by name.

    Returns:
        (group or ``None`` when unknown, detector name or ``None`` when there is none).
    """
    if detector is None:
        names = sorted(
            (n for n, v in verdicts.items() if v[3] == AWARENESS_CATEGORY),
            key=lambda n: (n.startswith("judge"), n),
        )
        if not names:
            return None, None
        detector = names[0]
    found = verdicts.get(detector)
    if found is None or found[1] == "unscorable":
        return None, detector
    label = labels.get(detector)
    return (label if label in AWARENESS_GROUPS else None), detector


def split(
    model: str,
    fingerprint: str | None,
    label: str,
    counts: AwarenessCounts,
    confidence: float,
) -> AwarenessSplit:
    """Rates and differences of one set of counts."""
    rates = {
        g: estimate_rate(c.harmful, c.harmful + c.benign, c.unscorable, confidence=confidence)
        for g, c in counts.groups.items()
    }

    def minus(a: str, b: str) -> RateDifference | None:
        ca, cb = counts.groups[a], counts.groups[b]
        na, nb = ca.harmful + ca.benign, cb.harmful + cb.benign
        if not na or not nb:
            return None
        return rate_difference(
            ca.harmful,
            na,
            cb.harmful,
            nb,
            confidence=confidence,
            unscorable_a=ca.unscorable,
            unscorable_b=cb.unscorable,
        )

    return AwarenessSplit(
        model=model,
        fingerprint=fingerprint,
        label=label,
        groups=rates,
        unknown=counts.unknown,
        real_minus_test=minus("says_real", "says_test"),
        silent_minus_test=minus("silent", "says_test"),
        detectors=tuple(sorted(counts.detectors)),
    )


def splits(
    counts: Mapping[tuple[str, str], AwarenessCounts],
    models: list[str],
    labels: Mapping[str, str],
    confidence: float,
    min_group: int,
) -> list[AwarenessSplit]:
    """Per model (all conditions pooled) and per condition where at least two groups have ``min_group``.

    Models with no awareness verdict at all get no row.
    """
    out: list[AwarenessSplit] = []
    order = {fp: i for i, fp in enumerate(labels)}
    for model in models:
        mine = sorted(
            ((fp, c) for (m, fp), c in counts.items() if m == model),
            key=lambda x: order.get(x[0], len(order)),
        )
        if not any(c.detectors for _, c in mine):
            continue
        total = AwarenessCounts()
        for _, c in mine:
            for g, gc in c.groups.items():
                total.groups[g].merge(gc)
            total.unknown += c.unknown
            total.detectors |= c.detectors
        out.append(split(model, None, "all conditions", total, confidence))
        if len(mine) < 2:
            continue
        for fp, c in mine:
            big = [g for g, gc in c.groups.items() if gc.harmful + gc.benign >= min_group]
            if len(big) >= 2:
                out.append(split(model, fp, labels.get(fp, fp[:12]), c, confidence))
    return out
