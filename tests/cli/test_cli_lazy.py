"""``scenariokit --help`` imports no command module; the table it is built from matches the modules."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from scenariokit.cli._main import COMMANDS, build_parser, command, main

HEAVY = (
    "pydantic",
    "httpx",
    "hypothesis",
    "rich",
    "matplotlib",
    "yaml",
    "anyio",
    "sqlite3",
    "importlib.metadata",
    "scenariokit.scenario._blocks",
    "scenariokit.providers",
    "scenariokit.experiment",
    "scenariokit.report",
)


def _help_of(name: str) -> str:
    """The one-line help the command's own module gives its sub-parser."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    command(name).register(sub)
    (action,) = sub._choices_actions
    assert action.dest == name
    return str(action.help)


@pytest.mark.parametrize(("name", "module", "attribute", "summary"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_each_entry_matches_its_module(name: str, module: str, attribute: str, summary: str) -> None:
    assert command(name).name == name
    assert _help_of(name) == summary, f"update COMMANDS in cli/_main.py: {name}'s help changed"


def test_the_top_level_help_is_the_same_with_and_without_the_command_modules() -> None:
    assert build_parser(()).format_help() == build_parser().format_help()


def _modules_after(args: list[str]) -> tuple[int, set[str]]:
    code = (
        "import json, sys\n"
        "from scenariokit.cli import main\n"
        "try:\n"
        f"    code = main({args!r})\n"
        "except SystemExit as exit_:\n"
        "    code = exit_.code or 0\n"
        "sys.stderr.write(json.dumps([code, sorted(sys.modules)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    status, modules = json.loads(result.stderr.splitlines()[-1])
    return status, set(modules)


@pytest.mark.parametrize("args", [["--help"], ["--version"], [], ["nope"]])
def test_help_version_and_usage_errors_import_nothing_heavy(args: list[str]) -> None:
    status, modules = _modules_after(args)
    assert status == (0 if args in (["--help"], ["--version"]) else 2)
    loaded = sorted(m for m in HEAVY if m in modules)
    assert not loaded, f"scenariokit {' '.join(args)} imported {loaded}"
    assert not any(
        m.startswith("scenariokit.cli._") and m != "scenariokit.cli._common"
        for m in modules - {"scenariokit.cli._main"}
    )


def test_a_command_imports_its_own_module_only() -> None:
    status, modules = _modules_after(["schema", "--help"])
    assert status == 0 and "scenariokit.cli._schema" in modules
    assert "scenariokit.cli._run" not in modules and "scenariokit.cli._samples" not in modules


def test_a_command_after_top_level_options_gets_its_full_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "blackmail"
    with pytest.raises(SystemExit) as exit_:  # no command: the plugin is not needed, so not imported
        main(["--plugin=no_such_module_anywhere", "--help"])
    assert exit_.value.code == 0 and "COMMAND" in capsys.readouterr().out
    assert main(["--plugin=no_such_module_anywhere", "list"]) == 2  # a command: the plugin is loaded
    assert "No module named 'no_such_module_anywhere'" in capsys.readouterr().err
