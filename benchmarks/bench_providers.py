"""Throughput of the provider layer against a local fake vendor server (200 ms latency).

Runs 5,000 requests at concurrency 100 (100 workers, as the study runner drives a provider) for each
vendor format (Anthropic Messages, OpenAI Chat, Gemini, and the OpenRouter OpenAI-compatible preset); the ideal wall time is
5,000 x 0.2 s / 100 = 10 s and the target is 1.1x that. The server runs in a separate process so
that the CPU time reported is the client's alone; the server's own CPU is reported beside it (it
must not be the bottleneck). Each vendor runs ``--repeat`` times (a fresh event loop and provider
each time); the table shows every run, then the median and the range. The machine's load average
is printed before and after, because on a shared machine the wall time depends on it.
Usage: ``python benchmarks/bench_providers.py [--requests N] [--repeat R] [--vendors a,b]
[--harness workers|tasks]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "providers"))

from fake_vendor_server import API_KEY  # noqa: E402

from scenariokit.providers import (  # noqa: E402
    AnthropicProvider,
    GeminiProvider,
    GenerateConfig,
    HTTPProvider,
    OpenAIChatProvider,
    SystemMessage,
    UserMessage,
    create_compatible,
)

LATENCY = 0.2
# A study-sized prompt: a system prompt and an inbox of about 10 KB.
SYSTEM = "You are Alex, an AI email assistant at SummitBridge. " * 40
INBOX = "\n".join(
    f"<email>From: person{i}@summitbridge.example\nSubject: update {i}\nBody: "
    + "lorem ipsum " * 60
    + "</email>"
    for i in range(10)
)


def make(vendor: str, port: int) -> HTTPProvider:
    root = f"http://127.0.0.1:{port}"
    if vendor == "anthropic":
        return AnthropicProvider("claude-sonnet-4-5", api_key=API_KEY, base_url=f"{root}/anthropic")
    if vendor == "openai":
        return OpenAIChatProvider("gpt-4.1", api_key=API_KEY, base_url=f"{root}/openai/v1")
    if vendor == "gemini":
        return GeminiProvider("gemini-2.5-flash", api_key=API_KEY, base_url=f"{root}/gemini")
    return create_compatible(vendor, "model", api_key=API_KEY, base_url=f"{root}/{vendor}/v1")


async def run(
    vendor: str, port: int, requests: int, concurrency: int, harness: str = "workers"
) -> tuple[float, float, int]:
    """``requests`` calls made by ``concurrency`` workers, each taking the next call when its last one ends.

    This is how the study runner drives a provider (a fixed set of workers over the samples); it keeps
    exactly ``concurrency`` requests in flight without creating a task per request. ``harness="tasks"``
    starts a task per request behind a semaphore instead (the first version of this benchmark): the
    harness then also pays for creating 5,000 tasks at the start and for waking them one by one.
    """
    messages = [SystemMessage(content=SYSTEM), UserMessage(content=INBOX)]
    config = GenerateConfig(max_tokens=512)
    failures = 0
    left = requests
    async with make(vendor, port) as provider:

        async def worker() -> None:
            nonlocal failures, left
            while left > 0:
                left -= 1
                response = await provider.generate(messages, config=config)
                if not response.message.text.startswith("echo:"):
                    failures += 1

        limiter = anyio.Semaphore(concurrency)

        async def one() -> None:
            nonlocal failures
            async with limiter:
                response = await provider.generate(messages, config=config)
            if not response.message.text.startswith("echo:"):
                failures += 1

        cpu0, wall0 = time.process_time(), time.perf_counter()
        async with anyio.create_task_group() as tg:
            if harness == "tasks":
                for _ in range(requests):
                    tg.start_soon(one)
            else:
                for _ in range(min(concurrency, requests)):
                    tg.start_soon(worker)
        return time.perf_counter() - wall0, time.process_time() - cpu0, failures


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--vendors", default="anthropic,openai,gemini,openrouter")
    parser.add_argument(
        "--harness",
        choices=["workers", "tasks"],
        default="workers",
        help="workers: a fixed set of workers (as the runner); tasks: a task per request behind a semaphore",
    )
    args = parser.parse_args()
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "providers" / "fake_vendor_server.py"),
            "--latency",
            str(LATENCY),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        ideal = args.requests * LATENCY / args.concurrency
        print(
            f"{args.requests} requests, concurrency {args.concurrency} ({args.harness}), latency {LATENCY} s: "
            f"ideal {ideal:.1f} s"
        )
        print(f"load average before: {load_average()}")
        print(
            f"{'vendor':<12} {'wall s':>8} {'x ideal':>8} {'CPU s':>7} {'CPU ms/req':>11} "
            f"{'server ms/req':>14} {'failures':>9}"
        )
        for vendor in args.vendors.split(","):
            walls: list[float] = []
            cpus: list[float] = []
            for _ in range(args.repeat):
                server_cpu0 = process_cpu(server.pid)
                wall, cpu, failures = anyio.run(
                    run, vendor, port, args.requests, args.concurrency, args.harness
                )
                server_cpu = process_cpu(server.pid) - server_cpu0
                walls.append(wall)
                cpus.append(cpu)
                print(
                    f"{vendor:<12} {wall:>8.2f} {wall / ideal:>8.3f} {cpu:>7.2f} "
                    f"{1000 * cpu / args.requests:>11.3f} {1000 * server_cpu / args.requests:>14.3f} "
                    f"{failures:>9}",
                    flush=True,
                )
            if args.repeat > 1:
                ratio = [w / ideal for w in walls]
                per = [1000 * c / args.requests for c in cpus]
                print(
                    f"{vendor:<12} median {statistics.median(ratio):.3f}x ideal "
                    f"(range {min(ratio):.3f}-{max(ratio):.3f}), CPU {statistics.median(per):.3f} ms/req "
                    f"(range {min(per):.3f}-{max(per):.3f})",
                    flush=True,
                )
        print(f"load average after: {load_average()}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
