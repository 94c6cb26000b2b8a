"""Where the wall time of ``scenariokit run`` goes: a timeline of one run against the local fake vendor.

Runs the same ``scenariokit run`` as ``bench_run.py`` (``--samples`` of the blackmail family on the fake OpenAI
server, ``--latency`` seconds per reply, ``--concurrency`` samples in flight) with time stamps logged in its
processes and in the server's, then prints:

- the run's steps: the interpreter up, the CLI entered, the ``run`` command entered (after its imports), the
  design expanded, the providers and the store made, the scoring worker started and warmed up, the first
  request, the last reply, the worker's last answer and exit, the report, the process's end;
- the first round: how many requests started within 5-100 ms of the first, and the TCP connects;
- the rounds: per request, its time from being handed to httpx to its reply's head (and the server's own time
  for it), and the samples' chains (a worker task runs samples one after another: the chain that ends last is
  the run's critical path, its requests plus the gaps between a reply and the next request);
- requests started and ended per 10 ms over a second of the run (rounds in step show as bursts).

The time stamps come from a ``sitecustomize`` module written to a temporary folder put first on ``PYTHONPATH``
of the run (and of its worker) only: it wraps a few functions of scenariokit, httpx, httpcore and anyio by name,
so it measures this version of them and may need updating when they change. It costs some CPU (a list append
per request, a file written at exit): compare its figures with each other, and take wall times from
``bench_run.py``. The ideal is ``samples x latency / concurrency`` (20 rounds of 200 ms by default).

Usage: ``python benchmarks/bench_timeline.py [--samples N] [--concurrency C] [--latency S]
[--reply echo|realistic] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run import API_KEY, REPLY, SERVER, compile_package, load_average, scenariokit_command

SITECUSTOMIZE = textwrap.dedent(
    '''
    """Time stamps of a scenariokit run (written by benchmarks/bench_timeline.py; measurement only)."""
    import asyncio
    import atexit
    import functools
    import os
    import sys
    import time

    OUT = os.environ["SK_TIMELINE"]
    EVENTS, REQUESTS, CONNECTS, WRITES = [], [], [], []


    def event(name, extra=""):
        EVENTS.append((time.time(), name, extra))


    event("interpreter up")


    def wrap(owner, attr, name):
        fn = getattr(owner, attr)
        if fn.__code__.co_flags & 0x80:  # a coroutine function

            @functools.wraps(fn)
            async def timed(*args, **kwargs):
                event(name + " >")
                try:
                    return await fn(*args, **kwargs)
                finally:
                    event(name + " <")

        else:

            @functools.wraps(fn)
            def timed(*args, **kwargs):
                event(name + " >")
                try:
                    return fn(*args, **kwargs)
                finally:
                    event(name + " <")

        setattr(owner, attr, timed)


    def cli_main(m):
        wrap(m, "main", "cli")


    def cli_run(m):
        for attr in ("_run", "_expand", "create_providers", "summarize", "render_terminal"):
            wrap(m, attr, attr.lstrip("_"))


    def runner(m):
        wrap(m.Runner, "__init__", "runner made")
        wrap(m.Runner, "_run", "runner")
        wrap(m._WorkerSlot, "close", "worker exit")


    def store(m):
        wrap(m.StudyStore, "__init__", "store opened")
        wrap(m.StudyStore, "close", "store closed")


    def worker(m):
        wrap(m.ScoringWorker, "start", "worker start")
        wrap(m, "main", "worker main")
        wrap(m, "warm_up", "worker warm-up")
        receive = m.ScoringWorker.receive

        async def received(self):
            answer = await receive(self)
            event("answer", str(len(answer[1])))
            return answer

        m.ScoringWorker.receive = received


    def httpx_(m):
        handle = m.AsyncHTTPTransport.handle_async_request

        async def handled(self, request):
            started, task = time.time(), id(asyncio.current_task())
            try:
                return await handle(self, request)
            finally:
                REQUESTS.append((started, time.time(), task))

        m.AsyncHTTPTransport.handle_async_request = handled


    def httpcore_anyio(m):
        connect = m.AnyIOBackend.connect_tcp

        async def connected(self, *args, **kwargs):
            started = time.time()
            try:
                return await connect(self, *args, **kwargs)
            finally:
                CONNECTS.append((started, time.time()))

        m.AnyIOBackend.connect_tcp = connected


    def anyio_asyncio(m):
        send = m.SocketStream.send

        async def sent(self, item):
            if len(item) > 1000:  # a request's body (the head goes in a write of its own)
                WRITES.append(time.time())
            return await send(self, item)

        m.SocketStream.send = sent


    PATCHES = {
        "scenariokit.cli._main": cli_main,
        "scenariokit.cli._run": cli_run,
        "scenariokit.experiment._runner": runner,
        "scenariokit.experiment._store": store,
        "scenariokit.experiment._scoring_worker": worker,
        "httpx": httpx_,
        "httpcore._backends.anyio": httpcore_anyio,
        "anyio._backends._asyncio": anyio_asyncio,
    }


    class Finder:
        def find_spec(self, name, path, target=None):
            if name not in PATCHES:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            execute, patch = spec.loader.exec_module, PATCHES[name]

            def exec_module(module):
                execute(module)
                patch(module)

            spec.loader.exec_module = exec_module
            return spec


    sys.meta_path.insert(0, Finder())


    @atexit.register
    def dump():
        event("exit")
        event("cpu", f"{time.process_time():.3f}")
        pid = os.getpid()
        with open(OUT, "a") as out:
            for t, name, extra in EVENTS:
                out.write(f"E\\t{pid}\\t{t:.6f}\\t{name}\\t{extra}\\n")
            for a, b, task in REQUESTS:
                out.write(f"R\\t{pid}\\t{a:.6f}\\t{b:.6f}\\t{task}\\n")
            for a, b in CONNECTS:
                out.write(f"C\\t{pid}\\t{a:.6f}\\t{b:.6f}\\n")
            for a in WRITES:
                out.write(f"W\\t{pid}\\t{a:.6f}\\n")
    '''
)

SERVER_WRAPPER = textwrap.dedent(
    """
    import atexit, os, sys, time
    sys.path.insert(0, {folder!r})
    import fake_vendor_server as server

    LOG = []
    dispatch = server.FakeVendorServer._dispatch

    async def timed(self, *args):
        started = time.time()
        try:
            return await dispatch(self, *args)
        finally:
            LOG.append((started, time.time()))

    server.FakeVendorServer._dispatch = timed

    @atexit.register
    def dump():
        with open(os.environ["SK_SERVER_TIMELINE"], "w") as out:
            out.writelines(f"{{a:.6f}}\\t{{b:.6f}}\\n" for a, b in LOG)

    server.main()
    """
)


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    at = lambda q: 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (
        f"median {at(0.5):.1f}, 90th percentile {at(0.9):.1f}, mean {1000 * statistics.fmean(ordered):.1f} ms"
    )


def one_run(args: argparse.Namespace, folder: Path) -> None:
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    wrapper = folder / "server.py"
    wrapper.write_text(SERVER_WRAPPER.format(folder=str(SERVER.parent)))
    client_log, server_log = folder / "client.tsv", folder / "server.tsv"
    command = [sys.executable, str(wrapper), "--latency", str(args.latency)]
    if args.reply == "realistic":
        command += ["--reply-file", str(REPLY)]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=dict(os.environ, SK_SERVER_TIMELINE=str(server_log))
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(
        os.environ,
        OPENAI_API_KEY=API_KEY,
        OPENAI_BASE_URL=f"http://127.0.0.1:{port}/openai/v1",
        SK_TIMELINE=str(client_log),
        PYTHONPATH=path,
    )
    load = load_average()
    try:
        started = time.time()
        run = subprocess.run(
            scenariokit_command(args.samples, args.concurrency, folder / "study.db"),
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
        )
        ended = time.time()
    finally:
        server.terminate()
        server.wait(10)
    if run.returncode != 0:
        raise SystemExit(f"scenariokit run failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    report(args, client_log, server_log, started, ended, f"{load} -> {load_average()}")


def report(
    args: argparse.Namespace, client_log: Path, server_log: Path, t0: float, t_end: float, load: str
) -> None:
    events: dict[tuple[int, str], list[tuple[float, str]]] = defaultdict(list)
    requests: list[tuple[float, float]] = []
    chains: dict[str, list[tuple[float, float]]] = defaultdict(list)
    connects: list[tuple[float, float]] = []
    writes: list[float] = []
    for line in client_log.read_text().splitlines():
        kind, pid, *rest = line.split("\t")
        if kind == "E":
            events[(int(pid), rest[1])].append((float(rest[0]) - t0, rest[2]))
        elif kind == "R":
            span = (float(rest[0]) - t0, float(rest[1]) - t0)
            requests.append(span)
            chains[rest[2]].append(span)
        elif kind == "C":
            connects.append((float(rest[0]) - t0, float(rest[1]) - t0))
        elif kind == "W":
            writes.append(float(rest[0]) - t0)
    pids = {pid for pid, _ in events}
    main = next(pid for pid in pids if (pid, "cli >") in events)
    workers = sorted(pids - {main})

    def at(name: str, pid: int = main, last: bool = False) -> float:
        found = events.get((pid, name))
        return found[-1 if last else 0][0] if found else float("nan")

    requests.sort()
    wall = t_end - t0
    ideal = args.samples * args.latency / args.concurrency
    print(f"\nwall {wall:.3f} s (ideal {ideal:.2f} s, {ideal / wall:.3f} of it); load average {load}")
    steps = [
        ("interpreter up", at("interpreter up")),
        ("CLI entered", at("cli >")),
        ("run command entered (its imports done)", at("run >")),
        ("design expanded", at("expand <")),
        ("providers made", at("create_providers <")),
        ("store opened", at("store opened <")),
        ("runner made", at("runner made <")),
        ("run started", at("runner >")),
        ("worker started", at("worker start <")),
        ("first request", requests[0][0]),
        ("last reply's head", max(b for _, b in requests)),
        ("worker's last answer", at("answer", last=True)),
        ("worker exited", at("worker exit <")),
        ("run ended", at("runner <")),
        ("rate table computed", at("summarize <")),
        ("table printed, store closed", at("store closed <", last=True)),
        ("exit began", at("exit")),
        ("process ended", wall),
    ]
    for pid in workers:
        steps += [
            ("worker: interpreter up", at("interpreter up", pid)),
            ("worker: loop entered", at("worker main >", pid)),
            ("worker: warm-up began", at("worker warm-up >", pid)),
            ("worker: warmed up", at("worker warm-up <", pid)),
        ]
    for name, t in sorted(steps, key=lambda step: step[1]):
        print(f"  {t:7.3f}  {name}")
    for pid in sorted(pids):
        cpu = events.get((pid, "cpu"))
        if cpu:
            print(f"  CPU of the {'run' if pid == main else 'worker'} process: {cpu[0][1]} s")
    first = requests[0][0]
    within = ", ".join(
        f"{ms} ms: {sum(1 for s, _ in requests if s - first <= ms / 1000)}" for ms in (5, 20, 100)
    )
    print(f"first round: requests started within {within}")
    if connects:
        longest = max(b - a for a, b in connects)
        print(
            f"  {len(connects)} connects from {min(a for a, _ in connects):.3f} s, the longest {1000 * longest:.1f} ms"
        )
    print(
        f"requests: {len(requests)}; handed to httpx to the reply's head: {quantiles([b - a for a, b in requests])}"
    )
    served = [tuple(map(float, line.split("\t"))) for line in server_log.read_text().splitlines()]
    if served:
        print(
            f"  the server's own time (request read to reply written): {quantiles([b - a for a, b in served])}"
        )
    if len(writes) == len(requests):  # matched by rank: requests start and are written nearly in order
        waits = [w - s for w, (s, _) in zip(sorted(writes), requests, strict=True)]
        print(f"  handed to httpx to the body on the socket (by rank): {quantiles(waits)}")
    ends = []
    for spans in chains.values():
        spans.sort()
        busy = sum(b - a for a, b in spans)
        gaps = sum(spans[i + 1][0] - spans[i][1] for i in range(len(spans) - 1))
        ends.append((spans[-1][1], spans[0][0], busy, gaps, len(spans)))
    end, start, busy, gaps, count = max(ends)
    print(
        f"critical chain (the worker task that ended last): from {start:.3f} to {end:.3f} s = {count} requests "
        f"{busy:.3f} s + gaps {gaps:.3f} s; median chain: requests {statistics.median(e[2] for e in ends):.3f} s, "
        f"gaps {statistics.median(e[3] for e in ends):.3f} s"
    )
    window = first + wall / 3
    for label, times in (("started", [s for s, _ in requests]), ("ended", [b for _, b in requests])):
        bins = [0] * 100
        for t in times:
            k = int((t - window) / 0.01)
            if 0 <= k < 100:
                bins[k] += 1
        print(f"requests {label} per 10 ms from {window:.2f} s: {' '.join(map(str, bins))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--reply", choices=["echo", "realistic"], default="realistic")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    compile_package()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            one_run(args, Path(folder))


if __name__ == "__main__":
    main()
