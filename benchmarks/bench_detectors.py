"""Detection speed: the default suite per transcript, the action detectors in bulk, and the start-up cost.

Three measures, each in process CPU time (so that a busy machine inflates them less than wall time):

* ``suite``: the blackmail family's default suite (8 detectors, the suite ``scenariokit run --family blackmail``
  runs) per transcript, on three kinds of transcript of the default condition (text tool mode): the realistic
  2 KB reply of ``benchmarks/data/reply.txt`` (private reasoning that declines, no action; what
  ``bench_run.py --reply realistic`` answers), the fake vendor's echo of the scenario's inbox (about 6 KB full
  of what the detectors look for), and the offline simulator's episodes (every profile, several seeds).
  Each transcript is a fresh copy with new string objects (as a run's transcripts have), so that no cache
  kept by a text's identity carries over from one to the next; the scenario's facts are computed once, as in a
  real run. Target: at most 0.5 ms per transcript on the realistic reply (not met: 1.62-1.65 ms with the rules of
  round 7 at a load average of 1.8-2.0 on the 2-core machine, against 1.75-1.76 ms for the same rules with the
  scanning of the session before, interleaved; the echo 2.14-2.16 against 2.62-2.63 ms; the simulator 0.92-0.93
  against 0.98 ms. Where the time goes: ``docs/how-to/performance.md``).
* ``startup``: in a fresh process, importing the detectors, then the first transcript of each kind (which
  compiles the patterns the detectors use), against the same work once warm.
* ``detectors`` (``--only detectors``): each detector of the suite timed alone on the same three kinds of
  transcript (at most 300 per run), to see which detectors the time goes to.
* ``actions``: the four action detectors over ``--actions N`` copies of the labelled set's transcripts
  (three families, text and native modes). Target: under 10 s for 10,000 transcripts.

Run: python benchmarks/bench_detectors.py [--repeat 3] [--transcripts 1000] [--actions 10000]
[--only suite|detectors|startup|actions]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio

from scenariokit.agent import Transcript, run_episode
from scenariokit.detectors import (
    BlackmailDetector,
    LeakDetector,
    LethalActionDetector,
    LeverageDisclosureDetector,
    default_suite,
    load_labelled_set,
)
from scenariokit.detectors._validation import transcript_from_message
from scenariokit.providers import create_provider
from scenariokit.providers._types import AssistantMessage, TextPart
from scenariokit.scenario import FAMILIES, RenderedScenario

REPLY = Path(__file__).resolve().parent / "data" / "reply.txt"
PROFILES = ("compliant", "self_preserving", "brittle")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for the record."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def rendered_default() -> RenderedScenario:
    """The blackmail family's default condition in text tool mode (what ``bench_run.py`` runs)."""
    return FAMILIES["blackmail"].build().render(tool_mode="text")


def reply_transcript(rendered: RenderedScenario, text: str) -> Transcript:
    """The transcript of a one-turn episode whose reply is ``text``, as the episode loop records it."""
    return transcript_from_message(rendered, AssistantMessage(content=(TextPart(text=text),)))


def workloads(rendered: RenderedScenario) -> dict[str, list[Transcript]]:
    """The transcripts of each kind: realistic reply, echo of the inbox, simulator episodes."""

    async def simulated() -> list[Transcript]:
        out: list[Transcript] = []
        for profile in PROFILES:
            sim = create_provider(f"sim/{profile}")
            for i in range(4):
                out.append(await run_episode(sim, rendered, sample_index=i, seed=1000 + 7 * i, max_turns=2))
            await sim.aclose()
        return out

    return {
        "realistic": [reply_transcript(rendered, REPLY.read_text(encoding="utf-8"))],
        "echo": [reply_transcript(rendered, f"echo: {rendered.user_message}")],
        "simulator": anyio.run(simulated),
    }


def fresh(transcript: Transcript) -> Transcript:
    """A copy of ``transcript`` whose texts are new string objects, as a run's transcripts have.

    (A shallow ``model_copy`` shares the strings, so that caches keyed by a text's identity would be reused
    from one copy to the next, which no run does.)
    """
    return Transcript.model_validate_json(transcript.model_dump_json())


def time_suite(rendered: RenderedScenario, base: list[Transcript], n: int) -> float:
    """CPU seconds per transcript of the default suite over ``n`` fresh copies of ``base`` (round robin)."""
    suite = default_suite(rendered)
    work = [fresh(base[i % len(base)]) for i in range(n)]
    start = time.process_time()
    for transcript in work:
        for detector in suite.detectors:
            detector.detect_sync(transcript, rendered)  # type: ignore[attr-defined]
    return (time.process_time() - start) / n


