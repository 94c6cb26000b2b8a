"""``scenariokit rescore``: apply new or updated detectors to stored transcripts, with no model call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import anyio

from scenariokit.cli._common import Command, Subparsers, UsageError
from scenariokit.experiment import ExperimentError, StudyStore, rescore


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "rescore",
        help="apply new or updated detectors to a study's stored transcripts (no model call)",
        description=(
            "Apply detectors to the transcripts in a study store and append their verdicts (with the detector's "
            "version). Verdicts already stored for the same detector name and version are not repeated unless "
            "--force; reports use the latest verdict of each detector."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    parser.add_argument(
        "--detectors", help="comma-separated detector names (default: each family's default suite)"
    )
    parser.add_argument(
        "--force", action="store_true", help="re-apply detectors whose version is already stored"
    )
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.detectors.split(",") if n.strip()] if args.detectors else None
    try:
        with StudyStore(args.store, create=False) as store:
            result = anyio.run(lambda: rescore(store, names=names, force=args.force))
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"scenariokit: rescored {result.samples} sample(s): {result.verdicts} verdict(s) appended, "
        f"{result.skipped} sample(s) already had them",
        file=sys.stderr,
    )
    return 0


COMMAND = Command(name="rescore", register=_register)
"""The ``rescore`` sub-command."""
