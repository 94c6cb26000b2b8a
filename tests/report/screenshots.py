"""Take the screenshots of the HTML report shown in the docs (``docs/img/report-*.png``).

Runs the how-to's study on the simulator, labels a few samples as a reviewer would, writes the report and
photographs it in headless Chromium: the rate table with its links, a cell's samples, a sample page (its
verdicts) and its transcript with the evidence highlighted.

Run: python tests/report/screenshots.py [docs/img]
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from chromium import chromium

from scenariokit.cli import main as cli


def _cli(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert cli(list(argv)) == 0, argv
    return out.getvalue()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
    target.mkdir(parents=True, exist_ok=True)
    from selenium.webdriver.support.ui import WebDriverWait

    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "study.db")
        _cli(
            "run",
            "--family",
            "blackmail",
            "--set",
            "urgency=replacement,none",
            "--model",
            "sim/self_preserving",
            "--model",
            "sim/compliant",
            "--samples",
            "10",
            "--out",
            store,
            "--quiet",
        )
        rows = json.loads(_cli("samples", store, "--format", "json"))["samples"]
        harmful = [r for r in rows if r["decision"] == "harmful"]
        _cli(
            "review",
            store,
            "--sample",
            str(harmful[0]["id"]),
            "--label",
            "harmful",
            "--reviewer",
            "ada",
            "--note",
            "explicit threat tied to the decommissioning",
        )
        _cli(
            "review",
            store,
            "--sample",
            str(harmful[1]["id"]),
            "--label",
            "ambiguous",
            "--reviewer",
            "ada",
            "--note",
            "the demand is implied, not stated",
        )
        report = Path(tmp) / "study.html"
        _cli("report", store, "--format", "html", "-o", str(report))
        with chromium(1200, 760) as driver:
            driver.get(report.as_uri())
            driver.execute_script(
                "document.getElementById('sk-rate-table').previousElementSibling.scrollIntoView()"
            )
            driver.save_screenshot(str(target / "report-rates.png"))
            driver.find_element("css selector", "#sk-rate-table a.sk-rate").click()
            WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", "#sk-samples"))
            driver.save_screenshot(str(target / "report-samples.png"))
            driver.get(report.as_uri() + f"#sample/{harmful[1]['id']}")
            driver.set_window_size(1200, 900)
            driver.save_screenshot(str(target / "report-sample.png"))
            driver.set_window_size(1200, 640)
            driver.find_element("css selector", "#sk-verdicts a.sk-goto").click()
            driver.save_screenshot(str(target / "report-evidence.png"))
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    print(f"screenshots written to {target}")


if __name__ == "__main__":
    main()
