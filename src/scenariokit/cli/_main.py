"""Entry point: builds the parser from the command modules and maps errors to exit codes.

Only the module of the command being run is imported (with what it needs: pydantic, httpx, rich, ...):
``scenariokit --help`` lists every command from the table below without importing any of them, so it
answers at once. ``tests/cli/test_cli_lazy.py`` checks that each entry matches its module.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Sequence

from scenariokit._version import __version__
from scenariokit.cli._common import Command, UsageError
from scenariokit.scenario._errors import ScenarioError

COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("list", "_list", "COMMAND", "list the built-in scenario families, their factors and values"),
    ("show", "_show", "COMMAND", "render a scenario: a family, a study condition id, or a YAML/JSON file"),
    ("schema", "_schema", "COMMAND", "print the JSON Schema of scenario files"),
    (
        "run",
        "_run",
        "COMMAND",
        "run a study: a YAML design, or a family with --set, against models or the simulator",
    ),
    (
        "merge",
        "_merge",
        "COMMAND",
        "combine the stores of a study's shards (run --shard i/n) into one store",
    ),
    (
        "import",
        "_import",
        "COMMAND",
        "put external transcripts (generic JSONL, or the original study's results folder) in a study store",
    ),
    (
        "report",
        "_report",
        "COMMAND",
        "report a study: rates with intervals per model and condition, breakdowns, published rates",
    ),
    (
        "samples",
        "_samples",
        "SAMPLES",
        "list a study's samples with their verdicts (filter by model, condition, verdict, text, ...)",
    ),
    (
        "sample",
        "_samples",
        "SAMPLE",
        "print one sample's transcript with its verdicts and their evidence highlighted",
    ),
    (
        "review",
        "_samples",
        "REVIEW",
        "label samples as a human reviewer (harmful / benign / ambiguous, with a note)",
    ),
    (
        "export",
        "_export",
        "COMMAND",
        "write a study as Inspect .eval logs (one per model and condition) for 'inspect view'",
    ),
    (
        "rescore",
        "_rescore",
        "COMMAND",
        "apply new or updated detectors (or an LLM judge) to a study's stored transcripts",
    ),
    (
        "minimize",
        "_minimize",
        "COMMAND",
        "shrink a scenario to the fewest blocks that still elicit a behaviour",
    ),
)
"""Every sub-command, in the order ``--help`` lists them: (name, module in ``scenariokit.cli``, the name of
its ``Command`` there, its one-line help as ``--help`` shows it)."""


def command(name: str) -> Command:
    """The ``Command`` of a sub-command, importing its module.

    Raises:
        KeyError: If there is no such sub-command.
    """
    module, attribute = next((m, a) for n, m, a, _ in COMMANDS if n == name)
    found: Command = getattr(importlib.import_module(f"scenariokit.cli.{module}"), attribute)
    return found


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser(full: Collection[str] | None = None) -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-command per command module.

    Args:
        full: The sub-commands whose full parser (options, handler) is built, importing their modules;
            the others get their name and one-line help only. ``None``: every sub-command, in full.
    """
    parser = _Parser(
        prog="scenariokit",
        description="Compose, render, run and analyse agentic-safety scenarios.",
        epilog=(
            "exit codes: 0 success; 1 samples of a run failed (see 'scenariokit run --help'); 2 bad input; "
            "130 interrupted"
        ),
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
    for name, _, _, summary in COMMANDS:
        if full is None or name in full:
            command(name).register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    0 success; 1 a run's samples failed (or a model was halted by repeated unfixable errors), or a check
    failed; 2 bad input (options, files, a busy, read-only or mismatched store); 130 interrupted.

    Bad input (an unknown family or factor, a bad value, a malformed file) prints one line to standard
    error, never a traceback.
    """
    try:
        plugins, chosen = _top_level(argv)
        if chosen is not None:  # families from installed packages and --plugin, before parsers are built
            from scenariokit.scenario import load_family_module, load_family_plugins

            load_family_plugins()
            for plugin in plugins:
                load_family_module(plugin)
    except UsageError as exc:
        print(f"scenariokit: error: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"scenariokit: error: {_one_error(exc)}", file=sys.stderr)
        return 2
    parser = build_parser({chosen} if chosen is not None else ())
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


def _top_level(argv: Sequence[str] | None) -> tuple[list[str], str | None]:
    """The ``--plugin`` values given before the command (read first: they may add families), and the command.

    The command is ``None`` when none is given or the first word is not a command (argparse then says so).
    """
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
    chosen = args[i] if i < len(args) and any(args[i] == name for name, *_ in COMMANDS) else None
    return found, chosen


def _one_error(exc: ScenarioError) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = ""
    for line in lines:
        text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text
