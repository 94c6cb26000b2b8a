"""Shards of a study and the merge of shard stores, so that one study can run on several machines.

**The rule.** A sample belongs to shard ``i`` of ``n`` when the first 8 bytes of the SHA-256 of its key
(condition fingerprint, model name, configuration hash and sample index, joined by NUL bytes), read as a
big-endian integer, are ``i - 1`` modulo ``n``. The rule reads nothing but the sample's own key: the order of
the design's entries, of its models or of its conditions, and the other samples of the design, never move a
sample from one shard to another, and every machine computes the same slices from the same design file. The
shards are disjoint and together hold every sample; their sizes are balanced up to the randomness of a hash
(within a few percent of ``total / n`` for studies of a few hundred samples or more).

**The merge.** :func:`merge_stores` copies the conditions, configurations, runs, sample attempts, verdicts and
usage rows of shard stores into one store. It refuses stores of different designs (by name, naming the
stores), never stores a sample twice (a key with an ``ok`` attempt in the output keeps it; the same failed
attempt is copied once), and merging the same stores again adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenariokit.experiment._errors import DesignError, StoreMismatchError
from scenariokit.experiment._store import _JUDGE_TABLE, StudyStore

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as ``--shard 2/3`` writes it)."""

    index: int
    """Which shard, from 1 to ``count``."""

    count: int
    """How many shards the study is cut into."""

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise DesignError(
                f"shard {self.index}/{self.count} does not exist: write i/n with 1 <= i <= n, e.g. 2/3"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``"i/n"``.

        Raises:
            DesignError: If the text is not ``i/n`` with ``1 <= i <= n``.
        """
        match = _SHARD.match(text)
        if match is None:
            raise DesignError(f"shard {text!r}: expected i/n, e.g. 2/3 for the second of three shards")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, fingerprint: str, model: str, config_hash: str, sample_index: int) -> bool:
        """Whether the sample with this key belongs to this shard (see the module notes for the rule)."""
        return shard_of(fingerprint, model, config_hash, sample_index, self.count) == self.index


def shard_of(fingerprint: str, model: str, config_hash: str, sample_index: int, count: int) -> int:
    """The shard (1 to ``count``) of the sample with this key.

    Example:
        >>> shard_of("ab12", "sim/self_preserving", "c0ffee", 0, 1)
        1
    """
    key = "\0".join((fingerprint, model, config_hash, str(sample_index))).encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % count + 1


@dataclass(frozen=True)
class MergeResult:
    """What a merge of stores did."""

    stores: int
    """Stores read."""

    samples: int
    """Sample attempts copied into the output store."""

    duplicates: int
    """Attempts not copied because the output already held them (or an ``ok`` attempt of their key)."""

    runs: int
    """Run records copied."""


def _design_names(store: StudyStore) -> list[str]:
    return sorted({str(r["design"].get("name")) for r in store.runs() if isinstance(r.get("design"), dict)})


def merge_stores(out: str | Path, sources: Sequence[str | Path]) -> MergeResult:
    """Merge study stores (the shards of one study) into ``out`` (created if missing).

    Args:
        out: The output store; it may already hold the study (a merge is idempotent).
        sources: The stores to merge, read-only.

    Returns:
        What was copied.

    Raises:
        StoreMismatchError: If the stores (the output included, when it holds runs) are of different designs.
        StoreError: If a source is missing or is not a study store.
        StoreBusyError: If another process is running into ``out``.
        DesignError: If no source is given, or a source is the output itself.
    """
    if not sources:
        raise DesignError("merge needs at least one store to read")
    out_path = Path(out)
    for s in sources:
        if Path(s).resolve() == out_path.resolve():
            raise DesignError(f"{s} is both a source and the output of the merge; give another output path")
    opened = [StudyStore(s, readonly=True, create=False) for s in sources]
    try:
        names = {str(s.path): _design_names(s) for s in opened}
        with StudyStore(out_path) as target:
            target.lock("merge")
            if target.runs():
                names = {str(target.path): _design_names(target), **names}
            reference_path, reference = next(iter(names.items()))
            for path, designs in names.items():
                if designs != reference:
                    raise StoreMismatchError(
                        f"cannot merge {path} (design {', '.join(designs) or 'none'}) with {reference_path} "
                        f"(design {', '.join(reference) or 'none'}): merge only the shards of one study"
                    )
            result = MergeResult(stores=len(opened), samples=0, duplicates=0, runs=0)
            for source in opened:
                result = _copy(source, target, result)
            return result
    finally:
        for store in opened:
            store.close()


def _copy(source: StudyStore, target: StudyStore, result: MergeResult) -> MergeResult:
    src = source._conn
    dst = target._conn
    copied = duplicates = runs = 0
    with target.transaction():
        dst.execute(
            "CREATE TABLE IF NOT EXISTS condition_metadata (fingerprint TEXT NOT NULL, kind TEXT NOT NULL, "
            "value TEXT NOT NULL, UNIQUE (fingerprint, kind, value))"
        )
        dst.execute(
            "CREATE TABLE IF NOT EXISTS sample_usage (sample_id INTEGER PRIMARY KEY REFERENCES samples(id), "
            "cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_write_tokens INTEGER NOT NULL DEFAULT 0, "
            "uncached_cost_usd REAL)"
        )
        dst.executemany(
            "INSERT OR IGNORE INTO conditions (fingerprint, label, family, condition_id, factors, rendered) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            src.execute("SELECT fingerprint, label, family, condition_id, factors, rendered FROM conditions"),
        )
        dst.executemany(
            "INSERT OR IGNORE INTO configs (model, config_hash, config) VALUES (?, ?, ?)",
            src.execute("SELECT model, config_hash, config FROM configs"),
        )
        if _has_table(src, "condition_metadata"):
            dst.executemany(
                "INSERT OR IGNORE INTO condition_metadata (fingerprint, kind, value) VALUES (?, ?, ?)",
                src.execute("SELECT fingerprint, kind, value FROM condition_metadata"),
            )
        # runs: one copy each, recognised on a second merge by the hash of the source row
        known_runs: dict[str, int] = {}
        for rid, meta in dst.execute("SELECT id, metadata FROM runs"):
            origin = json.loads(meta).get("merged_from", {}).get("run_hash")
            if origin:
                known_runs[origin] = rid
        run_map: dict[int, int] = {}
        for rid, started, version, meta in src.execute(
            "SELECT id, started_at, library_version, metadata FROM runs ORDER BY id"
        ).fetchall():
            digest = hashlib.sha256(f"{started!r}\0{version}\0{meta}".encode()).hexdigest()
            if digest in known_runs:
                run_map[rid] = known_runs[digest]
                continue
            data: dict[str, Any] = json.loads(meta)
            data["merged_from"] = {"store": str(source.path), "run_id": rid, "run_hash": digest}
            cursor = dst.execute(
                "INSERT INTO runs (started_at, library_version, metadata) VALUES (?, ?, ?)",
                (started, version, json.dumps(data, sort_keys=True)),
            )
            assert cursor.lastrowid is not None
            run_map[rid] = known_runs[digest] = cursor.lastrowid
            runs += 1
        usage = _has_table(src, "sample_usage")
        judged = _has_table(src, "judge_calls")
        if judged:
            dst.execute(_JUDGE_TABLE)
        judge_columns = (
            "detector, version, model, valid, reply, error, input_tokens, output_tokens, cache_read_tokens, "
            "cache_write_tokens, cost_usd, created_at"
        )
        columns = (
            "fingerprint, model, config_hash, sample_index, seed, status, error, input_tokens, output_tokens, "
            "cost_usd, actions, transcript, prompt_elided, run_id, created_at"
        )
        for row in src.execute(f"SELECT id, {columns} FROM samples ORDER BY id").fetchall():
            sid, key, status, created = row[0], row[1:5], row[6], row[15]
            if status == "ok":
                clash = dst.execute(
                    "SELECT 1 FROM samples WHERE fingerprint = ? AND model = ? AND config_hash = ? "
                    "AND sample_index = ? AND status = 'ok'",
                    key,
                ).fetchone()
            else:
                clash = dst.execute(
                    "SELECT 1 FROM samples WHERE fingerprint = ? AND model = ? AND config_hash = ? "
                    "AND sample_index = ? AND status = 'error' AND created_at = ? AND error IS ?",
                    (*key, created, row[7]),
                ).fetchone()
            if clash is not None:
                duplicates += 1
                continue
            values = list(row[1:])
            values[13] = run_map[row[14]]
            cursor = dst.execute(
                f"INSERT INTO samples ({columns}) VALUES ({', '.join('?' * 15)})",
                values,
            )
            new_id = cursor.lastrowid
            copied += 1
            dst.executemany(
                "INSERT INTO verdicts (sample_id, detector, version, category, outcome, label, score, reason, "
                "verdict, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (new_id, *v)
                    for v in src.execute(
                        "SELECT detector, version, category, outcome, label, score, reason, verdict, created_at "
                        "FROM verdicts WHERE sample_id = ? ORDER BY id",
                        (sid,),
                    ).fetchall()
                ),
            )
            if usage:
                found = src.execute(
                    "SELECT cache_read_tokens, cache_write_tokens, uncached_cost_usd FROM sample_usage "
                    "WHERE sample_id = ?",
                    (sid,),
                ).fetchone()
                if found is not None:
                    dst.execute(
                        "INSERT INTO sample_usage (sample_id, cache_read_tokens, cache_write_tokens, "
                        "uncached_cost_usd) VALUES (?, ?, ?, ?)",
                        (new_id, *found),
                    )
            if judged:  # the judges' requests about this sample: their replies, tokens and costs
                dst.executemany(
                    f"INSERT INTO judge_calls (sample_id, {judge_columns}) VALUES ({', '.join('?' * 13)})",
                    (
                        (new_id, *c)
                        for c in src.execute(
                            f"SELECT {judge_columns} FROM judge_calls WHERE sample_id = ? ORDER BY id", (sid,)
                        ).fetchall()
                    ),
                )
    return MergeResult(
        stores=result.stores,
        samples=result.samples + copied,
        duplicates=result.duplicates + duplicates,
        runs=result.runs + runs,
    )


def _has_table(conn: Any, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        is not None
    )
