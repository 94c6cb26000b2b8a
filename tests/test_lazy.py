"""Lazy exports: every public name still imports, and ``import scenariokit`` pulls in nothing heavy."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import scenariokit
from scenariokit._lazy import export_table

PACKAGES = sorted(
    [scenariokit.__name__]
    + [
        info.name
        for info in pkgutil.walk_packages(scenariokit.__path__, prefix="scenariokit.")
        if info.ispkg
        and "lazy_exports(__name__)" in Path(importlib.import_module(info.name).__file__ or "").read_text()
    ]
)
HEAVY = ("hypothesis", "httpx", "rich", "matplotlib", "pydantic", "yaml", "anyio", "importlib.metadata")


def _table(package: str) -> dict[str, tuple[str, str | None]]:
    module = importlib.import_module(package)
    return export_table(Path(module.__file__ or "").read_text(encoding="utf-8"))


def test_the_packages_users_import_are_lazy() -> None:
    expected = {"scenariokit", "scenariokit.scenario", "scenariokit.stats", "scenariokit.detectors"}
    assert expected <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_all_is_exported_and_is_the_defining_modules_object(package: str) -> None:
    module = importlib.import_module(package)
    table = _table(package)
    for name in module.__all__:
        value = getattr(module, name)  # what `from package import name` does
        if name in table:
            where, attribute = table[name]
            defining = importlib.import_module(where)
            assert value is (defining if attribute is None else getattr(defining, attribute)), name
        else:
            assert name in vars(module), f"{package}.{name} is in __all__ but neither imported nor defined"
    missing = sorted(set(table) - set(module.__all__))
    assert not missing, f"{package} imports {missing} for type checkers but does not list them in __all__"
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", PACKAGES)
def test_star_import_gives_every_name(package: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)
    assert set(importlib.import_module(package).__all__) <= set(namespace)


def test_unknown_names_are_attribute_errors_and_subpackages_still_import() -> None:
    with pytest.raises(AttributeError, match="module 'scenariokit' has no attribute 'no_such_name'"):
        scenariokit.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
        exec("from scenariokit import no_such_name", {})
    assert scenariokit.stats.Rate is importlib.import_module("scenariokit.stats._rate").Rate


def _modules_after(code: str) -> set[str]:
    program = f"import json, sys\n{code}\nsys.stdout.write(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")},
        timeout=120,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_import_scenariokit_imports_nothing_heavy() -> None:
    modules = _modules_after("import scenariokit")
    assert not [m for m in HEAVY if m in modules]
    assert sorted(m for m in modules if m.startswith("scenariokit")) == [
        "scenariokit",
        "scenariokit._lazy",
        "scenariokit._version",
    ]


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        (
            "from scenariokit import blackmail; blackmail().render()",
            ("hypothesis", "httpx", "rich", "matplotlib"),
        ),
        (
            "from scenariokit import estimate_rate",
            ("hypothesis", "httpx", "rich", "matplotlib", "scenariokit.scenario"),
        ),
        ("from scenariokit.scenario import load_scenario", ("hypothesis", "httpx", "rich", "matplotlib")),
        ("from scenariokit.detectors import Verdict", ("hypothesis", "httpx", "rich", "matplotlib")),
    ],
)
def test_using_one_part_does_not_import_the_heavy_others(code: str, absent: tuple[str, ...]) -> None:
    modules = _modules_after(code)
    assert not [m for m in absent if m in modules], code


def test_mypy_sees_every_exported_name(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    names = ", ".join(n for n in scenariokit.__all__ if n != "__version__")
    user = tmp_path / "user_code.py"
    user.write_text(
        f"from scenariokit import {names}\n"
        "from scenariokit.scenario import Scenario as S\n"
        "reveal_type(blackmail)\n"
        "x: int = estimate_rate\n"  # a type error mypy can only find if it sees the real function
        "from scenariokit import not_a_name\n",
        encoding="utf-8",
    )
    out, _, status = api.run(["--strict", "--no-incremental", "--follow-imports=silent", str(user)])
    assert status == 1
    assert 'Revealed type is "def (' in out  # the real signature, not Any
    assert 'Incompatible types in assignment (expression has type "def estimate_rate(' in out
    assert 'Module "scenariokit" has no attribute "not_a_name"' in out
    assert out.count("error:") == 2, out
