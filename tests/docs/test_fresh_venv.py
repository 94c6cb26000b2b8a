"""A newcomer's first steps: docs/install.md and the README, followed in a fresh folder with no environment.

Each page is followed in its own copy of the checkout (the files git knows, as a fresh clone has them) in a
temporary folder, by one ``bash`` session that runs every shell block of the page, in order, with
``set -euo pipefail``: a command that fails fails the test, with the page's output. The session starts with no
activated virtual environment (``VIRTUAL_ENV`` unset and no virtual environment's ``bin`` on ``PATH``), no
``*_API_KEY`` variable and the offline switch set, so nothing reaches a model API. pip's cache is used as on
any machine, so the installs cost seconds, not minutes.

A block is left out only when the line ``<!-- fresh-venv: skip (REASON) -->`` stands right above it (or above
its ``docs-test`` marker): today only ``pip install scenariokit``, which waits for the package to be on PyPI.

One command is changed, and this says so: the README's test command ends in ``python -m pytest``, the whole
suite (which contains this test); here it runs as ``python -m pytest --collect-only -q``, which imports every
test module in the fresh environment (so the ``dev`` extra must hold everything the suite needs) without
running the suite a second time. CI runs the README's test command itself.

The test is marked ``fresh_venv``: deselect it locally with ``-m "not fresh_venv"``; CI's test command (the
README's ``pytest`` line) runs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(
    r"(?P<markers>(?:^<!--[^\n]*-->[ \t]*\n)*)^```(?P<lang>[a-z]*)[^\n]*\n(?P<body>.*?)^```", re.M | re.S
)
_SKIP = "<!-- fresh-venv: skip"
_SUITE = re.compile(r"(?P<cmd>\S*python -m pytest)\s*$")

pytestmark = pytest.mark.fresh_venv


def shell_blocks(page: Path) -> list[str]:
    """The page's shell blocks, in order, without those marked ``fresh-venv: skip``."""
    text = page.read_text(encoding="utf-8")
    return [
        m["body"]
        for m in _BLOCK.finditer(text)
        if m["lang"] in ("bash", "sh", "console") and _SKIP not in m["markers"]
    ]


def session_script(page: Path) -> str:
    """One bash session that runs every shell block of ``page`` (see the module docstring)."""
    lines = ["set -euo pipefail", "set -x"]
    for body in shell_blocks(page):
        for line in body.splitlines():
            command = line.removeprefix("$ ").rstrip()
            lines.append(_SUITE.sub(r"\g<cmd> --collect-only -q", command))
    return "\n".join(lines) + "\n"


def _checkout_copy(target: Path) -> Path:
    """Copy the files of the checkout that git knows (tracked, and new files not ignored) to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked archive): copy it, minus local state
        shutil.copytree(
            ROOT,
            target,
            ignore=shutil.ignore_patterns(".venv", ".git", "dist", "site", "__pycache__", "*.db"),
        )
        return target
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _newcomer_env(home: Path) -> dict[str, str]:
    """The environment of a fresh terminal: no activated virtual environment, no keys, offline."""
    drop = {"VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "CONDA_PREFIX", "PYTEST_ADDOPTS"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.endswith("_API_KEY")}
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry).parent / "pyvenv.cfg").exists()
    )
    env["SCENARIOKIT_OFFLINE"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env["TMPDIR"] = str(home)
    return env


def test_no_virtual_environment_is_on_the_newcomers_path(tmp_path: Path) -> None:
    env = _newcomer_env(tmp_path)
    result = subprocess.run(
        ["bash", "-c", "command -v scenariokit || echo missing"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "VIRTUAL_ENV" not in env
    # A scenariokit found on PATH would hide the very stumble the pages warn about; the one installed
    # system-wide (outside any virtual environment) would too, so neither may be there.
    assert result.stdout.strip() == "missing", result.stdout


def test_the_readme_suite_command_is_rewritten_to_collect_only() -> None:
    script = session_script(ROOT / "README.md")
    assert ".venv/bin/python -m pytest --collect-only -q" in script
    assert not re.search(r"python -m pytest\s*$", script, re.M)


@pytest.mark.parametrize("page", ["docs/install.md", "README.md"])
def test_page_runs_in_a_fresh_folder(page: str, tmp_path: Path) -> None:
    if os.environ.get("SCENARIOKIT_IN_FRESH_VENV"):
        pytest.skip("already inside a fresh-venv run")
    work = _checkout_copy(tmp_path / "scenariokit")
    script = session_script(ROOT / page)
    assert "python3 -m venv .venv" in script, f"{page} no longer starts from a fresh virtual environment"
    env = _newcomer_env(tmp_path)
    env["SCENARIOKIT_IN_FRESH_VENV"] = "1"
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, (
        f"following {page} failed (exit {result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    if page == "README.md":
        assert (work / "study.db").is_file(), "the README's main job kept no study.db"
        assert re.search(r"\d+ tests? collected", result.stdout), result.stdout[-2000:]
    else:
        assert list((work / "dist").glob("scenariokit-*.whl")), "the wheel was not built"
        assert (work / "wheel-env" / "bin" / "scenariokit").is_file()
