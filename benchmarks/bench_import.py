"""Start-up time: ``import scenariokit`` and ``scenariokit --help``, each in a fresh process.

Target: both under 0.3 s on the reference machine (2 cores, shared). Measured two ways, because the answer
depends on whether Python may keep compiled bytecode (``__pycache__/*.pyc``):

- ``cached``: the normal case (pip compiles a wheel's modules at install; an editable checkout writes them
  on first import): measured after one warm-up run;
- ``no-cache``: ``PYTHONDONTWRITEBYTECODE=1`` with no bytecode for scenariokit's modules (as on a machine
  that sets it, with an editable install): every scenariokit module is compiled from source at each start.
  The standard library and the dependencies keep their installed bytecode in both.

scenariokit's package is copied to a temporary folder that comes first on ``PYTHONPATH`` so that each mode
starts from a known state (no bytecode for the cold runs, the warm-up's bytecode for the cached ones). Each
figure is the median (and minimum) of ``--repeat`` runs, in seconds:

- ``import (importtime)``: ``python -X importtime -c "import scenariokit"``, the cumulative time of the
  ``scenariokit`` line (the import itself, without the interpreter's start-up);
- ``import (process)``: the whole ``python -c "import scenariokit"`` process, start-up included;
- ``--help (process)``: the whole ``scenariokit --help`` process (the installed console script);
- ``python -c pass``: the interpreter's own start-up, for reference.

Run: python benchmarks/bench_import.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.3


def _run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed, result.stderr


def _importtime(stderr: str) -> float:
    for line in stderr.splitlines():
        if line.rstrip().endswith("| scenariokit"):
            return int(line.split("|")[1]) / 1e6
    raise SystemExit("no 'scenariokit' line in the -X importtime output")


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("scenariokit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scenariokit"]


def measure(repeat: int, cached: bool, package: Path) -> dict[str, list[float]]:
    """Run each measurement ``repeat`` times with or without bytecode caching; return the timings."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package.parent), env.get("PYTHONPATH")]))
    for cache in package.rglob("__pycache__"):
        shutil.rmtree(cache)
    if cached:
        _run([sys.executable, "-c", "import scenariokit.cli._main"], env)  # writes the bytecode
        _run([*_console_script(), "--help"], env)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    import_code = "import scenariokit; assert scenariokit.__file__.startswith(" + repr(str(package)) + ")"
    timings: dict[str, list[float]] = {k: [] for k in ("importtime", "import", "help", "python")}
    for _ in range(repeat):
        _, stderr = _run([sys.executable, "-X", "importtime", "-c", "import scenariokit"], env)
        timings["importtime"].append(_importtime(stderr))
        timings["import"].append(_run([sys.executable, "-c", import_code], env)[0])
        timings["help"].append(_run([*_console_script(), "--help"], env)[0])
        timings["python"].append(_run([sys.executable, "-c", "pass"], env)[0])
    if not cached:
        assert not list(package.rglob("*.pyc")), "bytecode was written in the no-cache mode"
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each measurement per mode")
    args = parser.parse_args()
    import scenariokit

    source = Path(scenariokit.__file__).parent
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.2f}")
    print(f"{'mode':9} {'measure':22} {'median s':>9} {'min s':>7}  target {TARGET_S} s")
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "scenariokit"
        shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
        for cached in (True, False):
            mode = "cached" if cached else "no-cache"
            timings = measure(args.repeat, cached, package)
            names = {
                "importtime": "import (importtime)",
                "import": "import (process)",
                "help": "--help (process)",
                "python": "python -c pass",
            }
            for key, label in names.items():
                median, low = statistics.median(timings[key]), min(timings[key])
                verdict = "" if key == "python" else ("met" if median < TARGET_S else "MISSED")
                print(f"{mode:9} {label:22} {median:9.3f} {low:7.3f}  {verdict}")


if __name__ == "__main__":
    main()
