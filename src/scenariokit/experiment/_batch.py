"""Batch mode: the episodes of a run send their requests through the vendors' batch APIs.

Each sample's episode runs as in an online run, but its provider is a :class:`BatchQueue`'s stand-in: a
request is built by the vendor client's own code (fitted to the model, with its prompt-caching marks), given
a custom id, and waits. When every episode in flight is waiting (or no new request came for ``gather``
seconds), the queue submits the waiting requests, per model, in chunks under the vendor's limits, and polls
each open batch with a growing interval (``poll_interval`` times 1.5 after each poll, at most
``poll_max``). When a batch ends, its results are downloaded, written to the store, and handed to their
episodes, which go on: a multi-turn episode sends its next turn in the next batch.

**Kill and resume.** A submitted batch's id and custom ids are written to the store as soon as the vendor
returns the id, and every result as soon as it is downloaded (tables ``batch_jobs``, ``batch_ends``,
``batch_results``, append-only). A resumed run re-runs each unfinished episode from its first turn: a turn
whose request has a stored result gets it back at once (no request is sent twice), a turn whose request is in
a batch still open waits for that batch (polling resumes; nothing is resubmitted), and only the rest is
submitted. A custom id is made of the sample's key, the turn and a hash of the request body, so a resumed
episode that would send a different request never takes another's result. Only the moment between the
vendor's answer to a submission and the write of its id is unprotected: a kill there leaves that batch
unknown to the store, and its requests are submitted again on resume (paid twice, stored once).

**Failures.** A result that errored, expired or was canceled ends its sample with that error (stored as a
failed attempt, retried on the next run); a stored failed result is never reused. A batch that cannot be
submitted or polled (after the transport's retries) fails the samples waiting on it, the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import anyio

from scenariokit.experiment._store import StudyStore
from scenariokit.providers import (
    BatchAPI,
    BatchItemError,
    BatchResult,
    GenerateConfig,
    GenerateRequest,
    Message,
    ModelResponse,
    ProviderError,
    Tool,
)
from scenariokit.providers._base import JSONDict, encode_body

_log = logging.getLogger("scenariokit.batch")

_TABLES = """
CREATE TABLE IF NOT EXISTS batch_jobs (
    model TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    custom_ids TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    PRIMARY KEY (model, batch_id)
);
CREATE TABLE IF NOT EXISTS batch_ends (
    model TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    vendor_status TEXT NOT NULL,
    ended_at REAL NOT NULL,
    PRIMARY KEY (model, batch_id)
);
CREATE TABLE IF NOT EXISTS batch_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    ok INTEGER NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_results_id ON batch_results (model, custom_id);
"""


def custom_id(sample_key: str, turn: int, body: JSONDict) -> str:
    """The custom id of a turn's request: the sample key's hash, the turn, the body's hash (64 characters at most).

    Example:
        >>> custom_id("fp|model|cfg|3", 0, {"model": "m"})
        's5234b97abff3562497f8edd19b4db225-t0-548f58d1c36c715b'
    """
    key = hashlib.sha256(sample_key.encode()).hexdigest()[:32]
    digest = hashlib.sha256(encode_body(body)).hexdigest()[:16]
    return f"s{key}-t{turn}-{digest}"


@dataclass
class _Open:
    model: str
    custom_ids: list[str]
    interval: float
    next_poll: float
    waiters: dict[str, anyio.Event] = field(default_factory=dict)


@dataclass
class _Waiting:
    model: str
    custom_id: str
    body: JSONDict
    max_tokens: int
    event: anyio.Event
    result: BatchResult | None = None


class BatchQueue:
    """Collects the requests of a run's episodes into vendor batches (see the module notes).

    Args:
        store: The study store (batch ids and results are written to it).
        apis: The batch API per model name.
        active: How many episodes are in flight now (the queue submits once all of them wait).
        poll_interval: Seconds before the first poll of a batch.
        poll_max: Most seconds between two polls of a batch.
        gather: Seconds without a new request after which waiting requests are submitted anyway.
    """

    def __init__(
        self,
        store: StudyStore,
        apis: Mapping[str, BatchAPI],
        *,
        active: Callable[[], int],
        poll_interval: float = 30.0,
        poll_max: float = 600.0,
        gather: float = 1.0,
    ) -> None:
        self.store = store
        self.apis = dict(apis)
        self.active = active
        self.poll_interval = poll_interval
        self.poll_max = poll_max
        self.gather = gather
        self._pending: list[_Waiting] = []
        self._open: dict[str, _Open] = {}
        self._open_ids: dict[tuple[str, str], str] = {}
        self._waiting: dict[tuple[str, str], _Waiting] = {}
        self._last_request = time.monotonic()
        self.submitted = 0
        """Requests this run submitted."""
        self.reused = 0
        """Requests answered from results stored by an earlier run."""
        with store.transaction() as conn:
            for statement in _TABLES.split(";"):
                if statement.strip():
                    conn.execute(statement)
        self._load()

    def _load(self) -> None:
        conn = self.store._conn
        ended = set(conn.execute("SELECT model, batch_id FROM batch_ends").fetchall())
        now = time.monotonic()
        for model, batch_id, ids in conn.execute("SELECT model, batch_id, custom_ids FROM batch_jobs"):
            if (model, batch_id) in ended or model not in self.apis:
                continue
            cids = list(json.loads(ids))
            self._open[batch_id] = _Open(model, cids, self.poll_interval, now)  # poll at once on resume
            for c in cids:
                self._open_ids[(model, c)] = batch_id

    def _stored(self, model: str, cid: str) -> ModelResponse | None:
        row = self.store._conn.execute(
            "SELECT ok, result FROM batch_results WHERE model = ? AND custom_id = ? ORDER BY id DESC LIMIT 1",
            (model, cid),
        ).fetchone()
        if row is None or not row[0]:
            return None
        return ModelResponse.model_validate_json(row[1])

    # ------------------------------------------------------------------ the episodes' side

    def provider(self, model: str, sample_key: str) -> BatchSampleProvider:
        """The provider one sample's episode calls."""
        return BatchSampleProvider(self, model, sample_key)

    async def request(
        self, model: str, sample_key: str, turn: int, request: GenerateRequest
    ) -> ModelResponse:
        """Send one turn's request through a batch and wait for its result.

        Raises:
            ProviderError: The error of the request (refused, expired, canceled, not submitted).
        """
        api = self.apis[model]
        body = api.body(request)
        cid = custom_id(sample_key, turn, body)
        stored = self._stored(model, cid)
        if stored is not None:
            self.reused += 1
            return stored
        waiting = _Waiting(model, cid, body, request.config.max_tokens, anyio.Event())
        self._waiting[(model, cid)] = waiting
        batch_id = self._open_ids.get((model, cid))
        if batch_id is not None:
            self._open[batch_id].waiters[cid] = waiting.event
        else:
            self._pending.append(waiting)
            self._last_request = time.monotonic()
        try:
            await waiting.event.wait()
        finally:
            self._waiting.pop((model, cid), None)
        result = waiting.result
        assert result is not None
        if result.error is not None:
            raise result.error
        assert result.response is not None
        return result.response

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        """Submit and poll until cancelled (the runner cancels it when every episode has finished)."""
        while True:
            now = time.monotonic()
            if self._pending:
                quiet = now - self._last_request
                all_wait = len(self._waiting) >= self.active()
                if quiet >= self.gather or (all_wait and quiet >= 0.05):
                    await self._submit()
            due = [b for b, o in self._open.items() if o.next_poll <= now]
            for batch_id in due:
                await self._poll(batch_id)
            await anyio.sleep(0.02)

    async def _submit(self) -> None:
        pending, self._pending = self._pending, []
        by_model: dict[str, list[_Waiting]] = {}
        for w in pending:
            by_model.setdefault(w.model, []).append(w)
        for model, items in by_model.items():
            api = self.apis[model]
            index = {w.custom_id: w for w in items}
            try:
                most = max(w.max_tokens for w in items)
                chunks = list(api.chunks([(w.custom_id, w.body) for w in items], max_tokens=most))
            except ProviderError as exc:
                self._fail(items, exc)
                continue
            for chunk in chunks:
                waiting = [index[c] for c, _ in chunk]
                try:
                    batch_id = await api.submit(chunk)
                except ProviderError as exc:
                    self._fail(waiting, exc)
                    continue
                ids = [c for c, _ in chunk]
                with self.store.transaction() as conn:
                    conn.execute(
                        "INSERT INTO batch_jobs (model, batch_id, custom_ids, submitted_at) VALUES (?, ?, ?, ?)",
                        (model, batch_id, json.dumps(ids), time.time()),
                    )
                self.submitted += len(ids)
                _log.info("submitted batch %s of %d request(s) for %s", batch_id, len(ids), model)
                now = time.monotonic()
                self._open[batch_id] = _Open(
                    model,
                    ids,
                    self.poll_interval,
                    now + self.poll_interval,
                    {w.custom_id: w.event for w in waiting},
                )
                for c in ids:
                    self._open_ids[(model, c)] = batch_id

    def _fail(self, items: Sequence[_Waiting], error: ProviderError) -> None:
        for w in items:
            w.result = BatchResult(w.custom_id, None, error)
            w.event.set()

    async def _poll(self, batch_id: str) -> None:
        batch = self._open[batch_id]
        api = self.apis[batch.model]
        try:
            status = await api.poll(batch_id)
            if status.state == "ended":
                results = await api.results(status, batch.custom_ids)
        except ProviderError as exc:
            if exc.retryable:
                _log.warning("polling batch %s failed (%s); polling again later", batch_id, exc)
                batch.interval = min(self.poll_max, batch.interval * 1.5)
                batch.next_poll = time.monotonic() + batch.interval
                return
            # a refused key or a vanished batch: the samples waiting on it end with the error; the batch stays
            # open in the store, so a later run polls it again
            self._fail(
                [self._waiting[(batch.model, c)] for c in batch.waiters if (batch.model, c) in self._waiting],
                exc,
            )
            del self._open[batch_id]
            return
        if status.state != "ended":
            batch.interval = min(self.poll_max, batch.interval * 1.5)
            batch.next_poll = time.monotonic() + batch.interval
            return
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT INTO batch_results (model, custom_id, batch_id, ok, result) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        batch.model,
                        r.custom_id,
                        batch_id,
                        int(r.response is not None),
                        r.response.model_dump_json()
                        if r.response is not None
                        else json.dumps({"error": type(r.error).__name__, "message": str(r.error)}),
                    )
                    for r in results
                ],
            )
            conn.execute(
                "INSERT OR IGNORE INTO batch_ends (model, batch_id, vendor_status, ended_at) VALUES (?, ?, ?, ?)",
                (batch.model, batch_id, status.vendor_status, time.time()),
            )
        del self._open[batch_id]
        for c in batch.custom_ids:
            self._open_ids.pop((batch.model, c), None)
        for r in results:
            w = self._waiting.get((batch.model, r.custom_id))
            if w is not None:
                w.result = r
                w.event.set()
        # waiters of custom ids the batch did not report (a vendor bug): never left waiting
        for c in batch.waiters:
            w = self._waiting.get((batch.model, c))
            if w is not None and w.result is None:
                w.result = BatchResult(c, None, BatchItemError(f"batch {batch_id} has no result for {c}"))
                w.event.set()


class BatchSampleProvider:
    """The provider one sample's episode calls in batch mode: each turn goes through the :class:`BatchQueue`."""

    def __init__(self, queue: BatchQueue, model: str, sample_key: str) -> None:
        self._queue = queue
        self._model = model
        self._key = sample_key
        self._turn = 0

    @property
    def name(self) -> str:
        """``provider/model``."""
        return self._model

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Send the next turn through a batch and wait for its result."""
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        turn, self._turn = self._turn, self._turn + 1
        return await self._queue.request(self._model, self._key, turn, request)

    async def aclose(self) -> None:
        """Nothing to close (the vendor client is closed by its owner)."""

    async def __aenter__(self) -> BatchSampleProvider:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass
