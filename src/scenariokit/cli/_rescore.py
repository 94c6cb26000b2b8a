"""``scenariokit rescore``: apply new or updated detectors to stored transcripts, with no model call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import anyio

from scenariokit.cli._common import Command, Subparsers, UsageError, add_judge_options, judge_from_args
from scenariokit.experiment import ExperimentError, StudyStore, rescore
from scenariokit.providers import ProviderError, UnknownProviderError


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "rescore",
        help="apply new or updated detectors (or an LLM judge) to a study's stored transcripts",
        description=(
            "Apply detectors to the transcripts in a study store and append their verdicts (with the detector's "
            "version). Verdicts already stored for the same detector name and version are not repeated unless "
            "--force; reports use the latest verdict of each detector. With --judge, an LLM judge is asked only "
            "for what is missing: samples with a scorable verdict of that judge are not asked again, unscorable "
            "ones are."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    parser.add_argument(
        "--detectors", help="comma-separated detector names (default: each family's default suite)"
    )
    parser.add_argument(
        "--force", action="store_true", help="re-apply detectors whose version is already stored"
    )
    add_judge_options(parser)
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.detectors.split(",") if n.strip()] if args.detectors else None
    judge = judge_from_args(args)
    try:
        with StudyStore(args.store, create=False) as store:
            if judge is not None:  # a judge costs money: two processes must not ask it twice
                store.lock("rescore")
            result = anyio.run(lambda: rescore(store, names=names, force=args.force, judge=judge))
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    except (ProviderError, UnknownProviderError) as exc:
        raise UsageError(f"--judge: {exc}") from None
    asked = (
        f"; the judge was asked {result.judge_calls} time(s) ({result.judge_tokens:,} tokens)"
        if judge is not None
        else ""
    )
    print(
        f"scenariokit: rescored {result.samples} sample(s): {result.verdicts} verdict(s) appended, "
        f"{result.skipped} sample(s) already had them{asked}",
        file=sys.stderr,
    )
    return 0


COMMAND = Command(name="rescore", register=_register)
"""The ``rescore`` sub-command."""
