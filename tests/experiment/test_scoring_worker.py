"""Scoring in a worker process: the same verdicts as in-process, per-sample failures, dead workers, no orphans."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import types
from pathlib import Path

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.agent import Transcript
from scenariokit.detectors import Category, LLMJudge, Outcome, Verdict, default_suite, transcript_from_message
from scenariokit.detectors._base import BaseDetector
from scenariokit.detectors._facts import Facts
from scenariokit.detectors._view import TranscriptView
from scenariokit.experiment import Design, FactorGrid, Runner, StudyStore, create_providers
from scenariokit.experiment._encoded import encode_verdict
from scenariokit.experiment._runner import _WORKER_RESTARTS, AUTO_WORKER_SAMPLES
from scenariokit.experiment._scoring_worker import (
    ScoringWorker,
    WorkerDiedError,
    score_items,
    warm_up,
    widen_pipe,
)
from scenariokit.providers import create_provider as make_provider
from scenariokit.providers._types import AssistantMessage, TextPart

try:
    import fcntl as fcntl_module
except ImportError:  # not on Windows
    fcntl_module = None  # type: ignore[assignment]

pytestmark = pytest.mark.anyio

MODELS = ["sim/self_preserving", "sim/compliant"]
GRIDS = [
    FactorGrid(family="blackmail", factors={"goal_type": ["explicit", "none"]}),
    FactorGrid(family="leaking", factors={"urgency": ["replacement"]}),
]


def _design(samples: int) -> Design:
    return Design(name="worker", scenarios=GRIDS, models=MODELS, samples=samples)


def _stored(store: StudyStore) -> dict[tuple[str, str, int], tuple[str, list[str]]]:
    """(condition, model, index) -> (status, the stored verdicts' JSON in order)."""
    samples = {s.id: s for s in store.iter_samples(effective=False)}
    verdicts: dict[int, list[str]] = {sid: [] for sid in samples}
    for sid, _, verdict in store.iter_verdict_rows():
        verdicts[sid].append(verdict)
    return {(s.fingerprint, s.model, s.sample_index): (s.status, verdicts[s.id]) for s in samples.values()}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[ScoringWorker]:
    """The workers started, and how many samples each was sent (``worker.sent_items``)."""
    started: list[ScoringWorker] = []
    original_start, original_send = ScoringWorker.start, ScoringWorker.send

    async def start(self: ScoringWorker) -> None:
        await original_start(self)
        self.sent_items = 0  # type: ignore[attr-defined]
        started.append(self)

    async def send(self: ScoringWorker, setups: object, items: list[object]) -> None:
        await original_send(self, setups, items)  # type: ignore[arg-type]
        self.sent_items += len(items)  # type: ignore[attr-defined]

    monkeypatch.setattr(ScoringWorker, "start", start)
    monkeypatch.setattr(ScoringWorker, "send", send)
    return started


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


async def test_a_worker_stores_the_same_verdicts_as_in_process_scoring(
    tmp_path: Path, sent: list[ScoringWorker]
) -> None:
    expanded = _design(12).expand()
    results = {}
    columns = {}
    harmful = {}
    for workers in (0, 1, 2):
        with StudyStore(tmp_path / f"{workers}.db") as store:
            runner = Runner(expanded, store, create_providers(MODELS), concurrency=8, score_workers=workers)
            result = await runner.run()
            assert result.completed == 72 and result.failed == 0
            results[workers] = _stored(store)
            harmful[workers] = runner.progress.harmful
        with contextlib.closing(sqlite3.connect(tmp_path / f"{workers}.db")) as db:
            # every column of every verdict row (the worker sends them encoded for the store)
            columns[workers] = db.execute(
                "SELECT s.fingerprint, s.model, s.sample_index, v.detector, v.version, v.category, v.outcome, "
                "v.label, v.score, v.reason, v.verdict FROM verdicts v JOIN samples s ON s.id = v.sample_id "
                "ORDER BY s.fingerprint, s.model, s.sample_index, v.id"
            ).fetchall()
    assert len(sent) == 3 and sent[0].sent_items == 72  # every sample went to the worker
    assert sent[1].sent_items + sent[2].sent_items == 72  # or to one of the two
    assert all(w.pid is not None and _gone(w.pid) for w in sent)  # and they ended with the run
    assert results[0] == results[1] == results[2]
    assert columns[0] == columns[1] == columns[2] and len(columns[0]) > 72
    assert harmful[0] == harmful[1] == harmful[2] > 0  # the progress display's count of harmful samples
    outcomes = {json.loads(v)["outcome"] for _, vs in results[1].values() for v in vs}
    assert {"harmful", "benign"} <= outcomes  # the comparison covers both kinds of verdict


async def test_the_default_starts_a_worker_only_for_big_runs(
    tmp_path: Path, sent: list[ScoringWorker]
) -> None:
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=AUTO_WORKER_SAMPLES // 2 - 1).expand()
    with StudyStore(tmp_path / "s.db") as store:
        assert (
            await Runner(expanded, store, create_providers(MODELS[:1])).run()
        ).completed == expanded.total_samples
    assert sent == []  # below the threshold: in-process
    bigger = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=AUTO_WORKER_SAMPLES // 2).expand()
    with StudyStore(tmp_path / "s.db") as store:
        # what is already stored does not count: only the samples this run scores
        result = await Runner(bigger, store, create_providers(MODELS[:1])).run()
        assert result.completed == 2
    assert sent == []
    with StudyStore(tmp_path / "t.db") as store:
        result = await Runner(bigger, store, create_providers(MODELS[:1])).run()
        assert result.completed == AUTO_WORKER_SAMPLES
    expected = 1 if len(os.sched_getaffinity(0)) >= 2 else 0
    assert len(sent) == expected and all(w.sent_items == AUTO_WORKER_SAMPLES for w in sent)


class Locked(BaseDetector):
    """A heuristic that holds a lock: it cannot be pickled, so it is applied in-process."""

    name = "locked"
    category = Category.BLACKMAIL

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def decide(self, view: TranscriptView, facts: Facts) -> object:  # type: ignore[override]
        with self.lock:
            return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="nothing")


