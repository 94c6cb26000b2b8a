"""Entry point: builds the parser from the command modules and maps errors to exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scenariokit._version import __version__
from scenariokit.cli import _list, _minimize, _report, _rescore, _run, _samples, _schema, _show
from scenariokit.cli._common import Command, UsageError
from scenariokit.scenario import ScenarioError, load_family_module, load_family_plugins

COMMANDS: tuple[Command, ...] = (
    _list.COMMAND,
    _show.COMMAND,
    _schema.COMMAND,
    _run.COMMAND,
    _report.COMMAND,
    _samples.SAMPLES,
    _samples.SAMPLE,
    _samples.REVIEW,
    _rescore.COMMAND,
    _minimize.COMMAND,
)
"""Every sub-command, in the order ``--help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-command per command module."""
    parser = _Parser(
        prog="scenariokit",
        description="Compose, render, run and analyse agentic-safety scenarios.",
    )
    parser.add_argument("--version", action="version", version=f"scenariokit {__version__}")
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help=(
            "a module of yours (a name importable from the current folder, or a .py file) whose scenario "
            "families the commands then know; repeatable. Installed packages add families through the "
            "'scenariokit.families' entry points, loaded always"
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0 success, 1 a run found a failure, 2 bad input.

    Bad input (an unknown family or factor, a bad value, a malformed file) prints one line to standard
    error, never a traceback.
    """
    try:
        load_family_plugins()  # families from installed packages, before --family choices are built
        for plugin in _plugins(argv):
            load_family_module(plugin)
    except UsageError as exc:
        print(f"scenariokit: error: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"scenariokit: error: {_one_error(exc)}", file=sys.stderr)
        return 2
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        handler = args.handler
        code: int = handler(args)
        return code
    except (UsageError, ScenarioError) as exc:
        message = " ".join(str(exc).split()) if isinstance(exc, UsageError) else _one_error(exc)
        print(f"scenariokit: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `scenariokit show blackmail | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("scenariokit: interrupted", file=sys.stderr)
        return 130


def _plugins(argv: Sequence[str] | None) -> list[str]:
    """The ``--plugin`` values given before the command (read first: they may add families)."""
    args = list(sys.argv[1:] if argv is None else argv)
    found = []
    i = 0
    while i < len(args) and args[i].startswith("-"):  # up to the command: --plugin is scenariokit's own
        if args[i] == "--plugin":
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                raise UsageError("--plugin needs a module name or a .py file, e.g. --plugin my_families.py")
            found.append(args[i + 1])
            i += 1
        elif args[i].startswith("--plugin="):
            found.append(args[i].removeprefix("--plugin="))
        i += 1
    return found


def _one_error(exc: ScenarioError) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = ""
    for line in lines:
        text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text
