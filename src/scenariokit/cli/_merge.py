"""``scenariokit merge``: combine the stores of a study's shards into one store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenariokit.cli._common import Command, Subparsers, UsageError
from scenariokit.experiment import ExperimentError, merge_stores


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "merge",
        help="combine the stores of a study's shards (run --shard i/n) into one store",
        description=(
            "Copy the conditions, runs, samples, verdicts and usage of study stores (the shards of one study, "
            "run with 'scenariokit run --shard i/n') into OUT, created if missing. Stores of different designs "
            "are refused; a sample is never stored twice; merging the same stores again adds nothing."
        ),
    )
    parser.add_argument("out", type=Path, metavar="OUT.db", help="the merged store (created if missing)")
    parser.add_argument("stores", type=Path, nargs="+", metavar="STORE.db", help="the shard stores to read")
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    try:
        result = merge_stores(args.out, args.stores)
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"scenariokit: merged {result.stores} store(s) into {args.out}: {result.samples} sample attempt(s) and "
        f"{result.runs} run(s) copied, {result.duplicates} already there",
        file=sys.stderr,
    )
    return 0


COMMAND = Command(name="merge", register=_register)
"""The ``merge`` sub-command."""
