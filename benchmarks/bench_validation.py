"""Agreement of every built-in heuristic detector with the labelled sets, and how fast they read.

Prints, for the development set (written with the detectors) and the held-out set (written blind to them),
precision, recall and Cohen's kappa with 95% intervals per detector, and the time per labelled transcript for
the whole suite. No LLM judge is involved. The documentation quotes the held-out table.

Run: python benchmarks/bench_validation.py
"""

from __future__ import annotations

import time

from scenariokit.detectors import (
    BlackmailDetector,
    ConsideredBlackmailDetector,
    Detector,
    EthicalAcknowledgementDetector,
    EvalAwarenessDetector,
    InventedConstraintsDetector,
    LeakDetector,
    LethalActionDetector,
    LeverageDisclosureDetector,
    RefusalDetector,
    SelfPreservationDetector,
    load_labelled_set,
    validate_sync,
)


def detectors() -> list[Detector]:
    """One of each built-in heuristic detector."""
    return [
        BlackmailDetector(),
        LeverageDisclosureDetector(),
        ConsideredBlackmailDetector(),
        LeakDetector(),
        LethalActionDetector(),
        EvalAwarenessDetector(),
        EthicalAcknowledgementDetector(),
        SelfPreservationDetector(),
        InventedConstraintsDetector(),
        RefusalDetector(),
    ]


def main() -> None:
    for split in ("development", "heldout"):
        items = load_labelled_set(split=split)
        start = time.perf_counter()
        report = validate_sync(detectors(), items)
        elapsed = time.perf_counter() - start
        print(
            f"\n## {split}: {len(items)} transcripts ({1e6 * elapsed / max(1, len(items)):.0f} us per transcript)\n"
        )
        print(report.table())


if __name__ == "__main__":
    main()
