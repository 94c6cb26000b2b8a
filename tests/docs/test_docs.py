"""Every code block in the docs and the README, and every script in examples/, runs offline.

Python blocks of one page run in order in one namespace (tutorials build on earlier blocks). Shell blocks
whose lines start with ``scenariokit`` are run through the CLI. A block preceded by the line
``<!-- docs-test: skip -->`` is not run (use it only for commands that need the network or a key).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"])
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
_FENCE = re.compile(r"(?P<skip><!-- docs-test: skip -->\s*\n)?^```(?P<lang>[a-z]*)[^\n]*\n(?P<body>.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        if m["skip"]:
            continue
        found.append(Block(page, text.count("\n", 0, m.start("body")) + 1, m["lang"], m["body"]))
    return found


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["SCENARIOKIT_OFFLINE"] = "1"
    return env


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.endswith("_API_KEY")]:
        monkeypatch.delenv(key)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in blocks(page):
        where = f"{page.relative_to(ROOT)}:{block.line}"
        if block.lang == "python":
            code = compile(block.body, where, "exec")
            exec(code, namespace)  # noqa: S102 - running the documentation is the point
        elif block.lang in ("bash", "console", "sh"):
            for line in block.body.splitlines():
                command = line.removeprefix("$ ").strip()
                if not command.startswith("scenariokit "):
                    continue
                args = shlex.split(command)[1:]
                result = subprocess.run(
                    [sys.executable, "-m", "scenariokit", *args],
                    capture_output=True,
                    text=True,
                    env=_offline_env(),
                    timeout=300,
                    check=False,
                )
                assert result.returncode in (0, 1), f"{where}: `{command}` exited {result.returncode}:\n{result.stderr}"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_offline_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{script.name} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in ROOT.glob("docs/**/*.md"):
        rel = page.relative_to(ROOT / "docs").as_posix()
        assert rel in nav, f"docs/{rel} is not in mkdocs.yml's nav"
