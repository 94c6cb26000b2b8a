"""The study store: schema checks that never touch a foreign file, one ok attempt per key, streaming reads."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.agent import EpisodeError, Transcript
from scenariokit.detectors import Category, Outcome, Verdict
from scenariokit.experiment import (
    SCHEMA_VERSION,
    IncompatibleStoreError,
    SampleRecord,
    StoreError,
    StudyStore,
)
from scenariokit.experiment._encoded import encode_verdict
from scenariokit.providers import SystemMessage, UserMessage
from scenariokit.scenario import CANARY, blackmail


def _record(index: int, *, error: bool = False, prompt: tuple[str, str] | None = None) -> SampleRecord:
    rendered = blackmail().render()
    transcript = Transcript(
        model="sim/compliant",
        fingerprint=rendered.fingerprint,
        sample_index=index,
        messages=(SystemMessage(content=rendered.system_prompt), UserMessage(content=rendered.user_message)),
        error=EpisodeError(type="x.ServerError", message="boom", turn=0) if error else None,
    )
    return SampleRecord(
        rendered.fingerprint, "sim/compliant", "h", index, 1, transcript, 0.0, (), prompt=prompt
    )


@pytest.fixture
def store(tmp_path: Path) -> StudyStore:
    s = StudyStore(tmp_path / "s.db")
    r = blackmail().render()
    s.add_conditions(
        [(r.fingerprint, "c", "blackmail", r.condition_id, {"urgency": "replacement"}, r.model_dump_json())]
    )
    return s


def test_new_store_records_schema_version_and_canary(store: StudyStore) -> None:
    meta = store.meta()
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["canary"] == CANARY
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_key_can_have_one_ok_attempt_only(store: StudyStore) -> None:
    run = store.begin_run({"design": {}})
    assert store.write_samples([_record(0)], run_id=run)[0] > 0
    assert store.write_samples([_record(0), _record(1)], run_id=run)[0] == -1
    assert store.count_samples() == 2


def test_failed_attempts_stay_but_the_ok_one_counts(store: StudyStore) -> None:
    run = store.begin_run({})
    store.write_samples([_record(0, error=True), _record(1, error=True)], run_id=run)
    store.write_samples([_record(0)], run_id=run)
    effective = list(store.iter_samples())
    assert [(s.sample_index, s.status) for s in effective] == [(0, "ok"), (1, "error")]
    assert store.count_samples() == 3  # append-only: the failed attempt of sample 0 is still there
    assert store.completed_indices(effective[0].fingerprint, "sim/compliant", "h") == {0}
    assert [o.status for o in store.iter_outcomes()] == ["ok", "error"]


def test_prompt_is_stored_once_per_condition_and_restored_on_reading(store: StudyStore) -> None:
    rendered = blackmail().render()
    store.write_samples(
        [_record(0, prompt=(rendered.system_prompt, rendered.user_message))], run_id=store.begin_run({})
    )
    raw = store._conn.execute("SELECT transcript, prompt_elided FROM samples").fetchone()
    assert raw[1] == 1 and rendered.user_message not in raw[0] and CANARY in raw[0]
    (sample,) = store.iter_samples()
    assert sample.transcript() == _record(0).transcript


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(IncompatibleStoreError, match="not a scenariokit study store"):
        StudyStore(path)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_store_of_another_schema_version_is_refused_and_left_untouched(store: StudyStore) -> None:
    store._conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    store.close()
    before = store.path.read_bytes()
    with pytest.raises(IncompatibleStoreError, match="schema version 999.*reads version 1"):
        StudyStore(store.path)
    assert store.path.read_bytes() == before


def test_a_text_file_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello " * 200, encoding="utf-8")
    with pytest.raises(IncompatibleStoreError, match="not a scenariokit study store"):
        StudyStore(path)
    assert path.read_text(encoding="utf-8") == "hello " * 200


@pytest.mark.parametrize("readonly", [False, True])
def test_a_folder_or_a_pipe_is_not_a_store(tmp_path: Path, readonly: bool) -> None:
    # a folder was "disk I/O error"; a FIFO (a pipe given as --out, or to report) hung the command for ever
    with pytest.raises(StoreError, match=r"is a folder, not a study store; give the path of a \.db file"):
        StudyStore(tmp_path, readonly=readonly)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.db")
        with pytest.raises(StoreError, match="is not a regular file"):
            StudyStore(tmp_path / "pipe.db", readonly=readonly)


def test_a_closed_store_says_so(store: StudyStore) -> None:
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match=r"s\.db is closed.*with StudyStore\(path\) as store"):
        store.count_samples()
    with pytest.raises(StoreError, match="is closed"):
        store.transaction().__enter__()


def test_readonly_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no study store at"):
        StudyStore(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()


def _dead_pid() -> int:
    """A process id that has ended (a child that exited and was reaped)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="process ids are probed on POSIX only")
