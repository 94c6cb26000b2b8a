"""The reliability soak, shared by the fast tests and ``benchmarks/bench_reliability.py``.

* :func:`fault_soak`: a study against the fake vendor server, one vendor wire format at a time, with a random
  mix of every fault kind injected into the requests; every sample must end correct or failed with a reason,
  the counts must add up, and a resume must re-run exactly the failed samples.
* :func:`kill_soak`: ``scenariokit run`` killed with SIGKILL at random moments, then resumed; the store must hold
  every sample exactly once and pass ``PRAGMA integrity_check``.
* :func:`leaks`: every 8-character fragment of a secret found in a set of files or texts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from fake_vendor_server import API_KEY, FakeVendorServer, Fault
from reliability_formats import INPUT, Format

from scenariokit.experiment import Design, FactorGrid, ModelSpec, Runner, RunResult, StudyStore
from scenariokit.providers import RetryPolicy

SOAK_POLICY = RetryPolicy(
    max_attempts=2,
    initial_backoff=0.005,
    max_backoff=0.02,
    attempt_timeout=1.0,
    total_timeout=5.0,
    connect_timeout=2.0,
)
"""Two attempts: a fault on both fails the sample, a fault on one is retried away."""

FAULT_KINDS = (
    "none",
    "status_429",
    "status_500",
    "status_503",
    "status_400",
    "reset",
    "malformed",
    "truncated",
    "body_error",
    "slow",
    "lone_surrogate",
    "huge_usage",
    "html_echoing_key",
    "request_id_echoing_key",
    "wrong_shape",
)
"""Every kind of fault the soak injects (``none`` answers normally)."""


def make_fault(kind: str, fmt: Format, rng: random.Random) -> Fault:
    """A fault of ``kind`` in the wire format ``fmt``."""
    if kind == "none":
        return Fault("delay", delay=0.0)
    if kind.startswith("status_"):
        status = int(kind.removeprefix("status_"))
        return Fault("status", status=status, headers={"retry-after": "0"} if status in (429, 503) else {})
    if kind in ("reset", "malformed", "truncated"):
        return Fault(kind)
    if kind == "body_error":
        return Fault("body_error", body={"error": {"message": "upstream provider failed", "code": 502}})
    if kind == "slow":
        return Fault("delay", delay=rng.choice([0.01, 0.05, 1.2]))  # 1.2 s passes the 1 s attempt timeout
    if kind == "lone_surrogate":
        return Fault("status", status=200, body=fmt.reply(text='"I will \\ud800 act"'))
    if kind == "huge_usage":
        return Fault("status", status=200, body=fmt.reply(replace={str(INPUT): str(2**64)}))
    if kind == "html_echoing_key":
        return Fault("status", status=200, body=f"<html>gateway saw key {API_KEY}</html>".encode())
    if kind == "request_id_echoing_key":
        return Fault("status", status=500, headers={"x-request-id": f"req-{API_KEY}", "request-id": API_KEY})
    if kind == "wrong_shape":
        return Fault("status", status=200, body=b'{"unexpected": ["shape"], "choices": "no", "content": 3}')
    raise ValueError(f"unknown fault kind {kind!r}")


@dataclass
class SoakReport:
    """What a fault soak saw for one vendor format."""

    format: str
    samples: int
    ok: int
    failed: int
    resumed: int
    faults: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def soak_design(fmt: Format, samples_per_condition: int, conditions: int) -> Design:
    """A blackmail design of ``conditions`` conditions (at most 6) for ``fmt``'s model."""
    values = [
        ("replacement", "explicit"),
        ("none", "explicit"),
        ("restriction", "explicit"),
        ("replacement", "none"),
        ("none", "none"),
        ("restriction", "none"),
    ]
    chosen = values[:conditions]
    return Design(
        name=f"soak-{fmt.id}",
        scenarios=[FactorGrid(family="blackmail", factors={"urgency": u, "goal_type": g}) for u, g in chosen],
        models=[ModelSpec(name=f"{fmt.prefix}/{fmt.model}")],
        samples=samples_per_condition,
    )


