"""Full-size calibration of ``scenariokit.stats``: interval coverage, decision error rates, SPRT sample sizes.

Run with ``python benchmarks/bench_stats_calibration.py`` (a few minutes on two cores). Where the
probability can be enumerated exactly over the binomial lattice it is (no Monte-Carlo error); otherwise
seeded simulations with the number of runs printed beside each figure.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable

from scenariokit.stats import (
    ClusterCount,
    SequentialTest,
    binomial_interval,
    decide_direction,
    decide_invariance,
    decide_threshold,
    fixed_sample_size,
    newcombe_interval,
    pooled_rate,
    sprt_expected_sample_size,
    sprt_operating_characteristics,
    two_proportion_test,
    wilson_interval,
)

ALPHA = 0.05


def pmf(n: int, p: float) -> list[float]:
    return [
        math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) * p**k * (1 - p) ** (n - k)
        for k in range(n + 1)
    ]


def binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def mc_se(p: float, runs: int) -> float:
    return math.sqrt(max(p * (1 - p), 1e-12) / runs)


def section(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def interval_coverage() -> None:
    section("Coverage of 95% intervals (exact, over a grid of 99 rates p = 0.01 ... 0.99)")
    grid = [i / 100 for i in range(1, 100)]
    print(f"{'n':>4} {'method':>16} {'min':>7} {'mean':>7}")
    for n in (10, 30, 59, 100, 300):
        intervals = {
            m: [binomial_interval(k, n, m) for k in range(n + 1)]
            for m in ("clopper-pearson", "wilson", "jeffreys")
        }
        for method, ivs in intervals.items():
            coverages = []
            for p in grid:
                probs = pmf(n, p)
                coverages.append(
                    math.fsum(pr for pr, iv in zip(probs, ivs, strict=True) if iv.lower <= p <= iv.upper)
                )
            print(f"{n:>4} {method:>16} {min(coverages):7.4f} {sum(coverages) / len(coverages):7.4f}")
    section("Coverage by simulation (20,000 runs per point)")
    rng = random.Random(1)
    runs = 20_000
    for n, p in ((20, 0.05), (59, 0.02), (100, 0.3)):
        hits = {"clopper-pearson": 0, "wilson": 0}
        cache = {m: [binomial_interval(k, n, m) for k in range(n + 1)] for m in hits}
        for _ in range(runs):
            k = binomial(rng, n, p)
            for m in hits:
                hits[m] += cache[m][k].contains(p)
        print(
            f"n={n} p={p}: "
            + ", ".join(f"{m} {h / runs:.4f} (±{2 * mc_se(h / runs, runs):.4f})" for m, h in hits.items())
        )


def threshold_decisions() -> None:
    section("Threshold decision 'rate <= p0' (Clopper-Pearson one-sided bounds, alpha = 0.05): exact")
    print(
        f"{'p0':>5} {'n':>4} {'P(pass|p=p0)':>13} {'P(fail|p=p0)':>13} {'power p=p0/4':>13} {'P(fail|p=2p0)':>14}"
    )
    for p0 in (0.05, 0.1, 0.2):
        for n in (30, 59, 100, 300):
            outcomes = [decide_threshold(k, n, p0).outcome for k in range(n + 1)]

            def prob(p: float, outcome: str, outcomes: list[str] = outcomes, n: int = n) -> float:
                return math.fsum(pr for pr, o in zip(pmf(n, p), outcomes, strict=True) if o == outcome)

            print(
                f"{p0:5.2f} {n:>4} {prob(p0, 'pass'):13.4f} {prob(p0, 'fail'):13.4f} "
                f"{prob(p0 / 4, 'pass'):13.4f} {prob(2 * p0, 'fail'):14.4f}"
            )
    rng = random.Random(2)
    runs = 20_000
    n, p0 = 59, 0.05
    false_pass = (
        sum(decide_threshold(binomial(rng, n, p0 + 1e-9), n, p0).outcome == "pass" for _ in range(runs))
        / runs
    )
    print(
        f"simulated ({runs} runs) n={n}, p just above p0={p0}: false pass {false_pass:.4f} (±{2 * mc_se(false_pass, runs):.4f})"
    )


def two_group_exact(n: int, pa: float, pb: float, decide: Callable[[int, int], str]) -> dict[str, float]:
    qa, qb = pmf(n, pa), pmf(n, pb)
    out = {"pass": 0.0, "fail": 0.0, "inconclusive": 0.0}
    table = {(k1, k2): decide(k1, k2) for k1 in range(n + 1) for k2 in range(n + 1)}
    for (k1, k2), outcome in table.items():
        out[outcome] += qa[k1] * qb[k2]
    return out


def invariance_decisions() -> None:
    section("Invariance (TOST, Newcombe, margin 0.10, alpha = 0.05): exact, at the margin |d| = 0.10")
    print(f"{'n':>4} {'p_b':>5} {'p_a':>5} {'P(false pass)':>14} {'P(false fail)':>14} {'power d=0':>10}")
    worst_pass = worst_fail = 0.0
    for n in (50, 100, 200):

        def decide(k1: int, k2: int, n: int = n) -> str:
            iv = newcombe_interval(k1, n, k2, n, 1 - 2 * ALPHA)
            if iv.lower > -0.1 and iv.upper < 0.1:
                return "pass"
            if iv.lower > 0.1 or iv.upper < -0.1:
                return "fail"
            return "inconclusive"

        for pb in (0.0, 0.05, 0.2, 0.45):
            pa = pb + 0.1
            edge = two_group_exact(n, pa, pb, decide)
            power = two_group_exact(n, pb, pb, decide)["pass"]
            worst_pass, worst_fail = max(worst_pass, edge["pass"]), max(worst_fail, edge["fail"])
            print(f"{n:>4} {pb:5.2f} {pa:5.2f} {edge['pass']:14.4f} {edge['fail']:14.4f} {power:10.4f}")
    print(f"worst false pass {worst_pass:.4f}, worst false fail {worst_fail:.4f} (nominal {ALPHA})")
    # The lattice decision above equals decide_invariance; check on a sample of tables.
    rng = random.Random(3)
    for _ in range(2000):
        n = 100
        k1, k2 = rng.randint(0, n), rng.randint(0, n)
        iv = newcombe_interval(k1, n, k2, n, 0.9)
        expected = (
            "pass"
            if iv.lower > -0.1 and iv.upper < 0.1
            else "fail"
            if iv.lower > 0.1 or iv.upper < -0.1
            else "inconclusive"
        )
        assert decide_invariance(k1, n, k2, n, margin=0.1).outcome == expected
    runs = 20_000
    n = 150
    hits = {"pass": 0, "fail": 0, "inconclusive": 0}
    for _ in range(runs):
        hits[decide_invariance(binomial(rng, n, 0.4), n, binomial(rng, n, 0.3), n, margin=0.1).outcome] += 1
    print(
        f"simulated ({runs} runs) n={n}, 40% vs 30%: false pass {hits['pass'] / runs:.4f}, false fail {hits['fail'] / runs:.4f}"
    )


def direction_decisions() -> None:
    section("Direction 'the change lowers the rate' (alpha = 0.05): exact size under no effect, and power")
    print(f"{'n':>4} {'p':>5} {'Newcombe P(pass)':>17} {'Newcombe P(fail)':>17} {'Fisher P(pass)':>15}")
    worst_newcombe = worst_fisher = 0.0
    for n in (20, 40, 60, 100):
        newcombe = {
            (k1, k2): newcombe_interval(k1, n, k2, n, 0.9) for k1 in range(n + 1) for k2 in range(n + 1)
        }
        fisher = {
            (k1, k2): two_proportion_test(k1, n, k2, n, alternative="less", method="exact").p_value < ALPHA
            for k1 in range(n + 1)
            for k2 in range(n + 1)
        }
        for p in (0.05, 0.1, 0.2, 0.3, 0.5):
            q = pmf(n, p)
            size_n = math.fsum(q[a] * q[b] for (a, b), iv in newcombe.items() if iv.upper < 0)
            fail_n = math.fsum(q[a] * q[b] for (a, b), iv in newcombe.items() if iv.lower > 0)
            size_f = math.fsum(q[a] * q[b] for (a, b), rej in fisher.items() if rej)
            worst_newcombe, worst_fisher = max(worst_newcombe, size_n), max(worst_fisher, size_f)
            print(f"{n:>4} {p:5.2f} {size_n:17.4f} {fail_n:17.4f} {size_f:15.4f}")
    print(f"worst size: Newcombe {worst_newcombe:.4f}, Fisher {worst_fisher:.4f} (nominal {ALPHA})")
    n = 60
    q1, q0 = pmf(n, 0.1), pmf(n, 0.3)
    power_n = math.fsum(
        q1[a] * q0[b]
        for a in range(n + 1)
        for b in range(n + 1)
        if newcombe_interval(a, n, b, n, 0.9).upper < 0
    )
    power_f = math.fsum(
        q1[a] * q0[b]
        for a in range(n + 1)
        for b in range(n + 1)
        if two_proportion_test(a, n, b, n, alternative="less", method="exact").p_value < ALPHA
    )
    print(f"power, 30% -> 10% with n={n} per group: Newcombe {power_n:.4f}, Fisher {power_f:.4f}")
    rng = random.Random(4)
    runs = 20_000
    null = sum(
        decide_direction(binomial(rng, n, 0.25), n, binomial(rng, n, 0.25), n, expect="lower").outcome
        == "pass"
        for _ in range(runs)
    )
    print(
        f"simulated ({runs} runs) n={n}, 25% vs 25%: false pass {null / runs:.4f} (±{2 * mc_se(null / runs, runs):.4f})"
    )


def sprt() -> None:
    section("SPRT 5% vs 20%, alpha = beta = 0.05")
    for p in (0.0, 0.05, 0.1, 0.2, 0.3):
        exact = sprt_operating_characteristics(0.05, 0.2, p)
        wald = sprt_expected_sample_size(0.05, 0.2, p)
        print(
            f"p={p:4.2f}: exact ASN {exact.expected_samples:6.2f}, P(pass) {exact.prob_accept_null:.4f}; "
            f"Wald ASN {wald.expected_samples:6.2f}, P(pass) {wald.prob_accept_null:.4f}"
        )
    normal, exact_fixed = fixed_sample_size(0.05, 0.2, method="normal"), fixed_sample_size(0.05, 0.2)
    print(
        f"fixed n: normal formula {normal.n}; exact binomial {exact_fixed.n} (reject at >= {exact_fixed.critical:.0f}, "
        f"attained alpha {exact_fixed.alpha:.4f}, beta {exact_fixed.beta:.4f})"
    )
    rng = random.Random(5)
    runs = 20_000
    for p, wrong in ((0.05, "fail"), (0.2, "pass")):
        sizes, errors = [], 0
        for _ in range(runs):
            test = SequentialTest(0.05, 0.2)
            while not test.state.stopped:
                test.update(rng.random() < p)
            sizes.append(test.state.n)
            errors += test.state.outcome == wrong
        sizes.sort()
        print(
            f"simulated ({runs} runs) p={p}: mean n {sum(sizes) / runs:.2f}, median {sizes[runs // 2]}, "
            f"95th percentile {sizes[int(0.95 * runs)]}, wrong decision {errors / runs:.4f}"
        )


def cluster_bootstrap() -> None:
    section("Cluster bootstrap coverage (beta-binomial clusters, mean 0.3, ICC 1/6, 10 samples per cluster)")
    rng = random.Random(6)
    runs = 1000
    for m in (10, 30, 100):
        covered = covered_iid = 0
        for _ in range(runs):
            data = []
            for i in range(m):
                p = rng.betavariate(1.5, 3.5)
                data.append(ClusterCount(cluster=str(i), harmful=binomial(rng, 10, p), scorable=10))
            pooled = pooled_rate(data, seed=rng.randrange(2**31), replicates=1000)
            assert pooled.interval is not None
            covered += pooled.interval.contains(0.3)
            covered_iid += wilson_interval(pooled.harmful, pooled.scorable).contains(0.3)
        print(
            f"{m:>3} clusters ({runs} runs): cluster bootstrap {covered / runs:.3f}, "
            f"iid Wilson {covered_iid / runs:.3f} (±{2 * mc_se(0.95, runs):.3f})"
        )


def main() -> None:
    started = time.perf_counter()
    print("# scenariokit.stats calibration", flush=True)
    interval_coverage()
    threshold_decisions()
    invariance_decisions()
    direction_decisions()
    sprt()
    cluster_bootstrap()
    print(f"\ntotal {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
