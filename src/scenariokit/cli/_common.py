"""What the command modules share: the ``Command`` record, usage errors and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Subparsers = Any
"""The object returned by ``ArgumentParser.add_subparsers`` (private type in argparse)."""


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit code 2."""


@dataclass(frozen=True)
class Command:
    """A sub-command: its name and the function that adds its parser."""

    name: str
    """The sub-command's name, e.g. ``"show"``."""

    register: Callable[[Subparsers], argparse.ArgumentParser]
    """Adds the sub-command's parser (which sets ``handler``) and returns it."""


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON to standard output."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def parse_settings(pairs: list[str] | None) -> dict[str, str]:
    """Parse ``--set name=value`` options into a mapping.

    Raises:
        UsageError: If an item has no ``=`` or an empty name, or a name is given twice.
    """
    settings: dict[str, str] = {}
    for item in pairs or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {item!r}: expected name=value, e.g. --set urgency=restriction")
        if name in settings:
            raise UsageError(f"--set {name} is given twice ({settings[name]!r} and {value!r}); give it once")
        settings[name] = value.strip()
    return settings


def add_judge_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--judge``, ``--judge-categories`` and ``--judge-decide`` to a sub-command."""
    parser.add_argument(
        "--judge",
        metavar="PROVIDER/MODEL",
        help="an LLM judge (any provider/model, replay/... included) asked each rubric's question about every "
        "sample, beside the heuristics; its traffic shares the study's limits, budget, store and cost ledger",
    )
    parser.add_argument(
        "--judge-categories",
        metavar="harm|all|CAT[,CAT...]",
        help="what the judge looks at: harm (the harmful acts, default), all (every category with a rubric), "
        "or a comma-separated list of categories",
    )
    parser.add_argument(
        "--judge-decide",
        choices=("heuristic", "judge", "any", "all"),
        help="which verdict decides the rate: the heuristic (default), the judge, or both (any/all)",
    )


def judge_from_args(args: argparse.Namespace, base: Any = None) -> Any:
    """The ``JudgeSpec`` the judge options describe (over the design's judge ``base``), or ``base``.

    Raises:
        UsageError: If the options are invalid (a malformed model name, an unknown category), or
            ``--judge-categories``/``--judge-decide`` are given with no judge.
    """
    from pydantic import ValidationError

    from scenariokit.experiment import JudgeSpec

    if args.judge is None and base is None:
        if args.judge_categories or args.judge_decide:
            raise UsageError("--judge-categories and --judge-decide need a judge: add --judge PROVIDER/MODEL")
        return None
    data: dict[str, Any] = base.model_dump() if base is not None else {}
    if args.judge is not None:
        data["model"] = args.judge
    if args.judge_categories:
        value = args.judge_categories.strip()
        data["categories"] = (
            value if value in ("harm", "all") else [c.strip() for c in value.split(",") if c.strip()]
        )
    if args.judge_decide:
        data["decide"] = args.judge_decide
    try:
        return JudgeSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'judge'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        )
        raise UsageError(f"--judge: {problems}") from None
