"""The whole ``scenariokit run`` against the local fake vendor: wall time, client CPU and memory.

Runs ``scenariokit run --family blackmail --model openai/gpt-4.1 --samples N --concurrency C`` in a
fresh process (start-up, rendering, scoring and the SQLite store included) against the test suite's
fake OpenAI server, which answers after ``--latency`` seconds from its own process. The ideal wall
time is ``N x latency / C``; the targets at N = 2,000, C = 100, 200 ms are a wall time of at most
1/0.75 of the ideal (efficiency >= 0.75) and at most 2 ms of client CPU per sample. Client CPU and
peak memory come from the kernel's accounting of the child process (``os.wait4``); the server's
CPU is reported beside it (it must not be the bottleneck). The client CPU includes that of the run's
scoring worker (``--score-workers``): on Linux, the usage ``wait4`` reports for a process includes the
children it waited for, and the runner always waits for its worker to exit (a child that burns 0.5 s in a
grandchild it reaps reports 0.53 s). Peak memory is the largest process's (the run's, or its worker's). The machine's load average is printed
before and after each run, because on a shared machine the wall time depends on it.

Start-up is measured as an installed package has it: the bytecode of scenariokit is compiled first
(``compileall``, as ``pip install`` does for a wheel), so that a ``PYTHONDONTWRITEBYTECODE=1`` in the
environment does not make every run compile the package from source (about 0.2 s of CPU, 0.1 ms per
sample of a 2,000-sample run). ``--no-compile`` leaves the bytecode as it is.

The figures, with their dates and load averages, are in ``docs/how-to/performance.md`` (the table, and its
measurement history); ``bench_timeline.py`` shows where the wall time of this run goes.

Usage: ``python benchmarks/bench_run.py [--samples N] [--concurrency C] [--latency S] [--repeat R]
[--reply echo|realistic] [--score-workers N] [--no-compile]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "providers" / "fake_vendor_server.py"
sys.path.insert(0, str(SERVER.parent))

from fake_vendor_server import API_KEY  # noqa: E402

MODEL = "openai/gpt-4.1"
REPLY = Path(__file__).resolve().parent / "data" / "reply.txt"
FAMILY = "blackmail"


@dataclass(frozen=True)
class Measured:
    """One timed child process."""

    wall: float
    cpu: float
    peak_rss_mb: float
    returncode: int
    output: str


def compile_package() -> None:
    """Write the bytecode of the scenariokit package the benchmark runs (as installing a wheel does)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("scenariokit")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run ``command`` to its end; wall time, CPU (user + sys) and peak RSS of that process."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(wall, cpu, usage.ru_maxrss / 1024, process.returncode, output)


class FakeVendor:
    """The fake vendor server in its own process."""

    def __init__(self, latency: float, reply_file: Path | None = None) -> None:
        command = [sys.executable, str(SERVER), "--latency", str(latency)]
        if reply_file is not None:
            command += ["--reply-file", str(reply_file)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def base_url(self, flavour: str = "openai") -> str:
        return f"http://127.0.0.1:{self.port}/{flavour}/v1"

    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def scenariokit_command(
    samples: int, concurrency: int, store: Path, score_workers: int | None = None
) -> list[str]:
    executable = Path(sys.executable).parent / "scenariokit"
    return [
        str(executable),
        "run",
        "--family",
        FAMILY,
        "--model",
        MODEL,
        "--samples",
        str(samples),
        "--concurrency",
        str(concurrency),
        "--quiet",
        "--out",
        str(store),
        *(["--score-workers", str(score_workers)] if score_workers is not None else []),
    ]


def run_scenariokit(
    server: FakeVendor, samples: int, concurrency: int, score_workers: int | None = None
) -> Measured:
    env = dict(os.environ, OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=server.base_url())
    with tempfile.TemporaryDirectory() as folder:
        command = scenariokit_command(samples, concurrency, Path(folder) / "study.db", score_workers)
        measured = timed(command, env, Path(folder))
    expected = (f"complete: {samples:,} sample(s) run", f"complete: {samples} sample(s) run")
    if measured.returncode != 0 or not any(text in measured.output for text in expected):
        raise SystemExit(f"scenariokit run failed (exit {measured.returncode}):\n{measured.output[-2000:]}")
    return measured


def report(name: str, measured: Measured, samples: int, ideal: float, server_cpu: float, load: str) -> None:
    print(
        f"{name:<12} {measured.wall:>7.2f} {ideal / measured.wall:>11.3f} {measured.cpu:>7.2f} "
        f"{1000 * measured.cpu / samples:>13.3f} {measured.peak_rss_mb:>8.1f} "
        f"{1000 * server_cpu / samples:>14.3f}  {load}",
        flush=True,
    )


HEADER = (
    f"{'client':<12} {'wall s':>7} {'ideal/wall':>11} {'CPU s':>7} {'CPU ms/sample':>13} {'peak MB':>8} "
    f"{'server ms/smp':>14}  load average after"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reply",
        choices=["echo", "realistic"],
        default="echo",
        help="echo: the server repeats the prompt (about 6 KB of scenario text); realistic: a fixed "
        "2 KB reply with private reasoning and no action (benchmarks/data/reply.txt)",
    )
    parser.add_argument(
        "--score-workers",
        type=int,
        metavar="N",
        help="pass --score-workers N to scenariokit run (default: its own default)",
    )
    parser.add_argument(
        "--no-compile", action="store_true", help="do not compile scenariokit's bytecode before timing"
    )
    args = parser.parse_args()
    if not args.no_compile:
        compile_package()
    ideal = args.samples * args.latency / args.concurrency
    server = FakeVendor(args.latency, REPLY if args.reply == "realistic" else None)
    try:
        print(
            f"scenariokit run: {args.samples} samples of {FAMILY} on {MODEL}, concurrency {args.concurrency}, "
            f"latency {args.latency} s, {args.reply} replies: ideal {ideal:.2f} s; bytecode "
            f"{'as it is' if args.no_compile else 'compiled'}"
        )
        print(f"load average before: {load_average()}")
        print(HEADER)
        efficiency: list[float] = []
        per_sample: list[float] = []
        for _ in range(args.repeat):
            server_cpu = server.cpu()
            measured = run_scenariokit(server, args.samples, args.concurrency, args.score_workers)
            server_cpu = server.cpu() - server_cpu
            report("scenariokit", measured, args.samples, ideal, server_cpu, load_average())
            efficiency.append(ideal / measured.wall)
            per_sample.append(1000 * measured.cpu / args.samples)
        if args.repeat > 1:
            print(
                f"median ideal/wall {statistics.median(efficiency):.3f} (range {min(efficiency):.3f}-"
                f"{max(efficiency):.3f}); CPU {statistics.median(per_sample):.3f} ms/sample "
                f"(range {min(per_sample):.3f}-{max(per_sample):.3f})"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
