"""``scenariokit schema``: the JSON Schema of scenario files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scenariokit.cli._common import Command, Subparsers, UsageError, print_json
from scenariokit.scenario import scenario_json_schema


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "schema",
        help="print the JSON Schema of scenario files",
        description="Print the JSON Schema that scenario YAML/JSON files follow (for editors and validators).",
    )
    parser.add_argument("--output", "-o", type=Path, help="write the schema to this file instead of stdout")
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    schema = scenario_json_schema()
    if args.output is None:
        print_json(schema)
        return 0
    try:
        args.output.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return 0


COMMAND = Command(name="schema", register=_register)
"""The ``schema`` sub-command."""
