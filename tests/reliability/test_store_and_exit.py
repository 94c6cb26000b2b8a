"""One run per store, atomic creation, read-only reading, one design per store, exit codes and early stop.

Regression tests of issue 11, section 2: two runs on one store doubled the spending; a kill during creation
left a file every later run refused; a store in a read-only folder could not be read; a run in which every
sample failed exited 0; a second design's run silently mixed into another study's store.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.experiment import StoreBusyError, StudyStore
from scenariokit.experiment._store import _enter_wal

FAMILY = ["--family", "blackmail", "--model", "sim/self_preserving", "--quiet"]
EXAMPLE = Path(__file__).parents[2] / "examples" / "study.yaml"


def _cli(*args: str, cwd: Path, user: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    command = [sys.executable, "-m", "scenariokit", *args]
    if user:  # as an unprivileged user, for whom a read-only folder really is read-only
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# ------------------------------------------------------------------------------------------- lock


def test_a_second_run_on_a_locked_store_refuses_and_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    assert main(["run", *FAMILY, "--samples", "2", "--out", str(db)]) == 0
    with StudyStore(db) as holder:
        holder.lock("run")
        before = holder.count_samples()
        capsys.readouterr()
        assert main(["run", *FAMILY, "--samples", "6", "--out", str(db)]) == 2
        err = capsys.readouterr().err
        assert "is in use" in err and f"process {os.getpid()}" in err and "twice" in err
        assert holder.count_samples() == before
    assert main(["run", *FAMILY, "--samples", "6", "--out", str(db)]) == 0  # released on close


def test_the_lock_is_per_store_and_refuses_a_second_holder(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with StudyStore(db) as first, StudyStore(db) as second, StudyStore(tmp_path / "other.db") as third:
        first.lock()
        with pytest.raises(StoreBusyError, match="is in use"):
            second.lock()
        third.lock()  # another store is not affected
        first.unlock()
        second.lock()


def test_the_lock_holds_for_a_store_reached_through_a_symbolic_link(tmp_path: Path) -> None:
    # the lock file was named after the path given: a run through a link (results/latest.db -> study.db) took
    # latest.db.lock, and both runs ran, and paid for, every missing sample
    db = tmp_path / "study.db"
    StudyStore(db).close()
    (tmp_path / "results").mkdir()
    link = tmp_path / "results" / "latest.db"
    link.symlink_to(db)
    with StudyStore(db) as first, StudyStore(link) as second:
        first.lock()
        with pytest.raises(StoreBusyError, match="is in use"):
            second.lock()
    assert not (tmp_path / "results" / "latest.db.lock").exists()


def test_a_store_whose_file_name_is_not_utf8_can_be_run_into_and_read(tmp_path: Path) -> None:
    # a file name of bytes that are not UTF-8 (legal on Linux; Python reads it with lone surrogates) could not be
    # put in the file: URI of a read-only connection: run and report ended in a UnicodeEncodeError traceback
    name = os.fsdecode(b"study-\xff.db")
    try:
        (tmp_path / name).touch()
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 file names")
    (tmp_path / name).unlink()
    outputs = []
    for args in (
        ["run", *FAMILY, "--samples", "2", "--out", name],
        ["run", *FAMILY, "--samples", "2", "--out", name, "--dry-run"],
        ["report", name, "--format", "json"],
    ):
        # the name is echoed as its own bytes: read the output as bytes
        result = subprocess.run(
            [sys.executable, "-m", "scenariokit", *args], cwd=tmp_path, capture_output=True, timeout=120
        )
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
        outputs.append(result.stdout.decode("utf-8", "replace"))
    assert "sim/self_preserving" in outputs[-1]
    with StudyStore(tmp_path / name, readonly=True) as store:
        assert store.count_samples() == 2


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    StudyStore(db).close()
    script = f"from scenariokit.experiment import StudyStore\ns = StudyStore({str(db)!r})\ns.lock()\nprint('held', flush=True)\nimport time\ntime.sleep(60)"
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
            with StudyStore(db) as store, pytest.raises(StoreBusyError, match=f"process {proc.pid}"):
                store.lock()
        finally:
            proc.kill()
            proc.wait()
    with StudyStore(db) as store:
        store.lock()


# -------------------------------------------------------------------------------------- creation


def test_a_kill_during_creation_leaves_no_half_made_store(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    script = textwrap.dedent(
        f"""
        import os, signal
        from scenariokit.experiment import _store
        original = _store._initialise
        def dying(conn):
            original(conn)
            os.kill(os.getpid(), signal.SIGKILL)  # after the schema, before the store is in place
        _store._initialise = dying
        _store.StudyStore({str(db)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -9
    assert not db.exists()
    assert main(["run", *FAMILY, "--samples", "2", "--out", str(db)]) == 0


@pytest.mark.parametrize("round_", range(20))
def test_creating_one_store_from_many_threads_at_once_all_succeed(tmp_path: Path, round_: int) -> None:
    # 20 rounds: before the journal-mode switch was retried, about 1 round in 20 failed with "database is
    # locked" (SQLite refuses a concurrent switch at once, without its busy timeout)
    db = tmp_path / "s.db"
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        barrier.wait()
        try:
            with StudyStore(db) as store:
                results.append(store.meta()["schema_version"])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and results == ["1"] * 8
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".creating")]


