"""Shards: a fixed slice per sample key; shard stores merged equal the unsharded study; merges refuse mixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenariokit.cli import main
from scenariokit.experiment import (
    DesignError,
    Shard,
    StoreMismatchError,
    StudyStore,
    merge_stores,
    shard_of,
)

ARGS = ["run", "--family", "blackmail", "--set", "urgency=replacement,none", "--samples", "12", "--quiet"]


_TIMINGS = frozenset({"started_at", "duration_s", "latency_s"})


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in _TIMINGS}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _samples(path: Path) -> dict[tuple[str, str, str, int], tuple[str, int | None, str, list[Any]]]:
    """Every sample (effective attempt): key -> (status, seed, transcript without timings, verdicts)."""
    found: dict[tuple[str, str, str, int], tuple[str, int | None, str, list[Any]]] = {}
    with StudyStore(path, readonly=True) as store:
        verdicts: dict[int, list[Any]] = {}
        for sid, detector, outcome, category in store._conn.execute(
            "SELECT sample_id, detector, outcome, category FROM verdicts"
        ):
            verdicts.setdefault(sid, []).append((detector, outcome, category))
        for s in store.iter_samples():
            key = (s.fingerprint, s.model, s.config_hash, s.sample_index)
            assert key not in found, f"sample {key} stored twice"
            transcript = _untimed(s.transcript().model_dump(mode="json"))
            found[key] = (s.status, s.seed, json.dumps(transcript, sort_keys=True), sorted(verdicts[s.id]))
    return found


@given(
    st.text(min_size=1, max_size=12),
    st.text(min_size=1, max_size=12),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=12),
)
def test_each_sample_is_in_exactly_one_shard(fp: str, model: str, index: int, n: int) -> None:
    owners = [i for i in range(1, n + 1) if Shard(i, n).holds(fp, model, "cfg", index)]
    assert owners == [shard_of(fp, model, "cfg", index, n)]


def test_shard_sizes_are_balanced() -> None:
    counts = [0, 0, 0]
    for i in range(3000):
        counts[shard_of("fp", "m", "c", i, 3) - 1] += 1
    assert all(900 <= c <= 1100 for c in counts), counts


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1-3", ""])
def test_bad_shards_are_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(DesignError, match="i/n|i <= n"):
        Shard.parse(text)


def test_shards_merged_equal_the_unsharded_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = tmp_path / "whole.db"
    assert main([*ARGS, "--out", str(whole)]) == 0
    shards = [tmp_path / f"shard{i}.db" for i in (1, 2, 3)]
    for i, path in enumerate(shards, start=1):
        assert main([*ARGS, "--shard", f"{i}/3", "--out", str(path)]) == 0
    parts = [_samples(p) for p in shards]
    assert all(parts), "every shard of 24 samples holds some"
    assert sum(len(p) for p in parts) == 24
    assert not set(parts[0]) & set(parts[1]) and not set(parts[1]) & set(parts[2])
    merged = tmp_path / "merged.db"
    capsys.readouterr()
    assert main(["merge", str(merged), *map(str, shards)]) == 0
    assert "24 sample attempt(s)" in capsys.readouterr().err
    assert _samples(merged) == _samples(whole)
    # idempotent: merging again (or a shard twice) adds nothing
    again = merge_stores(merged, [*shards, shards[0]])
    assert (again.samples, again.runs) == (0, 0) and again.duplicates == 24 + len(parts[0])
    assert _samples(merged) == _samples(whole)
    # a shard run again resumes: nothing left to do, and it never reaches into another shard's samples
    assert main([*ARGS, "--shard", "2/3", "--out", str(shards[1])]) == 0
    assert _samples(shards[1]) == parts[1]
    with StudyStore(merged, readonly=True) as store:
        assert sorted(r.get("shard") for r in store.runs()) == ["1/3", "2/3", "3/3"]


def test_merge_refuses_stores_of_different_designs_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert main([*ARGS, "--samples", "2", "--out", str(a)]) == 0
    assert main(["run", "--family", "leaking", "--samples", "2", "--quiet", "--out", str(b)]) == 0
    with pytest.raises(StoreMismatchError, match=r"b\.db.*leaking.*a\.db.*blackmail"):
        merge_stores(tmp_path / "out.db", [a, b])
    capsys.readouterr()
    assert main(["merge", str(tmp_path / "out2.db"), str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "leaking" in err and "blackmail" in err and len(err.strip().splitlines()) == 1


def test_merge_refuses_its_output_as_a_source(tmp_path: Path) -> None:
    a = tmp_path / "a.db"
    assert main([*ARGS, "--samples", "1", "--out", str(a)]) == 0
    with pytest.raises(DesignError, match="both a source and the output"):
        merge_stores(a, [a])


def test_bad_shard_option_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--shard", "3/2", "--out", str(tmp_path / "x.db")]) == 2
    assert "3/2" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