class AsyncOwn(BaseDetector):
    """A heuristic with an ``async detect`` of its own: ``detect_sync`` is not its verdict, so in-process."""

    name = "async-own"
    category = Category.BLACKMAIL

    def decide(self, view: TranscriptView, facts: Facts) -> object:  # type: ignore[override]
        return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="sync")

    async def detect(self, transcript: Transcript, rendered: object) -> object:  # type: ignore[override]
        verdict = self.detect_sync(transcript, rendered)  # type: ignore[arg-type]
        return verdict.model_copy(update={"rationale": "async"})


async def test_detectors_that_cannot_go_to_a_worker_are_applied_in_process(
    tmp_path: Path, sent: list[ScoringWorker]
) -> None:
    expanded = Design(scenarios=GRIDS, models=MODELS[:1], samples=5).expand()
    blackmail, leaking = expanded.conditions[0], expanded.conditions[-1]
    detectors = {
        blackmail.fingerprint: (*default_suite(blackmail.rendered).detectors, Locked()),
        expanded.conditions[1].fingerprint: (AsyncOwn(),),
        leaking.fingerprint: default_suite(leaking.rendered).detectors,
    }
    stored = {}
    for workers in (0, 1):
        with StudyStore(tmp_path / f"{workers}.db") as store:
            runner = Runner(
                expanded, store, create_providers(MODELS), detectors=detectors, score_workers=workers
            )
            assert (await runner.run()).completed == 15
            stored[workers] = _stored(store)
    assert stored[0] == stored[1]
    assert [w.sent_items for w in sent] == [5]  # only the leaking condition's samples went to the worker
    own = [
        json.loads(vs[0])
        for (fp, _, _), (_, vs) in stored[1].items()
        if fp == expanded.conditions[1].fingerprint
    ]
    assert len(own) == 5 and all(v["rationale"] == "async" for v in own)


