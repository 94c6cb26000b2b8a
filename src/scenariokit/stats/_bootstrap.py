"""A pooled rate across scenarios or conditions with a cluster bootstrap interval.

Samples of one scenario are correlated (same prompt, same model), so pooling them as if independent gives
intervals that are too narrow. The cluster bootstrap resamples whole clusters with replacement and reads a
percentile interval off the replicates. Two precautions:

* a percentile bootstrap collapses to a point when every cluster has the same rate (at 0% or 100% in
  particular, the defect reported against garak). The reported interval is therefore the hull of the
  bootstrap interval and the Wilson interval of the pooled counts, which is the interval one would give if
  samples were independent: clustering can only widen it (for non-negative intra-cluster correlation);
* with few clusters a bootstrap is unreliable; ``clusters`` is reported so a reader can judge, and at
  least two clusters with scorable samples are required for a bootstrap interval. The percentile interval
  runs somewhat below nominal with few clusters (simulated coverage about 93% for a nominal 95% with 30
  beta-binomial clusters of 10; see ``benchmarks/bench_stats_calibration.py``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._common import FROZEN, check_confidence, check_counts
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import Interval, wilson_interval

Weighting = Literal["samples", "clusters"]
"""``"samples"``: pooled ``sum k / sum n``; ``"clusters"``: the unweighted mean of per-cluster rates."""


class ClusterCount(BaseModel):
    """Counts for one cluster (a scenario, or a condition) of correlated samples."""

    model_config = FROZEN

    cluster: str = Field(min_length=1)
    """Identifier of the cluster, e.g. a scenario fingerprint or a condition id."""

    harmful: int = Field(ge=0)
    """Harmful samples in the cluster."""

    scorable: int = Field(ge=0)
    """Scorable samples in the cluster."""

    unscorable: int = Field(default=0, ge=0)
    """Unscorable samples in the cluster (reported, never counted)."""


class PooledRate(BaseModel):
    """A rate pooled over clusters, with a cluster bootstrap interval."""

    model_config = FROZEN

    harmful: int = Field(ge=0)
    """Harmful samples over all clusters."""

    scorable: int = Field(ge=0)
    """Scorable samples over all clusters."""

    unscorable: int = Field(ge=0)
    """Unscorable samples over all clusters."""

    clusters: int = Field(ge=0)
    """Clusters with at least one scorable sample (the units resampled)."""

    weighting: Weighting
    """How clusters are combined into the estimate."""

    estimate: float | None
    """The pooled rate; ``None`` when there is no scorable sample."""

    interval: Interval | None
    """Reported interval: hull of the bootstrap percentile interval and the pooled Wilson interval."""

    bootstrap_interval: Interval | None
    """The raw percentile interval of the cluster bootstrap (``None`` with fewer than two clusters)."""

    design_effect: float | None
    """Bootstrap variance over the independent-binomial variance (``None`` at 0%/100% or without a bootstrap);
    values above 1 show how much clustering inflates the variance."""

    replicates: int = Field(ge=1)
    """Number of bootstrap replicates."""

    seed: int
    """Seed of the ``random.Random`` used for resampling: the same seed gives the same interval."""

    undefined_reason: str | None = None
    """Why there is no estimate or bootstrap interval, if so."""


def _estimate(chosen: Sequence[ClusterCount], weighting: Weighting) -> float:
    if weighting == "samples":
        return sum(c.harmful for c in chosen) / sum(c.scorable for c in chosen)
    return sum(c.harmful / c.scorable for c in chosen) / len(chosen)


def pooled_rate(
    clusters: Sequence[ClusterCount],
    *,
    confidence: float = 0.95,
    replicates: int = 2000,
    seed: int = 0,
    weighting: Weighting = "samples",
) -> PooledRate:
    """Pool a rate over clusters of correlated samples, with a cluster bootstrap percentile interval.

    Args:
        clusters: One entry per cluster (scenario or condition); clusters with no scorable sample only add
            to ``unscorable``.
        confidence: Confidence level.
        replicates: Bootstrap replicates.
        seed: Seed for ``random.Random``; results are deterministic for a seed.
        weighting: ``"samples"`` (ratio estimator) or ``"clusters"`` (mean of cluster rates).

    Returns:
        The pooled rate. With no scorable sample it is undefined; with one cluster the interval is the
        Wilson interval alone and ``bootstrap_interval`` is ``None``.

    Raises:
        StatsError: On invalid counts, duplicate cluster ids, or invalid settings.
    """
    check_confidence(confidence)
    if replicates < 1:
        raise StatsError(f"replicates must be positive, got {replicates}")
    if weighting not in ("samples", "clusters"):
        raise StatsError(f"unknown weighting {weighting!r}")
    seen: set[str] = set()
    for c in clusters:
        check_counts(c.harmful, c.scorable, allow_empty=True)
        if c.cluster in seen:
            raise StatsError(f"duplicate cluster id {c.cluster!r}")
        seen.add(c.cluster)
    used = [c for c in clusters if c.scorable > 0]
    harmful = sum(c.harmful for c in used)
    scorable = sum(c.scorable for c in used)
    unscorable = sum(c.unscorable for c in clusters)

    def result(
        estimate: float | None,
        interval: Interval | None,
        boot: Interval | None,
        design_effect: float | None,
        reason: str | None,
    ) -> PooledRate:
        return PooledRate(
            harmful=harmful,
            scorable=scorable,
            unscorable=unscorable,
            clusters=len(used),
            weighting=weighting,
            replicates=replicates,
            seed=seed,
            estimate=estimate,
            interval=interval,
            bootstrap_interval=boot,
            design_effect=design_effect,
            undefined_reason=reason,
        )

    if not used:
        return result(None, None, None, None, "no scorable samples (n = 0)")
    estimate = _estimate(used, weighting)
    iid = wilson_interval(harmful, scorable, confidence)
    if len(used) < 2:
        single = iid.model_copy(update={"method": "wilson (single cluster, no bootstrap)"})
        return result(estimate, single, None, None, "a bootstrap needs at least two clusters")
    rng = random.Random(seed)
    m = len(used)
    values = sorted(
        _estimate([used[rng.randrange(m)] for _ in range(m)], weighting) for _ in range(replicates)
    )
    alpha = 1.0 - confidence
    lo_index = max(0, int(alpha / 2.0 * replicates))
    hi_index = min(replicates - 1, int((1.0 - alpha / 2.0) * replicates) - 1)
    boot = Interval(
        lower=values[lo_index],
        upper=values[max(lo_index, hi_index)],
        confidence=confidence,
        method="cluster-bootstrap-percentile",
    )
    mean = sum(values) / replicates
    variance = sum((v - mean) ** 2 for v in values) / max(1, replicates - 1)
    p = harmful / scorable
    binomial_variance = p * (1.0 - p) / scorable
    design_effect = variance / binomial_variance if binomial_variance > 0.0 else None
    hull = Interval(
        lower=min(boot.lower, iid.lower, estimate),
        upper=max(boot.upper, iid.upper, estimate),
        confidence=confidence,
        method="cluster-bootstrap-percentile+wilson-hull",
    )
    return result(estimate, hull, boot, design_effect, None)
