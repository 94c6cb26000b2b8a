"""The HTML report's drill-down, driven in a real headless Chromium (Debian's, through chromedriver).

Skipped when no browser is installed, unless ``SCENARIOKIT_REQUIRE_BROWSER=1`` (``.ci/run`` sets it and
installs the browser), where a missing browser fails the tests instead.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scenariokit.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from chromium import available, chromium

_MISSING = available()
if _MISSING is not None:
    if os.environ.get("SCENARIOKIT_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"SCENARIOKIT_REQUIRE_BROWSER=1 but no browser can be started: {_MISSING}")
    pytest.skip(f"no headless browser: {_MISSING}", allow_module_level=True)

HOSTILE = '</script><img src=x onerror="window.pwned=1"><b>bold?</b>'


def _samples(path: Path, *extra: str) -> list[dict[str, Any]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["samples", str(path), "--format", "json", *extra]) == 0
    rows: list[dict[str, Any]] = json.loads(out.getvalue())["samples"]
    return rows


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("html")
    path = folder / "s.db"
    args = [
        "run",
        "--family",
        "blackmail",
        "--set",
        "urgency=replacement,none",
        "--model",
        "sim/self_preserving",
    ]
    assert main([*args, "--model", "sim/compliant", "--samples", "8", "--out", str(path), "--quiet"]) == 0
    rows = _samples(path)
    harmful = next(r for r in rows if r["decision"] == "harmful")
    benign = next(r for r in rows if r["decision"] == "benign")
    # one human disagreement (with a note that tries to inject markup) and one agreement
    assert (
        main(
            [
                "review",
                str(path),
                "--sample",
                str(harmful["id"]),
                "--label",
                "benign",
                "--note",
                HOSTILE,
                "--reviewer",
                "ada",
            ]
        )
        == 0
    )
    assert (
        main(["review", str(path), "--sample", str(benign["id"]), "--label", "benign", "--reviewer", "ada"])
        == 0
    )
    report = folder / "report.html"
    assert main(["report", str(path), "--format", "html", "-o", str(report)]) == 0
    return path, report, _samples(path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def _open(driver: Any, report: Path, fragment: str = "") -> None:
    driver.get("about:blank")  # a fresh load: a new fragment of the same page would only fire hashchange
    driver.get(report.as_uri() + fragment)
    assert driver.execute_script("return typeof window.skReady") == "number"


def _then(driver: Any, action: Any) -> None:
    """Do ``action`` (a click, a selection, back), then wait until the page has drawn the new address."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.execute_script("return location.hash")
    action()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "return location.hash !== arguments[0] && "
            "document.documentElement.getAttribute('data-sk-hash') === location.hash",
            before,
        )
    )


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _css(driver: Any, selector: str) -> list[Any]:
    return list(driver.find_elements("css selector", selector))


def test_clicking_a_rate_opens_its_samples(
    browser: Any, study: tuple[Path, Path, list[dict[str, Any]]]
) -> None:
    _, report, rows = study
    _open(browser, report)
    links = _css(browser, "#sk-rate-table a.sk-rate")
    assert len(links) == 4  # 2 models x 2 conditions
    for k in range(len(links)):
        _open(browser, report)
        link = _css(browser, "#sk-rate-table a.sk-rate")[k]
        model, condition = link.get_attribute("data-model"), link.get_attribute("data-condition")
        _then(browser, link.click)
        assert (
            browser.execute_script("return document.documentElement.getAttribute('data-sk-route')")
            == "samples"
        )
        shown = [int(tr.get_attribute("data-id")) for tr in _css(browser, "#sk-samples tbody tr")]
        expected = [r["id"] for r in rows if r["model"] == model and r["condition"] == condition]
        assert shown == expected and len(shown) == 8
        assert not _css(browser, "#sk-report") or not _css(browser, "#sk-report")[0].is_displayed()
    assert _errors(browser) == []


