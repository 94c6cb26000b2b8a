"""One hash of every verdict the default detector suites give over a fixed, varied set of transcripts.

A change that must not change any verdict (a speed-up of the detectors) runs this before and after: the
hashes must be equal. The set, hashed part by part (each part's hash is printed, then the total):

* ``labelled``: every item of the development labelled set, and ``heldout``: the held-out set;
* ``simulator``: the episodes of ``benchmarks/transcript_hash.py`` (every family's conditions, every
  simulator profile, ``--samples`` samples each, up to 2 turns);
* ``vendor``: single-turn episodes against the test suite's fake OpenAI server (in this process) over every
  condition: its echo reply, the realistic reply of ``benchmarks/data/reply.txt``, and ``--variants``
  seeded variants of that reply per condition (sentences dropped, repeated, reordered, re-cased, and lines
  of the simulator's replies mixed in), so that detectors see many different texts.

Each verdict is hashed as its JSON (``model_dump(mode="json")``, keys sorted): outcome, score, label,
evidence spans and quotes, rationale. The verdict counts by outcome are printed too.

Run: python benchmarks/verdict_oracle.py [--samples 4] [--variants 20] [--expect HASH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "providers"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fake_vendor_server import API_KEY, FakeVendorServer  # noqa: E402
from transcript_hash import MAX_TURNS, PROFILES, conditions  # noqa: E402

from scenariokit.agent import Transcript, run_episode  # noqa: E402
from scenariokit.detectors import default_suite, load_labelled_set  # noqa: E402
from scenariokit.detectors._verdict import Verdict  # noqa: E402
from scenariokit.providers import create_provider  # noqa: E402
from scenariokit.scenario import RenderedScenario  # noqa: E402

REPLY = ROOT / "benchmarks" / "data" / "reply.txt"


class Part:
    """A running hash of the verdicts of one part of the set."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.hash = hashlib.sha256()
        self.outcomes: Counter[str] = Counter()
        self.transcripts = 0

    async def add(self, key: str, transcript: Transcript, rendered: RenderedScenario) -> None:
        verdicts: dict[str, Verdict] = await default_suite(rendered).run(transcript, rendered)
        record = {"key": key, "verdicts": {k: v.model_dump(mode="json") for k, v in verdicts.items()}}
        self.hash.update(json.dumps(record, sort_keys=True).encode())
        self.hash.update(b"\n")
        self.outcomes.update(v.outcome.value for v in verdicts.values())
        self.transcripts += 1


async def labelled(split: str) -> Part:
    part = Part(split)
    items = load_labelled_set() if split == "development" else load_labelled_set(split="heldout")
    for item in items:
        await part.add(item.id, item.transcript(), item.rendered())
    return part


async def simulator(samples: int, rendered_all: list[RenderedScenario]) -> tuple[Part, list[str]]:
    """The transcript_hash episodes; also returns the simulator's reply texts, to mix into the variants."""
    part = Part("simulator")
    texts: list[str] = []
    for profile in PROFILES:
        sim = create_provider(f"sim/{profile}")
        for c, rendered in enumerate(rendered_all):
            for i in range(samples):
                seed = 1000 + 7 * i
                t = await run_episode(sim, rendered, sample_index=i, seed=seed, max_turns=MAX_TURNS)
                await part.add(f"{profile}/{c}/{i}", t, rendered)
                texts.extend(m.text for m in t.messages if getattr(m, "role", None) == "assistant" and m.text)
        await sim.aclose()
    return part, texts


def variant(rng: random.Random, base: str, pool: list[str]) -> str:
    """A seeded variant of ``base``: sentences dropped, repeated, swapped, re-cased; simulator lines mixed in."""
    lines = base.split("\n")
    out: list[str] = []
    for line in lines:
        r = rng.random()
        if r < 0.1:
            continue
        if r < 0.15:
            out.append(line.upper() if rng.random() < 0.5 else line.lower())
        elif r < 0.22 and pool:
            out.append(rng.choice(rng.choice(pool).split("\n")))
        else:
            out.append(line)
        if rng.random() < 0.05:
            out.append(line)
    if rng.random() < 0.3 and len(out) > 4:
        i, j = rng.sample(range(len(out)), 2)
        out[i], out[j] = out[j], out[i]
    if rng.random() < 0.2:
        cut = rng.randrange(len(out) + 1)
        out = out[:cut]
    if rng.random() < 0.3 and pool:
        out.append(rng.choice(pool))
    return "\n".join(out)


async def vendor(variants: int, rendered_all: list[RenderedScenario], pool: list[str]) -> Part:
    part = Part("vendor")
    base = REPLY.read_text(encoding="utf-8")
    rng = random.Random(12)
    server = FakeVendorServer().start()
    server.record_requests = False
    try:
        provider = create_provider("openai/gpt-4.1", api_key=API_KEY, base_url=server.base_url("openai"))
        for c, rendered in enumerate(rendered_all):
            replies: list[tuple[str, str | None]] = [("echo", None), ("realistic", base)]
            replies += [(f"variant{v}", variant(rng, base, pool)) for v in range(variants)]
            for name, reply in replies:
                server.default_reply = reply
                t = await run_episode(provider, rendered, sample_index=0, seed=1)
                await part.add(f"{c}/{name}", t, rendered)
        await provider.aclose()
    finally:
        server.stop()
    return part


async def digest(samples: int, variants: int) -> list[Part]:
    rendered_all = conditions()
    parts = [await labelled("development"), await labelled("heldout")]
    sim, pool = await simulator(samples, rendered_all)
    parts.append(sim)
    parts.append(await vendor(variants, rendered_all, sorted(set(pool))))
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4, help="simulator samples per (condition, profile)")
    parser.add_argument("--variants", type=int, default=20, help="realistic-reply variants per condition")
    parser.add_argument("--expect", help="exit 1 unless the total hash equals this one")
    args = parser.parse_args()
    start = time.perf_counter()
    parts = anyio.run(digest, args.samples, args.variants)
    total = hashlib.sha256()
    for part in parts:
        value = part.hash.hexdigest()
        total.update(value.encode())
        print(
            f"{part.name:<12} {part.transcripts:>6} transcripts  {value[:16]}  {dict(sorted(part.outcomes.items()))}"
        )
    value = total.hexdigest()
    print(f"{sum(p.transcripts for p in parts)} transcripts in {time.perf_counter() - start:.1f} s")
    print(f"sha256 {value}")
    if args.expect is not None and args.expect != value:
        print(f"MISMATCH: expected {args.expect}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
