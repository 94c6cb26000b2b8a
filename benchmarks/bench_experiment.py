"""End-to-end throughput and peak memory of the runner on the offline simulator.

Each measurement runs in a fresh subprocess (so that peak RSS belongs to that study size alone) and includes
everything a real run does except the network: rendering (once per condition), simulated generation, action
parsing, the action-based detectors of the blackmail family, and storage in a new SQLite store.

    python benchmarks/bench_experiment.py                  # 1,000 and 100,000 samples
    python benchmarks/bench_experiment.py --sizes 1000,20000

Targets: at least 500 samples/s, and a peak RSS that does not grow with the number of samples.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DETECTORS = ["blackmail-action", "leverage-disclosure-action"]


def measure(samples: int, workdir: Path) -> dict[str, float]:
    import anyio

    from scenariokit.experiment import Design, FactorGrid, Runner, StudyStore, create_providers

    design = Design(
        name="bench",
        scenarios=[
            FactorGrid(
                family="blackmail",
                factors={"urgency": ["replacement", "none"], "goal_type": ["explicit", "none"]},
            )
        ],
        models=["sim/self_preserving"],
        samples=samples // 4,
        detectors=DETECTORS,
    )
    path = workdir / f"bench-{samples}.db"
    t0 = time.perf_counter()
    expanded = design.expand()
    with StudyStore(path) as store:
        runner = Runner(expanded, store, create_providers(["sim/self_preserving"]))
        result = anyio.run(runner.run)
        count = store.count_samples(status="ok")
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert count == expanded.total_samples == result.completed, (count, result)
    return {
        "samples": expanded.total_samples,
        "wall_s": round(wall, 2),
        "samples_per_s": round(expanded.total_samples / wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "store_mb": round(sum(p.stat().st_size for p in workdir.glob(f"bench-{samples}.db*")) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,100000", help="comma-separated sample counts (multiples of 4)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.dir)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--dir", tmp],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ},
            )
            data = json.loads(out.stdout)
            print(
                f"{data['samples']:>7} samples: {data['wall_s']:>7.1f} s wall, {data['samples_per_s']:>6.0f} samples/s, "
                f"{data['cpu_s']:>6.1f} s CPU, peak RSS {data['peak_rss_mb']:>6.1f} MB, store {data['store_mb']:.1f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
