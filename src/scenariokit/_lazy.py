"""Lazy exports for the packages' ``__init__`` modules (PEP 562), so that ``import scenariokit`` is fast.

A package lists what it exports as ordinary imports inside ``if TYPE_CHECKING:``, which type checkers,
editors and the documentation read as usual, and ends with::

    if not TYPE_CHECKING:
        __getattr__, __dir__ = lazy_exports(__name__)

At run time nothing is imported until a name is first used: ``from scenariokit import blackmail`` imports
the modules that define ``blackmail`` and no others (not Hypothesis, httpx, rich or the vendor clients), and
the value is then kept in the package, so later uses cost nothing. The ``TYPE_CHECKING`` block is the one
list of names: this module reads it from the package's source, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def export_table(source: str) -> dict[str, tuple[str, str | None]]:
    r"""The names imported inside the top-level ``if TYPE_CHECKING:`` blocks of ``source``.

    Args:
        source: A module's source code.

    Returns:
        Exported name -> (module, attribute); the attribute is ``None`` for ``import a.b as name``.

    Example:
        >>> export_table("if TYPE_CHECKING:\n    from a._b import C, d as e\n")
        {'C': ('a._b', 'C'), 'e': ('a._b', 'd')}
    """
    import ast  # only while a package is first imported

    table: dict[str, tuple[str, str | None]] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and _is_type_checking(node.test)):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.module and statement.level == 0:
                for alias in statement.names:
                    table[alias.asname or alias.name] = (statement.module, alias.name)
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        table[alias.asname] = (alias.name, None)
    return table


def _is_type_checking(test: object) -> bool:
    import ast

    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def lazy_exports(package: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build a package's module ``__getattr__`` and ``__dir__`` from its ``TYPE_CHECKING`` imports.

    Args:
        package: The package's ``__name__`` (it must be in ``sys.modules``, as it is while it runs).

    Returns:
        ``(__getattr__, __dir__)`` for the package. ``__getattr__`` imports the module that defines a name on
        first use and keeps the value in the package; it also imports a subpackage or submodule by its name
        (``scenariokit.stats`` after ``import scenariokit``), as eager imports used to.

    Raises:
        RuntimeError: If the package's source cannot be read (the exports cannot be known).
    """
    module = sys.modules[package]
    file = getattr(module, "__file__", None)
    if file is None:
        raise RuntimeError(f"{package}: cannot read the package's source to find its exports")
    table = export_table(Path(file).read_text(encoding="utf-8"))

    def get(name: str) -> Any:
        target = table.get(name)
        if target is not None:
            where, attribute = target
            imported = importlib.import_module(where)
            value = imported if attribute is None else getattr(imported, attribute)
        elif not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(module, name, value)  # the next use is an ordinary attribute
        return value

    def listing() -> list[str]:
        return sorted(set(vars(module)) | set(table))

    return get, listing
