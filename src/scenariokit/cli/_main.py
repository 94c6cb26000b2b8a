"""Entry point: builds the argument parser from the command modules and maps errors to exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scenariokit._version import __version__


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-command per command module."""
    parser = argparse.ArgumentParser(
        prog="scenariokit",
        description="Compose, render, run and analyse agentic-safety scenarios.",
    )
    parser.add_argument("--version", action="version", version=f"scenariokit {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 success, 1 failure, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return 0
