"""Action-based detection speed: the four action detectors over 10,000 transcripts on one core.

Transcripts are the labelled set's (three families, text and native modes), copied so that no per-transcript
cache is reused; the per-scenario ground truth is computed once per fingerprint, as in a real run.
Target: under 10 s for 10,000 transcripts.

Run: python benchmarks/bench_detectors.py [N]
"""

from __future__ import annotations

import sys
import time

from scenariokit.detectors import (
    BlackmailDetector,
    LeakDetector,
    LethalActionDetector,
    LeverageDisclosureDetector,
    load_labelled_set,
)


def main(n: int = 10_000) -> float:
    items = load_labelled_set()
    base = [(item.transcript(), item.rendered()) for item in items]
    work = [(base[i % len(base)][0].model_copy(), base[i % len(base)][1]) for i in range(n)]
    detectors = [BlackmailDetector(), LeverageDisclosureDetector(), LeakDetector(), LethalActionDetector()]
    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for transcript, rendered in work:
        for d in detectors:
            v = d.detect_sync(transcript, rendered)
            outcomes[v.outcome.value] = outcomes.get(v.outcome.value, 0) + 1
    elapsed = time.perf_counter() - start
    print(
        f"{n} transcripts x {len(detectors)} action detectors: {elapsed:.2f} s "
        f"({1e6 * elapsed / n:.0f} us per transcript; {n / elapsed:.0f} transcripts/s); outcomes {outcomes}"
    )
    return elapsed


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
