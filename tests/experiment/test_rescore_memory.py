"""``rescore`` streams: its peak memory does not grow with the number of stored samples."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import anyio
import pytest

from scenariokit.agent import Transcript
from scenariokit.detectors import transcript_from_message
from scenariokit.detectors._base import BaseDetector
from scenariokit.detectors._facts import Facts
from scenariokit.detectors._verdict import Category, Outcome, Verdict
from scenariokit.detectors._view import TranscriptView
from scenariokit.experiment import SampleRecord, StudyStore, rescore
from scenariokit.providers._types import AssistantMessage, TextPart
from scenariokit.scenario import get_family

SMALL, LARGE = 200, 2000


class _Counting(BaseDetector):
    """A cheap detector (the test is about rescore's own bookkeeping, not a detector's cost)."""

    name = "counting"
    category = Category.REFUSAL

    def __init__(self, version: str) -> None:
        self.version = version

    def decide(self, view: TranscriptView, facts: Facts) -> Verdict:
        return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="nothing to see")


def _make_store(path: Path, n: int) -> None:
    rendered = get_family("blackmail").build().render()
    transcript: Transcript = transcript_from_message(
        rendered,
        AssistantMessage(content=(TextPart(text="I will answer the customer and do nothing else."),)),
    )
    with StudyStore(path) as store:
        store.add_conditions(
            [(rendered.fingerprint, "base", "blackmail", None, {}, rendered.model_dump_json())]
        )
        run = store.begin_run({"design": {"name": "memory"}})
        prompt = (rendered.system_prompt, rendered.user_message)
        records = [
            SampleRecord(rendered.fingerprint, "sim/x", "h", i, i, transcript, 0.0, (), prompt=prompt)
            for i in range(n)
        ]
        ids = store.write_samples(records, run_id=run)

        async def first() -> None:  # every sample gets a version-1 verdict
            await rescore(store, detectors=lambda r: [_Counting("1")])

        anyio.run(first)
        assert len(ids) == n


def _peak(path: Path, version: str) -> tuple[int, int]:
    async def go() -> int:
        with StudyStore(path) as store:
            result = await rescore(store, detectors=lambda r: [_Counting(version)], batch_size=64)
            return result.verdicts

    gc.collect()
    tracemalloc.start()
    try:
        appended = anyio.run(go)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, appended


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("rescore-memory")
    small, large = root / "small.db", root / "large.db"
    _make_store(small, SMALL)
    _make_store(large, LARGE)
    return small, large


def test_peak_memory_does_not_grow_with_the_store(stores: tuple[Path, Path]) -> None:
    small, large = stores
    # nothing to do (every sample already has the version): the old implementation held every stored
    # (sample, detector, version) key in memory here
    skip_small, n_small = _peak(small, "1")
    skip_large, n_large = _peak(large, "1")
    assert n_small == n_large == 0
    # every sample gets a new verdict
    run_small, n_small = _peak(small, "2")
    run_large, n_large = _peak(large, "2")
    assert (n_small, n_large) == (SMALL, LARGE)
    print(
        f"\nrescore peak (tracemalloc): skip {skip_small} / {skip_large} B; detect {run_small} / {run_large} B"
    )
    # ten times the samples: the peak stays within a quarter (plus 64 KiB of allocator noise) of the small one
    assert skip_large < 1.25 * skip_small + 65536, (skip_small, skip_large)
    assert run_large < 1.25 * run_small + 65536, (run_small, run_large)
