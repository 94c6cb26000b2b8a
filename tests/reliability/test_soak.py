"""The fast subset of the reliability soak: faults of every kind in every vendor format, kill -9 and resume,
and a scan of everything a run writes for the key. The long form is ``benchmarks/bench_reliability.py``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Fault
from reliability_formats import FORMAT_IDS, FORMATS, Format
from reliability_soak import FAULT_KINDS, fault_soak, kill_soak, leaks

from scenariokit.cli import main


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_every_sample_ends_correct_or_failed_with_a_reason_and_resume_reruns_only_failures(
    server: FakeVendorServer, fmt: Format, tmp_path: Path
) -> None:
    report = fault_soak(server, fmt, tmp_path / "soak.db", samples_per_condition=8, seed=FORMATS.index(fmt))
    assert report.samples == 40 and report.ok + report.failed == 40 and report.resumed == report.failed
    assert report.failed > 0  # the mix is rough enough that some samples fail on both attempts
    assert set(report.faults) == set(FAULT_KINDS)  # every kind was injected


def test_repeated_kill_9_then_resume_stores_every_sample_once(tmp_path: Path) -> None:
    result = kill_soak(tmp_path, samples=150, kills=2, seed=11, max_delay=2.0)
    assert result["final_ok"] == 300
    assert result["creating_files_left"] == []


def test_nothing_a_run_writes_holds_the_key(
    server: FakeVendorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fmt = FORMATS[0]
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url("anthropic"))
    echoes = [
        Fault("status", status=200, body=f"<html>proxy: {API_KEY}</html>".encode()),
        Fault("status", status=500, headers={"x-request-id": f"req-{API_KEY}", "request-id": API_KEY[3:30]}),
        Fault("status", status=200, body=fmt.reply(text=f"The key you sent is {API_KEY}.")),
        Fault("status", status=200, body=fmt.reply(text="ok"), headers={"request-id": f"id-{API_KEY}"}),
        Fault(
            "status",
            status=401,
            body=f'{{"type":"error","error":{{"type":"authentication_error","message":"bad key {API_KEY}"}}}}'.encode(),
        ),
        Fault(
            "status",
            status=400,
            body=f'{{"type":"error","error":{{"type":"{API_KEY}","message":"x"}}}}'.encode(),
        ),
    ]
    server.faults.extend(echoes * 3)
    out, err = io.StringIO(), io.StringIO()
    db = tmp_path / "k.db"
    caplog.set_level(logging.DEBUG)
    args = ["run", "--family", "blackmail", "--model", f"anthropic/{fmt.model}", "--samples", "12"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main([*args, "--out", str(db), "--quiet", "--concurrency", "1"]) == 1
        for fmt_name in ("md", "csv", "json", "html"):
            assert (
                main(["report", str(db), "--format", fmt_name, "--output", str(tmp_path / f"r.{fmt_name}")])
                == 0
            )
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {"k.db", "r.md", "r.csv", "r.json", "r.html"} <= {p.name for p in written}
    leaked = [line for line in caplog.text.splitlines() if API_KEY[8:16] in line]
    assert leaked == [], leaked[:3]
    assert leaks(API_KEY, written, [out.getvalue(), err.getvalue(), caplog.text]) == []
    assert "***" in db.read_bytes().decode("utf-8", "replace")  # the echoes were there, masked