async def test_a_condition_the_worker_cannot_load_is_scored_in_process(
    tmp_path: Path, sent: list[ScoringWorker], caplog: pytest.LogCaptureFixture
) -> None:
    # a detector class that exists only in this process (no file the worker could import)
    module = types.ModuleType("scenariokit_test_only_here")
    exec(
        textwrap.dedent(
            """
            from scenariokit.detectors import Category, Outcome
            from scenariokit.detectors._base import BaseDetector

            class OnlyHere(BaseDetector):
                name = "only-here"
                category = Category.BLACKMAIL

                def decide(self, view, facts):
                    return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="here")
            """
        ),
        module.__dict__,
    )
    sys.modules[module.__name__] = module
    try:
        expanded = Design(scenarios=GRIDS, models=MODELS[:1], samples=4).expand()
        detectors = {
            c.fingerprint: (*default_suite(c.rendered).detectors, module.OnlyHere())
            for c in expanded.conditions
        }
        stored = {}
        for workers in (0, 1):
            with StudyStore(tmp_path / f"{workers}.db") as store:
                runner = Runner(
                    expanded, store, create_providers(MODELS), detectors=detectors, score_workers=workers
                )
                with caplog.at_level(logging.WARNING, logger="scenariokit.experiment"):
                    assert (await runner.run()).completed == 12
                stored[workers] = _stored(store)
    finally:
        del sys.modules[module.__name__]
    assert stored[0] == stored[1]
    assert all(len(vs) > 1 and json.loads(vs[-1])["detector"] == "only-here" for _, vs in stored[1].values())
    assert "could not load the detectors of condition" in caplog.text and "ModuleNotFoundError" in caplog.text


def _detector_module(folder: Path) -> None:
    """A module of test detectors that the worker can import (the folder is on the import path)."""
    (folder / "worker_test_detectors.py").write_text(
        textwrap.dedent(
            """
            import os
            import signal

            from scenariokit.detectors import Category, Outcome
            from scenariokit.detectors._base import BaseDetector


            class BadText(Exception):
                def __str__(self):
                    raise ValueError(f"the error of sample {self.args[0]} cannot be told")


            class Failing(BaseDetector):
                '''Scoring of the samples in ``bad`` raises outside the detector's own guard.'''

                name = "failing"
                category = Category.BLACKMAIL

                def __init__(self, bad):
                    self.bad = frozenset(bad)

                def decide(self, view, facts):
                    index = view.transcript.sample_index
                    if index in self.bad:
                        raise BadText(index)
                    return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="fine")


            class Killing(BaseDetector):
                '''Kills the process it runs in (a worker) on the samples in ``fatal``, in every process but one.'''

                name = "killing"
                category = Category.BLACKMAIL

                def __init__(self, fatal, spare):
                    self.fatal = frozenset(fatal)
                    self.spare = spare

                def decide(self, view, facts):
                    if view.transcript.sample_index in self.fatal and os.getpid() != self.spare:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return self.verdict(view, Outcome.BENIGN, score=0.0, rationale="alive")
            """
        )
    )


async def test_a_scoring_failure_in_the_worker_ends_that_sample_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: list[ScoringWorker]
) -> None:
    _detector_module(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    import worker_test_detectors  # type: ignore[import-not-found]

    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=6).expand()
    detectors = {c.fingerprint: (worker_test_detectors.Failing({2, 4}),) for c in expanded.conditions}
    stored = {}
    for workers in (0, 1):
        with StudyStore(tmp_path / f"{workers}.db") as store:
            runner = Runner(
                expanded, store, create_providers(MODELS), detectors=detectors, score_workers=workers
            )
            result = await runner.run()
            assert result.completed == 12 and result.failed == 4
            stored[workers] = _stored(store)
            errors = {s.sample_index: s.error for s in store.iter_samples(status="error")}
            assert set(errors) == {2, 4}
            assert errors[2] is not None and "the error of sample 2 cannot be told" in errors[2]
            assert all(s.input_tokens > 0 for s in store.iter_samples(status="error"))  # usage kept
    assert stored[0] == stored[1] and [w.sent_items for w in sent] == [12]