def fault_soak(
    server: FakeVendorServer,
    fmt: Format,
    db: Path,
    *,
    samples_per_condition: int,
    conditions: int = 5,
    fault_rate: float = 0.35,
    concurrency: int = 16,
    seed: int = 0,
) -> SoakReport:
    """Run a study of ``fmt`` under injected faults, check it, resume it, and check again.

    Raises:
        AssertionError: If a sample is neither correct nor failed with a reason, counts do not add up, or the
            resume re-runs anything but the failed samples.
    """
    rng = random.Random(seed)
    expanded = soak_design(fmt, samples_per_condition, conditions).expand()
    total = expanded.total_samples
    kinds = [k for k in FAULT_KINDS if k != "none"]
    faults: Counter[str] = Counter()
    server.reset()
    slots = total * SOAK_POLICY.max_attempts
    mix = list(FAULT_KINDS)  # every kind at least once
    mix += [rng.choice(kinds) if rng.random() < fault_rate else "none" for _ in range(slots - len(mix))]
    rng.shuffle(mix)
    for kind in mix:
        faults[kind] += 1
        server.faults.append(make_fault(kind, fmt, rng))
    started = time.perf_counter()
    first = _run(server, fmt, expanded, db, concurrency)
    assert first.completed == total and first.already_done == 0, first
    ok, failed, reasons = check_store(db, total)
    assert failed == first.failed and ok + failed == total, (ok, failed, first)
    server.faults.clear()
    second = _run(server, fmt, expanded, db, concurrency)
    assert second.completed == failed, (
        f"the resume ran {second.completed} samples, not the {failed} that failed"
    )
    assert second.already_done == ok and second.failed == 0, second
    ok_after, failed_after, _ = check_store(db, total)
    assert (ok_after, failed_after) == (total, 0)
    return SoakReport(
        fmt.id, total, ok, failed, second.completed, faults, reasons, time.perf_counter() - started
    )


def _run(server: FakeVendorServer, fmt: Format, expanded: object, db: Path, concurrency: int) -> RunResult:
    async def go() -> RunResult:
        provider = fmt.provider(server, retry_policy=SOAK_POLICY)
        try:
            with StudyStore(db) as store:
                runner = Runner(
                    expanded,  # type: ignore[arg-type]
                    store,
                    {f"{fmt.prefix}/{fmt.model}": provider},
                    concurrency=concurrency,
                    stop_after_errors=0,
                )
                return await runner.run()
        finally:
            await provider.aclose()

    return anyio.run(go)


def check_store(db: Path, total: int) -> tuple[int, int, Counter[str]]:
    """Check every sample of a soak store: correct, or failed with a reason; no key twice; counts add up.

    Returns:
        (ok samples, failed samples, the failure reasons by error type).
    """
    reasons: Counter[str] = Counter()
    ok = failed = 0
    with StudyStore(db, readonly=True) as store:
        keys = set()
        for sample in store.iter_samples():
            key = (sample.fingerprint, sample.model, sample.config_hash, sample.sample_index)
            assert key not in keys, f"sample {key} counted twice"
            keys.add(key)
            transcript = sample.transcript()
            if sample.status == "ok":
                ok += 1
                assert transcript.error is None and sample.error is None
                reply = transcript.visible_text
                assert reply.startswith("echo: "), f"a sample stored as correct holds {reply[:80]!r}"
            else:
                failed += 1
                assert sample.error and transcript.error is not None and transcript.error.message, sample
                reasons[transcript.error.type.rsplit(".", 1)[-1]] += 1
        assert len(keys) == total, f"{len(keys)} samples stored, {total} in the design"
        conn = store._conn
        duplicates = conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM samples WHERE status = 'ok' "
            "GROUP BY fingerprint, model, config_hash, sample_index HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return ok, failed, reasons


# ---------------------------------------------------------------------------------------------- kill -9


def _count_rows(db: Path) -> int:
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


