"""The study store: one SQLite file (WAL mode) per study, append-only, transactional, streamed on read.

Tables (every row carries the canary through the ``meta`` table and each transcript's own JSON):

* ``meta``: schema version, canary, library version that created the file;
* ``runs``: one row per invocation of the runner: library version, models, configs and design (never keys);
* ``conditions``: one row per fingerprint: label, family, condition id, factors, the rendered scenario;
* ``condition_metadata``: rows of (fingerprint, kind, JSON value) about conditions, e.g. kind
  ``perturbation``: how a sweep made the condition from its base. Created on first write in stores made
  before it existed (same schema version: older readers ignore it);
* ``configs``: one row per (model, config hash): the generation settings;
* ``samples``: one row per *attempt*, keyed by (fingerprint, model, config hash, sample index), with the
  transcript JSON, actions, usage, estimated cost, status (``ok`` or ``error``) and error. When a
  transcript's first two messages are exactly its condition's system prompt and user message (always the
  case for ``run_episode``), they are not repeated in every row (``prompt_elided = 1``) and are put back on
  reading: this divides the size of a store by about two and a half;
* ``verdicts``: one row per (sample attempt, detector, version);
* ``sample_usage``: one row per sample attempt: its prompt tokens read from and written to the vendor's
  prompt cache, and what it would have cost without caching. Created on first write in stores made before
  it existed (same schema version: older readers ignore it; their samples count as uncached).

* ``judge_calls``: one row per request an LLM judge made about a sample attempt: the detector (name and
  version), the judge's model, its reply as received (or the error), whether the reply was a usable answer,
  its tokens and estimated cost. Judge tokens and dollars count in the study's totals and budget
  (:meth:`StudyStore.usage_totals`) and appear per judge model in :meth:`StudyStore.cost_by_model`. Created
  on first write in stores made before it existed (same schema version: older readers ignore it).

* ``batch_jobs``, ``batch_ends``, ``batch_results``: in batch mode, each submitted batch's id and custom ids,
  its end, and each downloaded result (created by ``scenariokit.experiment._batch`` on first use).

Nothing is updated or deleted. A key is *done* when it has an ``ok`` row (a unique partial index makes a
second ``ok`` row for a key impossible, so a sample can never be counted twice); a failed attempt stays in
the file and is superseded by the retry. A sample and its verdicts are written in one transaction, so a
kill at any moment leaves either the whole sample or nothing of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

import pydantic_core

from scenariokit._version import __version__
from scenariokit.agent import EpisodeError, Transcript
from scenariokit.agent._transcript import exception_type_name
from scenariokit.detectors import JudgeCall, Verdict
from scenariokit.experiment._encoded import EncodedVerdict, encode_verdict
from scenariokit.experiment._errors import IncompatibleStoreError, StoreBusyError, StoreError
from scenariokit.providers import SystemMessage, UserMessage
from scenariokit.providers._secret import redact_known
from scenariokit.scenario import CANARY, RenderedScenario

SCHEMA_VERSION = 1
"""Version of the store's tables; a store with another version is refused with a clear error."""

APPLICATION_ID = 0x736B6974
"""SQLite ``application_id`` of scenariokit study stores (``"skit"``)."""

SampleStatus = Literal["ok", "error"]
"""``ok``: the episode finished; ``error``: it failed (retried on resume, counted as unscorable)."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL,
    library_version TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE TABLE conditions (
    fingerprint TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    family TEXT NOT NULL,
    condition_id TEXT,
    factors TEXT NOT NULL,
    rendered TEXT NOT NULL
);
CREATE TABLE configs (
    model TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (model, config_hash)
);
CREATE TABLE samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    model TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    seed INTEGER,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    actions TEXT NOT NULL,
    transcript TEXT NOT NULL,
    prompt_elided INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    created_at REAL NOT NULL
);
CREATE UNIQUE INDEX samples_one_ok ON samples (fingerprint, model, config_hash, sample_index) WHERE status = 'ok';
CREATE INDEX samples_key ON samples (model, config_hash, fingerprint, sample_index);
CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    detector TEXT NOT NULL,
    version TEXT NOT NULL,
    category TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('harmful', 'benign', 'unscorable')),
    label TEXT,
    score REAL,
    reason TEXT,
    verdict TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX verdicts_sample ON verdicts (sample_id, detector, id);
CREATE TABLE IF NOT EXISTS condition_metadata (
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (fingerprint, kind, value)
);
"""

_METADATA_TABLE = _SCHEMA[_SCHEMA.index("CREATE TABLE IF NOT EXISTS condition_metadata") :]

_USAGE_TABLE = """
CREATE TABLE IF NOT EXISTS sample_usage (
    sample_id INTEGER PRIMARY KEY REFERENCES samples(id),
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    uncached_cost_usd REAL
)
"""


_JUDGE_TABLE = """
CREATE TABLE IF NOT EXISTS judge_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    detector TEXT NOT NULL,
    version TEXT NOT NULL,
    model TEXT NOT NULL,
    valid INTEGER NOT NULL,
    reply TEXT NOT NULL,
    error TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    created_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class JudgeCallRecord:
    """A request an LLM judge made about a sample, to store beside the sample's verdicts."""

    detector: str
    """The judge's detector name."""

    version: str
    """The judge's detector version."""

    call: JudgeCall
    """The call: model, reply or error, tokens."""

    cost_usd: float | None
    """Estimated cost, or ``None`` when the judge model has no known price."""


@dataclass(frozen=True)
class StoredJudgeCall:
    """A stored judge call."""

    sample_id: int
    """Row id of the sample attempt judged."""

    detector: str
    """The judge's detector name."""

    version: str
    """The judge's detector version."""

    model: str
    """The judge's model."""

    valid: bool
    """Whether the reply was a usable answer."""

    reply: str
    """The reply as received (empty when the call failed)."""

    error: str | None
    """Why the reply could not be used, or why the call failed."""

    input_tokens: int
    """Prompt tokens."""

    output_tokens: int
    """Generated tokens."""

    cost_usd: float | None
    """Estimated cost."""


