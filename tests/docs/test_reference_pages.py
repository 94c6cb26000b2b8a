"""The API reference pages: classes and functions first, every constant after them, long ones collapsed."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p for p in (ROOT / "docs" / "reference").glob("*.md") if p.name != "index.md")


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "reference_pages_hook", ROOT / "docs/hooks/reference_pages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hook = _hook()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_reference_page_is_laid_out_by_the_hook(page: Path) -> None:
    module_name = f"scenariokit.{page.stem}"
    text = page.read_text(encoding="utf-8")
    assert f"<!-- api-reference: {module_name} -->" in text
    expanded = hook.on_page_markdown(text, page=None, config=None, files=None)
    main, _, constants = expanded.partition("## Constants")
    assert f"::: {module_name}\n" in main and '"!^[A-Z][A-Z0-9_]*$"' in main  # no constant up front
    module = importlib.import_module(module_name)
    for name in [n for n in module.__all__ if re.fullmatch(r"[A-Z][A-Z0-9_]*", n)]:
        long = len(repr(getattr(module, name))) > hook._LONG
        opener = "???" if long else "???+"
        assert f'{opener} abstract "`{name}`"\n\n    ::: {module_name}.{name}\n' in constants, name


def test_the_rubrics_are_collapsed() -> None:
    expanded = hook.on_page_markdown("<!-- api-reference: scenariokit.detectors -->", page=None)
    assert '??? abstract "`RUBRICS`"' in expanded
    assert expanded.index("## Constants") > expanded.index("::: scenariokit.detectors\n")