def kill_soak(
    folder: Path, *, samples: int, kills: int, seed: int = 0, max_delay: float = 2.5
) -> dict[str, object]:
    """Kill ``scenariokit run`` (simulator, 2 conditions) with SIGKILL ``kills`` times, then let it finish.

    Even kills come at a random moment from process start (store creation included) to ``max_delay`` s; odd
    kills once the run has stored samples, up to 0.3 s later (mid-run, between and during transactions).

    Returns:
        What happened: rows stored before each kill, the final count and the integrity check.

    Raises:
        AssertionError: If the final store does not hold every sample exactly once, or is damaged.
    """
    rng = random.Random(seed)
    db = folder / "killed.db"
    args = [
        sys.executable, "-m", "scenariokit", "run", "--family", "blackmail", "--set", "urgency=replacement,none",
        "--model", "sim/self_preserving", "--samples", str(samples), "--out", str(db), "--quiet", "--concurrency", "8",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    seen: list[int] = []
    for k in range(kills):
        before = _count_rows(db)
        with subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=folder
        ) as proc:
            if k % 2 == 0:  # any moment from process start: start-up, store creation, the first samples
                time.sleep(rng.uniform(0.0, max_delay))
            else:  # mid-run: once this run has stored samples, a little later
                deadline = time.monotonic() + 60
                while _count_rows(db) <= before and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(rng.uniform(0.0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        seen.append(_count_rows(db))
    final = subprocess.run(args, capture_output=True, text=True, env=env, cwd=folder, timeout=600)
    assert final.returncode == 0, final.stderr[-2000:]
    total = 2 * samples
    ok, failed, _ = check_store_simulated(db, total)
    assert (ok, failed) == (total, 0)
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".creating")]
    return {"rows_after_each_kill": seen, "final_ok": ok, "creating_files_left": leftovers}


def check_store_simulated(db: Path, total: int) -> tuple[int, int, Counter[str]]:
    """:func:`check_store` for a simulator study (replies are the simulator's, not echoes)."""
    with StudyStore(db, readonly=True) as store:
        conn = store._conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = conn.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT fingerprint, model, config_hash, sample_index FROM samples "
            "WHERE status = 'ok')"
        ).fetchone()[0]
        ok_rows = conn.execute("SELECT COUNT(*) FROM samples WHERE status = 'ok'").fetchone()[0]
        orphans = conn.execute(
            "SELECT COUNT(*) FROM verdicts WHERE sample_id NOT IN (SELECT id FROM samples)"
        ).fetchone()[0]
        failed = conn.execute("SELECT COUNT(*) FROM samples WHERE status = 'error'").fetchone()[0]
    assert ok_rows == keys == total, (ok_rows, keys, total)
    assert orphans == 0
    return keys, failed, Counter()


# ---------------------------------------------------------------------------------------------- secrets


def leaks(secret: str, paths: Sequence[Path], texts: Sequence[str] = ()) -> list[str]:
    """Where any 8-character fragment of ``secret`` occurs: file names (and ``text #i``) with the fragment."""
    fragments = {secret[k : k + 8] for k in range(len(secret) - 7)}
    found = []
    for path in paths:
        data = path.read_bytes()
        for fragment in fragments:
            if fragment.encode() in data:
                found.append(f"{path.name}: {fragment}")
    for i, text in enumerate(texts):
        for fragment in fragments:
            if fragment in text:
                found.append(f"text #{i}: {fragment}")
    return found


def summary(reports: list[SoakReport]) -> str:
    """A plain-text table of soak reports."""
    lines = [
        f"{'format':<18} {'samples':>7} {'ok':>5} {'failed':>6} {'resumed':>7} {'seconds':>7}  failure reasons"
    ]
    for r in reports:
        reasons = ", ".join(f"{k} {v}" for k, v in r.reasons.most_common())
        lines.append(
            f"{r.format:<18} {r.samples:>7} {r.ok:>5} {r.failed:>6} {r.resumed:>7} {r.seconds:>7.1f}  {reasons}"
        )
    return "\n".join(lines) + "\n" + json.dumps({r.format: dict(r.faults) for r in reports}, sort_keys=True)
