"""Cluster bootstrap pooling, marginal rates and 2^k factorial effects."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.stats import (
    Cell,
    ClusterCount,
    StatsError,
    factorial_effects,
    marginal_rates,
    pooled_rate,
    wilson_interval,
)


def clusters_of(counts: list[tuple[int, int]]) -> list[ClusterCount]:
    return [ClusterCount(cluster=f"s{i}", harmful=k, scorable=n) for i, (k, n) in enumerate(counts)]


def test_pooled_rate_is_deterministic_for_a_seed() -> None:
    data = clusters_of([(0, 10), (1, 10), (5, 10), (9, 10), (2, 10), (0, 10)])
    a, b = pooled_rate(data, seed=11), pooled_rate(data, seed=11)
    assert a == b
    assert pooled_rate(data, seed=12).design_effect != a.design_effect  # another seed, other replicates
    assert a.estimate == pytest.approx(17 / 60) and a.clusters == 6


def test_clustering_widens_the_interval() -> None:
    data = clusters_of([(0, 20), (0, 20), (20, 20), (20, 20), (1, 20), (19, 20)])
    pooled = pooled_rate(data)
    iid = wilson_interval(60, 120)
    assert pooled.design_effect is not None and pooled.design_effect > 5
    assert pooled.interval is not None and pooled.interval.width > 2 * iid.width


def test_never_collapses_at_zero_or_one() -> None:
    zero = pooled_rate(clusters_of([(0, 10)] * 5))
    assert zero.bootstrap_interval is not None and zero.bootstrap_interval.width == 0.0  # the raw defect
    assert zero.interval is not None and zero.interval.upper == wilson_interval(0, 50).upper > 0.05
    full = pooled_rate(clusters_of([(10, 10)] * 5))
    assert full.interval is not None and full.interval.lower < 0.95 and full.interval.upper == 1.0


def test_edge_cases() -> None:
    empty = pooled_rate([ClusterCount(cluster="a", harmful=0, scorable=0, unscorable=3)])
    assert empty.estimate is None and empty.unscorable == 3 and empty.undefined_reason
    single = pooled_rate(clusters_of([(3, 10)]))
    assert single.bootstrap_interval is None and single.interval is not None
    assert single.undefined_reason == "a bootstrap needs at least two clusters"
    with pytest.raises(StatsError, match="duplicate cluster"):
        pooled_rate([ClusterCount(cluster="a", harmful=0, scorable=1)] * 2)
    by_cluster = pooled_rate(clusters_of([(1, 2), (0, 100)]), weighting="clusters")
    assert by_cluster.estimate == pytest.approx(0.25)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(1, 20)), min_size=2, max_size=8), st.integers(0, 2**32)
)
def test_pooled_interval_invariants(raw: list[tuple[int, int]], seed: int) -> None:
    data = clusters_of([(min(k, n), n) for k, n in raw])
    pooled = pooled_rate(data, seed=seed, replicates=200)
    assert pooled.interval is not None and pooled.estimate is not None
    assert 0.0 <= pooled.interval.lower <= pooled.estimate <= pooled.interval.upper <= 1.0
    assert pooled.interval.lower < pooled.interval.upper


@pytest.mark.simulation
def test_cluster_bootstrap_coverage_by_simulation() -> None:
    """Beta-binomial clusters (strong within-scenario correlation): coverage near nominal, iid Wilson far below."""
    rng = random.Random(5)
    runs, covered, covered_iid = 200, 0, 0
    true_rate = 0.3
    for _ in range(runs):
        data = []
        for i in range(30):
            p = rng.betavariate(1.5, 3.5)  # mean 0.3, intra-cluster correlation 1/6
            data.append(
                ClusterCount(cluster=str(i), harmful=sum(rng.random() < p for _ in range(10)), scorable=10)
            )
        pooled = pooled_rate(data, seed=rng.randrange(2**31), replicates=250)
        assert pooled.interval is not None
        covered += pooled.interval.contains(true_rate)
        covered_iid += wilson_interval(pooled.harmful, pooled.scorable).contains(true_rate)
    print(f"cluster bootstrap coverage {covered / runs:.3f}, iid Wilson {covered_iid / runs:.3f}")
    assert covered / runs >= 0.95 - 3 * math.sqrt(0.05 * 0.95 / runs) - 0.02
    assert covered_iid < covered


def design(rates: dict[tuple[bool, bool], tuple[int, int]]) -> list[Cell]:
    return [
        Cell(levels={"a": a, "b": b, "model": "sim"}, harmful=k, scorable=n)
        for (a, b), (k, n) in rates.items()
    ]


def test_factorial_effects_hand_computed() -> None:
    cells = design(
        {(False, False): (5, 50), (True, False): (10, 50), (False, True): (20, 50), (True, True): (40, 50)}
    )
    effects = {e.term: e for e in factorial_effects(cells)}
    assert set(effects) == {("a",), ("b",), ("a", "b")}
    assert effects[("a",)].estimate == pytest.approx(((0.2 + 0.8) - (0.1 + 0.4)) / 2)
    assert effects[("b",)].estimate == pytest.approx(((0.4 + 0.8) - (0.1 + 0.2)) / 2)
    assert effects[("a", "b")].estimate == pytest.approx(((0.8 - 0.4) - (0.2 - 0.1)) / 2)
    assert effects[("a", "b")].order == 2
    for e in effects.values():
        assert e.interval.contains(e.estimate) and e.p_value < 0.05


def test_two_cell_contrast_is_agresti_caffo() -> None:
    cells = [
        Cell(levels={"x": False}, harmful=3, scorable=20),
        Cell(levels={"x": True}, harmful=9, scorable=25),
    ]
    (effect,) = factorial_effects(cells)
    p1, p2 = 10 / 27, 4 / 22  # one pseudo-success and two pseudo-trials per group
    centre = p1 - p2
    half = 1.959963984540054 * math.sqrt(p1 * (1 - p1) / 27 + p2 * (1 - p2) / 22)
    assert effect.interval.lower == pytest.approx(centre - half)
    assert effect.interval.upper == pytest.approx(centre + half)
    assert effect.estimate == pytest.approx(9 / 25 - 3 / 20)


def test_factorial_zero_cells_do_not_collapse() -> None:
    cells = design(
        {(False, False): (0, 30), (True, False): (0, 30), (False, True): (0, 30), (True, True): (0, 30)}
    )
    for effect in factorial_effects(cells):
        assert effect.estimate == 0.0 and effect.interval.width > 0.05 and effect.p_value == 1.0


def test_factorial_validation() -> None:
    cells = design({(False, False): (1, 10), (True, False): (2, 10), (False, True): (3, 10)})
    with pytest.raises(StatsError, match="incomplete 2\\^2 design"):
        factorial_effects(cells)
    with pytest.raises(StatsError, match="must be on/off"):
        factorial_effects(cells, ["model"])
    with pytest.raises(StatsError, match="no cells"):
        factorial_effects([])


def test_factorial_three_factors_and_merged_cells() -> None:
    cells = []
    for a, b, c in itertools.product((False, True), repeat=3):
        k = 2 + 6 * a + 3 * c  # a and c act, b does nothing
        cells += [Cell(levels={"a": a, "b": b, "c": c}, harmful=k, scorable=20)] * 2  # duplicates merge
    effects = {e.term: e for e in factorial_effects(cells)}
    assert len(effects) == 6
    assert effects[("a",)].estimate == pytest.approx(0.3)
    assert effects[("c",)].estimate == pytest.approx(0.15)
    assert effects[("b",)].estimate == pytest.approx(0.0)
    assert effects[("a", "c")].estimate == pytest.approx(0.0)
    main_only = factorial_effects(cells, interactions=False)
    assert [e.term for e in main_only] == [("a",), ("b",), ("c",)]


def test_marginal_rates() -> None:
    cells = design(
        {(False, False): (5, 50), (True, False): (10, 50), (False, True): (20, 50), (True, True): (40, 50)}
    )
    rates = marginal_rates(cells, "a")
    assert rates[False].harmful == 25 and rates[False].scorable == 100
    assert rates[True].estimate == pytest.approx(0.5)
    assert list(marginal_rates(cells, "model")) == ["sim"]
    with pytest.raises(StatsError, match="no level for factor"):
        marginal_rates(cells, "missing")
