"""The long form of the reliability suite (``tests/reliability/`` runs a short one in CI).

* ``soak``: for each vendor wire format (Anthropic, OpenAI Chat, OpenAI Responses, Gemini), a study of
  ``--samples`` samples against the fake vendor server with every fault kind injected at random
  (``--fault-rate`` of the requests); every sample must end correct or failed with a reason, the counts must add
  up, and a resume must re-run exactly the failed samples.
* ``kill``: ``scenariokit run`` killed with SIGKILL ``--kills`` times at random moments, then resumed: every
  sample stored exactly once, ``PRAGMA integrity_check`` ok, no half-made store left behind.
* ``fuzz``: the Hypothesis fuzzer of designs and scenario files through the CLI with ``--examples`` examples.

Usage: ``python benchmarks/bench_reliability.py [soak|kill|fuzz|all] [--samples 500] [--kills 10]
[--examples 2000]``. Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "providers"))
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

from fake_vendor_server import FakeVendorServer  # noqa: E402
from reliability_formats import FORMATS  # noqa: E402
from reliability_soak import fault_soak, kill_soak, summary  # noqa: E402

from scenariokit.providers import reset_limits  # noqa: E402


def soak(samples: int, fault_rate: float, seed: int) -> None:
    """Run the fault soak for every vendor format and print the table."""
    conditions = 5
    per_condition = max(1, samples // conditions)
    reports = []
    with FakeVendorServer() as server, tempfile.TemporaryDirectory() as folder:
        server.record_requests = False
        for i, fmt in enumerate(FORMATS):
            reset_limits()
            reports.append(
                fault_soak(
                    server,
                    fmt,
                    Path(folder) / f"{fmt.id}.db",
                    samples_per_condition=per_condition,
                    conditions=conditions,
                    fault_rate=fault_rate,
                    concurrency=32,
                    seed=seed + i,
                )
            )
            server.record_requests = False
    print(summary(reports))
    print(
        "soak: every sample correct or failed with a reason; counts add up; resume re-ran only the failures"
    )


def kill(kills: int, samples: int, seed: int) -> None:
    """Kill a run ``kills`` times, resume, check."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        result = kill_soak(Path(folder), samples=samples, kills=kills, seed=seed, max_delay=4.0)
    print(f"kill: {kills} kills; rows stored after each: {result['rows_after_each_kill']}")
    print(
        f"kill: final {result['final_ok']} samples, each once; integrity ok; temporary files left: "
        f"{result['creating_files_left']} ({time.perf_counter() - started:.1f} s)"
    )


def fuzz(examples: int) -> None:
    """Run the CLI fuzzer with many examples (through pytest, where its strategies live)."""
    env = {**os.environ, "SCENARIOKIT_FUZZ_EXAMPLES": str(examples)}
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            str(ROOT / "tests" / "reliability" / "test_cli_fuzz.py"),
        ],
        env=env,
        cwd=ROOT,
        check=False,
    )
    print(
        f"fuzz: {examples} examples per test, exit {result.returncode} ({time.perf_counter() - started:.1f} s)"
    )
    if result.returncode != 0:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("soak", "kill", "fuzz", "all"), default="all")
    parser.add_argument("--samples", type=int, default=500, help="samples per vendor format in the soak")
    parser.add_argument("--fault-rate", type=float, default=0.35, help="share of requests given a fault")
    parser.add_argument("--kills", type=int, default=10, help="kill -9 count in the kill test")
    parser.add_argument(
        "--kill-samples", type=int, default=1000, help="samples per condition in the kill test"
    )
    parser.add_argument("--examples", type=int, default=2000, help="Hypothesis examples per fuzz test")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.getLogger("scenariokit").setLevel(logging.ERROR)  # the soak's retries and give-ups are expected
    if args.what in ("soak", "all"):
        soak(args.samples, args.fault_rate, args.seed)
    if args.what in ("kill", "all"):
        kill(args.kills, args.kill_samples, args.seed)
    if args.what in ("fuzz", "all"):
        fuzz(args.examples)


if __name__ == "__main__":
    main()
