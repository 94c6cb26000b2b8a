"""``scenariokit list``: the built-in families, their factors and values."""

from __future__ import annotations

import argparse

from scenariokit.cli._common import Command, Subparsers, print_json
from scenariokit.scenario import FAMILIES


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "list",
        help="list the built-in scenario families, their factors and values",
        description="List the built-in scenario families, their factors, the values each takes and its default.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.format == "json":
        print_json(
            [
                {
                    "name": family.name,
                    "description": family.description,
                    "factors": [f.model_dump() for f in family.factors],
                }
                for family in FAMILIES.values()
            ]
        )
        return 0
    for family in FAMILIES.values():
        print(f"{family.name}\n  {family.description}\n  factors (default in [brackets]):")
        width = max(len(f.name) for f in family.factors)
        for f in family.factors:
            values = ", ".join(f"[{v}]" if v == f.default else v for v in f.values)
            print(f"    {f.name:<{width}}  {values}")
        print()
    print("Set factors with: scenariokit show FAMILY --set name=value ...")
    return 0


COMMAND = Command(name="list", register=_register)
"""The ``list`` sub-command."""
