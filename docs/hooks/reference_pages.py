"""MkDocs hook for the API reference: classes and functions first, the constants after them, large ones collapsed.

mkdocstrings groups a module's members by kind with attributes first, so a module whose constants are long
(the judges' rubrics, the published rates) opened with screens of values before its first class. A page
that holds only the line ``<!-- api-reference: scenariokit.NAME -->`` gets, in its place:

- the module's documentation without its constants (names in upper case);
- a "Constants" section with one block per constant of the module's ``__all__``: open when its value is
  short, collapsed (click to open) when it is long.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_MARKER = re.compile(r"^<!-- api-reference: (?P<module>[\w.]+) -->$", re.M)
_CONSTANT = r"^[A-Z][A-Z0-9_]*$"
_LONG = 300
"""A constant whose ``repr`` is longer than this many characters is collapsed."""


def _constants(module_name: str) -> list[tuple[str, bool]]:
    module = importlib.import_module(module_name)
    names = [n for n in getattr(module, "__all__", []) if re.match(_CONSTANT, n)]
    return [(n, len(repr(getattr(module, n))) > _LONG) for n in sorted(names)]


def _page(module_name: str) -> str:
    out = [
        f"::: {module_name}",
        "    options:",
        "      show_root_heading: false",
        "      members_order: alphabetical",
        f'      filters: ["!^_", "!{_CONSTANT}"]',
    ]
    constants = _constants(module_name)
    if constants:
        out += [
            "",
            "## Constants",
            "",
            "The module's constants, in alphabetical order; long values are collapsed (click a title to open it).",
        ]
    for name, long in constants:
        out += [
            "",
            f'{"???" if long else "???+"} abstract "`{name}`"',
            "",
            f"    ::: {module_name}.{name}",
            "        options:",
            "          show_root_heading: true",
            "          show_root_full_path: false",
            "          heading_level: 3",
        ]
    return "\n".join(out) + "\n"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Expand each ``<!-- api-reference: MODULE -->`` line into the module's reference."""
    return _MARKER.sub(lambda m: _page(m["module"]), markdown)