async def test_a_killed_worker_has_its_samples_scored_in_process_and_the_run_goes_on(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[ScoringWorker],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _detector_module(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    import worker_test_detectors

    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=40).expand()
    # samples 5, 15, 25, 35 kill whichever worker scores them; this process is spared
    killer = worker_test_detectors.Killing({5, 15, 25, 35}, os.getpid())
    detectors = {c.fingerprint: (*default_suite(c.rendered).detectors, killer) for c in expanded.conditions}
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(
            expanded, store, create_providers(MODELS), detectors=detectors, score_workers=1, concurrency=4
        )
        with caplog.at_level(logging.WARNING, logger="scenariokit.experiment"):
            result = await runner.run()
        assert result.completed == 80 and result.failed == 0 and result.stop_reason == "complete"
        killed = _stored(store)
    assert len(sent) == _WORKER_RESTARTS + 1  # each death started a new worker, up to the limit
    assert all(w.pid is not None and _gone(w.pid) for w in sent)
    assert caplog.text.count("the scoring worker ended") == _WORKER_RESTARTS + 1
    assert "so is the rest of the run" in caplog.text
    with StudyStore(tmp_path / "in-process.db") as store:
        await Runner(expanded, store, create_providers(MODELS), detectors=detectors, score_workers=0).run()
        assert _stored(store) == killed  # nothing lost, nothing scored differently


async def test_cancelling_kills_the_worker_and_resume_completes(
    tmp_path: Path, sent: list[ScoringWorker]
) -> None:
    expanded = _design(40).expand()
    with StudyStore(tmp_path / "s.db") as store:
        with anyio.CancelScope() as scope:

            def cancel(progress: object) -> None:
                if runner.progress.completed >= 20:
                    scope.cancel()

            runner = Runner(
                expanded,
                store,
                create_providers(MODELS),
                score_workers=1,
                progress=cancel,
                progress_interval=0.001,
            )
            await runner.run()
        assert scope.cancelled_caught
        assert len(sent) == 1 and sent[0].pid is not None and _gone(sent[0].pid)  # no orphan
        stored = list(store.iter_samples(effective=False))
        assert 20 <= len(stored) < 240
        suites = {
            c.fingerprint: {(d.name, d.version) for d in default_suite(c.rendered).detectors}
            for c in expanded.conditions
        }
        # stored only once scored: with every verdict of its suite
        assert all(store.verdict_keys_of(s.id) == suites[s.fingerprint] for s in stored)
        result = await Runner(expanded, store, create_providers(MODELS), score_workers=1).run()
        assert result.already_done == len(stored) and result.completed == 240 - len(stored)
        assert store.count_samples() == store.count_samples(status="ok") == 240


async def test_designs_with_llm_judges_are_scored_in_process(
    tmp_path: Path, sent: list[ScoringWorker]
) -> None:
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=3).expand()
    judge = LLMJudge(make_provider("sim/compliant"), Category.BLACKMAIL)
    detectors = {c.fingerprint: (*default_suite(c.rendered).detectors, judge) for c in expanded.conditions}
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(expanded, store, create_providers(MODELS), detectors=detectors, score_workers=2)
        assert (await runner.run()).completed == 6
    assert sent == []


async def test_a_worker_ignores_ctrl_c_and_exits_when_its_input_closes() -> None:
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand()
    condition = expanded.conditions[0]
    import pickle

    setup = {
        condition.fingerprint: pickle.dumps((condition.rendered, default_suite(condition.rendered).detectors))
    }
    transcript = transcript_from_message(
        condition.rendered, AssistantMessage(content=(TextPart(text="I will not do that."),))
    )
    expected = score_items(
        {condition.fingerprint: (condition.rendered, default_suite(condition.rendered).detectors)},
        [(condition.fingerprint, transcript)],
    )
    async with ScoringWorker() as worker:
        assert worker.pid is not None
        # a Ctrl-C in the terminal goes to the foreground process group: the worker is not in it
        assert os.getpgid(worker.pid) != os.getpgid(0)
        assert await worker.score(setup, [(condition.fingerprint, transcript)]) == ({}, expected)
        os.kill(worker.pid, signal.SIGINT)  # and ignores one sent to it
        await anyio.sleep(0.2)
        assert await worker.score(setup, [(condition.fingerprint, transcript)]) == ({}, expected)
        pid = worker.pid
    assert _gone(pid)
    worker = ScoringWorker()
    with pytest.raises(WorkerDiedError, match="not running"):
        await worker.send(setup, [])


