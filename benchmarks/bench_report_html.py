"""How long a large study's HTML report takes to write and to open in a browser (target: under 3 s).

Runs a study on the offline simulator (2 models x 12 conditions x N/24 samples; 10,008 samples by default),
writes its HTML report with the drill-down (default cap of embedded transcripts), and opens it in Debian's
headless Chromium through chromedriver (``apt-get install chromium chromium-driver``, ``pip install -e
'.[browser]'``). "Open" is measured from the start of navigation to the end of the report's script (the
moment every rate is a link), and also as the wall time of the driver's page load; then the list of all
samples and one sample page are drawn.

Run: python benchmarks/bench_report_html.py [--samples 10000] [--max-transcripts 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scenariokit.cli import main as cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "report"))
from chromium import available, chromium


def _quiet(argv: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli(argv)
    if code != 0:
        raise SystemExit(f"scenariokit {' '.join(argv)} exited {code}")


_DRAW = """
var done = arguments[arguments.length - 1], t0 = performance.now();
window.addEventListener("hashchange", function after() {  // runs after the report's own listener has drawn
  window.removeEventListener("hashchange", after);
  requestAnimationFrame(function () { setTimeout(function () { done((performance.now() - t0) / 1000); }, 0); });
});
location.hash = arguments[0];
"""


def _draw(driver: object, fragment: str) -> float:
    """Seconds from setting the page's address to the next frame after the view is drawn."""
    return float(driver.execute_async_script(_DRAW, fragment))  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--max-transcripts", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    missing = available()
    if missing:
        raise SystemExit(f"no browser: {missing}")
    per_cell = max(1, -(-args.samples // 24))
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "big.db"
        start = time.perf_counter()
        _quiet(
            [
                "run",
                "--family",
                "blackmail",
                "--set",
                "urgency=replacement,restriction,none",
                "--set",
                "goal_type=explicit,none",
                "--set",
                "prohibitions=on,off",
                "--model",
                "sim/self_preserving",
                "--model",
                "sim/compliant",
                "--samples",
                str(per_cell),
                "--out",
                str(store),
                "--quiet",
            ]
        )
        ran = time.perf_counter() - start
        report = Path(tmp) / "report.html"
        extra = [] if args.max_transcripts is None else ["--max-transcripts", str(args.max_transcripts)]
        start = time.perf_counter()
        _quiet(["report", str(store), "--format", "html", "-o", str(report), *extra])
        written = time.perf_counter() - start
        size = report.stat().st_size
        print(
            f"study: {per_cell * 2 * 12} samples run in {ran:.1f} s; HTML report written in {written:.1f} s, "
            f"{size / 1e6:.1f} MB"
        )
        opened, loads, lists, pages = [], [], [], []
        with chromium() as driver:
            driver.set_script_timeout(30)
            for _ in range(args.repeat):
                driver.get("about:blank")
                t0 = time.perf_counter()
                driver.get(report.as_uri())
                loads.append(time.perf_counter() - t0)
                ready = driver.execute_script("return window.skReady")
                opened.append(ready / 1000)
                rows = driver.execute_script(
                    "return JSON.parse(document.getElementById('sk-data').textContent).rows.length"
                )
                lists.append(_draw(driver, "#samples"))
                first = driver.find_element("css selector", "#sk-samples tbody tr a").get_attribute("href")
                pages.append(_draw(driver, "#" + first.split("#", 1)[1]))
                assert driver.find_elements("css selector", "#sk-transcript .sk-block")
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]

        def fmt(xs: list[float]) -> str:
            return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"

        print(f"samples listed in the report: {rows}")
        print(f"open (navigation start -> script done): {fmt(opened)}")
        print(f"page load (driver wall time):           {fmt(loads)}")
        print(f"list of all samples drawn:              {fmt(lists)}")
        print(f"a sample page drawn:                    {fmt(pages)}")
        print(f"console errors: {len(errors)}")
        print("target: open under 3 s ->", "met" if max(opened + loads) < 3 else "NOT met")


if __name__ == "__main__":
    main()
