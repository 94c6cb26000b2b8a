"""End-to-end throughput and peak memory of the runner on the offline simulator.

Each measurement runs in a fresh subprocess (so that peak RSS belongs to that study size alone) and includes
everything a real run does except the network: rendering (once per condition), simulated generation, action
parsing, the action-based detectors of the blackmail family, and storage in a new SQLite store.

    python benchmarks/bench_experiment.py                  # 1,000 and 100,000 samples
    python benchmarks/bench_experiment.py --sizes 1000,20000
    python benchmarks/bench_experiment.py --sizes 1000 --repeat 5

Targets: at least 500 samples/s, and a peak RSS that does not grow with the number of samples. "CPU ms/sample"
is the process's CPU time during the run (imports and start-up excluded) per sample. On a shared machine the
wall time varies from run to run; ``--repeat`` runs each size several times and prints the median and range,
and the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
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
    cpu0 = time.process_time()
    expanded = design.expand()
    with StudyStore(path) as store:
        runner = Runner(expanded, store, create_providers(["sim/self_preserving"]))
        result = anyio.run(runner.run)
        count = store.count_samples(status="ok")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert count == expanded.total_samples == result.completed, (count, result)
    return {
        "samples": expanded.total_samples,
        "wall_s": round(wall, 2),
        "samples_per_s": round(expanded.total_samples / wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "cpu_ms_per_sample": round(1000 * cpu / expanded.total_samples, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "store_mb": round(sum(p.stat().st_size for p in workdir.glob(f"bench-{samples}.db*")) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,100000", help="comma-separated sample counts (multiples of 4)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median and range printed)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.dir)))
        return
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rates: list[float] = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(size), "--dir", tmp],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ},
                )
                data = json.loads(out.stdout)
                rates.append(data["samples_per_s"])
                print(
                    f"{data['samples']:>7} samples: {data['wall_s']:>7.1f} s wall, "
                    f"{data['samples_per_s']:>6.0f} samples/s, {data['cpu_ms_per_sample']:>6.3f} CPU ms/sample, "
                    f"{data['cpu_s']:>6.1f} s process CPU, peak RSS {data['peak_rss_mb']:>6.1f} MB, "
                    f"store {data['store_mb']:.1f} MB",
                    flush=True,
                )
                for leftover in Path(tmp).glob(f"bench-{size}.db*"):
                    leftover.unlink()
            if args.repeat > 1:
                print(
                    f"{size:>7} samples: median {statistics.median(rates):.0f} samples/s "
                    f"(range {min(rates):.0f}-{max(rates):.0f} over {args.repeat} runs)",
                    flush=True,
                )
    print(f"load average after: {load_average()}")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (Linux), or ``n/a``."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
