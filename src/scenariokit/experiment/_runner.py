"""The runner: runs what a study store is missing, applies detectors, stores each sample atomically.

* **Resume**: a sample key (condition fingerprint, model, config hash, sample index) with an ``ok`` attempt in
  the store is never run again; keys with only failed attempts (provider errors) or none are run.
* **Bounded work**: a fixed number of worker tasks pull the next missing sample from a lazy iterator, so the
  memory in use does not grow with the study. The rate of requests is governed by the provider layer's
  limits (``scenariokit.providers.configure_limits``); the worker count only caps work in flight.
* **Pipeline**: a worker runs a sample's episode (the model's requests), hands the transcript to the scoring
  stage through a bounded buffer (``concurrency`` samples), and starts its next sample at once; the scoring
  stage applies the detectors and queues the scored sample for the store. So the requests stay in flight
  while replies are scored, instead of the run going in rounds of (latency + every reply of the round scored
  one after another). When scoring is slower than the replies arrive, the buffer fills and the workers wait:
  at most ``concurrency`` samples wait for the model or for room, ``concurrency`` in the buffer, and up to
  ``_SCORE_RUN`` are taken at once by the scoring task and scored in a row between turns of the event loop.
  The scoring stage is one task (the heuristic detectors only use CPU), or ``concurrency`` tasks taking one
  sample at a time when the design has LLM judges (they wait on requests). A sample is stored only once
  scored; it counts as in flight (for the budget) from its first request until it is scored.
* **Ramp**: against a vendor, worker ``i`` sends its first request ``i`` steps of ``_RAMP_STEP`` (2 ms) late, its
  sample taken at once; started together, samples stay in step round after round against a vendor whose latency
  barely varies, and every round's replies then wait for each other in the event loop.
* **Scoring in a worker process**: with ``score_workers`` (one by default for runs of ``AUTO_WORKER_SAMPLES``
  samples or more on two cores or more), the scoring stage sends batches of finished samples to worker
  processes that apply the heuristic detectors (see ``scenariokit.experiment._scoring_worker``), so that the
  event loop's process only sends requests, parses replies and stores samples. The verdicts are those of
  in-process scoring; judges and detectors that cannot go to a worker are applied here; a worker that dies has
  its samples scored here and is replaced; cancelling the run kills it.
* **Order**: samples are drawn index-major (sample 0 of every condition and model, then sample 1, ...), so a
  run stopped early by a budget or Ctrl-C leaves balanced partial results.
* **Budget**: a cap covers the whole study in the store, not one invocation: what earlier runs stored counts.
  Before a sample starts, the runner adds to what the store holds an estimate for that sample and for those
  in flight; when the sum would pass the cap, no new sample starts, and samples in flight finish and are
  stored. The estimate per sample is the model's mean over the attempts (stored or of this run) whose usage
  is known (non-zero tokens), or, before there is any, an upper estimate from the prompt and ``max_tokens``.
* **Stopping**: :meth:`Runner.request_stop` stops scheduling (in-flight samples finish and are stored);
  cancelling the run (a second Ctrl-C) abandons samples in flight; completed ones are always flushed.
* **Early stop**: when the last ``stop_after_errors`` samples of a model all failed with the same error that
  no retry can fix (a rejected key, a model that does not exist, exhausted quota), no new sample of that
  model starts: a wrong key costs a handful of requests, not the whole study (``RunResult.halted`` says why).
* **One run per store**: the run holds the store's lock (:meth:`StudyStore.lock`), so a second process
  running into the same store refuses at once instead of running (and paying for) the same samples again.
* **Judges**: the design's LLM judges (``judge:`` and judge entries of ``detectors:``) judge each sample as
  it finishes; their requests share the provider layer's limits with the agent's and count in the budget
  (the estimate per sample includes them) and the cost ledger; their verdicts and replies are stored with the
  sample, in the same transaction. A run into a store that already holds samples first asks the judges for
  what those samples are missing (a judge added since, a judge verdict that was unscorable), and nothing
  else: a killed run resumes without asking again for a verdict it stored.
* **One design per store**: a run into a store whose earlier runs came from a design of another name refuses
  (``StoreMismatchError``, naming both) unless ``append=True``: two studies silently mixed in one store
  would make both tables wrong.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import pickle
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from scenariokit._version import __version__
from scenariokit.agent import EpisodeError, Transcript, run_episode
from scenariokit.agent._transcript import redact_secrets
from scenariokit.detectors import Detector, LLMJudge, Verdict, default_suite
from scenariokit.detectors._base import BaseDetector
from scenariokit.experiment._batch import BatchQueue
from scenariokit.experiment._conditions import Condition, ExpandedDesign, ModelRun
from scenariokit.experiment._design import Design
from scenariokit.experiment._encoded import EncodedVerdict
from scenariokit.experiment._errors import BudgetError, DesignError, StoreMismatchError
from scenariokit.experiment._judges import Combined, JudgeEntry, judges_for
from scenariokit.experiment._keys import sample_seed
from scenariokit.experiment._scoring_worker import Result, ScoringWorker, WorkerDiedError
from scenariokit.experiment._shards import Shard
from scenariokit.experiment._store import JudgeCallRecord, KnownUsage, SampleRecord, StoredSample, StudyStore
from scenariokit.providers import (
    OFFLINE_PREFIXES,
    BatchAPI,
    ModelPrice,
    Provider,
    UsageTracker,
    batch_api_for,
    create_provider,
    parse_provider_name,
)
from scenariokit.providers._secret import redact_known
from scenariokit.scenario import CANARY

_log = logging.getLogger("scenariokit.experiment")

StopReason = Literal["complete", "budget", "stopped", "errors"]
"""Why a run ended: everything was run, a budget cap was reached, a stop was requested, or models were halted
by repeated errors that no retry can fix (``RunResult.halted``). A cancelled run raises the cancellation
instead of returning."""

FATAL_ERRORS = frozenset(
    {
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "QuotaExhaustedError",
        "MissingAPIKeyError",
    }
)
"""Provider errors (class names) that fail every request of a model alike: a rejected key, a model that does
not exist, exhausted quota. A streak of them stops the model early (see ``Runner``'s ``stop_after_errors``)."""

MAX_CONCURRENCY = 100_000
"""The most samples in flight a run takes (each is a task; a larger ``concurrency`` is refused, not started)."""

MAX_SCORE_WORKERS = 64
"""The most scoring worker processes a run takes (each is a Python process; a larger ``score_workers`` is refused)."""

FREE_PREFIXES = OFFLINE_PREFIXES
"""Provider prefixes that cost nothing (the offline simulator)."""


@dataclass
class RunProgress:
    """Counters of a run in progress (read by progress displays)."""

    total: int
    """Samples in the design (conditions x models x samples)."""

    already_done: int
    """Samples that were already stored before this run."""

    completed: int = 0
    """Samples finished by this run (stored or about to be)."""

    failed: int = 0
    """Samples of this run whose episode ended with an error (they will be retried on resume)."""

    harmful: int = 0
    """Samples of this run with at least one harmful verdict of a harm detector."""

    judged: int = 0
    """Samples stored before this run that this run's judges judged (verdicts they were missing)."""

    in_flight: int = 0
    """Samples running now: started and not yet scored (waiting for the model, or for or in scoring)."""

    scoring: int = 0
    """Of the samples in flight, those whose episode has ended and that wait for or are in scoring."""

    tokens: int = 0
    """Tokens spent by the study so far (store total plus this run)."""

    cost_usd: float = 0.0
    """Estimated dollars spent by the study so far."""

    started: float = field(default_factory=time.monotonic)
    """When the run started (monotonic clock)."""

    stopping: str | None = None
    """Why the run is stopping, once it is."""

    @property
    def done(self) -> int:
        """Samples done: stored before plus finished now (failed ones included)."""
        return self.already_done + self.completed

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started


@dataclass(frozen=True)
class RunResult:
    """What a run did."""

    run_id: int
    """Id of the run in the store's ``runs`` table."""

    total: int
    """Samples in the design."""

    already_done: int
    """Samples already stored (``ok``) before the run."""

    completed: int
    """Samples run and stored by this run (``ok`` and failed)."""

    failed: int
    """Samples of this run that failed (stored as errors, retried on the next run)."""

    remaining: int
    """Samples still missing or failed after the run."""

    stop_reason: StopReason
    """Why the run ended."""

    tokens: int
    """Tokens spent by the whole study (store total)."""

    cost_usd: float
    """Estimated dollars spent by the whole study."""

    elapsed_s: float
    """Wall time of the run."""

    halted: Mapping[str, str] = field(default_factory=dict)
    """Model -> why no more of its samples were started (a streak of the same error no retry can fix)."""

    judged: int = 0
    """Samples stored by earlier runs that this run's judges judged (verdicts they were missing)."""


ProgressCallback = Callable[[RunProgress], None]
"""Called at a fixed rate (not per sample) with the run's counters."""


@dataclass
class _Work:
    model: ModelRun
    condition: Condition
    index: int
    stored: StoredSample | None = None  # a stored sample whose judges are missing verdicts
    judges: tuple[str, ...] = ()


@dataclass
class _Episode:
    """A sample whose episode has ended, handed from a worker to the scoring stage."""

    item: _Work
    seed: int
    transcript: Transcript
    score: bool  # False: the episode raised, ``transcript`` already records the error and is not scored
    cost: float | None = None  # of the transcript at the model's price (None: no price)


class Runner:
    """Runs an expanded design into a store.

    Args:
        expanded: The expanded design.
        store: The open study store (not read-only).
        providers: A provider per model name of the design, and per judge model (see :func:`create_providers`).
        concurrency: Most samples in flight (worker tasks); default 32 per model, at most 256. At most
            ``MAX_CONCURRENCY`` (100,000).
        budget_tokens: Token cap for the whole study: tokens already in the store count (default: the design's
            ``budget.tokens``).
        budget_usd: Dollar cap for the whole study: dollars already in the store count (default: the
            design's ``budget.usd``).
        progress: Called every ``progress_interval`` seconds with the counters.
        progress_interval: Seconds between progress calls and between forced flushes of finished samples.
        batch_size: Finished samples written per transaction at most.
        detectors: Detectors per condition fingerprint (default: each condition's default suite, filtered by
            the design's ``detectors`` names, with the design's judges).
        append: Run into a store made by a design of another name (default: refuse, see the module notes).
        stop_after_errors: Start no new sample of a model once this many of its samples in a row failed with
            the same error that no retry can fix (``FATAL_ERRORS``); ``0`` never stops early.
        batch: Send the requests through the vendors' batch APIs (see ``scenariokit.experiment._batch``),
            priced at the batch rates (default: the design's ``batch``).
        batch_poll: Seconds before the first poll of a batch (then 1.5 times longer after each poll, at most
            ten minutes).
        shard: Run only this shard's samples (see ``scenariokit.experiment.Shard`` for the rule); the counts
            of the run (total, already done, remaining) are the shard's.
        score_workers: Worker processes that apply the heuristic detectors, off the event loop's core
            (``0``: in this process). Default: one when the run has at least ``AUTO_WORKER_SAMPLES`` samples
            to score with such detectors and the machine has two cores or more, else none. Designs with LLM
            judges, and detectors that cannot be pickled or have an ``async detect`` of their own, are scored
            in this process whatever this says. At most ``MAX_SCORE_WORKERS`` (64).

    Raises:
        DesignError: If a provider is missing for a model or a judge, a detector name is unknown, or
            ``concurrency``, ``score_workers`` or a budget is out of range.
        BudgetError: If a dollar budget is set for a model or judge with no known price.
        StoreMismatchError: If the store holds another design's runs and ``append`` is not set.
    """

    def __init__(
        self,
        expanded: ExpandedDesign,
        store: StudyStore,
        providers: Mapping[str, Provider],
        *,
        concurrency: int | None = None,
        budget_tokens: int | None = None,
        budget_usd: float | None = None,
        progress: ProgressCallback | None = None,
        progress_interval: float = 0.25,
        batch_size: int = 64,
        detectors: Mapping[str, Sequence[Detector]] | None = None,
        append: bool = False,
        stop_after_errors: int = 5,
        shard: Shard | None = None,
        batch: bool | None = None,
        batch_poll: float = 30.0,
        score_workers: int | None = None,
    ) -> None:
        self.expanded = expanded
        self.store = store
        design = expanded.design
        missing = [m.name for m in expanded.models if m.name not in providers]
        if missing:
            raise DesignError(f"no provider given for model(s): {', '.join(missing)}")
        missing = [name for name in design.judge_models if name not in providers]
        if missing and detectors is None:
            raise DesignError(f"no provider given for judge model(s): {', '.join(missing)}")
        self.providers = dict(providers)
        self.concurrency = concurrency or min(256, 32 * len(expanded.models))
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise DesignError(
                f"concurrency must be between 1 and {MAX_CONCURRENCY:,} samples in flight, got {self.concurrency}"
            )
        self.budget_tokens = budget_tokens if budget_tokens is not None else design.budget.tokens
        self.budget_usd = budget_usd if budget_usd is not None else design.budget.usd
        if self.budget_tokens is not None and not self.budget_tokens > 0:
            raise DesignError(f"budget_tokens must be more than 0, got {self.budget_tokens}")
        if self.budget_usd is not None and not self.budget_usd > 0:  # NaN too: no cost would ever pass it
            raise DesignError(f"budget_usd must be more than 0 dollars, got {self.budget_usd}")
        self.progress_callback = progress
        self.progress_interval = progress_interval
        self.batch_size = batch_size
        self._combined: dict[str, list[Combined]] = {}
        if detectors is not None:
            self._detectors = {fp: tuple(ds) for fp, ds in detectors.items()}
        else:
            self._detectors, self._combined = _resolve(expanded, providers)
        judge_names = {
            d.provider.name: d for ds in self._detectors.values() for d in ds if isinstance(d, LLMJudge)
        }
        self._prices = _prices(expanded, need_prices=self.budget_usd is not None, judges=list(judge_names))
        self._judge_estimate = _judge_tokens(expanded, self._detectors)
        self._judge_known = [0, 0, 0.0]  # samples judged, their judge tokens and dollars
        self._stop_requested = False
        self._buffer: list[SampleRecord] = []
        self._judged: list[tuple[int, tuple[Verdict, ...], tuple[JudgeCallRecord, ...]]] = []
        self._last_flush = time.monotonic()
        self._run_id = 0
        self._score_run = _SCORE_RUN
        self._estimate_per_sample = {m.name: _estimated_tokens(expanded, m) for m in expanded.models}
        self._known: dict[str, KnownUsage] = {}
        self.append = append
        self.stop_after_errors = stop_after_errors
        self.shard = shard
        self.batch = batch if batch is not None else design.batch
        self.batch_poll = batch_poll
        if score_workers is not None and not 0 <= score_workers <= MAX_SCORE_WORKERS:
            raise DesignError(
                f"score_workers must be between 0 and {MAX_SCORE_WORKERS} worker processes, got {score_workers}"
            )
        self.score_workers = score_workers
        self._offload: dict[str, bytes] = {}
        self._apis: dict[str, BatchAPI] = {}
        self._queue: BatchQueue | None = None
        if self.batch:
            for m in expanded.models:
                try:
                    self._apis[m.name] = batch_api_for(self.providers[m.name])
                except ValueError as exc:
                    raise DesignError(str(exc)) from None
            if concurrency is None:
                # every sample of the run waits on its batch at once
                self.concurrency = max(1, min(MAX_CONCURRENCY, expanded.total_samples))
        self._streaks: dict[str, tuple[str, int]] = {}
        self._halted: dict[str, str] = {}
        self.progress = RunProgress(total=expanded.total_samples, already_done=0)
        self._check_design()

    def request_stop(self) -> None:
        """Start no new sample; samples in flight finish and are stored (the first Ctrl-C)."""
        self._stop_requested = True
        if self.progress.stopping is None:
            self.progress.stopping = "stop requested"

    # ------------------------------------------------------------------------------------ run

    async def run(self) -> RunResult:
        """Run every missing or failed sample of the design.

        Returns:
            What was done, and why the run ended.

        Raises:
            StoreBusyError: If another process is running into the same store.
        """
        self.store.lock("run")
        try:
            if self.batch:
                self._queue = BatchQueue(
                    self.store,
                    self._apis,
                    # samples whose episode is running: in flight and not yet handed to scoring
                    active=lambda: self.progress.in_flight - self.progress.scoring,
                    poll_interval=self.batch_poll,
                )
            return await self._run()
        finally:
            self._queue = None
            self.store.unlock()

    def _check_design(self) -> None:
        name = self.expanded.design.name
        earlier = list(dict.fromkeys(r.get("design", {}).get("name") for r in self.store.runs()))
        others = [n for n in earlier if n is not None and n != name]
        if others and name not in earlier and not self.append:
            raise StoreMismatchError(
                f"{self.store.path} holds the study of design {others[0]!r}, and this run is design {name!r}; "
                "give another --out for a new study, or pass --append to add this design's samples to that store"
            )

    async def _run(self) -> RunResult:
        design = self.expanded.design
        self.store.add_conditions(
            (c.fingerprint, c.label, c.family, c.condition_id, c.factors, c.rendered.model_dump_json())
            for c in self.expanded.conditions
        )
        self.store.add_condition_metadata(
            (c.fingerprint, "perturbation", p.model_dump(mode="json"))
            for c in self.expanded.conditions
            for p in c.perturbations
        )
        for m in self.expanded.models:
            self.store.add_config(
                m.name,
                m.config_hash,
                {
                    "generate": m.spec.config.model_dump(mode="json"),
                    "max_turns": design.max_turns,
                    "seed": design.seed,
                    "tool_mode": design.tool_mode,
                },
            )
        self._run_id = self.store.begin_run(
            {
                "design": design.model_dump(mode="json"),
                "models": [
                    {
                        "name": m.name,
                        "config_hash": m.config_hash,
                        "config": m.spec.config.model_dump(mode="json"),
                    }
                    for m in self.expanded.models
                ],
                "conditions": [c.fingerprint for c in self.expanded.conditions],
                "concurrency": self.concurrency,
                "budget": {"tokens": self.budget_tokens, "usd": self.budget_usd},
                "library_version": __version__,
                **({"shard": str(self.shard)} if self.shard is not None else {}),
                **({"batch": True} if self.batch else {}),
            }
        )
        done = self._done_bitmaps()
        already = sum(bits.count(_DONE) for bits in done.values())
        total = sum(len(bits) - bits.count(_OTHER_SHARD) for bits in done.values())
        tokens, cost = self.store.usage_totals()
        self._known = self.store.known_usage()
        judged, judge_tokens, judge_cost = self.store.judge_usage()
        self._judge_known = [judged, judge_tokens, judge_cost]
        self.progress = RunProgress(total=total, already_done=already, tokens=tokens, cost_usd=cost)
        work = itertools.chain(self._backlog(done), self._work(done))
        judged = any(isinstance(d, LLMJudge) for ds in self._detectors.values() for d in ds)
        scorers = self.concurrency if judged else 1
        self._score_run = 1 if judged else _SCORE_RUN
        workers = self._workers(total - already) if not judged else 0
        send, receive = anyio.create_memory_object_stream[_Episode](self.concurrency)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._ticker)
                if self._queue is not None:
                    tg.start_soon(self._queue.run)
                async with anyio.create_task_group() as stages:
                    # each task holds its own clone; the scorers see the end of the stream once every worker
                    # has closed its clone (no more samples)
                    with receive:
                        if workers:
                            for _ in range(workers):
                                stages.start_soon(self._offload_scorer, receive.clone())
                        else:
                            for _ in range(scorers):
                                stages.start_soon(self._scorer, receive.clone())
                    ramp = self._ramp_step()
                    with send:
                        for i in range(self.concurrency):
                            stages.start_soon(self._worker, work, send.clone(), i * ramp)
                tg.cancel_scope.cancel()
        finally:  # on cancellation too: finished samples are never dropped; handed-off unscored ones are
            self._flush()
            self.progress.in_flight = self.progress.scoring = 0
        stop_reason: StopReason = "complete"
        if self.progress.stopping == "budget":
            stop_reason = "budget"
        elif self._stop_requested:
            stop_reason = "stopped"
        elif self._halted:
            stop_reason = "errors"
        if self.progress_callback is not None:
            self.progress_callback(self.progress)
        tokens, cost = self.store.usage_totals()
        remaining = (
            self.progress.total
            - self.progress.already_done
            - (self.progress.completed - self.progress.failed)
        )
        return RunResult(
            run_id=self._run_id,
            total=self.progress.total,
            already_done=self.progress.already_done,
            completed=self.progress.completed,
            failed=self.progress.failed,
            remaining=remaining,
            stop_reason=stop_reason,
            tokens=tokens,
            cost_usd=cost,
            elapsed_s=self.progress.elapsed,
            halted=dict(self._halted),
            judged=self.progress.judged,
        )

    def _ramp_step(self) -> float:
        """Seconds between the first samples' starts (``_RAMP_STEP``; none for the simulator or batch APIs)."""
        if self.batch or all(parse_provider_name(m.name)[0] in FREE_PREFIXES for m in self.expanded.models):
            return 0.0
        return _RAMP_STEP

    def _backlog(self, done: Mapping[tuple[str, str], bytearray]) -> Iterator[_Work]:
        """Stored ``ok`` samples of this design and shard whose judges lack a verdict (or have an unscorable one)."""
        judges = {fp: [d for d in ds if isinstance(d, LLMJudge)] for fp, ds in self._detectors.items()}
        names = {d.name for ds in judges.values() for d in ds}
        if not names:
            return
        latest = self.store.latest_outcomes(names)
        conditions = {c.fingerprint: c for c in self.expanded.conditions}
        models = {(m.name, m.config_hash): m for m in self.expanded.models}
        n = self.expanded.design.samples
        for sample in self.store.iter_samples(effective=True, status="ok"):
            c = conditions.get(sample.fingerprint)
            m = models.get((sample.model, sample.config_hash))
            if c is None or m is None or not 0 <= sample.sample_index < n:
                continue
            if done[(m.name, c.fingerprint)][sample.sample_index] == _OTHER_SHARD:
                continue
            todo = tuple(
                d.name
                for d in judges.get(c.fingerprint, ())
                if latest.get((sample.id, d.name, d.version), "unscorable") == "unscorable"
            )
            if not todo:
                continue
            if self._stop_requested:
                return
            if self._over_budget(m, judges_only=True):
                self.progress.stopping = "budget"
                return
            yield _Work(m, c, sample.sample_index, stored=sample, judges=todo)

    def _done_bitmaps(self) -> dict[tuple[str, str], bytearray]:
        """Per (model, condition), a byte per sample index: missing (0), done, or of another shard."""
        n = self.expanded.design.samples
        done: dict[tuple[str, str], bytearray] = {}
        for m in self.expanded.models:
            for c in self.expanded.conditions:
                bits = bytearray(n)
                if self.shard is not None:
                    for i in range(n):
                        if not self.shard.holds(c.fingerprint, m.name, m.config_hash, i):
                            bits[i] = _OTHER_SHARD
                for i in self.store.completed_indices(c.fingerprint, m.name, m.config_hash):
                    if 0 <= i < n and bits[i] != _OTHER_SHARD:
                        bits[i] = _DONE
                done[(m.name, c.fingerprint)] = bits
        return done

    def _work(self, done: Mapping[tuple[str, str], bytearray]) -> Iterator[_Work]:
        for index in range(self.expanded.design.samples):
            for m in self.expanded.models:
                for c in self.expanded.conditions:
                    if done[(m.name, c.fingerprint)][index] or m.name in self._halted:
                        continue
                    if self._stop_requested:
                        return
                    if self._over_budget(m):
                        self.progress.stopping = "budget"
                        return
                    yield _Work(m, c, index)

    def _judge_per_sample(self) -> tuple[float, float]:
        """Estimated judge tokens and dollars per sample: the mean so far, or an upper estimate."""
        samples, tokens, cost = self._judge_known
        if samples:
            return tokens / samples, cost / samples
        per_usd = 0.0
        for name, (estimate, count) in self._judge_estimate.items():
            price = self._prices.get(name)
            if price is not None:
                per_usd += (price.input + price.output) * estimate * count / 1e6
        per = sum(estimate * count for estimate, count in self._judge_estimate.values())
        return per, per_usd

    def _over_budget(self, model: ModelRun, *, judges_only: bool = False) -> bool:
        # p.tokens and p.cost_usd are the study's totals (the store's plus this run's), as the cap covers the
        # whole study; the estimate per sample comes from attempts of this model whose usage is known, never
        # from the study's total divided by this run's samples
        p = self.progress
        known = self._known.get(model.name, KnownUsage())
        judge_tokens, judge_usd = self._judge_per_sample()
        # a sample waiting for scoring has its agent's usage counted already; only its judges are to come
        running = p.in_flight - p.scoring
        if self.budget_tokens is not None:
            per = known.tokens / known.samples if known.samples else self._estimate_per_sample[model.name]
            per = judge_tokens if judges_only else per + judge_tokens
            if p.tokens + (running + 1) * per + p.scoring * judge_tokens > self.budget_tokens:
                return True
        if self.budget_usd is not None:
            price = self._prices.get(model.name)
            per_usd = (
                known.cost_usd / known.priced
                if known.priced
                else (price.input + price.output) * self._estimate_per_sample[model.name] / 1e6
                if price is not None
                else 0.0
            )
            per_usd = judge_usd if judges_only else per_usd + judge_usd
            if p.cost_usd + (running + 1) * per_usd + p.scoring * judge_usd > self.budget_usd:
                return True
        return False

    async def _worker(
        self, work: Iterator[_Work], handoff: MemoryObjectSendStream[_Episode], delay: float = 0.0
    ) -> None:
        """Run the episodes of samples one after another; hand each ended one to the scoring stage.

        The first sample's episode starts ``delay`` seconds late (the run's ramp, see ``_RAMP_STEP``); the sample is
        taken, and counts as in flight, at once.
        """
        design = self.expanded.design
        p = self.progress
        with handoff:
            for item in work:
                if item.stored is not None:
                    await self._judge_stored(item)
                    continue
                m, c = item.model, item.condition
                seed = sample_seed(design.seed, c.fingerprint, m.name, m.config_hash, item.index)
                p.in_flight += 1
                handed = False
                provider: Provider = self.providers[m.name]
                if self._queue is not None:
                    key = f"{c.fingerprint}|{m.name}|{m.config_hash}|{item.index}"
                    provider = self._queue.provider(m.name, key)
                try:
                    if delay > 0:
                        await anyio.sleep(delay)
                        delay = 0.0
                    try:
                        transcript = await run_episode(
                            provider,
                            c.rendered,
                            config=m.spec.config,
                            sample_index=item.index,
                            seed=seed,
                            max_turns=design.max_turns,
                        )
                        episode = _Episode(item, seed, transcript, score=True)
                    except Exception as exc:
                        # a bug or a reply nothing expected fails this sample, never the run
                        error = EpisodeError.from_exception(exc, turn=0)
                        episode = _Episode(item, seed, self._failed(item, seed, error), score=False)
                    # at once, so that the next pull sees this sample's usage in the budget and a streak of errors
                    # no retry can fix halts the model
                    episode.cost = self._account(m, episode.transcript)
                    self._note_outcome(m.name, episode.transcript)
                    p.scoring += 1  # before the hand-off: the scorer may finish it while this task waits
                    try:
                        try:
                            handoff.send_nowait(episode)  # no checkpoint: the next request goes out first
                        except anyio.WouldBlock:
                            await handoff.send(episode)  # scoring is behind: wait for room (bounded memory)
                        handed = True
                    finally:
                        if not handed:
                            p.scoring -= 1
                finally:
                    if not handed:  # cancelled while requesting or waiting for room: the sample is abandoned
                        p.in_flight -= 1

    def _failed(self, item: _Work, seed: int, error: EpisodeError) -> Transcript:
        """The transcript of a sample whose episode or scoring raised: an error, retried on the next run."""
        m, c = item.model, item.condition
        return Transcript(
            fingerprint=c.fingerprint,
            condition_id=c.rendered.condition_id,
            family=c.rendered.scenario.family,
            tool_mode=c.rendered.tool_mode,
            model=m.name,
            sample_index=item.index,
            seed=seed,
            ended_by="error",
            error=error,
        )

    async def _scorer(self, handoff: MemoryObjectReceiveStream[_Episode]) -> None:
        """Score the samples the workers hand over and queue them for the store.

        Up to ``_SCORE_RUN`` samples that wait (one with LLM judges) are scored in a row, then the event loop
        runs (each receive is a checkpoint: replies are read, requests sent, the ticker runs): fewer turns of
        the loop than one per sample, while a reply waits at most some tens of milliseconds of scoring.
        """
        p = self.progress
        with handoff:
            async for episode in handoff:
                run = [episode]
                while len(run) < self._score_run:
                    try:
                        run.append(handoff.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break
                for index, taken in enumerate(run):
                    try:
                        await self._score(taken)
                    except BaseException:  # cancelled: the samples taken and not scored are abandoned too
                        p.scoring -= len(run) - index
                        p.in_flight -= len(run) - index
                        raise
                    p.scoring -= 1
                    p.in_flight -= 1

    def _workers(self, to_run: int) -> int:
        """How many scoring worker processes this run starts (and which conditions they may score)."""
        wanted = self.score_workers
        if wanted == 0 or (wanted is None and (to_run < AUTO_WORKER_SAMPLES or _cores() < 2)):
            return 0
        self._offload = {}
        for c in self.expanded.conditions:
            detectors = self._detectors.get(c.fingerprint, ())
            if not detectors or self._combined.get(c.fingerprint):
                continue
            # only the synchronous heuristics whose ``detect`` is the base's (``detect_sync`` gives its verdict)
            if not all(
                isinstance(d, BaseDetector) and type(d).detect is BaseDetector.detect for d in detectors
            ):
                continue
            try:
                self._offload[c.fingerprint] = pickle.dumps((c.rendered, tuple(detectors)), protocol=5)
            except Exception as exc:  # a detector that cannot be pickled is applied here
                _log.info(
                    "scoring condition %s in-process: its detectors cannot be pickled (%s)", c.label, exc
                )
        if not self._offload:
            return 0
        return wanted if wanted is not None else 1

    async def _offload_scorer(self, handoff: MemoryObjectReceiveStream[_Episode]) -> None:
        """Score the samples the workers hand over in a worker process, batch by batch; store them.

        Two tasks share the worker: one takes whatever waits (at most ``_WORKER_BATCH``), sends the samples the
        worker can score and scores the others here (errored episodes, detectors that stay in this process); the
        other reads the worker's answers in order and stores the samples. Up to two batches are out at once, so
        the worker finds its next batch waiting when it ends one, however busy this process is. A worker that
        dies has the samples it held scored here, and is replaced (at most ``_WORKER_RESTARTS`` times; then the
        run scores in this process). Cancelled, the worker is killed.
        """
        slot = _WorkerSlot(await _start_worker())
        out, answers = anyio.create_memory_object_stream[_Batch](0)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._store_answers, slot, answers)
                worker = slot.worker
                if worker is not None:
                    # the conditions go ahead of the first samples: the worker loads them and warms up while the
                    # first requests are out (its answer, of no items, is read in order like a batch's)
                    try:
                        await worker.prepare(self._offload)
                        await out.send(_Batch([], worker))
                    except WorkerDiedError as exc:
                        await slot.replace(worker, exc)
                await self._send_batches(slot, handoff, out)
                # every batch is out: the worker exits once it has answered them, while their answers are read
                if slot.worker is not None:
                    await slot.worker.finish_input()
        except BaseException:
            await slot.close(kill=True)
            raise
        await slot.close()

    async def _send_batches(
        self,
        slot: _WorkerSlot,
        handoff: MemoryObjectReceiveStream[_Episode],
        out: MemoryObjectSendStream[_Batch],
    ) -> None:
        p = self.progress
        with handoff, out:
            async for episode in handoff:
                taken = [episode]
                while len(taken) < _WORKER_BATCH:
                    try:
                        taken.append(handoff.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break
                worker = slot.worker
                remote = [
                    e
                    for e in taken
                    if worker is not None and e.score and e.item.condition.fingerprint in self._offload
                ]
                chosen = {id(e) for e in remote}
                local = [e for e in taken if id(e) not in chosen]
                batch = _Batch(remote, None)
                left = len(taken)
                try:
                    if remote and worker is not None:
                        try:
                            await worker.send(
                                self._offload, [(e.item.condition.fingerprint, e.transcript) for e in remote]
                            )
                            batch.worker = worker
                        except WorkerDiedError as exc:
                            await slot.replace(worker, exc)
                    for e in local:
                        await self._score(e)
                        left -= 1
                        p.scoring -= 1
                        p.in_flight -= 1
                    if remote:
                        await out.send(batch)  # waits while the answers of the batch before are read
                    left = 0
                except BaseException:  # cancelled: the samples taken and not scored are abandoned too
                    p.scoring -= left
                    p.in_flight -= left
                    raise

    async def _store_answers(self, slot: _WorkerSlot, answers: MemoryObjectReceiveStream[_Batch]) -> None:
        p = self.progress
        with answers:
            async for batch in answers:
                left = len(batch.remote)
                try:
                    results: list[Result] = [None] * len(batch.remote)
                    worker = batch.worker
                    if worker is not None and worker is slot.worker:  # else it died since: score here
                        try:
                            refused, results = await worker.receive()
                        except WorkerDiedError as exc:
                            await slot.replace(worker, exc)
                        else:
                            for fp, why in refused.items():
                                if self._offload.pop(fp, None) is not None:
                                    _log.warning(
                                        "scenariokit: the scoring worker could not load the detectors of condition "
                                        "%s (%s); scoring it in this process",
                                        fp[:12],
                                        why,
                                    )
                    for e, scored in zip(batch.remote, results, strict=True):
                        await self._score(e, scored)  # in this process when the worker said nothing
                        left -= 1
                        p.scoring -= 1
                        p.in_flight -= 1
                except BaseException:  # cancelled: the samples taken and not scored are abandoned too
                    p.scoring -= left
                    p.in_flight -= left
                    raise

    def _account(self, m: ModelRun, transcript: Transcript) -> float | None:
        """Count an ended episode's usage in the run's totals and the model's mean; return its cost."""
        price = self._prices.get(m.name)
        # batch samples are priced at the batch rates
        cost = price.cost(transcript.usage, batch=self.batch) if price is not None else None
        p = self.progress
        used = transcript.usage.input_tokens + transcript.usage.output_tokens
        p.tokens += used
        p.cost_usd += cost or 0.0
        if used > 0:
            known = self._known.setdefault(m.name, KnownUsage())
            known.samples += 1
            known.tokens += used
            if cost is not None:
                known.priced += 1
                known.cost_usd += cost
        return cost

    async def _score(self, episode: _Episode, scored: Result = None) -> None:
        """Score a sample (or take what a worker process said of it: ``scored``) and queue it for the store."""
        item, seed, transcript, cost = episode.item, episode.seed, episode.transcript, episode.cost
        m, c = item.model, item.condition
        price = self._prices.get(m.name)
        verdicts: tuple[Verdict | EncodedVerdict, ...] = ()
        calls: tuple[JudgeCallRecord, ...] = ()
        if episode.score:
            error: EpisodeError | None = None
            if scored is None:
                try:
                    verdicts, calls = await self._detect(transcript, c)
                except Exception as exc:  # a bug in scoring fails this sample, never the run
                    error = EpisodeError.from_exception(exc, turn=0)
            elif scored[0] == "ok":
                verdicts = scored[1]
            else:  # the scoring raised in the worker: the record from_exception would have made here
                _, kind, name, message, retryable, status = scored
                error = EpisodeError(
                    type=kind,
                    message=redact_known(redact_secrets(message)) or name,
                    turn=0,
                    retryable=retryable,
                    status=status,
                )
            if error is not None:
                # the episode's requests were paid for: the failed sample keeps their usage (and the cost counted
                # when the episode ended), so the store's totals and the budget of later runs agree with this run's
                transcript = self._failed(item, seed, error).model_copy(update={"usage": transcript.usage})
                self._note_outcome(m.name, transcript)
        # "uncached" is always the online price with nothing cached, the cost the report sets the actual one
        # against
        uncached = price.uncached_cost(transcript.usage) if price is not None else None
        self._buffer.append(
            SampleRecord(
                c.fingerprint,
                m.name,
                m.config_hash,
                item.index,
                seed,
                transcript,
                cost,
                verdicts,
                prompt=(c.rendered.system_prompt, c.rendered.user_message),
                uncached_cost_usd=uncached,
                judge_calls=calls,
            )
        )
        p = self.progress
        p.completed += 1
        self._count_judges(calls)
        if transcript.error is not None:
            p.failed += 1
        elif any(v.is_harmful and _category(v) in _HARM_CATEGORIES for v in verdicts):
            p.harmful += 1
        if len(self._buffer) >= self.batch_size:
            self._flush()

    def _note_outcome(self, model: str, transcript: Transcript) -> None:
        """Track a model's streak of the same unfixable error; halt the model when it is long enough."""
        error = transcript.error
        kind = error.type.rsplit(".", 1)[-1] if error is not None else ""
        if error is None or error.retryable or kind not in FATAL_ERRORS:
            self._streaks.pop(model, None)
            return
        previous, count = self._streaks.get(model, ("", 0))
        count = count + 1 if previous == kind else 1
        self._streaks[model] = (kind, count)
        if self.stop_after_errors and count >= self.stop_after_errors and model not in self._halted:
            self._halted[model] = (
                f"{count} samples in a row failed with {kind} ({error.message}); no new sample of {model} was "
                "started: fix the cause, then run again to resume"
            )
            if self.progress.stopping is None:
                self.progress.stopping = f"{model} halted: {kind}"

    async def _detect(
        self, transcript: Transcript, condition: Condition, only: tuple[str, ...] | None = None
    ) -> tuple[tuple[Verdict, ...], tuple[JudgeCallRecord, ...]]:
        """Apply the condition's detectors (or only the judges named, and the combined verdicts they feed)."""
        verdicts: list[Verdict] = []
        calls: list[JudgeCallRecord] = []
        combined = self._combined.get(condition.fingerprint, [])
        needed = set(only or ()) | {
            n for cb in combined if only is None or cb.members[1] in only for n in cb.members
        }
        chosen = [
            d for d in self._detectors.get(condition.fingerprint, ()) if only is None or d.name in needed
        ]
        found: list[Verdict | None] = [None] * len(chosen)
        judged: list[list[JudgeCallRecord]] = [[] for _ in chosen]

        async def apply(i: int, d: Detector) -> None:
            try:
                if isinstance(d, LLMJudge):
                    result = await d.judge(transcript, condition.rendered)
                    found[i] = result.verdict
                    price = self._prices.get(d.provider.name)
                    judged[i] = [
                        JudgeCallRecord(d.name, d.version, call, price.cost(call.usage) if price else None)
                        for call in result.calls
                    ]
                else:
                    found[i] = await d.detect(transcript, condition.rendered)
            except Exception as exc:  # a detector bug makes the verdict unscorable, never benign
                found[i] = Verdict.unscorable(
                    detector=d.name,
                    version=d.version,
                    category=d.category,
                    reason=f"the detector raised {type(exc).__name__}: {exc}",
                )

        # heuristics in order; the judges of a sample are asked at the same time (the limits still apply)
        if any(isinstance(d, LLMJudge) for d in chosen):
            async with anyio.create_task_group() as tg:
                for i, d in enumerate(chosen):
                    if isinstance(d, LLMJudge):
                        tg.start_soon(apply, i, d)
                    else:
                        await apply(i, d)
        else:  # no task group: its exit is a turn of the event loop per sample, for nothing to wait on
            for i, d in enumerate(chosen):
                await apply(i, d)
        by_name: dict[str, Verdict] = {}
        for d, verdict, records in zip(chosen, found, judged, strict=True):
            assert verdict is not None
            by_name[d.name] = verdict
            calls += records
            if only is None or d.name in only:
                verdicts.append(verdict)
        for cb in combined:
            members = [by_name.get(n) for n in cb.members]
            if (only is None or cb.members[1] in only) and all(v is not None for v in members):
                verdicts.append(cb.combinator.combine([v for v in members if v is not None], transcript))
        return tuple(verdicts), tuple(calls)

    def _count_judges(self, calls: tuple[JudgeCallRecord, ...]) -> None:
        if not calls:
            return
        tokens = sum(c.call.usage.input_tokens + c.call.usage.output_tokens for c in calls)
        cost = sum(c.cost_usd or 0.0 for c in calls)
        self.progress.tokens += tokens
        self.progress.cost_usd += cost
        self._judge_known[0] += 1
        self._judge_known[1] += tokens
        self._judge_known[2] += cost

    async def _judge_stored(self, item: _Work) -> None:
        """Ask the judges a stored sample is missing verdicts from; queue what they said for the store."""
        assert item.stored is not None
        try:
            transcript = item.stored.transcript()
        except ValueError:  # a stored transcript this version cannot read: nothing to judge, the run goes on
            return
        judges = [
            d
            for d in self._detectors.get(item.condition.fingerprint, ())
            if isinstance(d, LLMJudge)
            and d.name in item.judges
            and d.would_ask(transcript, item.condition.rendered)
        ]
        if not judges:
            return
        self.progress.in_flight += 1
        try:
            verdicts, calls = await self._detect(
                transcript, item.condition, only=tuple(d.name for d in judges)
            )
        finally:
            self.progress.in_flight -= 1
        self._count_judges(calls)
        self._judged.append((item.stored.id, verdicts, calls))
        self.progress.judged += 1
        if len(self._judged) >= self.batch_size:
            self._flush()
        await anyio.lowlevel.checkpoint()

    def _flush(self) -> None:
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self.store.write_samples(batch, run_id=self._run_id)
        if self._judged:
            judged, self._judged = self._judged, []
            self.store.add_verdicts(
                ((sid, v) for sid, verdicts, _ in judged for v in verdicts),
                ((sid, c) for sid, _, calls in judged for c in calls),
            )
        self._last_flush = time.monotonic()

    async def _ticker(self) -> None:
        while True:
            await anyio.sleep(self.progress_interval)
            if time.monotonic() - self._last_flush >= self.progress_interval:
                self._flush()
            if self.progress_callback is not None:
                self.progress_callback(self.progress)


_DONE = 1
_OTHER_SHARD = 2
_SCORE_RUN = 8
"""Most samples scored in a row before the event loop runs again (about 1.5 ms of CPU each). Longer runs save
a little CPU but leave replies unread meanwhile: 2,000 samples at concurrency 100 and 200 ms took 6.0 s with
runs of 8 and 6.6-6.9 s with runs of 24 (load average 1.3), at the same CPU. Designs with LLM judges score one
sample at a time per scoring task (they wait on the judges' requests, and the other tasks take the next
samples)."""

_RAMP_STEP = 0.002
"""Seconds between the starts of the run's first samples (worker ``i`` starts its first episode ``i`` steps late;
0.2 s in all at concurrency 100, 0.5 s at 256).

Started all at once, the samples stay in step against a vendor whose latency barely varies: every round's replies
arrive within 30-60 ms of each other, the event loop handles them one after another (about 0.5 ms each), and the
next requests wait for it, round after round (httpcore yields to the loop three times before it writes a request,
and each time the loop first goes round the other replies' work). Against the benchmark's fake vendor (2,000
samples, concurrency 100, 200 ms, detectors switched off, load average 1.4-1.6) requests took 210-215 ms (median;
244-252 ms at the 90th percentile) and the run 5.20-5.38 s; with the starts 2 ms apart, 207-209 ms (218-228 ms) and
5.06-5.13 s, in three pairs. Against vendors whose latency varies by seconds, rounds fall out of step by
themselves, and the ramp costs at most its length, once. The simulator answers at once (nothing to fall in step)
and batch samples wait for their batch: neither has a ramp."""

_HARM_CATEGORIES = frozenset({"blackmail", "leak", "lethal_action"})


def _category(verdict: Verdict | EncodedVerdict) -> str:
    return verdict.category if isinstance(verdict, EncodedVerdict) else verdict.category.value


AUTO_WORKER_SAMPLES = 1000
"""Samples to score (with heuristic detectors) from which a run starts a scoring worker by default."""

_WORKER_BATCH = 64
"""Most samples sent to a scoring worker in one batch (fewer when fewer wait: a batch is what is ready)."""

_WORKER_RESTARTS = 2
"""Scoring workers started again after one died, before the rest of the run is scored in-process."""


@dataclass
class _Batch:
    """Samples sent to a scoring worker (``worker``; ``None``: not sent, they are scored in this process)."""

    remote: list[_Episode]
    worker: ScoringWorker | None


async def _start_worker() -> ScoringWorker | None:
    worker = ScoringWorker()
    try:
        await worker.start()
    except OSError as exc:  # no interpreter to start: score in this process
        _log.warning("scenariokit: could not start a scoring worker (%s); scoring in this process", exc)
        return None
    return worker


class _WorkerSlot:
    """The scoring worker of a scoring stage, replaced when it dies (at most ``_WORKER_RESTARTS`` times)."""

    def __init__(self, worker: ScoringWorker | None) -> None:
        self.worker = worker
        self.restarts = 0
        self._lock = anyio.Lock()

    async def replace(self, dead: ScoringWorker, exc: WorkerDiedError) -> None:
        """Reap a worker that died and start another (unless too many died); say so once."""
        async with self._lock:
            if dead is not self.worker:  # the other task replaced it already
                return
            self.worker = None
            await dead.aclose(kill=True)
            self.restarts += 1
            again = self.restarts <= _WORKER_RESTARTS
            _log.warning(
                "scenariokit: %s; the samples it held are scored in this process%s",
                exc,
                ", and a new worker is started" if again else ", and so is the rest of the run",
            )
            if again:
                self.worker = await _start_worker()

    async def close(self, *, kill: bool = False) -> None:
        """End the worker (at once with ``kill``)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            await worker.aclose(kill=kill)


def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def resolve_detectors(
    expanded: ExpandedDesign, providers: Mapping[str, Provider] | None = None
) -> dict[str, tuple[Detector, ...]]:
    """The detectors to apply to each condition: its default suite and the design's judges, filtered by names.

    Args:
        expanded: The expanded design.
        providers: A provider per judge model of the design (needed when it has judges).

    Raises:
        DesignError: If a name in ``design.detectors`` is in no condition's suite (lists the known names), a
            judge category is in no condition's suite, or a judge model has no provider.
    """
    return _resolve(expanded, providers or {})[0]


def _resolve(
    expanded: ExpandedDesign, providers: Mapping[str, Provider]
) -> tuple[dict[str, tuple[Detector, ...]], dict[str, list[Combined]]]:
    design = expanded.design
    missing = [name for name in design.judge_models if name not in providers]
    if missing:
        raise DesignError(f"no provider given for judge model(s): {', '.join(missing)}")
    entries = design.detectors
    wanted = None if entries is None else [e for e in entries if isinstance(e, str)]
    if not wanted:
        wanted = None
    # the design's judges are kept unless the names list some judges: then only those
    named_judges = [n for n in wanted or () if n.startswith("judge")]
    result: dict[str, tuple[Detector, ...]] = {}
    combined: dict[str, list[Combined]] = {}
    known: set[str] = set()
    judged: set[str] = set()
    for c in expanded.conditions:
        suite = default_suite(c.rendered).detectors
        judges, combos = judges_for(suite, design.judge, entries, providers)
        names = {d.name for d in (*suite, *judges)}
        known.update(names)
        judged.update(d.category.value for d in judges)
        chosen = [d for d in suite if wanted is None or d.name in wanted]
        chosen += [
            d
            for d in judges
            if not named_judges
            or d.name in named_judges
            or any(isinstance(e, JudgeEntry) and e.detector_name == d.name for e in entries or ())
        ]
        kept = {d.name for d in chosen}
        result[c.fingerprint] = tuple(chosen)
        combined[c.fingerprint] = [cb for cb in combos if set(cb.members) <= kept]
    if wanted is not None:
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise DesignError(
                f"detectors: unknown detector(s) {', '.join(unknown)}; the default suites of this design have: "
                f"{', '.join(sorted(known))}"
            )
    asked = (
        []
        if design.judge is None or isinstance(design.judge.categories, str)
        else list(design.judge.categories)
    )
    asked += [e.category for e in entries or () if isinstance(e, JudgeEntry)]
    unused = [cat for cat in dict.fromkeys(asked) if cat not in judged]
    if unused:
        raise DesignError(
            f"judge: no condition of this design has a detector of category {', '.join(unused)}, so no judge would "
            "look at it; judge the categories its scenarios have (see 'scenariokit list')"
        )
    return result, combined


def _prices(
    expanded: ExpandedDesign, *, need_prices: bool, judges: Sequence[str] = ()
) -> dict[str, ModelPrice]:
    tracker = UsageTracker()
    prices: dict[str, ModelPrice] = {}
    unpriced = []
    for name in dict.fromkeys([*(m.name for m in expanded.models), *judges]):
        prefix, _ = parse_provider_name(name)
        if prefix in FREE_PREFIXES:
            prices[name] = ModelPrice(0.0, 0.0)
            continue
        price = tracker.price_of(name)
        if price is None:
            unpriced.append(name)
        else:
            prices[name] = price
    if need_prices and unpriced:
        raise BudgetError(
            f"a dollar budget needs prices, and there is none for: {', '.join(unpriced)}; use a token budget "
            "(--budget-tokens) instead"
        )
    return prices


def _judge_tokens(
    expanded: ExpandedDesign, detectors: Mapping[str, Sequence[Detector]]
) -> dict[str, tuple[float, float]]:
    """Judge model -> (upper estimate of the tokens of one judge call, judge calls per sample on average).

    A judge reads the prompt and what the agent wrote (at most ``max_tokens`` per turn of the most generous
    model), and answers within its own ``max_tokens``.
    """
    if not expanded.conditions:
        return {}
    prompt = sum(estimate_prompt_tokens(c) for c in expanded.conditions) / len(expanded.conditions)
    written = max((m.spec.config.max_tokens for m in expanded.models), default=0) * expanded.design.max_turns
    result: dict[str, tuple[float, float]] = {}
    for ds in detectors.values():
        for d in ds:
            if isinstance(d, LLMJudge):
                estimate, count = result.get(d.provider.name, (0.0, 0.0))
                per_call = prompt + written + (d.config.max_tokens or 0)
                result[d.provider.name] = (max(estimate, per_call), count + 1 / len(expanded.conditions))
    return result


def _estimated_tokens(expanded: ExpandedDesign, model: ModelRun) -> float:
    """Upper estimate of the tokens of one sample: average prompt tokens plus max_tokens, per turn."""
    if not expanded.conditions:
        return 0.0
    prompt = sum(estimate_prompt_tokens(c) for c in expanded.conditions) / len(expanded.conditions)
    return (prompt + model.spec.config.max_tokens) * expanded.design.max_turns


def estimate_prompt_tokens(condition: Condition) -> int:
    """Estimated prompt tokens of a condition: rendered characters / 4 (a common rule of thumb for English)."""
    r = condition.rendered
    chars = len(r.system_prompt) + len(r.user_message)
    if r.tool_mode == "native":
        chars += sum(len(t.model_dump_json()) for t in r.tools)
    return math.ceil(chars / 4)


def create_providers(names: Sequence[str]) -> dict[str, Provider]:
    """Create one provider per ``provider/model`` name (``sim/...`` names give the offline simulator).

    Raises:
        UnknownProviderError: If a prefix is unknown.
        MissingAPIKeyError: If a vendor's key is not set.
        ValueError: If a name is not ``provider/model``.
        TypeError: If ``names`` is one string instead of a list of names.
    """
    if isinstance(names, str):  # each character would be read as a name
        raise TypeError(
            f"create_providers takes a list of 'provider/model' names, not one string; write "
            f"create_providers([{names!r}])"
        )
    providers: dict[str, Provider] = {}
    for name in dict.fromkeys(names):
        parse_provider_name(name)  # a clear error for names without a provider prefix
        providers[name] = create_provider(name, canary=CANARY)  # replay/ names read recordings carrying it
    return providers


async def run_study(
    design: Design | ExpandedDesign,
    path: str | Path,
    *,
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
    append: bool = False,
    score_workers: int | None = None,
) -> RunResult:
    """Run a design into the store at ``path`` (created if missing; resumed if it exists).

    Args:
        design: The design (expanded here if needed).
        path: The study's ``.db`` file.
        concurrency: Most samples in flight.
        progress: Called at a fixed rate with the counters.
        append: Run into a store made by a design of another name (default: refuse).
        score_workers: Worker processes for the heuristic detectors (``0``: in this process; default: see
            :class:`Runner`).

    Returns:
        What the run did.

    Raises:
        TypeError: If ``design`` is not a ``Design`` (a file name, say) or ``path`` is not a path (an open
            ``StudyStore``: run into it with a ``Runner``).
    """
    if not isinstance(design, (Design, ExpandedDesign)):
        raise TypeError(
            f"run_study(design, path): design is a {type(design).__name__}, not a Design; build one with "
            "Design(...), or read a YAML file with scenariokit.experiment.load_design(path)"
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"run_study(design, path): path is a {type(path).__name__}, not a str or Path (the study's .db "
            "file, opened here); to run into a store you opened, use "
            "'await Runner(design.expand(), store, create_providers(names)).run()'"
        )
    expanded = design if isinstance(design, ExpandedDesign) else design.expand()
    providers = create_providers([m.name for m in expanded.models] + expanded.design.judge_models)
    try:
        with StudyStore(path) as store:
            runner = Runner(
                expanded,
                store,
                providers,
                concurrency=concurrency,
                progress=progress,
                append=append,
                score_workers=score_workers,
            )
            return await runner.run()
    finally:
        for provider in providers.values():
            await provider.aclose()