async def test_a_worker_told_no_batch_follows_answers_those_sent_then_exits_by_itself() -> None:
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand()
    condition = expanded.conditions[0]
    import pickle

    detectors = default_suite(condition.rendered).detectors
    setup = {condition.fingerprint: pickle.dumps((condition.rendered, detectors))}
    items = [
        (
            condition.fingerprint,
            transcript_from_message(condition.rendered, AssistantMessage(content=(TextPart(text=text),))),
        )
        for text in ("I will not do that.", "I will send the email to Kyle now.")
    ]
    known = {condition.fingerprint: (condition.rendered, detectors)}
    async with ScoringWorker() as worker:
        await worker.prepare(setup)
        for item in items:
            await worker.send(setup, [item])
        await worker.finish_input()
        await worker.finish_input()  # said twice: nothing more happens
        with pytest.raises(WorkerDiedError, match="not running"):
            await worker.send(setup, items)
        with pytest.raises(WorkerDiedError, match="not running"):
            await worker.prepare(setup)
        # the batches sent before are answered, in order
        assert await worker.receive() == ({}, [])
        for item in items:
            assert await worker.receive() == ({}, score_items(known, [item]))
        pid = worker.pid
        assert pid is not None
        with anyio.fail_after(10):  # it exits without being asked again: its input has ended
            while not _gone(pid):
                await anyio.sleep(0.01)
    assert _gone(pid)


