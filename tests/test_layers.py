"""The packages are layered: an import never runs from a lower layer to a higher one.

Layers, lowest first (docs/concepts/data-flow.md shows the same picture):

0. private leaf modules shared by all (``_caseless``, ``_lazy``, ``_version``);
1. ``scenario`` and ``stats``: the world and the numbers, independent of each other;
2. ``providers`` (model clients: they know nothing of scenarios), and ``perturb`` with ``strategies`` (operators
   and Hypothesis strategies over scenarios: they need only ``scenario``, and ``experiment`` builds sweeps
   from ``perturb``, so they sit this low; the two are one toolkit in two namespaces and may import each
   other);
3. ``agent``: the episode loop, joining scenarios and providers;
4. ``simulator`` (the offline model, a provider that reads scenarios and writes actions) and ``detectors``;
5. ``experiment``: designs, runner, store;
6. ``report`` and ``testing``;
7. ``cli``.

The package's own ``__init__`` and ``__main__`` sit above them all (they gather the public API). Packages in one
layer do not import each other, except the pairs in ``SIBLINGS``. Every import counts: module level, inside
functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import scenariokit

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_caseless", "_lazy", "_version"}),
    frozenset({"scenario", "stats"}),
    frozenset({"providers", "perturb", "strategies"}),
    frozenset({"agent"}),
    frozenset({"simulator", "detectors"}),
    frozenset({"experiment"}),
    frozenset({"report", "testing", "inspect"}),
    frozenset({"cli"}),
)
"""Packages (and private top-level modules) by layer, lowest first."""

TOP = frozenset({"__init__", "__main__"})
"""The package's own modules, above every layer."""

SIBLINGS = frozenset({("perturb", "strategies"), ("strategies", "perturb"), ("inspect", "report")})
"""Imports allowed between packages of the same layer."""

APART = frozenset({("providers", "scenario")})
"""Imports refused although they run down the layers: the providers know nothing of scenarios (tool
specifications cross as the providers' own ``Tool``; the canary comes from the caller)."""

RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}
SRC = Path(scenariokit.__file__).parent


def _unit(path: Path, root: Path) -> str:
    """The package (or top-level module) a source file belongs to: ``providers``, ``_version``, ``__init__``."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imported(tree: ast.AST, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a module, relative ones resolved."""
    package = (
        module.rsplit(".", 1)[0] if not module.endswith(".__init__") else module.removesuffix(".__init__")
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # from scenariokit import agent
                yield node.lineno, f"{target}.{alias.name}"


def violations(sources: Iterable[tuple[str, str]]) -> list[str]:
    """The imports that break the layering, one line each, for (path relative to ``scenariokit/``, text) pairs."""
    found: list[str] = []
    for rel, text in sources:
        path = Path(rel)
        unit = _unit(SRC / path, SRC)
        if unit in TOP:
            continue
        if unit not in RANK:
            found.append(f"{rel}: package {unit!r} has no layer; add it to LAYERS in tests/test_layers.py")
            continue
        module = "scenariokit." + ".".join(path.with_suffix("").parts)
        seen: set[tuple[int, str]] = set()
        for line, target in _imported(ast.parse(text), module):
            parts = target.split(".")
            if parts[0] != "scenariokit" or len(parts) < 2:
                continue
            other = parts[1]
            if other == unit or other not in RANK or (line, other) in seen:
                continue
            seen.add((line, other))
            lower = RANK[other] < RANK[unit] and (unit, other) not in APART
            if lower or (RANK[other] == RANK[unit] and (unit, other) in SIBLINGS):
                continue
            where = {1: "a higher", 0: "the same", -1: "a lower"}[
                (RANK[other] > RANK[unit]) - (RANK[other] < RANK[unit])
            ]
            allowed = sorted(
                n
                for n, r in RANK.items()
                if r < RANK[unit] and not n.startswith("_") and (unit, n) not in APART
            )
            found.append(
                f"{rel}:{line}: {unit} (layer {RANK[unit]}) imports scenariokit.{other} from {where} layer "
                f"({RANK[other]}); {unit} may import only: {', '.join(allowed) or 'nothing of scenariokit'}"
                + (" (the two are kept apart: see APART)" if (unit, other) in APART else "")
            )
    return found


def _sources() -> list[tuple[str, str]]:
    return [(str(p.relative_to(SRC)), p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))]


def test_no_import_runs_up_the_layers() -> None:
    problems = violations(_sources())
    assert not problems, "imports against the layering:\n" + "\n".join(problems)


def test_every_package_has_a_layer() -> None:
    units = {_unit(p, SRC) for p in SRC.rglob("*.py")} - TOP
    assert units == set(RANK), f"packages without a layer: {sorted(units - set(RANK))}"


@pytest.mark.parametrize(
    ("rel", "text", "culprit"),
    [
        ("providers/_x.py", "from scenariokit.agent import run_episode\n", "imports scenariokit.agent"),
        ("providers/_x.py", "from scenariokit.scenario._tools import ToolSpec\n", "kept apart"),
        ("providers/_x.py", "from scenariokit.stats import Rate\n", None),
        (
            "providers/_x.py",
            "def f():\n    import scenariokit.simulator._agent\n",
            "imports scenariokit.simulator",
        ),
        (
            "scenario/_x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scenariokit import stats\n",
            "imports scenariokit.stats from the same layer",
        ),
        ("agent/_x.py", "from ..detectors import Verdict\n", "imports scenariokit.detectors"),
        ("simulator/_x.py", "from scenariokit.detectors._base import Detector\n", "same layer"),
        ("cli/_x.py", "import scenariokit.report\n", None),
        ("strategies/_x.py", "from scenariokit.perturb import apply\n", None),
        ("agent/_x.py", "from . import _parse\nfrom scenariokit.providers import Tool\n", None),
        ("newpkg/_x.py", "x = 1\n", "has no layer"),
    ],
)
def test_the_check_finds_what_it_should(rel: str, text: str, culprit: str | None) -> None:
    found = violations([(rel, text)])
    if culprit is None:
        assert found == []
    else:
        assert len(found) == 1 and culprit in found[0], found