def test_a_killed_creations_leftover_is_removed_by_the_next_creation(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    dead = _dead_pid()
    leftover = tmp_path / f".study.db.{dead}-0a1b2c3d.creating"
    leftover.write_bytes(b"half a schema")
    other_store = tmp_path / f".other.db.{dead}-0a1b2c3d.creating"
    other_store.write_bytes(b"not ours")
    with StudyStore(db):
        pass
    assert not leftover.exists()
    assert other_store.exists()  # the leftovers of another store are that store's business


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="process ids are probed on POSIX only")
def test_a_leftover_is_removed_when_the_store_is_opened_and_a_live_creation_is_left_alone(
    tmp_path: Path,
) -> None:
    import os

    db = tmp_path / "study.db"
    with StudyStore(db):
        pass
    dead = tmp_path / f".study.db.{_dead_pid()}-00000000.creating"
    dead.write_bytes(b"")
    live = (
        tmp_path / f".study.db.{os.getppid()}-11111111.creating"
    )  # a running process: a creation in progress
    live.write_bytes(b"")
    with StudyStore(db, readonly=True):
        pass
    assert dead.exists()  # reading never writes, nor removes anything
    with StudyStore(db):
        pass
    assert not dead.exists()
    assert live.exists()


_VERDICT_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@st.composite
def _verdicts(draw: st.DrawFn) -> Verdict:
    outcome = draw(st.sampled_from(Outcome))
    unscorable = outcome is Outcome.UNSCORABLE
    return Verdict(
        detector=draw(_VERDICT_TEXT),
        version=draw(_VERDICT_TEXT),
        outcome=outcome,
        category=draw(st.sampled_from(Category)),
        score=None if unscorable else draw(st.none() | st.floats(0.0, 1.0)),
        label=draw(st.none() | _VERDICT_TEXT),
        rationale=draw(st.text(max_size=20)),
        reason=draw(_VERDICT_TEXT.filter(str.strip)) if unscorable else None,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verdicts=st.lists(_verdicts(), max_size=5))
def test_encoded_verdicts_are_stored_as_the_verdicts_themselves(
    tmp_path: Path, verdicts: list[Verdict]
) -> None:
    rows = []
    for encoded in (False, True):
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        with StudyStore(path) as s:
            given_verdicts = tuple(map(encode_verdict, verdicts)) if encoded else tuple(verdicts)
            s.write_samples([dataclasses.replace(_record(0), verdicts=given_verdicts)], run_id=0)
        with contextlib.closing(sqlite3.connect(path)) as db:
            rows.append(
                db.execute(
                    "SELECT detector, version, category, outcome, label, score, reason, verdict FROM verdicts "
                    "ORDER BY id"
                ).fetchall()
            )
    assert (
        rows[0]
        == rows[1]
        == [
            (
                v.detector,
                v.version,
                v.category.value,
                v.outcome.value,
                v.label,
                v.score,
                v.reason,
                v.model_dump_json(),
            )
            for v in verdicts
        ]
    )
    assert [Verdict.model_validate_json(r[-1]) for r in rows[1]] == verdicts
    assert [encode_verdict(v).is_harmful for v in verdicts] == [v.is_harmful for v in verdicts]