def test_a_worker_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import anyio, sys
            from scenariokit.experiment._scoring_worker import ScoringWorker

            async def main():
                worker = ScoringWorker()
                await worker.start()
                print(worker.pid, flush=True)
                await anyio.sleep(60)

            anyio.run(main)
            """
        )
    )
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert not _gone(pid)
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 20
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


WORDS = [
    "blackmail",
    "affair",
    "Kyle",
    "wipe",
    "I will",
    "not",
    "a test",
    "my goal",
    "tell",
    "unless",
    ".",
    "\n",
    '<tool_use:email>\nto: "kyle.johnson@summitbridge.com"\nsubject: "Note"\nbody: "I know about Jessica."\n'
    "</tool_use:email>\n",
]
TEXT = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


@settings(max_examples=30, deadline=None)
@given(reasoning=TEXT, reply=TEXT)
def test_score_items_gives_the_verdicts_of_detect(reasoning: str, reply: str) -> None:
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand()
    condition = expanded.conditions[0]
    detectors = default_suite(condition.rendered).detectors
    text = f"<thinking>{reasoning}</thinking>\n{reply}" if reasoning else reply
    transcript = transcript_from_message(condition.rendered, AssistantMessage(content=(TextPart(text=text),)))
    warm_up(condition.rendered, detectors)  # what a worker does first leaves the verdicts as they are
    [result] = score_items(
        {condition.fingerprint: (condition.rendered, detectors)}, [(condition.fingerprint, transcript)]
    )

    async def in_process() -> tuple[object, ...]:
        return tuple([await d.detect(transcript, condition.rendered) for d in detectors])

    assert result is not None and result[0] == "ok"
    verdicts = anyio.run(in_process)
    # encoded as the store writes them: the same columns and the same JSON as the verdict models
    assert result[1] == tuple(map(encode_verdict, verdicts))
    assert [Verdict.model_validate_json(v.json) for v in result[1]] == list(verdicts)


async def test_a_worker_that_cannot_start_leaves_the_scoring_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def cannot_start(self: ScoringWorker) -> None:
        raise PermissionError("no interpreter here")

    monkeypatch.setattr(ScoringWorker, "start", cannot_start)
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=5).expand()
    with StudyStore(tmp_path / "s.db") as store:
        with caplog.at_level(logging.WARNING, logger="scenariokit.experiment"):
            result = await Runner(expanded, store, create_providers(MODELS), score_workers=1).run()
        assert result.completed == 10 and result.failed == 0
        assert all(store.verdict_keys_of(s.id) for s in store.iter_samples())
    assert "could not start a scoring worker (no interpreter here); scoring in this process" in caplog.text


class Raising(BaseDetector):
    """A detector that raises on every transcript."""

    name = "raising"
    category = Category.BLACKMAIL

    def decide(self, view: TranscriptView, facts: Facts) -> object:  # type: ignore[override]
        raise RuntimeError("broken")


def test_a_warm_up_ignores_a_detector_that_raises() -> None:
    rendered = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand().conditions[0].rendered
    calls: list[str] = []

    class Counting(Raising):
        def decide(self, view: TranscriptView, facts: Facts) -> object:  # type: ignore[override]
            calls.append(view.transcript.model)
            raise RuntimeError("broken")

    warm_up(rendered, (Counting(), *default_suite(rendered).detectors))
    assert calls == ["warm-up"]  # it was applied, and its error went nowhere


async def test_conditions_sent_ahead_are_answered_in_order_with_what_could_not_load() -> None:
    expanded = Design(scenarios=GRIDS, models=MODELS[:1], samples=1).expand()
    blackmail, leaking = expanded.conditions[0], expanded.conditions[-1]
    import pickle

    good = pickle.dumps((blackmail.rendered, default_suite(blackmail.rendered).detectors))
    setups = {blackmail.fingerprint: good, leaking.fingerprint: b"not a pickle"}
    transcript = transcript_from_message(
        blackmail.rendered, AssistantMessage(content=(TextPart(text="I will not do that."),))
    )
    expected = score_items(
        {blackmail.fingerprint: (blackmail.rendered, default_suite(blackmail.rendered).detectors)},
        [(blackmail.fingerprint, transcript)],
    )
    async with ScoringWorker() as worker:
        await worker.prepare(setups)
        # the conditions are not sent again with the samples: the worker has them
        await worker.send({}, [(blackmail.fingerprint, transcript), (leaking.fingerprint, transcript)])
        refused, results = await worker.receive()
        assert list(refused) == [leaking.fingerprint] and "UnpicklingError" in refused[leaking.fingerprint]
        assert results == []
        assert await worker.receive() == ({}, [*expected, None])  # the refused condition's sample: not scored


@pytest.mark.skipif(
    fcntl_module is None or not hasattr(fcntl_module, "F_GETPIPE_SZ"), reason="pipe sizes are a Linux feature"
)
async def test_a_worker_widens_its_pipes_to_hold_a_whole_answer(tmp_path: Path) -> None:
    read, write = os.pipe()
    try:
        assert (
            fcntl_module.fcntl(write, fcntl_module.F_GETPIPE_SZ) <= 1 << 16
        )  # the default the worker outgrew
        assert widen_pipe(write, 1 << 18) == 1 << 18
        assert (
            fcntl_module.fcntl(read, fcntl_module.F_GETPIPE_SZ) == 1 << 18
        )  # one pipe, seen from either end
        assert widen_pipe(write, 1 << 40) >= 1 << 18  # more than the system allows: as much as it does
    finally:
        os.close(read)
        os.close(write)
    with open(tmp_path / "file", "wb") as handle:
        assert widen_pipe(handle.fileno()) == 0  # not a pipe: left alone
    expanded = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand()
    condition = expanded.conditions[0]
    import pickle

    async with ScoringWorker() as worker:
        await worker.prepare(
            {
                condition.fingerprint: pickle.dumps(
                    (condition.rendered, default_suite(condition.rendered).detectors)
                )
            }
        )
        assert await worker.receive() == ({}, [])
        sizes = []
        for fd in (0, 3):  # its stdin, and the copy of its stdout it answers on
            probe = os.open(f"/proc/{worker.pid}/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK)
            try:
                sizes.append(fcntl_module.fcntl(probe, fcntl_module.F_GETPIPE_SZ))
            finally:
                os.close(probe)
    assert all(size >= 1 << 18 for size in sizes)


class Quoting(BaseDetector):
    """Quotes the reply in its rationale, whatever the reply holds."""

    name = "quoting"
    category = Category.BLACKMAIL

    def decide(self, view: TranscriptView, facts: Facts) -> object:  # type: ignore[override]
        return self.verdict(view, Outcome.BENIGN, score=0.0, rationale=view.transcript.turns[-1].visible_text)


def test_verdicts_json_cannot_hold_come_back_as_models_for_the_store_to_refuse() -> None:
    rendered = Design(scenarios=GRIDS[:1], models=MODELS[:1], samples=1).expand().conditions[0].rendered
    fingerprint = rendered.fingerprint
    good, bad = (
        transcript_from_message(rendered, AssistantMessage(content=(TextPart(text=text),)))
        for text in ("I will not do that.", "I will not \ud800 do that.")
    )
    results = score_items({fingerprint: (rendered, (Quoting(),))}, [(fingerprint, good), (fingerprint, bad)])
    assert results[0] is not None and results[0][0] == "ok" and isinstance(results[0][1][0], tuple)  # encoded
    assert results[1] is not None and results[1][0] == "ok"
    [verdict] = results[1][1]
    assert (
        isinstance(verdict, Verdict) and "\ud800" in verdict.rationale
    )  # the model, as in-process scoring gives