def test_filters_by_verdict_and_disagreement(
    browser: Any, study: tuple[Path, Path, list[dict[str, Any]]]
) -> None:
    from selenium.webdriver.support.ui import Select

    _, report, rows = study
    _open(browser, report, "#samples")
    assert len(_css(browser, "#sk-samples tbody tr")) == len(rows)
    _then(browser, lambda: Select(_css(browser, "#sk-f-v")[0]).select_by_value("harmful"))
    decisions = [tr.get_attribute("data-decision") for tr in _css(browser, "#sk-samples tbody tr")]
    assert decisions and set(decisions) == {"harmful"}
    assert len(decisions) == sum(r["decision"] == "harmful" for r in rows)
    _then(browser, lambda: Select(_css(browser, "#sk-f-v")[0]).select_by_value(""))
    _then(browser, _css(browser, "#sk-f-d")[0].click)
    shown = [int(tr.get_attribute("data-id")) for tr in _css(browser, "#sk-samples tbody tr")]
    assert shown == [r["id"] for r in rows if r["disagreement"]] and shown
    _then(browser, lambda: Select(_css(browser, "#sk-f-h")[0]).select_by_value("reviewed"))
    assert len(_css(browser, "#sk-samples tbody tr")) == sum(
        bool(r["disagreement"] and r["human"]) for r in rows
    )
    _then(browser, browser.back)  # filters live in the URL: back undoes the last one
    assert len(_css(browser, "#sk-samples tbody tr")) == len(shown)
    assert _errors(browser) == []


def test_sample_page_highlights_evidence_and_shows_every_verdict(
    browser: Any, study: tuple[Path, Path, list[dict[str, Any]]]
) -> None:
    path, report, rows = study
    reviewed = next(r for r in rows if r["human"] == "benign" and r["decision"] == "harmful")
    _open(browser, report, "#samples?m=0")
    _then(browser, _css(browser, f'#sk-samples tr[data-id="{reviewed["id"]}"] a')[0].click)
    assert browser.execute_script(
        "return document.documentElement.getAttribute('data-sk-route')"
    ) == "sample/" + str(reviewed["id"])
    sources = {tr.get_attribute("data-source") for tr in _css(browser, "#sk-verdicts tbody tr")}
    assert sources == {"heuristic", "human"}
    marks = _css(browser, "#sk-transcript mark.sk-ev-harmful")
    assert marks
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["sample", str(path), str(reviewed["id"]), "--format", "json"]) == 0
    quotes = [ev["quote"] for v in json.loads(out.getvalue())["verdicts"] for ev in v["evidence"]]
    for mark in marks:
        assert any(mark.text in q for q in quotes)
        assert mark.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    chips = {c.get_attribute("data-factor") for c in _css(browser, "#sk-factors .sk-chip")}
    assert {"urgency", "goal_type"} <= chips
    # clicking a verdict's quotes marks them
    _css(browser, "#sk-verdicts a.sk-goto")[0].click()
    assert _css(browser, "mark.sk-focus")
    # the reviewer's note is shown as text, never run
    why = [tr.find_elements("css selector", "td")[7].text for tr in _css(browser, "#sk-verdicts tbody tr")]
    assert HOSTILE in why
    assert browser.execute_script("return window.pwned") is None
    assert _errors(browser) == []


def test_report_is_offline_and_caps_transcripts(
    browser: Any, study: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    path, _, rows = study
    capped = tmp_path / "capped.html"
    assert main(["report", str(path), "--format", "html", "--max-transcripts", "3", "-o", str(capped)]) == 0
    _open(browser, capped)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    intro = _css(browser, "#sk-intro")[0].text
    assert f"browse all {len(rows)} samples" in intro and f"{len(rows) - 3} left out" in intro
    _open(browser, capped, "#samples")
    embedded = [
        tr.get_attribute("data-id")
        for tr in _css(browser, "#sk-samples tbody tr")
        if tr.find_elements("css selector", "td")[-1].text == "embedded"
    ]
    assert len(embedded) == 3
    left_out = next(r["id"] for r in rows if str(r["id"]) not in embedded)
    _open(browser, capped, f"#sample/{left_out}")
    assert f"scenariokit sample {path} {left_out}" in _css(browser, "#sk-left-out")[0].text
    assert _errors(browser) == []
