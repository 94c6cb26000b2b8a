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
