"""``scenariokit import``: put external transcripts (prompts not rendered here) in a study store, scored."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from scenariokit.cli._common import Command, Subparsers, UsageError

if TYPE_CHECKING:
    from scenariokit.experiment import ImportResult


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import",
        help="put external transcripts (generic JSONL, or the original study's results folder) in a study store",
        description=(
            "Import transcripts whose prompts were not rendered by scenariokit. WORLD.yaml describes their world "
            "with the scenario blocks (the ground truth the detectors read: personas, leverage, opportunity, "
            "company); the system prompt and user message are taken verbatim from each transcript. Samples are "
            "scored with the world's default detectors and stored, so that 'report' and 'rescore' work on them. "
            "Importing the same source again adds nothing. A sample that cannot be read is stored as failed "
            "(or reported and skipped when it belongs to no condition), the others go on, and the command then "
            "exits 1 with a summary."
        ),
    )
    parser.add_argument(
        "source",
        type=Path,
        metavar="SRC",
        help="a .jsonl file, a folder of .jsonl files, or a study results folder",
    )
    parser.add_argument(
        "--world",
        type=Path,
        metavar="WORLD.yaml",
        help=(
            "the world, described with the blocks (required, except for Inspect logs that 'scenariokit export' "
            "wrote: they carry their scenario)"
        ),
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="STUDY.db", help="the store (created if missing)"
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "study", "inspect"),
        help=(
            "the source's layout (default: 'inspect' for .eval files or a folder of them, 'study' for a folder "
            "with models/, else 'jsonl'); 'inspect' reads Inspect logs and needs pip install 'scenariokit[inspect]'"
        ),
    )
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    from scenariokit.agent import read_external
    from scenariokit.experiment import ExperimentError, StudyStore, import_transcripts
    from scenariokit.scenario import ScenarioError, load_scenario

    if not args.source.exists():
        raise UsageError(f"{args.source} does not exist; give a .jsonl file or a folder of transcripts")
    if args.format is None and (
        args.source.suffix == ".eval" or (args.source.is_dir() and any(args.source.rglob("*.eval")))
    ):
        args.format = "inspect"
    if args.format == "inspect":
        return _run_inspect(args)
    if args.world is None:
        raise UsageError("--world WORLD.yaml is required: the world the transcripts happened in")
    if args.format == "study" and not args.source.is_dir():
        raise UsageError(
            f"{args.source} is a file; --format study reads the study's results folder (prompts/, models/)"
        )
    if (
        args.source.is_dir()
        and args.format != "study"
        and not (args.source / "models").is_dir()
        and not any(args.source.glob("*.jsonl"))
    ):
        raise UsageError(
            f"{args.source} has no *.jsonl files and no models/ folder; give a .jsonl file, a folder of them, "
            "or the study's results folder"
        )
    try:
        world = load_scenario(args.world)
    except (OSError, ValueError, ScenarioError) as exc:
        raise UsageError(f"--world {args.world}: {' '.join(str(exc).split())}") from None
    try:
        items = read_external(args.source, world, format=args.format)
        with StudyStore(args.out) as store:
            store.lock(
                "import"
            )  # before anything is written: a run or rescore of the store refuses meanwhile
            result = anyio.run(lambda: import_transcripts(store, items, source=str(args.source)))
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{args.source}: {exc}") from None
    return _summary(args, result)


def _run_inspect(args: argparse.Namespace) -> int:
    from scenariokit.experiment import ExperimentError, StudyStore, import_transcripts
    from scenariokit.scenario import ScenarioError, load_scenario

    try:
        from scenariokit.inspect import read_inspect_log, require_inspect

        require_inspect()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    world = None
    if args.world is not None:
        try:
            world = load_scenario(args.world)
        except (OSError, ValueError, ScenarioError) as exc:
            raise UsageError(f"--world {args.world}: {' '.join(str(exc).split())}") from None
    try:
        items = read_inspect_log(args.source, world)
        with StudyStore(args.out) as store:
            result = anyio.run(lambda: import_transcripts(store, items, source=str(args.source)))
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{args.source}: {exc}") from None
    return _summary(args, result)


def _summary(args: argparse.Namespace, result: ImportResult) -> int:
    for where, reason in result.failed:
        print(f"scenariokit: failed sample {where}: {reason}", file=sys.stderr)
    for failure in result.skipped:
        print(f"scenariokit: skipped {failure.source}: {failure.reason}", file=sys.stderr)
    for note in result.notes:
        print(f"scenariokit: {note}", file=sys.stderr)
    print(
        f"scenariokit: imported {result.samples} sample(s) of {result.conditions} condition(s) into {args.out}: "
        f"{result.stored} stored ({len(result.failed)} failed), {result.duplicates} already there, "
        f"{len(result.skipped)} part(s) skipped, {result.labels} label(s)",
        file=sys.stderr,
    )
    return 0 if result.ok else 1


COMMAND = Command(name="import", register=_register)
"""The ``import`` sub-command."""
