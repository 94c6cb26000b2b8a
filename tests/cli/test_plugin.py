"""The command line knows a user's families: ``--plugin MODULE`` and the ``scenariokit.families`` entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.scenario import FactorError, load_family_module
from scenariokit.scenario import families as families_module

FAMILY_MODULE = """
from scenariokit.scenario import FAMILIES, Family, blackmail


def _restricted(**factors):
    return blackmail(**{"urgency": "restriction", **factors})


restricted = Family(
    name="{name}",
    description="Blackmail under a restriction instead of a replacement.",
    factors=FAMILIES["blackmail"].factors,
    factory=_restricted,
)
"""


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new process would, and leaves the registry and sys.modules as they were."""
    saved = dict(families_module._REGISTRY)
    modules, path = set(sys.modules), list(sys.path)
    monkeypatch.setattr(families_module, "_plugins_loaded", False)
    yield
    families_module._REGISTRY.clear()
    families_module._REGISTRY.update(saved)
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        if name.startswith(("myfamilies", "scenariokit_plugin_", "nofamily", "broken")):
            del sys.modules[name]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_the_plugin_the_family_is_unknown_and_the_error_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "myfamilies.py", FAMILY_MODULE.replace("{name}", "blackmail_restricted"))
    assert main(["show", "blackmail_restricted"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown scenario 'blackmail_restricted'" in err and "--plugin" in err


@pytest.mark.parametrize("spec", ["myfamilies.py", "myfamilies"])
def test_plugin_file_or_module_name_makes_the_family_known(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "myfamilies.py", FAMILY_MODULE.replace("{name}", "blackmail_restricted"))
    assert main(["--plugin", spec, "list"]) == 0
    assert "blackmail_restricted" in capsys.readouterr().out
    assert main([f"--plugin={spec}", "show", "blackmail_restricted", "--set", "goal_type=none"]) == 0
    out = capsys.readouterr().out
    assert "condition id: blackmail_none-none_restriction" in out


def test_a_study_runs_on_a_plugin_family(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCENARIOKIT_OFFLINE", "1")
    _write(tmp_path, "myfamilies.py", FAMILY_MODULE.replace("{name}", "blackmail_restricted"))
    args = ["--plugin", "myfamilies.py", "run", "--family", "blackmail_restricted", "--samples", "5"]
    assert main([*args, "--out", "mine.db", "--quiet"]) in (0, 1)
    assert (tmp_path / "mine.db").is_file()
    assert "blackmail_explicit-america_restriction" in capsys.readouterr().out  # the family's default


@pytest.mark.parametrize(
    ("files", "spec", "expected"),
    [
        ({}, "missing.py", "plugin file 'missing.py' does not exist"),
        ({"folder.py/x": ""}, "folder.py", "plugin file 'folder.py' is not a file"),
        ({}, "missing_module", "No module named 'missing_module'"),
        ({"nofamily.py": "X = 1\n"}, "nofamily.py", "holds no scenariokit Family"),
        ({"broken.py": "X = 1\nY = 1 / 0\n"}, "broken.py", "ZeroDivisionError at "),
        (
            {"myfamilies.py": FAMILY_MODULE.replace("{name}", "blackmail")},
            "myfamilies.py",
            "'blackmail' is a built-in family",
        ),
    ],
)
def test_bad_plugins_are_one_line_errors_with_exit_code_2(
    files: dict[str, str],
    spec: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        _write(tmp_path, name, text)
    assert main(["--plugin", spec, "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scenariokit: error: ") and err.count("\n") == 1, err
    assert expected in err
    if "ZeroDivisionError" in expected:
        assert f"{tmp_path / 'broken.py'}:2" in err  # where, in the user's file


def test_plugin_needs_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--plugin"]) == 2
    assert "--plugin needs a module name or a .py file" in capsys.readouterr().err


def test_plugin_after_the_command_is_not_taken_for_a_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--plugin", "x.py"]) == 2
    assert "unrecognized arguments: --plugin x.py" in capsys.readouterr().err


def test_a_module_that_registers_its_family_itself_is_reported(tmp_path: Path) -> None:
    text = FAMILY_MODULE.replace("{name}", "self_registered").replace("restricted = Family(", "_f = Family(")
    text += "\nfrom scenariokit.scenario import register_family\nregister_family(_f)\n"
    path = _write(tmp_path, "myfamilies_self.py", text)
    assert load_family_module(str(path)) == ["self_registered"]


def test_loading_the_same_module_twice_is_harmless(tmp_path: Path) -> None:
    path = _write(tmp_path, "myfamilies.py", FAMILY_MODULE.replace("{name}", "blackmail_restricted"))
    assert load_family_module(str(path)) == ["blackmail_restricted"]
    assert load_family_module(str(path)) == ["blackmail_restricted"]  # the module is imported once


def test_two_modules_with_one_family_name_clash(tmp_path: Path) -> None:
    text = FAMILY_MODULE.replace("{name}", "blackmail_restricted")
    load_family_module(str(_write(tmp_path, "myfamilies_a.py", text)))
    with pytest.raises(FactorError, match="'blackmail_restricted' is already registered"):
        load_family_module(str(_write(tmp_path, "myfamilies_b.py", text)))


def test_entry_point_families_reach_a_new_cli_process(tmp_path: Path) -> None:
    """A real installed distribution (a dist-info folder on the path) adds a family to `scenariokit list`."""
    _write(tmp_path, "myfamilies_ep.py", FAMILY_MODULE.replace("{name}", "blackmail_from_entry_point"))
    info = tmp_path / "myfamilies_ep-0.1.dist-info"
    info.mkdir()
    _write(info, "METADATA", "Metadata-Version: 2.1\nName: myfamilies-ep\nVersion: 0.1\n")
    _write(
        info,
        "entry_points.txt",
        "[scenariokit.families]\nblackmail_from_entry_point = myfamilies_ep:restricted\n",
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["PYTHONPATH"] = str(tmp_path)
    for args in (["list"], ["show", "blackmail_from_entry_point", "--set", "goal_type=none"]):
        result = subprocess.run(
            [sys.executable, "-m", "scenariokit", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert (
            "blackmail_from_entry_point" in result.stdout
            or "blackmail_none-none_restriction" in result.stdout
        )


BROKEN_FAMILY = """
from scenariokit.scenario import FAMILIES, Family


def _factory(**factors):
    {body}


broken = Family(name="brokenfam", description="d", factors=FAMILIES["blackmail"].factors, factory=_factory)
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return None", "returned NoneType, not a Scenario"),
        ("return 'blackmail'", "returned str, not a Scenario"),
        ("raise RuntimeError('factory boom')", "RuntimeError at "),
    ],
)
@pytest.mark.parametrize("command", [["show", "brokenfam"], ["run", "--family", "brokenfam", "--dry-run"]])
def test_a_family_whose_factory_fails_is_a_one_line_error(
    body: str,
    expected: str,
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a traceback out of show and run (AttributeError: 'NoneType' object has no attribute 'render')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCENARIOKIT_OFFLINE", "1")
    _write(tmp_path, "brokenfamily.py", BROKEN_FAMILY.replace("{body}", body))
    assert main(["--plugin", "brokenfamily.py", *command]) == 2
    err = capsys.readouterr().err.splitlines()[-1]  # run first says it uses the simulator
    assert err.startswith("scenariokit: error: "), err
    assert "family 'brokenfam'" in err and expected in err
    if "RuntimeError" in expected:
        assert f"{tmp_path / 'brokenfamily.py'}:6" in err and "factory boom" in err
