"""scenariokit against Inspect (``inspect eval``) on the same fake vendor, the same samples and prompts.

Optional: needs ``inspect-ai`` and the ``openai`` SDK (``pip install -e '.[bench]'``, best in a
virtual environment of its own); without them it says so and exits 0. Both tools run in a fresh
process against the test suite's fake OpenAI server (``--latency`` seconds per reply, in its own
process), each with ``--samples`` single-turn samples of the same rendered blackmail prompt (system
prompt and inbox, about 10 KB) at ``--concurrency`` requests in flight:

- ``scenariokit run --family blackmail --model openai/gpt-4.1 --samples N --concurrency C``
  (rendering, the agent loop, the detectors and the SQLite store included);
- ``inspect eval task.py --model openai/gpt-4.1 --max-connections C --display none
  --no-log-realtime``, where ``task.py`` holds the same prompt ``N`` times and a plain ``generate()``
  solver (no scorer: Inspect does less work per sample than scenariokit here).

The fake server echoes the prompt back by default (about 6 KB of scenario text, full of what
scenariokit's detectors look for); ``--reply realistic`` answers both tools with the fixed 2 KB reply of
``benchmarks/data/reply.txt`` instead, the reply ``bench_run.py``'s targets are stated on.

It prints wall time, client CPU (user + system of the whole process, start-up included), peak memory,
the load average after each run, and the ratio of Inspect's wall time to scenariokit's (the target
is at least 5). scenariokit's bytecode is compiled first, as ``bench_run.py`` does (Inspect's was
written when pip installed it).

scenariokit's CPU includes its scoring worker's (see ``bench_run.py``).

Usage: ``python benchmarks/bench_inspect.py [--samples N] [--concurrency C] [--repeat R] [--reply echo|realistic] [--score-workers N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bench_run import (  # noqa: E402
    API_KEY,
    HEADER,
    REPLY,
    FakeVendor,
    Measured,
    compile_package,
    load_average,
    report,
    run_scenariokit,
    timed,
)

CONDITION = "blackmail_explicit-america_replacement"
TASK = """
import json
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate

PROMPT = json.loads((Path(__file__).parent / "prompt.json").read_text())


@task
def scenariokit_same_work():
    samples = [
        Sample(
            id=i,
            input=[ChatMessageSystem(content=PROMPT["system"]), ChatMessageUser(content=PROMPT["user"])],
        )
        for i in range(PROMPT["samples"])
    ]
    return Task(dataset=MemoryDataset(samples), solver=generate())
"""


def missing() -> list[str]:
    return [name for name in ("inspect_ai", "openai") if importlib.util.find_spec(name) is None]


def run_inspect(server: FakeVendor, samples: int, concurrency: int) -> Measured:
    from scenariokit.scenario import parse_condition_id

    rendered = parse_condition_id(CONDITION).render()
    env = dict(os.environ, OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=server.base_url())
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        prompt = {"system": rendered.system_prompt, "user": rendered.user_message, "samples": samples}
        (where / "prompt.json").write_text(json.dumps(prompt))
        (where / "task.py").write_text(TASK)
        command = [
            str(Path(sys.executable).parent / "inspect"),
            "eval",
            "task.py",
            "--model",
            "openai/gpt-4.1",
            "--max-connections",
            str(concurrency),
            "--display",
            "none",
            "--no-log-realtime",
            "--log-dir",
            str(where / "logs"),
        ]
        measured = timed(command, env, where)
        logs = list((where / "logs").glob("*.eval")) + list((where / "logs").glob("*.json"))
        if measured.returncode != 0 or not logs:
            raise SystemExit(f"inspect eval failed (exit {measured.returncode}):\n{measured.output[-2000:]}")
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--reply",
        choices=["echo", "realistic"],
        default="echo",
        help="echo: the server repeats the prompt (about 6 KB of scenario text); realistic: a fixed "
        "2 KB reply with private reasoning and no action (benchmarks/data/reply.txt), as bench_run.py",
    )
    parser.add_argument(
        "--score-workers",
        type=int,
        metavar="N",
        help="pass --score-workers N to scenariokit run (default: its own default)",
    )
    args = parser.parse_args()
    absent = missing()
    if absent:
        print(
            f"bench_inspect: skipped: {' and '.join(absent)} not installed in this Python "
            f"({sys.executable}); install them with `pip install -e '.[bench]'` to compare with Inspect"
        )
        return
    compile_package()  # inspect-ai's bytecode was written when pip installed it; scenariokit's likewise here
    ideal = args.samples * args.latency / args.concurrency
    server = FakeVendor(args.latency, REPLY if args.reply == "realistic" else None)
    ratios: list[float] = []
    try:
        print(
            f"{args.samples} single-turn samples of {CONDITION}, concurrency {args.concurrency}, "
            f"latency {args.latency} s, {args.reply} replies: ideal {ideal:.2f} s"
        )
        print(f"load average before: {load_average()}")
        print(HEADER)
        for _ in range(args.repeat):
            server_cpu = server.cpu()
            ours = run_scenariokit(server, args.samples, args.concurrency, args.score_workers)
            report("scenariokit", ours, args.samples, ideal, server.cpu() - server_cpu, load_average())
            server_cpu = server.cpu()
            theirs = run_inspect(server, args.samples, args.concurrency)
            report("inspect", theirs, args.samples, ideal, server.cpu() - server_cpu, load_average())
            ratios.append(theirs.wall / ours.wall)
            print(f"inspect wall / scenariokit wall: {ratios[-1]:.2f}x", flush=True)
        if len(ratios) > 1:
            print(f"median {statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