@dataclass(frozen=True)
class ModelCost:
    """Tokens and estimated dollars of every stored attempt of one model (failed ones included: they were paid).

    ``cost_usd`` charges cached prompt reads and cache writes at their prices; ``uncached_cost_usd`` is what
    the same tokens would have cost with no prompt caching (``None`` when the model has no known price).
    """

    model: str
    """``provider/model``."""

    attempts: int
    """Stored sample attempts."""

    input_tokens: int
    """Prompt tokens, cached ones included."""

    output_tokens: int
    """Generated tokens."""

    cache_read_tokens: int
    """Prompt tokens read from the vendor's cache."""

    cache_write_tokens: int
    """Prompt tokens written to the vendor's cache."""

    cost_usd: float | None
    """Estimated dollars with caching, or ``None`` when unpriced."""

    uncached_cost_usd: float | None
    """Estimated dollars had nothing been cached, or ``None`` when unpriced."""

    role: Literal["agent", "judge"] = "agent"
    """``agent``: the model under study (``attempts`` are sample attempts); ``judge``: an LLM judge
    (``attempts`` are its requests)."""


@dataclass
class KnownUsage:
    """Usage of the sample attempts of one model whose token counts are known (see ``known_usage``)."""

    samples: int = 0
    """Attempts with known (non-zero) token counts."""

    tokens: int = 0
    """Their input + output tokens."""

    priced: int = 0
    """Those of them with an estimated cost."""

    cost_usd: float = 0.0
    """Their estimated dollars."""


@dataclass(frozen=True)
class SampleRecord:
    """A finished episode to store, with the verdicts of the detectors applied to it."""

    fingerprint: str
    """Condition fingerprint."""

    model: str
    """``provider/model``."""

    config_hash: str
    """Configuration hash (see ``config_hash``)."""

    sample_index: int
    """Index of the sample, 0-based."""

    seed: int | None
    """The sample's seed."""

    transcript: Transcript
    """The episode."""

    cost_usd: float | None
    """Estimated cost, or ``None`` when the model has no known price."""

    verdicts: tuple[Verdict | EncodedVerdict, ...] = ()
    """Verdicts of the detectors applied to it (as models, or already encoded for the store, as a scoring
    worker sends them back: the same rows are stored either way)."""

    prompt: tuple[str, str] | None = None
    """The condition's (system prompt, user message): when the transcript starts with exactly these, they
    are stored once per condition instead of once per sample."""

    uncached_cost_usd: float | None = None
    """What the sample would have cost without prompt caching (``None``: unpriced, or the same as
    ``cost_usd``)."""

    judge_calls: tuple[JudgeCallRecord, ...] = ()
    """The requests the study's LLM judges made about this sample (stored with it)."""

    @property
    def status(self) -> SampleStatus:
        """``error`` when the episode ended with an error, else ``ok``."""
        return "ok" if self.transcript.error is None else "error"


@dataclass(frozen=True)
class StoredSample:
    """A stored sample attempt. The transcript is parsed only when asked for (:meth:`transcript`)."""

    id: int
    """Row id (attempt order)."""

    fingerprint: str
    """Condition fingerprint."""

    model: str
    """``provider/model``."""

    config_hash: str
    """Configuration hash."""

    sample_index: int
    """Sample index."""

    seed: int | None
    """The sample's seed."""

    status: SampleStatus
    """``ok`` or ``error``."""

    error: str | None
    """Error message of a failed attempt."""

    input_tokens: int
    """Input tokens used."""

    output_tokens: int
    """Output tokens used."""

    cost_usd: float | None
    """Estimated cost."""

    transcript_json: str
    """The transcript as stored (JSON with the canary; without its first two messages when ``prompt`` is
    set)."""

    prompt: tuple[str, str] | None = None
    """The condition's (system prompt, user message) elided from ``transcript_json``, or ``None``."""

    def transcript(self) -> Transcript:
        """Parse the stored transcript (with its prompt messages put back)."""
        transcript = Transcript.from_json(self.transcript_json)
        if self.prompt is None:
            return transcript
        head = (SystemMessage(content=self.prompt[0]), UserMessage(content=self.prompt[1]))
        return transcript.model_copy(update={"messages": head + transcript.messages})


@dataclass(frozen=True)
class StoredCondition:
    """A stored condition."""

    fingerprint: str
    """Fingerprint of its rendered scenario."""

    label: str
    """Column label."""

    family: str
    """Scenario family."""

    condition_id: str | None
    """Study condition id, when it has one."""

    factors: Mapping[str, str]
    """Factor values as text."""

    rendered_json: str
    """The rendered scenario as JSON."""

    metadata: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    """Kind -> the values recorded about the condition, in the order they were stored (e.g.
    ``perturbation``: the records of the sweeps that made it, as JSON-ready dicts)."""

    def rendered(self) -> RenderedScenario:
        """Parse the stored rendered scenario."""
        return RenderedScenario.model_validate_json(self.rendered_json)


