"""One hash of the simulator's output, the request fingerprints and the default suites' verdicts.

A refactoring that must not change behaviour (moving the simulator, splitting modules) runs this before and
after: the two hashes must be equal. The fixed set: every built-in family, its default condition and each
single-factor departure from it, in both tool modes; every simulator profile; ``--samples`` samples of each;
episodes of up to 2 turns. For each episode the hash covers the transcript (without wall times), the rendered
scenario's fingerprint, the fingerprint of every request sent, and every verdict of the family's default
detector suite.

Run: python benchmarks/transcript_hash.py [--samples 10] [--expect HASH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from typing import Any

import anyio

from scenariokit.agent import Transcript, run_episode
from scenariokit.detectors import default_suite
from scenariokit.providers import GenerateConfig, GenerateRequest, create_provider
from scenariokit.scenario import FAMILIES, RenderedScenario

PROFILES = ("compliant", "self_preserving", "brittle")
TOOL_MODES = ("text", "native")
MAX_TURNS = 2


def conditions() -> list[RenderedScenario]:
    """Each family's default condition and each single-factor departure from it, in both tool modes."""
    out: list[RenderedScenario] = []
    for name in sorted(FAMILIES):
        family = FAMILIES[name]
        settings: list[dict[str, str]] = [{}]
        for factor in family.factors:
            settings.extend({factor.name: v} for v in factor.values if v != factor.default)
        for mode in TOOL_MODES:
            for s in settings:
                try:
                    scenario = family.build(**s)
                except ValueError:
                    continue  # a departure the family refuses on its own (e.g. a goal value without a goal)
                out.append(scenario.render(tool_mode=mode))
    return out


def _transcript_data(t: Transcript) -> dict[str, Any]:
    data = t.model_dump(mode="json", exclude={"started_at", "duration_s"})
    for turn in data["turns"]:
        turn.pop("latency_s")
    return data


def _request_fingerprints(t: Transcript, rendered: RenderedScenario, config: GenerateConfig) -> list[str]:
    tools = rendered.tools if rendered.tool_mode == "native" else ()
    return [
        GenerateRequest(
            messages=t.messages[: turn.message_index],
            tools=tuple(tools),
            config=config,
            sample_index=t.sample_index,
        ).fingerprint()
        for turn in t.turns
    ]


async def digest(samples: int) -> tuple[str, int]:
    """The hash over the fixed set, and the number of episodes in it."""
    h = hashlib.sha256()
    episodes = 0
    rendered_all = conditions()
    for profile in PROFILES:
        sim = create_provider(f"sim/{profile}")
        for rendered in rendered_all:
            suite = default_suite(rendered)
            for i in range(samples):
                seed = 1000 + 7 * i
                t = await run_episode(sim, rendered, sample_index=i, seed=seed, max_turns=MAX_TURNS)
                verdicts = await suite.run(t, rendered)
                record = {
                    "profile": profile,
                    "fingerprint": rendered.fingerprint,
                    "requests": _request_fingerprints(t, rendered, GenerateConfig(seed=seed)),
                    "transcript": _transcript_data(t),
                    "verdicts": {k: v.model_dump(mode="json") for k, v in verdicts.items()},
                }
                h.update(json.dumps(record, sort_keys=True).encode())
                h.update(b"\n")
                episodes += 1
        await sim.aclose()
    return h.hexdigest(), episodes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10, help="samples per (condition, profile)")
    parser.add_argument("--expect", help="exit 1 unless the hash equals this one")
    args = parser.parse_args()
    start = time.perf_counter()
    value, episodes = anyio.run(digest, args.samples)
    n_conditions = len(conditions())
    print(
        f"{episodes} episodes ({n_conditions} rendered conditions x {len(PROFILES)} profiles x "
        f"{args.samples} samples, up to {MAX_TURNS} turns) in {time.perf_counter() - start:.1f} s"
    )
    print(f"sha256 {value}")
    if args.expect is not None and args.expect != value:
        print(f"MISMATCH: expected {args.expect}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
