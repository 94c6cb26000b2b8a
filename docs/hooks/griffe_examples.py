"""Griffe extension for the API reference: read Google-style ``Example:`` sections as ``Examples:``.

Griffe parses a section titled ``Examples:`` into code blocks, but renders a singular ``Example:`` as an
admonition of Markdown text, in which ``>>>`` lines become nested block quotes and an expression such as
``[x for x in xs][:2]`` becomes a (broken) reference link. The source's docstrings use both titles; this
extension makes them render alike, as doctest code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section titles to ``Examples:`` before the docstrings are parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _SINGULAR.sub(r"\1Examples:", obj.docstring.value)
