"""``scenariokit export``: write a study store in another tool's format (Inspect ``.eval`` logs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenariokit.cli._common import Command, Subparsers, UsageError


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="write a study as Inspect .eval logs (one per model and condition) for 'inspect view'",
        description=(
            "Export a study store as Inspect .eval logs, written with inspect_ai's own log API: one log per model "
            "and condition, each sample with its messages (reasoning as Inspect reasoning content), one score "
            "per detector (harmful / benign / unscorable, with the evidence) and the condition's factors and "
            "fingerprint in its metadata. Needs the extra: pip install 'scenariokit[inspect]'."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the study's .db file")
    parser.add_argument(
        "--format", choices=("inspect",), default="inspect", help="the format (default: inspect)"
    )
    parser.add_argument(
        "--output", "-o", type=Path, required=True, metavar="DIR", help="the folder to write the logs to"
    )
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    from scenariokit.experiment import StoreError, StudyStore

    try:
        from scenariokit.inspect import export_inspect_logs, require_inspect

        require_inspect()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    if not args.store.is_file():
        raise UsageError(f"{args.store} is not a study store; give the .db file that 'scenariokit run' wrote")
    try:
        with StudyStore(args.store, create=False, readonly=True) as store:
            paths = export_inspect_logs(store, args.output)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--output {args.output}: {exc}") from None
    print(
        f"scenariokit: wrote {len(paths)} Inspect log(s) to {args.output}; view them with: "
        f"inspect view --log-dir {args.output}",
        file=sys.stderr,
    )
    return 0


COMMAND = Command(name="export", register=_register)
"""The ``export`` sub-command."""