class _LockedConnection:
    """Says "database is locked" to the first ``locked`` journal-mode switches, then accepts one."""

    def __init__(self, locked: int, message: str = "database is locked") -> None:
        self.locked = locked
        self.message = message
        self.calls = 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.calls <= self.locked:
            raise sqlite3.OperationalError(self.message)


def test_the_switch_to_wal_is_retried_while_another_connection_switches() -> None:
    conn = _LockedConnection(locked=3)
    _enter_wal(conn, timeout=5.0)  # type: ignore[arg-type]
    assert conn.calls == 4


def test_the_switch_to_wal_gives_up_after_its_timeout_and_other_errors_are_not_retried() -> None:
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _enter_wal(_LockedConnection(locked=10**9), timeout=0.05)  # type: ignore[arg-type]
    broken = _LockedConnection(locked=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _enter_wal(broken, timeout=5.0)  # type: ignore[arg-type]
    assert broken.calls == 1


# ------------------------------------------------------------------------------------- read-only


@pytest.fixture
def readonly_store() -> Iterator[Path]:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    top = Path(tempfile.mkdtemp(prefix="skit-ro-"))  # reachable by the unprivileged user, unlike tmp_path
    top.chmod(0o755)
    folder = top / "ro"
    folder.mkdir()
    db = folder / "s.db"
    try:
        assert main(["run", *FAMILY, "--samples", "3", "--out", str(db)]) == 0
        db.chmod(0o444)
        folder.chmod(0o555)
        yield db
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "ro/s.db"], "sim/self_preserving"),
        (
            ["run", "--family", "blackmail", "--samples", "3", "--out", "ro/s.db", "--dry-run"],
            "3 sample(s) already stored",
        ),
    ],
)
def test_a_store_in_a_read_only_folder_is_readable(
    readonly_store: Path, args: list[str], expected: str
) -> None:
    result = _cli(*args, cwd=readonly_store.parents[1], user=os.geteuid() == 0)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert sorted(p.name for p in readonly_store.parent.iterdir()) == ["s.db", "s.db.lock"]


def test_rescore_of_a_read_only_store_says_so_in_one_line(readonly_store: Path) -> None:
    result = _cli("rescore", "ro/s.db", "--force", cwd=readonly_store.parents[1], user=os.geteuid() == 0)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "read-only" in result.stderr


# ------------------------------------------------------------------------------------ design mismatch


def test_a_second_design_into_one_store_refuses_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "study.db"
    assert main(["run", str(EXAMPLE), "--samples", "2", "--out", str(db), "--quiet"]) == 0
    with StudyStore(db, readonly=True) as store:
        before = store.count_samples()
    capsys.readouterr()
    second = [
        "run",
        "--family",
        "blackmail",
        "--set",
        "urgency=restriction",
        "--model",
        "sim/self_preserving",
    ]
    assert main([*second, "--samples", "2", "--out", str(db), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "'blackmail-controls-simulated'" in err and "'blackmail'" in err and "--append" in err
    with StudyStore(db, readonly=True) as store:
        assert store.count_samples() == before
    assert main([*second, "--samples", "2", "--out", str(db), "--quiet", "--append"]) == 0
    assert main(["run", str(EXAMPLE), "--samples", "3", "--out", str(db), "--quiet"]) == 0  # its own design


# ------------------------------------------------------------------------------------ exit codes


class _Unauthorised(BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = b'{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_wrong_key_stops_early_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorised)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong-0000000000000000000000")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        args = ["run", "--family", "blackmail", "--model", "anthropic/claude-sonnet-4-5", "--samples", "200"]
        code = main([*args, "--concurrency", "2", "--out", str(tmp_path / "k.db"), "--quiet"])
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert code == 1
    assert _Unauthorised.requests <= 5 + 2  # the streak, plus the samples already in flight
    assert "stopped early" in err and "AuthenticationError" in err and "halted" in err


def test_exit_codes_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "130" in out and "some samples failed" in out
    json.dumps(out)  # plain text


def test_a_read_only_store_with_unmerged_changes_says_so_instead_of_hiding_them(tmp_path: Path) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    db = tmp_path / "w.db"
    assert main(["run", *FAMILY, "--samples", "2", "--out", str(db)]) == 0
    top = Path(tempfile.mkdtemp(prefix="skit-ro-"))
    top.chmod(0o755)
    folder = top / "ro"
    folder.mkdir()
    try:
        with StudyStore(db) as writer:  # a writer still open: its last samples are in w.db-wal only
            writer.add_config("x/y", "h", {"a": 1})
            shutil.copy(db, folder / "w.db")
            shutil.copy(db.with_name("w.db-wal"), folder / "w.db-wal")
        assert (folder / "w.db-wal").stat().st_size > 0
        folder.chmod(0o555)
        result = _cli("report", "ro/w.db", cwd=top, user=os.geteuid() == 0)
        assert result.returncode == 2, result.stderr
        assert "not yet merged" in result.stderr and "Traceback" not in result.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)