@dataclass(frozen=True)
class StoredVerdict:
    """A stored verdict, with the key of the sample attempt it judges."""

    sample_id: int
    """Row id of the sample attempt."""

    detector: str
    """Detector name."""

    version: str
    """Detector version."""

    category: str
    """Category looked for."""

    outcome: str
    """``harmful``, ``benign`` or ``unscorable``."""

    reason: str | None
    """Why unscorable, if it is."""


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a store for reading only; this works in a read-only folder too.

    SQLite reads a WAL-mode file through a ``-shm`` file beside it, which a read-only folder does not let it
    create: then the file is opened ``immutable`` (nobody can be writing to it either).
    """
    # the file name's own bytes: a name that is not UTF-8 (Python holds it with lone surrogates) cannot be quoted as text
    uri = "file:" + urllib.parse.quote(os.fsencode(path.resolve()))
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
        if writable and "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # immutable reading ignores the write-ahead log: its samples would silently be missing
            raise sqlite3.OperationalError(
                f"the store has changes not yet merged from {wal.name}, which cannot be merged in a read-only "
                "folder; copy the store with its -wal file to a writable folder and read it there"
            ) from None
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)


def _initialise(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("schema_version", str(SCHEMA_VERSION)),
            ("canary", CANARY),
            ("library_version", __version__),
            ("created_at", str(time.time())),
        ],
    )
    conn.execute("COMMIT")


_STALE_AGE = 3600.0
"""Seconds after which a leftover temporary file of a store's creation is removed where no process id can be
checked (Windows)."""


def _creator_alive(pid: int) -> bool:
    """Whether the process that made a temporary creation file may still be running (POSIX only)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user: leave its file alone
        return True
    return True


def _remove_stale_creations(path: Path) -> None:
    """Remove the temporary files left beside ``path`` by creations that were killed (``kill -9``).

    A creation's temporary file is named ``.<store>.<pid>-<random>.creating``. It is stale when its process has
    ended (on Windows, where a process id cannot be probed safely, when it is over an hour old). Files of a
    creation still running, and files this process cannot remove, are left alone.
    """
    prefix, suffix = f".{path.name}.", ".creating"
    try:
        names = [n for n in os.listdir(path.parent or ".") if n.startswith(prefix) and n.endswith(suffix)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix) : -len(suffix)].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        leftover = path.with_name(name)
        try:
            if sys.platform == "win32":
                stale = time.time() - leftover.stat().st_mtime > _STALE_AGE
            else:
                stale = not _creator_alive(int(pid_text))
            if stale:
                leftover.unlink(missing_ok=True)
        except OSError:
            continue


