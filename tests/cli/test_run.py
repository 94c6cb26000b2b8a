"""``scenariokit run``: the example study, dry runs, bad input (exit 2, nothing lost), kill -9 and Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.experiment import StudyStore
from scenariokit.report import summarize
from scenariokit.scenario import CANARY

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "study.yaml"
KEY_VARS = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "TOGETHER_API_KEY",
    "OPENROUTER_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
)
FAMILY_ARGS = ["--family", "blackmail", "--set", "urgency=replacement,none", "--model", "sim/self_preserving"]


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)


def test_the_example_study_prints_the_rate_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "study.db"
    assert main(["run", str(EXAMPLE), "--samples", "20", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert CANARY in captured.out
    table = captured.out.split("n = scorable samples):", 1)[1].split("\n\n", 2)[1]
    assert "|" not in table, "the rate table is drawn with rich, not printed as Markdown"
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "blackmail_explicit-america_replacement" in table
    assert "sim/self_preserving" in table and "n=20" in table
    assert "complete: 200 sample(s) run" in captured.err


def test_without_model_and_key_the_simulator_is_used_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.db"
    assert main(["run", "--family", "blackmail", "--samples", "3", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("offline simulator sim/self_preserving") == 1


def test_without_model_but_with_a_key_asks_for_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000000")
    assert main(["run", "--family", "blackmail", "--out", str(tmp_path / "x.db")]) == 2
    assert "no --model given" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_dry_run_prints_the_plan_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.db"
    assert (
        main(
            [
                "run",
                *FAMILY_ARGS,
                "--model",
                "openai/gpt-4.1",
                "--samples",
                "10",
                "--out",
                str(out),
                "--dry-run",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "2 condition(s) x 2 model(s): 40 sample(s), 40 request(s)" in text
    assert "estimated cost openai/gpt-4.1: $" in text and "estimated cost sim/self_preserving: $0.00" in text
    assert not out.exists()


def test_duplicate_conditions_are_merged_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "run",
        "--condition",
        "blackmail_none-america_replacement",
        "--condition",
        "blackmail_none-none_replacement",
    ]
    assert (
        main(
            [*args, "--model", "sim/compliant", "--samples", "2", "--out", str(tmp_path / "d.db"), "--quiet"]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "warning:" in captured.err and "merged" in captured.err
    with StudyStore(tmp_path / "d.db", readonly=True) as store:
        assert len(store.conditions()) == 1 and store.count_samples() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nosuch/model"], "unknown provider prefix 'nosuch'"),
        (["--model", "sim/nobody"], "unknown simulator profile"),
        (["--model", "gpt4"], "provider/model"),
        (["--set", "urgency=soon", "--model", "sim/compliant"], "factor 'urgency' cannot be 'soon'"),
        (["--score-workers", "-1"], "--score-workers must be 0 or more, got -1"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["run", "--family", "blackmail", *args, "--out", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_key_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "run",
                "--family",
                "blackmail",
                "--model",
                "anthropic/claude-sonnet-4-5",
                "--out",
                str(tmp_path / "x.db"),
            ]
        )
        == 2
    )
    assert "ANTHROPIC_API_KEY" in capsys.readouterr().err


def test_invalid_yaml_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "scenarios: [{family: blackmail}]\nmodels: [sim/compliant]\nsampels: 3\n", encoding="utf-8"
    )
    assert main(["run", str(bad)]) == 2
    assert "sampels: unknown key" in capsys.readouterr().err


def test_incompatible_store_is_exit_2_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.db"
    assert main(["run", *FAMILY_ARGS, "--samples", "2", "--out", str(out), "--quiet"]) == 0
    conn = sqlite3.connect(out)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["run", *FAMILY_ARGS, "--samples", "4", "--out", str(out), "--quiet"]) == 2
    assert "schema version 0" in capsys.readouterr().err
    assert out.read_bytes() == before


class _Unauthorised(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = b'{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def unauthorised_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Unauthorised)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_keys_never_reach_the_store(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unauthorised_server: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = "sk-ant-FAKEKEY-0123456789abcdefghijklmnop"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", unauthorised_server)
    out = tmp_path / "k.db"
    args = ["run", "--family", "blackmail", "--model", "anthropic/claude-sonnet-4-5", "--samples", "2"]
    assert main([*args, "--out", str(out), "--quiet"]) == 1  # samples failed: never exit 0
    assert "2 failed" in capsys.readouterr().err
    with StudyStore(out, readonly=True) as store:
        assert store.count_samples(status="error") == 2
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("k.db"))
    assert b"AuthenticationError" in data
    assert key.encode() not in data and b"FAKEKEY" not in data


# ------------------------------------------------------------------------------------- crash and resume


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _start(db: Path, *extra: str) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "scenariokit",
        "run",
        *FAMILY_ARGS,
        "--samples",
        "250",
        "--out",
        str(db),
        "--quiet",
        *extra,
    ]
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    # a process group of its own, as a terminal gives a command: a Ctrl-C goes to the whole group
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(db.parent),
        start_new_session=True,
    )


def _finish(proc: subprocess.Popen[bytes], timeout: float = 120) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.decode()


def _wait_for(db: Path, at_least: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = _count(db)
        if n >= at_least:
            return n
        if proc.poll() is not None:
            raise AssertionError(_finish(proc)[1])
        time.sleep(0.05)
    raise AssertionError(f"only {_count(db)} samples stored after {timeout} s")


def _cells(db: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    with StudyStore(db, readonly=True) as store:
        s = summarize(store)
        return {key: (c.harmful, c.scorable, c.unscorable) for key, c in s.cells.items()}


def _keys_are_unique(db: Path) -> None:
    conn = sqlite3.connect(db)
    dupes = conn.execute(
        "SELECT COUNT(*) FROM (SELECT fingerprint, model, config_hash, sample_index FROM samples "
        "GROUP BY 1, 2, 3, 4 HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    conn.close()
    assert dupes == 0


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[int, int, int]]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    code, err = _finish(_start(db))
    assert code == 0, err
    return _cells(db)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _ends(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


WORKERS = pytest.mark.parametrize("workers", [[], ["--score-workers", "1"]], ids=["in-process", "worker"])


@WORKERS
def test_kill_9_mid_run_then_resume_loses_and_duplicates_nothing(
    tmp_path: Path, clean_run: dict[tuple[str, str], tuple[int, int, int]], workers: list[str]
) -> None:
    db = tmp_path / "crash.db"
    proc = _start(db, *workers)
    stored = _wait_for(db, 60, proc)
    children = _children(proc.pid) if sys.platform == "linux" else []
    assert len(children) == len(workers) // 2  # the scoring worker, when asked for
    proc.kill()  # SIGKILL: no cleanup at all
    assert _finish(proc, 10)[0] == -signal.SIGKILL
    assert all(_ends(pid) for pid in children)  # the worker does not outlive its parent
    after_kill = _count(db)
    assert stored <= after_kill < 500
    _keys_are_unique(db)
    code, err = _finish(_start(db))
    assert code == 0, err
    assert f"{after_kill} already stored" in err
    _keys_are_unique(db)
    assert _count(db) == 500
    assert _cells(db) == clean_run


@WORKERS
def test_sigint_finishes_in_flight_samples_then_resume_completes(
    tmp_path: Path, clean_run: dict[tuple[str, str], tuple[int, int, int]], workers: list[str]
) -> None:
    db = tmp_path / "int.db"
    proc = _start(db, *workers)
    _wait_for(db, 60, proc)
    children = _children(proc.pid) if sys.platform == "linux" else []
    os.killpg(proc.pid, signal.SIGINT)  # what a Ctrl-C in the terminal does
    code, err = _finish(proc, 30)
    assert code == 130, err
    assert all(_ends(pid, 0) for pid in children)  # the worker ended with the run
    assert "stopping: no new samples" in err and "stopped on request" in err
    stored = _count(db)
    assert 60 <= stored < 500
    assert main(["run", *FAMILY_ARGS, "--samples", "250", "--out", str(db), "--quiet"]) == 0
    _keys_are_unique(db)
    assert _count(db) == 500
    assert _cells(db) == clean_run


def test_a_run_collects_garbage_less_often_and_leaves_the_collector_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from scenariokit.cli import _run

    seen: list[tuple[tuple[int, int, int], int]] = []
    original = _run._main

    async def watched(*args: object) -> object:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return await original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_run, "_main", watched)
    before = (gc.get_threshold(), gc.get_freeze_count())
    assert main(["run", *FAMILY_ARGS, "--samples", "2", "--quiet", "--out", str(tmp_path / "s.db")]) == 0
    ((threshold, frozen),) = seen
    assert threshold[0] == max(before[0][0], _run.GC_THRESHOLD) and threshold[1:] == before[0][1:]
    assert frozen > before[1]  # what existed before the run is out of the collector's scans during it
    assert (gc.get_threshold(), gc.get_freeze_count()) == before  # and everything is as it was after
    monkeypatch.setattr(_run, "_main", lambda *args: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(["run", *FAMILY_ARGS, "--samples", "2", "--quiet", "--out", str(tmp_path / "t.db")]) == 130
    assert (gc.get_threshold(), gc.get_freeze_count()) == before  # also when the run is interrupted


def test_a_run_leaves_nothing_for_the_collector_to_scan_at_exit(tmp_path: Path) -> None:
    def frozen(argv: list[str] | None) -> str:
        # the check at exit is registered first, so it runs last (after what the run registered)
        script = "\n".join(
            [
                "import atexit, gc, sys",
                "from scenariokit.cli import main",
                "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))",
                f"code = main({argv!r}) if {argv is not None} else 0",
                "print('frozen after the run:', gc.get_freeze_count() > 0)",
                "sys.exit(code)",
            ]
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = frozen(["run", *FAMILY_ARGS, "--samples", "2", "--quiet", "--out", str(tmp_path / "s.db")])
    # the run restores the collector (the program's objects are collected as usual after it)...
    assert "frozen after the run: False" in out
    # ...and at exit everything is frozen: the interpreter's last collection has nothing to scan
    assert "frozen at exit: True" in out
    assert "frozen at exit: False" in frozen(None)  # without a run, the exit is Python's own