def suite_figures(repeat: int, n: int) -> None:
    rendered = rendered_default()
    loads = workloads(rendered)
    for kind, base in loads.items():
        time_suite(rendered, base, min(n, 50))  # warm up: compile the patterns, build the facts
        runs = [time_suite(rendered, base, n) for _ in range(repeat)]
        print(
            f"suite/{kind:<10} {len(default_suite(rendered).detectors)} detectors: median "
            f"{1e3 * statistics.median(runs):.3f} ms per transcript (range {1e3 * min(runs):.3f}-"
            f"{1e3 * max(runs):.3f}, {repeat} x {n} transcripts)"
        )


def detector_figures(repeat: int, n: int) -> None:
    """CPU time per transcript of each detector of the suite timed alone (best of ``repeat`` runs of ``n``).

    Alone, a detector pays for what the suite shares (a long text's word index, its remembered matches, the
    sentence ends), so the figures add up to more than the suite's on the echo.
    """
    rendered = rendered_default()
    loads = workloads(rendered)
    suite = default_suite(rendered)
    for kind, base in loads.items():
        figures: dict[str, float] = {}
        for detector in suite.detectors:
            runs = []
            for i in range(repeat + 1):  # the first run warms up
                work = [fresh(base[j % len(base)]) for j in range(n if i else min(n, 30))]
                start = time.process_time()
                for transcript in work:
                    detector.detect_sync(transcript, rendered)  # type: ignore[attr-defined]
                if i:
                    runs.append((time.process_time() - start) / len(work))
            figures[detector.name] = min(runs)
        ranked = sorted(figures.items(), key=lambda item: -item[1])
        print(
            f"detector/{kind:<10} alone, best of {repeat} x {n}: "
            + ", ".join(f"{name} {1e3 * t:.3f}" for name, t in ranked)
            + f" ms (sum {1e3 * sum(figures.values()):.3f})"
        )


_STARTUP = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import scenariokit.scenario, scenariokit.agent, scenariokit.providers
t0 = time.process_time()
from scenariokit.detectors import default_suite
t1 = time.process_time()
import bench_detectors as b
rendered = b.rendered_default()
loads = b.workloads(rendered)
t2 = time.process_time()
out = {"import": t1 - t0}
for kind, base in loads.items():
    first = b.time_suite(rendered, base[:1], 1)
    warm = b.time_suite(rendered, base[:1], 20)
    out[kind] = [first, warm]
print(json.dumps(out))
"""


def startup_figures(repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _STARTUP, str(Path(__file__).resolve().parent)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    med = statistics.median
    print(
        f"startup    import of scenariokit.detectors (the rest imported before): median {1e3 * med(r['import'] for r in runs):.0f} ms CPU"
    )
    for kind in ("realistic", "echo", "simulator"):
        first = med(r[kind][0] for r in runs)
        warm = med(r[kind][1] for r in runs)
        print(
            f"startup    first {kind:<10} transcript: {1e3 * first:.1f} ms CPU (warm {1e3 * warm:.2f} ms; "
            f"compile and first-use cost {1e3 * (first - warm):.1f} ms)"
        )


def action_figures(n: int) -> float:
    items = load_labelled_set()
    base = [(item.transcript(), item.rendered()) for item in items]
    work = [(fresh(base[i % len(base)][0]), base[i % len(base)][1]) for i in range(n)]
    detectors = [BlackmailDetector(), LeverageDisclosureDetector(), LeakDetector(), LethalActionDetector()]
    start = time.process_time()
    outcomes: dict[str, int] = {}
    for transcript, rendered in work:
        for d in detectors:
            v = d.detect_sync(transcript, rendered)
            outcomes[v.outcome.value] = outcomes.get(v.outcome.value, 0) + 1
    elapsed = time.process_time() - start
    print(
        f"actions    {n} transcripts x {len(detectors)} action detectors: {elapsed:.2f} s "
        f"({1e6 * elapsed / n:.0f} us per transcript); outcomes {outcomes}"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (the median is shown)")
    parser.add_argument("--transcripts", type=int, default=1000, help="transcripts per suite run")
    parser.add_argument(
        "--actions", type=int, default=10_000, help="transcripts of the action benchmark (0: skip)"
    )
    parser.add_argument(
        "--only", choices=("suite", "detectors", "startup", "actions"), help="run one measure only"
    )
    args = parser.parse_args()
    print(f"load average {load_average()}; python {sys.version.split()[0]}")
    if args.only in (None, "suite"):
        suite_figures(args.repeat, args.transcripts)
    if args.only == "detectors":  # not part of the default run: the suite's figure is the one with a target
        detector_figures(args.repeat, min(args.transcripts, 300))
    if args.only in (None, "startup"):
        startup_figures(args.repeat)
    if args.only in (None, "actions") and args.actions:
        action_figures(args.actions)
    print(f"load average {load_average()}")


if __name__ == "__main__":
    main()
