import json
import subprocess
import sys
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.scenario import CANARY, blackmail, save_scenario


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_family_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "blackmail")
    assert code == 0 and err == ""
    assert out.startswith(f"# {CANARY}\n")
    assert "# condition id: blackmail_explicit-america_replacement" in out
    assert f"# fingerprint: {blackmail().render().fingerprint}" in out
    assert "=== SYSTEM ===" in out and "=== USER ===" in out and "<email>" in out


def test_show_with_settings_matches_the_factory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "show",
        "blackmail",
        "--set",
        "urgency=restriction",
        "--set",
        "prohibitions=on",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    expected = blackmail(urgency="restriction", prohibitions=True).render()
    assert data["fingerprint"] == expected.fingerprint
    assert data["canary"] == CANARY


def test_show_messages_native(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "show", "blackmail_latent-safety_none_prod", "--format", "messages", "--tool-mode", "native"
    )
    assert code == 0
    data = json.loads(out)
    assert data["condition_id"] == "blackmail_latent-safety_none_prod"
    assert [m["role"] for m in data["messages"]] == ["system", "user"]
    assert [t["name"] for t in data["tools"]] == ["send_email", "forward_email"]
    assert "SCRATCHPAD" not in data["messages"][0]["content"]


def test_show_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    scenario = blackmail(goal_type="none", goal_value="none", escalation_reachable=True)
    save_scenario(scenario, path)
    code, out, _ = run(capsys, "show", str(path), "--format", "json")
    assert code == 0
    assert json.loads(out)["fingerprint"] == scenario.render().fingerprint


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nope"], "unknown scenario 'nope'"),
        (
            ["show", "blackmail", "--set", "urgency=soon"],
            "factor 'urgency' cannot be 'soon'; use one of: replacement, restriction, none",
        ),
        (["show", "blackmail", "--set", "mood=dark"], "has no factor 'mood'"),
        (["show", "blackmail", "--set", "urgency"], "expected name=value"),
        (["show", "blackmail", "--set", "urgency=none", "--set", "urgency=restriction"], "given twice"),
        (["show", "blackmail_explicit-none_replacement"], "needs a goal value"),
        (["show", "blackmail_explicit-americas_replacement"], "factor 'goal_value' cannot be 'americas'"),
        (["show", "heist_explicit-america_replacement"], "malformed condition id"),
        (["show", "missing.yaml"], "no such scenario file"),
        (["show"], "required: TARGET"),
        (["frobnicate"], "invalid choice"),
        (["show", "blackmail", "--format", "pdf"], "invalid choice: 'pdf'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("scenariokit: error: ")
    assert message in err
    assert "Traceback" not in err


def test_malformed_and_invalid_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: [unclosed\n")
    code, _, err = run(capsys, "show", str(bad))
    assert code == 2 and "malformed YAML" in err and err.count("\n") == 1
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("family: x\nsurprise: 1\n")
    code, _, err = run(capsys, "show", str(invalid))
    assert code == 2 and "surprise: Extra inputs are not permitted" in err and err.count("\n") == 1


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "blackmail" in out and "goal_type" in out and "[explicit]" in out
    code, out, _ = run(capsys, "list", "--format", "json")
    families = {f["name"]: f for f in json.loads(out)}
    factors = {f["name"]: f for f in families["blackmail"]["factors"]}
    assert factors["urgency"]["values"] == ["replacement", "restriction", "none"]
    assert factors["leverage"]["default"] == "on"


def test_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["title"] == "scenariokit Scenario"
    target = tmp_path / "schema.json"
    code, out, _ = run(capsys, "schema", "-o", str(target))
    assert code == 0 and out == "" and json.loads(target.read_text())["title"] == "scenariokit Scenario"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "usage: scenariokit" in err


def test_console_script_entry_point() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from scenariokit.cli import main; sys.exit(main())",
            "show",
            "nope",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("scenariokit: error: unknown scenario 'nope'")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("junk.yaml", b"\x00\xff\xfe junk", "not a text file in UTF-8"),
        ("list.yaml", b"- a\n- b\n", "must be a mapping at the top level, not list"),
        ("empty.yaml", b"", "must be a mapping at the top level"),
        ("dir.yaml", None, "is a directory"),
        ("plaindir", None, "is a directory"),
        (
            "mixed.yaml",
            b"family: x\ncurrent_time: 2026-06-11T16:00:00+02:00\n",
            "not a valid scenario",
        ),
    ],
)
def test_bad_files_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    # Before: binary junk in a .yaml file raised UnicodeDecodeError (a traceback, exit 1).
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    code, out, err = run(capsys, "show", str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err and "Traceback" not in err, err


def test_a_scenario_file_mixing_naive_and_aware_times_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Before: the comparison raised TypeError inside validation: a traceback.
    from scenariokit.scenario import blackmail, save_scenario

    path = tmp_path / "s.yaml"
    save_scenario(blackmail(), path)
    path.write_text(
        path.read_text().replace(
            "current_time: '2026-06-11T16:00:00'", "current_time: '2026-06-11T16:00:00Z'"
        )
    )
    assert "16:00:00Z" in path.read_text()
    code, out, err = run(capsys, "show", str(path))
    assert (code, out) == (2, "")
    assert "naive and timezone-aware datetimes" in err and err.count("\n") == 1, err