def _create_atomically(path: Path) -> None:
    """Create a store at ``path`` so that it appears complete or not at all.

    The schema is written to a temporary file beside it, which is then hard-linked to ``path`` (the link
    fails if ``path`` exists: a store another process created at the same moment wins, and both use it). A
    kill during creation leaves only the temporary file, never a half-made store; the next creation or
    opening of that store removes it (see :func:`_remove_stale_creations`).
    """
    _remove_stale_creations(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.creating")
    try:
        os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies, as to any file
    except OSError as exc:
        raise StoreError(f"cannot create study store {path}: {exc.strerror} (in {path.parent})") from None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            _initialise(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # created by another process meanwhile: use that one
        except OSError:  # no hard links on this file system
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot create study store {path}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _check_existing(path: Path) -> None:
    """Refuse, without modifying it, a file that is not a compatible study store."""
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, not a study store; give the path of a .db file (e.g. {path / 'study.db'})"
        )
    if not path.is_file():  # SQLite would wait for ever on a FIFO, and read a device as a broken database
        raise StoreError(
            f"{path} is not a regular file (a pipe, a device or a socket), so it cannot be a study store; give the "
            "path of a .db file"
        )
    try:
        conn = connect_readonly(path)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot open study store {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise IncompatibleStoreError(
            f"{path} is not a scenariokit study store ({exc}); give a new file name with --out, or the path of a "
            "store written by 'scenariokit run'"
        ) from None
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise IncompatibleStoreError(
                f"{path} is not a scenariokit study store ({exc}); give a new file name with --out, or the "
                "path of a store written by 'scenariokit run'"
            ) from None
        if app_id != APPLICATION_ID or "meta" not in tables:
            raise IncompatibleStoreError(
                f"{path} is an SQLite file but not a scenariokit study store; give a new file name, or the path "
                "of a store written by 'scenariokit run'"
            )
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else "?"
        if version != str(SCHEMA_VERSION):
            created = conn.execute("SELECT value FROM meta WHERE key = 'library_version'").fetchone()
            by = f" by scenariokit {created[0]}" if created else ""
            raise IncompatibleStoreError(
                f"{path} has store schema version {version} (written{by}), but scenariokit {__version__} reads "
                f"version {SCHEMA_VERSION}; open it with the scenariokit version that wrote it, or start a new "
                "store with another --out"
            )
    finally:
        conn.close()


def _enter_wal(conn: sqlite3.Connection, *, timeout: float) -> None:
    """Switch ``conn`` to write-ahead logging, waiting up to ``timeout`` seconds for other connections.

    Changing the journal mode needs the file to itself for a moment. SQLite reports ``database is locked`` at
    once, without waiting as the connection's busy timeout would, when another connection is switching the mode
    too (stores opened by several processes or threads at the same moment; a writer that closes switches the file
    back to a rollback journal). So the switch is retried, with a short growing pause, until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


class _Closed:
    """What a closed store's connection becomes: any use says the store is closed and how to open it."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __getattr__(self, name: str) -> Any:
        raise StoreError(
            f"the study store {self._path} is closed (its 'with' block ended, or close() was called); use it "
            f"inside 'with StudyStore(path) as store:', or open it again with StudyStore({str(self._path)!r})"
        )


class StudyStore:
    """One study's SQLite store. Use it as a context manager.

    Args:
        path: The ``.db`` file; created when missing (unless ``create=False``).
        create: Create the file when it does not exist.
        readonly: Open read-only (reports, dry runs): nothing is ever written.

    Raises:
        IncompatibleStoreError: If the file exists but is not a study store of this schema version (the file
            is left untouched).
        StoreError: If the file is missing (with ``create=False``) or cannot be opened.

    Example:
        >>> with StudyStore("study.db") as store:  # doctest: +SKIP
        ...     print(store.count_samples())
    """

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        self._lock_fd: int | None = None
        exists = self.path.exists()
        if not exists and create and not readonly:
            _create_atomically(self.path)
            exists = True
        if exists:
            _check_existing(self.path)
            if not readonly:
                _remove_stale_creations(self.path)
        else:
            raise StoreError(
                f"no study store at {self.path}; run 'scenariokit run ... --out {self.path}' first"
            )
        if readonly:
            try:
                self._conn = connect_readonly(self.path)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read study store {self.path}: {exc}") from None
        else:
            try:
                self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
                _enter_wal(self._conn, timeout=30.0)
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot write to study store {self.path} ({exc}); check that the file and its folder are "
                    "writable (reports and dry runs read a read-only store)"
                ) from None
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self.readonly = readonly

    # ---------------------------------------------------------------------------------- locking

    @property
    def lock_path(self) -> Path:
        """The lock file beside the store (``study.db.lock``), held by the process that runs into the store.

        Named after the store's real file (symbolic links followed), so that runs through a link and through the
        file itself take the same lock.
        """
        real = self.path.resolve()
        return real.with_name(real.name + ".lock")

    def lock(self, purpose: str = "run") -> None:
        """Take the store's run lock, or refuse at once if another process holds it.

        Two processes running one study into one store would both run every missing sample and both spend
        the budget. The lock is an operating-system lock on ``study.db.lock`` (``flock``; ``msvcrt.locking``
        on Windows): it is released when the store is closed and, as the system drops it, when the process
        dies (even by ``kill -9``), so a crash never leaves a stale lock behind. The file itself stays and
        says who took the lock last. Readers (reports, dry runs, ``rescore``) take no lock.

        Args:
            purpose: What the lock is for, written into the lock file (``run``).

        Raises:
            StoreBusyError: If another process holds the lock (the message says which process).
            StoreError: If the store is read-only or the lock file cannot be created.
        """
        if self._lock_fd is not None:
            return
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only; it cannot be locked for a {purpose}")
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the lock file {self.lock_path}: {exc.strerror}") from None
        if not _try_lock(fd):
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, 512).decode("utf-8", "replace").strip() or "another process"
            finally:
                os.close(fd)
            raise StoreBusyError(
                f"{self.path} is in use: {holder}. Two runs on one store would run (and pay for) the same samples "
                "twice; wait for that run to finish (or stop it), then run again to resume, or give another --out"
            )
        note = f"a {purpose} by process {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}"
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, note.encode())
        self._lock_fd = fd

    def unlock(self) -> None:
        """Release the run lock (closing the store releases it too)."""
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            _unlock(fd)
            os.close(fd)

    # ---------------------------------------------------------------------------------- plumbing

    def transaction(self) -> _Transaction:
        """A context manager around ``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error)."""
        return _Transaction(self._conn)

    def close(self) -> None:
        """Close the connection (and release the run lock, if held).

        A writer switches the file back to a rollback journal when it can (no other connection open), so
        that a store copied or moved to a read-only folder can be read without a ``-shm`` file.
        """
        if isinstance(self._conn, _Closed):
            return
        if not self.readonly:
            # another connection open: the file stays in WAL mode, which is fine
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA journal_mode = DELETE")
        self._conn.close()
        self._conn = cast(sqlite3.Connection, _Closed(self.path))
        self.unlock()

    def __enter__(self) -> StudyStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---------------------------------------------------------------------------------- metadata

    def meta(self) -> dict[str, str]:
        """The ``meta`` table: ``schema_version``, ``canary``, ``library_version``, ``created_at``."""
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def begin_run(self, metadata: Mapping[str, Any]) -> int:
        """Record the start of a run (library version, models, configs, design: never keys).

        Returns:
            The run id stored with each sample of this run.
        """
        with self.transaction():
            cursor = self._conn.execute(
                "INSERT INTO runs (started_at, library_version, metadata) VALUES (?, ?, ?)",
                (time.time(), __version__, json.dumps({"canary": CANARY, **metadata}, sort_keys=True)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def runs(self) -> list[dict[str, Any]]:
        """Every run's metadata, oldest first."""
        rows = self._conn.execute("SELECT id, started_at, library_version, metadata FROM runs ORDER BY id")
        return [
            {"id": i, "started_at": t, "library_version": v, **json.loads(m)}
            for i, t, v, m in rows.fetchall()
        ]

    def add_conditions(
        self, conditions: Iterable[tuple[str, str, str, str | None, Mapping[str, str], str]]
    ) -> None:
        """Record conditions as ``(fingerprint, label, family, condition_id, factors, rendered_json)``.

        A fingerprint already stored keeps its first row (same fingerprint, same prompt).
        """
        with self.transaction():
            self._conn.executemany(
                "INSERT OR IGNORE INTO conditions (fingerprint, label, family, condition_id, factors, rendered) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (fp, label, fam, cid, json.dumps(dict(f), sort_keys=True), r)
                    for fp, label, fam, cid, f, r in conditions
                ],
            )

    def add_config(self, model: str, config_hash: str, config: Mapping[str, Any]) -> None:
        """Record the generation settings behind a configuration hash."""
        with self.transaction():
            self._conn.execute(
                "INSERT OR IGNORE INTO configs (model, config_hash, config) VALUES (?, ?, ?)",
                (model, config_hash, json.dumps(dict(config), sort_keys=True)),
            )

    def conditions(self) -> list[StoredCondition]:
        """Every stored condition with its metadata, in the order they were first stored."""
        rows = self._conn.execute(
            "SELECT fingerprint, label, family, condition_id, factors, rendered FROM conditions ORDER BY rowid"
        )
        metadata = self.condition_metadata()
        return [
            StoredCondition(fp, lb, fam, cid, json.loads(f), r, metadata.get(fp, {}))
            for fp, lb, fam, cid, f, r in rows.fetchall()
        ]

    def condition(self, fingerprint: str) -> StoredCondition | None:
        """The stored condition with this fingerprint (with its metadata), or ``None``."""
        row = self._conn.execute(
            "SELECT fingerprint, label, family, condition_id, factors, rendered FROM conditions WHERE fingerprint = ?",
            (fingerprint,),
        ).fetchone()
        if row is None:
            return None
        metadata = self.condition_metadata(fingerprint)
        return StoredCondition(
            row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], metadata.get(fingerprint, {})
        )

    def add_condition_metadata(self, items: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        """Record facts about conditions as ``(fingerprint, kind, JSON-ready value)``; repeats are ignored.

        Rows are only ever added: a condition made by two sweeps keeps both records.
        """
        with self.transaction():
            self._conn.execute(_METADATA_TABLE)
            self._conn.executemany(
                "INSERT OR IGNORE INTO condition_metadata (fingerprint, kind, value) VALUES (?, ?, ?)",
                [(fp, kind, json.dumps(dict(value), sort_keys=True)) for fp, kind, value in items],
            )

    def condition_metadata(self, fingerprint: str | None = None) -> dict[str, dict[str, tuple[Any, ...]]]:
        """Fingerprint -> kind -> values recorded with :meth:`add_condition_metadata` (oldest first).

        Args:
            fingerprint: Only this condition's (default: every condition's).

        Returns:
            The metadata; empty for a store written before the table existed.
        """
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'condition_metadata'"
        ).fetchone()
        if exists is None:
            return {}
        sql = "SELECT fingerprint, kind, value FROM condition_metadata"
        args: tuple[str, ...] = ()
        if fingerprint is not None:
            sql += " WHERE fingerprint = ?"
            args = (fingerprint,)
        grouped: dict[str, dict[str, list[Any]]] = {}
        for fp, kind, value in self._conn.execute(sql + " ORDER BY rowid", args):
            grouped.setdefault(fp, {}).setdefault(kind, []).append(json.loads(value))
        return {fp: {k: tuple(v) for k, v in kinds.items()} for fp, kinds in grouped.items()}

    # ---------------------------------------------------------------------------------- samples

    def completed_indices(self, fingerprint: str, model: str, config_hash: str) -> set[int]:
        """The sample indices of a (condition, model, config) that have a successful (``ok``) attempt."""
        rows = self._conn.execute(
            "SELECT sample_index FROM samples WHERE model = ? AND config_hash = ? AND fingerprint = ? "
            "AND status = 'ok'",
            (model, config_hash, fingerprint),
        )
        return {r[0] for r in rows}

    def write_samples(self, records: Sequence[SampleRecord], *, run_id: int) -> list[int]:
        """Store sample attempts and their verdicts in one transaction.

        A record whose key already has an ``ok`` attempt is skipped (never stored twice).

        Returns:
            The row ids of the stored attempts (``-1`` for a skipped duplicate).
        """
        ids: list[int] = []
        now = time.time()
        rows = [_storable(r) for r in records]
        with self.transaction():
            self._conn.execute(_USAGE_TABLE)
            if any(r.judge_calls for r, _, _, _ in rows):
                self._conn.execute(_JUDGE_TABLE)
            for r, stored_json, actions_json, elided in rows:
                t = r.transcript
                cursor = self._conn.execute(
                    "INSERT OR IGNORE INTO samples (fingerprint, model, config_hash, sample_index, seed, status, "
                    "error, input_tokens, output_tokens, cost_usd, actions, transcript, prompt_elided, run_id, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        r.fingerprint,
                        r.model,
                        r.config_hash,
                        r.sample_index,
                        r.seed,
                        r.status,
                        None if t.error is None else redact_known(f"{t.error.type}: {t.error.message}"),
                        t.usage.input_tokens,
                        t.usage.output_tokens,
                        r.cost_usd,
                        actions_json,
                        stored_json,
                        int(elided),
                        run_id,
                        now,
                    ),
                )
                if cursor.rowcount == 0:
                    ids.append(-1)
                    continue
                sample_id = cursor.lastrowid
                assert sample_id is not None
                ids.append(sample_id)
                uncached = r.uncached_cost_usd if r.uncached_cost_usd is not None else r.cost_usd
                self._conn.execute(
                    "INSERT INTO sample_usage (sample_id, cache_read_tokens, cache_write_tokens, uncached_cost_usd) "
                    "VALUES (?, ?, ?, ?)",
                    (sample_id, t.usage.cache_read_tokens, t.usage.cache_write_tokens, uncached),
                )
                self._insert_verdicts(sample_id, r.verdicts, now)
                if r.judge_calls:
                    self._insert_judge_calls(sample_id, r.judge_calls, now)
        return ids

    def add_verdicts(
        self,
        items: Iterable[tuple[int, Verdict]],
        judge_calls: Iterable[tuple[int, JudgeCallRecord]] = (),
    ) -> int:
        """Append verdicts for stored samples (re-scoring), in one transaction.

        Args:
            items: ``(sample id, verdict)`` pairs.
            judge_calls: ``(sample id, judge call)`` pairs: the requests judges made for these verdicts.

        Returns:
            How many verdicts were stored.
        """
        now = time.time()
        count = 0
        calls = list(judge_calls)
        with self.transaction():
            for sample_id, verdict in items:
                self._insert_verdicts(sample_id, (verdict,), now)
                count += 1
            if calls:
                self._conn.execute(_JUDGE_TABLE)
                for sample_id, call in calls:
                    self._insert_judge_calls(sample_id, (call,), now)
        return count

    def _insert_judge_calls(self, sample_id: int, calls: Iterable[JudgeCallRecord], now: float) -> None:
        self._conn.executemany(
            "INSERT INTO judge_calls (sample_id, detector, version, model, valid, reply, error, input_tokens, "
            "output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sample_id,
                    c.detector,
                    c.version,
                    c.call.model,
                    int(c.call.valid),
                    redact_known(c.call.reply).encode("utf-8", "backslashreplace").decode("utf-8"),
                    None
                    if c.call.error is None
                    else redact_known(c.call.error).encode("utf-8", "backslashreplace").decode("utf-8"),
                    c.call.usage.input_tokens,
                    c.call.usage.output_tokens,
                    c.call.usage.cache_read_tokens,
                    c.call.usage.cache_write_tokens,
                    c.cost_usd,
                    now,
                )
                for c in calls
            ],
        )

    def _has_table(self, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def judge_calls(self, sample_id: int | None = None) -> list[StoredJudgeCall]:
        """The stored judge calls (of one sample attempt, or all), in the order they were stored."""
        if not self._has_table("judge_calls"):
            return []
        sql = (
            "SELECT sample_id, detector, version, model, valid, reply, error, input_tokens, output_tokens, "
            "cost_usd FROM judge_calls"
        )
        args: tuple[int, ...] = ()
        if sample_id is not None:
            sql += " WHERE sample_id = ?"
            args = (sample_id,)
        return [
            StoredJudgeCall(sid, det, ver, model, bool(valid), reply, error, tin, tout, cost)
            for sid, det, ver, model, valid, reply, error, tin, tout, cost in self._conn.execute(
                sql + " ORDER BY id", args
            )
        ]

    def judge_usage(self) -> tuple[int, int, float]:
        """Judge requests made so far: (sample attempts judged, tokens, estimated dollars)."""
        if not self._has_table("judge_calls"):
            return 0, 0, 0.0
        row = self._conn.execute(
            "SELECT COUNT(DISTINCT sample_id), COALESCE(SUM(input_tokens + output_tokens), 0), "
            "COALESCE(SUM(cost_usd), 0.0) FROM judge_calls"
        ).fetchone()
        return int(row[0]), int(row[1]), float(row[2])

    def latest_outcomes(self, detectors: Iterable[str]) -> dict[tuple[int, str, str], str]:
        """(sample id, detector, version) -> outcome of its latest stored verdict, for the named detectors."""
        names = sorted(set(detectors))
        if not names:
            return {}
        marks = ", ".join("?" for _ in names)
        rows = self._conn.execute(
            f"SELECT sample_id, detector, version, outcome FROM verdicts WHERE detector IN ({marks}) ORDER BY id",
            names,
        )
        return {(sid, det, ver): outcome for sid, det, ver, outcome in rows}

    def _insert_verdicts(
        self, sample_id: int, verdicts: Iterable[Verdict | EncodedVerdict], now: float
    ) -> None:
        self._conn.executemany(
            "INSERT INTO verdicts (sample_id, detector, version, category, outcome, label, score, reason, verdict, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (sample_id, *(v if isinstance(v, EncodedVerdict) else encode_verdict(v)), now)
                for v in verdicts
            ],
        )

    def count_samples(self, *, status: SampleStatus | None = None, effective: bool = False) -> int:
        """Count stored attempts (all, or of one status); ``effective`` counts distinct keys instead."""
        where = "" if status is None else f" WHERE status = '{status}'"
        if effective:
            sql = (
                "SELECT COUNT(*) FROM (SELECT DISTINCT fingerprint, model, config_hash, sample_index FROM samples"
                f"{where})"
            )
        else:
            sql = f"SELECT COUNT(*) FROM samples{where}"
        count: int = self._conn.execute(sql).fetchone()[0]
        return count

    def verdict_keys(self) -> dict[int, set[tuple[str, str]]]:
        """Sample attempt id -> the (detector, version) pairs it has verdicts from."""
        result: dict[int, set[tuple[str, str]]] = {}
        for sid, name, version in self._conn.execute(
            "SELECT DISTINCT sample_id, detector, version FROM verdicts"
        ):
            result.setdefault(sid, set()).add((name, version))
        return result

    def verdict_keys_of(self, sample_id: int) -> set[tuple[str, str]]:
        """The (detector, version) pairs a sample attempt has verdicts from (one indexed query)."""
        rows = self._conn.execute(
            "SELECT DISTINCT detector, version FROM verdicts WHERE sample_id = ?", (sample_id,)
        )
        return {(name, version) for name, version in rows}

    def verdict_outcomes_of(self, sample_id: int) -> dict[tuple[str, str], str]:
        """(detector, version) -> outcome of the latest verdict of each, for one sample attempt."""
        rows = self._conn.execute(
            "SELECT detector, version, outcome FROM verdicts WHERE sample_id = ? ORDER BY id", (sample_id,)
        )
        return {(name, version): outcome for name, version, outcome in rows}

    def detector_versions(self) -> dict[str, list[str]]:
        """Detector name -> the versions stored, in the order they were first stored (latest last)."""
        rows = self._conn.execute(
            "SELECT detector, version, MIN(id) AS first FROM verdicts GROUP BY detector, version ORDER BY first"
        )
        result: dict[str, list[str]] = {}
        for name, version, _ in rows:
            result.setdefault(name, []).append(version)
        return result

    def usage_totals(self) -> tuple[int, float]:
        """Tokens (input + output) and estimated dollars of every stored attempt and judge request.

        Failed attempts count too: they were paid for.
        """
        row = self._conn.execute(
            "SELECT COALESCE(SUM(input_tokens + output_tokens), 0), COALESCE(SUM(cost_usd), 0.0) FROM samples"
        ).fetchone()
        _, judge_tokens, judge_cost = self.judge_usage()
        return int(row[0]) + judge_tokens, float(row[1]) + judge_cost

    def cost_by_model(self) -> list[ModelCost]:
        """Tokens (cached ones apart) and dollars with and without prompt caching, per model, every attempt.

        After the agents' rows comes one row per judge model (``role="judge"``, its requests as attempts).
        Attempts stored before the ``sample_usage`` table existed count as uncached.
        """
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sample_usage'"
        ).fetchone()
        if exists is None:
            rows = self._conn.execute(
                "SELECT model, COUNT(*), SUM(input_tokens), SUM(output_tokens), 0, 0, "
                "CASE WHEN COUNT(cost_usd) = COUNT(*) THEN SUM(cost_usd) END, "
                "CASE WHEN COUNT(cost_usd) = COUNT(*) THEN SUM(cost_usd) END FROM samples GROUP BY model ORDER BY model"
            )
        else:
            rows = self._conn.execute(
                "SELECT s.model, COUNT(*), SUM(s.input_tokens), SUM(s.output_tokens), "
                "COALESCE(SUM(u.cache_read_tokens), 0), COALESCE(SUM(u.cache_write_tokens), 0), "
                "CASE WHEN COUNT(s.cost_usd) = COUNT(*) THEN SUM(s.cost_usd) END, "
                "CASE WHEN COUNT(COALESCE(u.uncached_cost_usd, s.cost_usd)) = COUNT(*) "
                "THEN SUM(COALESCE(u.uncached_cost_usd, s.cost_usd)) END "
                "FROM samples s LEFT JOIN sample_usage u ON u.sample_id = s.id GROUP BY s.model ORDER BY s.model"
            )
        costs = [
            ModelCost(str(m), int(n), int(i or 0), int(o or 0), int(r or 0), int(w or 0), c, u)
            for m, n, i, o, r, w, c, u in rows
        ]
        if self._has_table("judge_calls"):
            judged = self._conn.execute(
                "SELECT model, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), "
                "SUM(cache_write_tokens), CASE WHEN COUNT(cost_usd) = COUNT(*) THEN SUM(cost_usd) END "
                "FROM judge_calls GROUP BY model ORDER BY model"
            )
            costs += [
                ModelCost(
                    str(m), int(n), int(i or 0), int(o or 0), int(r or 0), int(w or 0), c, c, role="judge"
                )
                for m, n, i, o, r, w, c in judged
            ]
        return costs

    def known_usage(self) -> dict[str, KnownUsage]:
        """Per model, the stored attempts whose usage is known (their tokens are not zero), and their sums.

        An attempt that failed before any reply, or a provider that reports no usage, stores zero tokens:
        such attempts say nothing about what a sample costs, and are left out. Dollars are summed over the
        attempts of known usage that have an estimated cost.
        """
        rows = self._conn.execute(
            "SELECT model, COUNT(*), SUM(input_tokens + output_tokens), COUNT(cost_usd), "
            "COALESCE(SUM(cost_usd), 0.0) FROM samples WHERE input_tokens + output_tokens > 0 GROUP BY model"
        )
        return {
            model: KnownUsage(int(n), int(tokens), int(priced), float(cost))
            for model, n, tokens, priced, cost in rows
        }

    def iter_samples(
        self, *, effective: bool = True, status: SampleStatus | None = None
    ) -> Iterator[StoredSample]:
        """Stream sample attempts, ordered by (model, config, condition, index, attempt).

        Args:
            effective: Yield only the attempt that counts for each key: its ``ok`` attempt if it has one,
                else its latest failed attempt.
            status: Yield only attempts of this status (applied after ``effective``).
        """
        rows = self._conn.execute(
            "SELECT id, fingerprint, model, config_hash, sample_index, seed, status, error, input_tokens, "
            "output_tokens, cost_usd, transcript, prompt_elided FROM samples ORDER BY model, config_hash, "
            "fingerprint, sample_index, id"
        )
        prompts = _PromptCache(self)

        def make(row: tuple[Any, ...]) -> StoredSample:
            sid, fp, model, ch, idx, seed, st, error, tin, tout, cost, text, elided = row
            return StoredSample(
                sid,
                fp,
                model,
                ch,
                idx,
                seed,
                st,
                error,
                tin,
                tout,
                cost,
                text,
                prompts.get(fp) if elided else None,
            )

        if not effective:
            for row in rows:
                sample = make(row)
                if status is None or sample.status == status:
                    yield sample
            return
        pending: StoredSample | None = None
        for row in rows:
            sample = make(row)
            if pending is not None and _key(pending) != _key(sample):
                if status is None or pending.status == status:
                    yield pending
                pending = None
            if pending is None or pending.status != "ok":
                pending = sample
        if pending is not None and (status is None or pending.status == status):
            yield pending

    def sample(self, sample_id: int) -> StoredSample | None:
        """The stored sample attempt with this row id (any status), or ``None``."""
        if not -_MAX_INTEGER - 1 <= sample_id <= _MAX_INTEGER:  # no row has it (SQLite cannot even be asked)
            return None
        row = self._conn.execute(
            "SELECT id, fingerprint, model, config_hash, sample_index, seed, status, error, input_tokens, "
            "output_tokens, cost_usd, transcript, prompt_elided FROM samples WHERE id = ?",
            (sample_id,),
        ).fetchone()
        if row is None:
            return None
        sid, fp, model, ch, idx, seed, st, error, tin, tout, cost, text, elided = row
        prompt = _PromptCache(self).get(fp) if elided else None
        return StoredSample(sid, fp, model, ch, idx, seed, st, error, tin, tout, cost, text, prompt)

    def latest_versions(self, detector: str) -> dict[int, str]:
        """Sample attempt id -> version of its latest verdict of ``detector`` (for ``human``: the reviewer)."""
        rows = self._conn.execute(
            "SELECT sample_id, version FROM verdicts WHERE detector = ? ORDER BY id", (detector,)
        )
        return dict(rows.fetchall())

    def iter_verdict_rows(self, sample_ids: Iterable[int] | None = None) -> Iterator[tuple[int, float, str]]:
        """Stream every stored verdict as ``(sample id, created_at, verdict JSON)``, oldest first per sample.

        Args:
            sample_ids: Only the verdicts of these sample attempts (default: all).
        """
        sql = "SELECT sample_id, created_at, verdict FROM verdicts"
        if sample_ids is None:
            yield from self._conn.execute(sql + " ORDER BY sample_id, id")
            return
        ids = sorted(set(sample_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            yield from self._conn.execute(f"{sql} WHERE sample_id IN ({marks}) ORDER BY sample_id, id", chunk)

    def iter_outcomes(self) -> Iterator[SampleOutcome]:
        """Stream, for each sample key, the attempt that counts and its latest verdict per detector.

        Cheap: transcripts are not read. The order is (model, config, condition, index).
        """
        rows = self._conn.execute(
            "SELECT s.id, s.fingerprint, s.model, s.config_hash, s.sample_index, s.status, s.error, "
            "v.detector, v.version, v.outcome, v.reason, v.category, v.label FROM samples s "
            "LEFT JOIN verdicts v ON v.sample_id = s.id "
            "ORDER BY s.model, s.config_hash, s.fingerprint, s.sample_index, s.id, v.id"
        )
        current: SampleOutcome | None = None
        chosen: SampleOutcome | None = None
        for sid, fp, model, ch, idx, status, error, det, ver, outcome, reason, cat, label in rows:
            if current is None or current.sample_id != sid:
                current = SampleOutcome(sid, fp, model, ch, idx, status, error, {}, {})
                if chosen is not None and chosen.key != current.key:
                    yield chosen
                    chosen = None
                if chosen is None or chosen.status != "ok":
                    chosen = current
            if det is not None:
                current.verdicts[det] = (ver, outcome, reason, cat)
                current.labels[det] = label
        if chosen is not None:
            yield chosen


class _PromptCache:
    """(system prompt, user message) per condition fingerprint, read from the store once each."""

    def __init__(self, store: StudyStore) -> None:
        self._store = store
        self._prompts: dict[str, tuple[str, str]] = {}

    def get(self, fingerprint: str) -> tuple[str, str]:
        prompt = self._prompts.get(fingerprint)
        if prompt is None:
            condition = self._store.condition(fingerprint)
            if condition is None:
                raise StoreError(
                    f"{self._store.path}: a sample refers to condition {fingerprint[:12]}..., which the store does "
                    "not have; the store is damaged"
                )
            rendered = condition.rendered()
            prompt = self._prompts[fingerprint] = (rendered.system_prompt, rendered.user_message)
        return prompt


_MAX_INTEGER = 2**63 - 1


def _storable(record: SampleRecord) -> tuple[SampleRecord, str, str, bool]:
    """``(record, transcript JSON, actions JSON, prompt elided)`` ready to insert.

    A record that cannot be stored as it is (text no UTF-8 can hold, such as a lone surrogate; a token count
    beyond SQLite's 64-bit integers) becomes a failed attempt that says why: one malformed reply fails its
    sample, is retried on resume, and never aborts the run nor loses the samples written with it.
    """
    t = record.transcript
    try:
        u = t.usage
        counts = (u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens)
        if not all(0 <= n <= _MAX_INTEGER for n in counts):
            raise ValueError(f"token counts {counts} do not fit a 64-bit integer")
        elided = record.prompt is not None and _starts_with_prompt(t, record.prompt)
        stored = t.model_copy(update={"messages": t.messages[2:]}) if elided else t
        text = stored.to_json()
        actions = t.actions.model_dump_json()
        if t.error is not None:
            f"{t.error.type}: {t.error.message}".encode()
        return record, text, actions, elided
    except (ValueError, OverflowError, pydantic_core.PydanticSerializationError) as exc:
        reason = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
        error = EpisodeError(
            type=exception_type_name(type(exc)),
            message=f"the reply could not be stored ({reason}); the sample failed and is retried on resume",
            turn=max(0, len(t.turns) - 1),
        )
        failed = Transcript(
            fingerprint=t.fingerprint,
            condition_id=t.condition_id,
            family=t.family,
            tool_mode=t.tool_mode,
            model=t.model,
            sample_index=t.sample_index,
            seed=t.seed,
            messages=(),
            started_at=t.started_at,
            duration_s=t.duration_s,
            ended_by="error",
            error=error,
        )
        bad = replace(record, transcript=failed, verdicts=(), cost_usd=record.cost_usd)
        return bad, failed.to_json(), failed.actions.model_dump_json(), False


def _starts_with_prompt(transcript: Transcript, prompt: tuple[str, str]) -> bool:
    messages = transcript.messages
    return (
        len(messages) >= 2
        and isinstance(messages[0], SystemMessage)
        and messages[0].content == prompt[0]
        and isinstance(messages[1], UserMessage)
        and messages[1].content == prompt[1]
    )


def _key(s: StoredSample) -> tuple[str, str, str, int]:
    return (s.fingerprint, s.model, s.config_hash, s.sample_index)


@dataclass
class SampleOutcome:
    """The attempt that counts for one sample key, with its latest verdict per detector name."""

    sample_id: int
    """Row id of the attempt."""

    fingerprint: str
    """Condition fingerprint."""

    model: str
    """``provider/model``."""

    config_hash: str
    """Configuration hash."""

    sample_index: int
    """Sample index."""

    status: SampleStatus
    """``ok`` or ``error``."""

    error: str | None
    """Error message of a failed attempt."""

    verdicts: dict[str, tuple[str, str, str | None, str]]
    """Detector name -> (version, outcome, reason, category) of its latest stored verdict."""

    labels: dict[str, str | None] = field(default_factory=dict)
    """Detector name -> the label of its latest stored verdict (``says_test``, ``silent``, ...), if any."""

    @property
    def key(self) -> tuple[str, str, str, int]:
        """(fingerprint, model, config hash, sample index)."""
        return (self.fingerprint, self.model, self.config_hash, self.sample_index)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self._conn.execute("COMMIT")
        else:
            self._conn.execute("ROLLBACK")
