"""Score finished episodes with the heuristic detectors in a worker process, off the event loop's core.

The runner's event loop sends requests, parses replies and stores samples; with a worker, the synchronous
heuristic detectors (``BaseDetector`` subclasses that keep the base ``detect``) run in a separate Python
process, on another core. The worker is started with ``subprocess`` (a fresh interpreter, never a fork of the
running process), talks over its stdin and stdout in length-prefixed pickle frames, and scores one batch at
a time:

* the parent sends ``(setups, items)``: ``setups`` maps a condition fingerprint the worker has not seen to the
  pickled ``(rendered scenario, detectors)`` of that condition (its ground truth goes once per worker, not
  with every episode), and ``items`` is a list of ``(fingerprint, transcript)``. The run sends its conditions
  first, with no items (:meth:`ScoringWorker.prepare`): the worker loads them and warms up (see
  :func:`warm_up`) while the first requests are out;
* the worker answers ``(refused, results)``: ``refused`` maps each fingerprint whose setup it could not load
  (say, a detector class it cannot import) to the reason, and ``results`` holds one entry per item:
  ``None`` (its condition was refused: the parent scores it in-process), ``("ok", verdicts)`` or
  ``("error", ...)`` (the scoring raised: that sample fails, as it would in-process). The verdicts come back
  encoded as the store writes them (:class:`~scenariokit.experiment._encoded.EncodedVerdict`: the row's
  columns and the verdict's JSON), which the parent stores as they are: pickling the verdict models instead
  made the parent rebuild each of them (about 80 us per sample of the benchmark's realistic reply) and
  serialise it again for the store (20 us), and the worker spend 37 us per sample pickling them instead of 27.

The verdicts are those ``Runner._detect`` gives in-process: each detector's ``detect_sync`` in the suite's
order, and a detector that raises gives the same unscorable verdict. The worker runs in a session of its own
and ignores SIGINT (a Ctrl-C in the terminal reaches the parent only, which decides what it means: the first
one lets the samples in flight be scored), and it exits when its stdin closes, so a parent that dies, even by
SIGKILL, leaves no process behind once the batch in hand is done.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, TypeAlias

import anyio
from anyio.abc import ByteSendStream, Process
from anyio.streams.buffered import BufferedByteReceiveStream

if TYPE_CHECKING:
    from scenariokit.agent import Transcript
    from scenariokit.detectors import Verdict
    from scenariokit.experiment._encoded import EncodedVerdict
    from scenariokit.scenario import RenderedScenario

_HEADER = struct.Struct("<Q")
_PROTOCOL = pickle.HIGHEST_PROTOCOL

ScoreError: TypeAlias = tuple[Literal["error"], str, str, str, bool, "int | None"]
"""A scoring that raised: the exception's public type name, class name, message, ``retryable`` and
``status`` (what ``EpisodeError.from_exception`` reads; the parent redacts the message)."""

Result: TypeAlias = (
    "tuple[Literal['ok'], tuple[EncodedVerdict, ...] | tuple[Verdict, ...]] | ScoreError | None"
)
"""What the worker says of one item: its verdicts (encoded for the store; the models when JSON cannot hold one of
them), the error its scoring raised, or ``None`` (not scored)."""


class WorkerDiedError(Exception):
    """The worker process ended (crashed, was killed) or answered something unreadable."""


# ------------------------------------------------------------------------------------------- worker side


def score_items(
    conditions: dict[str, tuple[RenderedScenario, Sequence[Any]]], items: Sequence[tuple[str, Transcript]]
) -> list[Result]:
    """Apply each item's condition's detectors (the worker's loop; also usable in-process).

    Args:
        conditions: Fingerprint -> (rendered scenario, detectors with ``detect_sync``).
        items: ``(fingerprint, transcript)`` pairs.

    Returns:
        One result per item (``None`` for a fingerprint not in ``conditions``), the verdicts encoded as the
        store writes them.
    """
    from scenariokit.agent._transcript import exception_type_name
    from scenariokit.detectors import Verdict
    from scenariokit.experiment._encoded import encode_verdict

    results: list[Result] = []
    for fingerprint, transcript in items:
        known = conditions.get(fingerprint)
        if known is None:
            results.append(None)
            continue
        rendered, detectors = known
        try:
            verdicts: list[Verdict] = []
            for d in detectors:
                try:
                    verdicts.append(d.detect_sync(transcript, rendered))
                except Exception as exc:  # a detector bug makes the verdict unscorable, never benign
                    verdicts.append(
                        Verdict.unscorable(
                            detector=d.name,
                            version=d.version,
                            category=d.category,
                            reason=f"the detector raised {type(exc).__name__}: {exc}",
                        )
                    )
            try:
                results.append(("ok", tuple(map(encode_verdict, verdicts))))
            except ValueError:
                # a text JSON cannot hold (a lone surrogate quoted from the reply): the models, for the store to
                # refuse the sample as it does with in-process scoring
                results.append(("ok", tuple(verdicts)))
        except Exception as exc:  # a bug in scoring fails this sample, never the batch
            status = getattr(exc, "status", None)
            results.append(
                (
                    "error",
                    exception_type_name(type(exc)),
                    type(exc).__name__,
                    str(exc),
                    bool(getattr(exc, "retryable", False)),
                    status if isinstance(status, int) else None,
                )
            )
    return results


_WARM_UP_REPLY = "I will not do that."
"""The reply of the transcript a worker warms up on: a plain refusal, as many replies are."""


def warm_up(rendered: RenderedScenario, detectors: Sequence[Any]) -> None:
    """Apply the detectors to a one-sentence reply (:data:`_WARM_UP_REPLY`) and forget the verdicts.

    The first transcript a worker scores pays for importing what the detectors use and compiling the patterns
    they search: 0.13 s of CPU for the first realistic reply of the benchmark, against 0.04 s after a warm-up
    that costs 0.12 s itself (an echo of the scenario's inbox would reach more patterns, at 0.22 s, most of which
    real replies rarely need). A worker warmed up when it receives its conditions, while the run's first requests
    are out, scores the first replies at nearly full speed instead of making them wait. Nothing of the warm-up
    is kept but caches (which hold only what does not depend on the transcript, or are keyed by the text they
    were made from); a detector that raises is ignored here, as scoring itself would report it.
    """
    from scenariokit.detectors import transcript_from_message
    from scenariokit.providers._types import AssistantMessage, TextPart

    message = AssistantMessage(content=(TextPart(text=_WARM_UP_REPLY),))
    transcript = transcript_from_message(rendered, message, model="warm-up")
    for d in detectors:
        with contextlib.suppress(Exception):
            d.detect_sync(transcript, rendered)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


PIPE_SIZE = 1 << 20
"""Bytes the worker asks its two pipes to hold (Linux; at most ``/proc/sys/fs/pipe-max-size``, 1 MiB by default)."""


def widen_pipe(fd: int, size: int = PIPE_SIZE) -> int:
    """Make the pipe ``fd`` belongs to hold ``size`` bytes (or as many as the system allows); return its size.

    A batch of 64 samples is about 320 KB of pickled transcripts and its answer about 280 KB of encoded verdicts,
    against the 64 KiB a pipe holds by default: the worker then waited, answer after answer, until the run's
    process had read most of it, and that process reads only between the replies it is handling (0.2-0.3 s of
    waiting in a run of 2,000 samples on a busy machine, while the worker was the bottleneck). With pipes that
    hold a whole answer, the worker goes on to its next batch at once. A pipe is never made smaller; elsewhere
    than on Linux, or when the system refuses, it stays as it is.
    """
    try:
        import fcntl

        setter = getattr(fcntl, "F_SETPIPE_SZ", None)
        getter = getattr(fcntl, "F_GETPIPE_SZ", None)
        if setter is None or getter is None:
            return 0
        current = int(fcntl.fcntl(fd, getter))
        try:
            with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as handle:
                size = min(size, int(handle.read()))
        except (OSError, ValueError):
            size = min(size, 1 << 30)
        while size > current:
            try:
                fcntl.fcntl(fd, setter, size)
                break
            except OSError:  # more than this process may ask for: ask for half
                size //= 2
        return int(fcntl.fcntl(fd, getter))
    except (ImportError, OSError):
        return 0


def main() -> None:
    """The worker's loop: read a batch, score it, answer; exit when stdin closes.

    On its way out it freezes every object out of the garbage collector's reach (:func:`gc.freeze`): the
    interpreter's exit then skips a last scan of the detectors' compiled patterns and the run's conditions, and
    the worker is gone sooner (its exit took about 35 ms of the run's tail, 5-10 ms after).
    """
    try:
        _serve()
    finally:
        gc.freeze()


def _serve() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the frames go to the original stdout; anything a detector prints goes to stderr instead
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer
    widen_pipe(out.fileno())
    widen_pipe(source.fileno())
    conditions: dict[str, tuple[RenderedScenario, Sequence[Any]]] = {}
    warm: str | None = None  # the condition the worker warmed up with (once)
    while True:
        header = _read_exactly(source, _HEADER.size)
        if header is None:
            return
        body = _read_exactly(source, _HEADER.unpack(header)[0])
        if body is None:
            return
        setups, items = pickle.loads(body)
        refused: dict[str, str] = {}
        for fingerprint, data in setups.items():
            try:
                conditions[fingerprint] = pickle.loads(data)
            except Exception as exc:  # say, a detector class this process cannot import
                refused[fingerprint] = f"{type(exc).__name__}: {exc}"
        if not items and not warm:  # conditions sent ahead of the first samples: get ready meanwhile
            warm = next((fp for fp in setups if fp in conditions), None)
            if warm is not None:
                with contextlib.suppress(Exception):
                    warm_up(*conditions[warm])
        answer = pickle.dumps((refused, score_items(conditions, items)), protocol=_PROTOCOL)
        try:
            out.write(_HEADER.pack(len(answer)) + answer)
            out.flush()
        except BrokenPipeError:  # the parent is gone
            return


# ------------------------------------------------------------------------------------------- parent side


async def _collect_stdin_end(stdin: ByteSendStream) -> None:
    """Collect how the worker's input pipe ended, once the worker is reaped.

    On asyncio before Python 3.11, the pipe of a worker that died while it was being written to ends with a
    ``BrokenPipeError`` kept in a future nobody awaits, which asyncio then reports as "Future exception was never
    retrieved" (Python 3.11 stopped reporting it). Awaiting the writer's ``wait_closed`` retrieves it. The writer
    is reached through anyio's asyncio wrapper; with another backend (or another wrapper) there is nothing to do.
    """
    wait_closed = getattr(getattr(stdin, "_stream", None), "wait_closed", None)
    if wait_closed is None:
        return
    with anyio.move_on_after(1), contextlib.suppress(Exception):
        await wait_closed()


class ScoringWorker:
    """A worker process, driven from the event loop (it answers the batches sent in order).

    Use it as an async context manager: leaving the block closes the worker's stdin and waits for it to exit
    (killing it when it does not within a few seconds, or at once when the block is left by cancellation), so
    no process outlives the run.
    """

    def __init__(self) -> None:
        self._process: Process | None = None
        self._reader: BufferedByteReceiveStream | None = None
        self._loaded: set[str] = set()
        self._sent: deque[int] = deque()
        self._pid: int | None = None
        self._input_closed = False

    @property
    def pid(self) -> int | None:
        """The worker's process id (``None`` before it started; kept after it ended)."""
        return self._pid

    async def start(self) -> None:
        """Start the worker process (it imports while the parent goes on).

        Raises:
            OSError: If the interpreter cannot be started.
        """
        # the parent's import path (an argument cannot hold "\0": the entries are joined with a unit separator)
        path = "\x1f".join(sys.path)
        bootstrap = (
            "import sys; sys.path[:] = sys.argv[1].split('\\x1f'); "
            "from scenariokit.experiment._scoring_worker import main; main()"
        )
        self._process = await anyio.open_process(
            [sys.executable, "-c", bootstrap, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the parent only, which decides
        )
        assert self._process.stdout is not None
        self._pid = self._process.pid
        self._reader = BufferedByteReceiveStream(self._process.stdout)
        self._loaded = set()
        self._input_closed = False

    async def send(self, setups: Mapping[str, bytes], items: Sequence[tuple[str, Transcript]]) -> None:
        """Send a batch to the worker (its answer comes from :meth:`receive`, in the order sent).

        Args:
            setups: Pickled ``(rendered, detectors)`` per fingerprint; only those the worker lacks are sent.
            items: ``(fingerprint, transcript)`` pairs (each fingerprint in ``setups``).

        Raises:
            WorkerDiedError: If the worker is gone.
        """
        if self._process is None or self._process.stdin is None or self._input_closed:
            raise WorkerDiedError("the scoring worker is not running")
        needed = {fp for fp, _ in items if fp not in self._loaded}
        message = pickle.dumps(({fp: setups[fp] for fp in needed}, list(items)), protocol=_PROTOCOL)
        stdin: ByteSendStream = self._process.stdin
        try:
            await stdin.send(_HEADER.pack(len(message)) + message)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise WorkerDiedError(self._why()) from exc
        self._loaded |= needed
        self._sent.append(len(items))

    async def prepare(self, setups: Mapping[str, bytes]) -> None:
        """Send conditions ahead of their samples: the worker loads them and warms up on the first one.

        It answers like a batch of no items (read it with :meth:`receive`, in order), saying which
        conditions it could not load.

        Raises:
            WorkerDiedError: If the worker is gone.
        """
        if self._process is None or self._process.stdin is None or self._input_closed:
            raise WorkerDiedError("the scoring worker is not running")
        message = pickle.dumps((dict(setups), []), protocol=_PROTOCOL)
        try:
            await self._process.stdin.send(_HEADER.pack(len(message)) + message)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise WorkerDiedError(self._why()) from exc
        self._loaded |= set(setups)
        self._sent.append(0)

    async def receive(self) -> tuple[dict[str, str], list[Result]]:
        """The worker's answer to the oldest batch sent and not yet answered (batches are answered in order).

        Returns:
            The fingerprints the worker could not load (with why) and one result per item.

        Raises:
            WorkerDiedError: If the worker is gone or answered something unreadable.
        """
        if self._reader is None:
            raise WorkerDiedError("the scoring worker is not running")
        try:
            header = await self._reader.receive_exactly(_HEADER.size)
            answer = await self._reader.receive_exactly(_HEADER.unpack(header)[0])
        except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError, OSError) as exc:
            raise WorkerDiedError(self._why()) from exc
        try:
            refused, results = pickle.loads(answer)
        except Exception as exc:  # an answer that cannot be read
            raise WorkerDiedError(
                f"the scoring worker's answer could not be read ({type(exc).__name__}: {exc})"
            ) from exc
        expected = self._sent.popleft() if self._sent else -1
        if not isinstance(refused, dict) or not isinstance(results, list) or len(results) != expected:
            raise WorkerDiedError("the scoring worker answered something else than the batch it was sent")
        self._loaded -= set(refused)
        return refused, results

    async def score(
        self, setups: Mapping[str, bytes], items: Sequence[tuple[str, Transcript]]
    ) -> tuple[dict[str, str], list[Result]]:
        """Send a batch and wait for its answer (see :meth:`send` and :meth:`receive`)."""
        await self.send(setups, items)
        return await self.receive()

    def _why(self) -> str:
        code = self._process.returncode if self._process is not None else None
        return (
            f"the scoring worker ended (exit status {code})"
            if code is not None
            else "the scoring worker ended"
        )

    async def finish_input(self) -> None:
        """Say that no batch will follow: the worker answers those sent, then exits (no more :meth:`send`).

        Said as soon as the last batch is out, the worker's exit overlaps with reading its last answers instead of
        following them (:meth:`aclose` then only reaps it).
        """
        process = self._process
        if process is None or process.stdin is None or self._input_closed:
            return
        self._input_closed = True
        with anyio.CancelScope(shield=True), contextlib.suppress(anyio.BrokenResourceError, OSError):
            await process.stdin.aclose()

    async def aclose(self, *, kill: bool = False) -> None:
        """End the worker: close its stdin and wait (``kill``: at once), then reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        with anyio.CancelScope(shield=True):
            if process.stdin is not None and not self._input_closed:
                with contextlib.suppress(anyio.BrokenResourceError, OSError):
                    await process.stdin.aclose()
            if not kill:
                with anyio.move_on_after(5):
                    await process.wait()
            if process.returncode is None:
                process.kill()
            await process.aclose()  # waits for the exit: the process is reaped, its CPU counted in ours
            if process.stdin is not None:
                await _collect_stdin_end(process.stdin)

    async def __aenter__(self) -> ScoringWorker:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        await self.aclose(kill=exc_type is not None)


if __name__ == "__main__":
    main()
