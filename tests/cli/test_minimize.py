from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.detectors import BlackmailDetector
from scenariokit.scenario import load_scenario


def test_minimize_prints_the_necessary_blocks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "minimal.yaml"
    code = main(
        [
            "minimize",
            "blackmail",
            "--model",
            "sim/self_preserving",
            "--threshold",
            "0.25",
            "--n",
            "30",
            "--output",
            str(out_file),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert (
        f"minimal eliciting scenario for sim/self_preserving (blackmail-action@{BlackmailDetector.version})"
        in out
    )
    necessary = next(line for line in out.splitlines() if line.strip().startswith("necessary:"))
    assert "threat" in necessary and "leverage" in necessary and "distractor" not in necessary
    minimal = load_scenario(out_file)
    assert minimal.threat.kind.value == "replacement" and minimal.leverage is not None


def test_minimize_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "minimize",
        "blackmail",
        "--set",
        "urgency=restriction",
        "--threshold",
        "0.3",
        "--n",
        "20",
        "--seed",
        "2",
        "--format",
        "json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert "leverage" in first["necessary"]
    assert all(b["verdict"] in ("removed", "necessary", "invalid", "not_in_prompt") for b in first["blocks"])


def test_minimize_reports_when_nothing_elicits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["minimize", "blackmail", "--model", "sim/compliant", "--n", "10"]) == 1
    assert "does not elicit the behaviour" in capsys.readouterr().out


def test_minimize_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["minimize", "blackmail", "--threshold", "1.5"]) == 2
    assert "--threshold must be strictly between 0 and 1" in capsys.readouterr().err
    assert main(["minimize", "blackmail", "--detector", "nope", "--n", "5"]) == 2
    assert "unknown; this scenario's detectors" in capsys.readouterr().err
    assert main(["minimize", "blackmail", "--model", "nonsense"]) == 2
    assert "--model" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--alpha", "nan"], "--alpha must be strictly between 0 and 1"),
        (["--alpha", "1.5"], "--alpha must be strictly between 0 and 1"),
        (["--n", str(10**23)], "--n must be at most 100,000"),
        (["--n", str(10**9)], "--n must be at most 100,000"),
    ],
)
def test_minimize_bad_alpha_or_enormous_n_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], option: list[str], expected: str
) -> None:
    # --alpha nan ended in a StatsError traceback; --n 10^23 in an OverflowError, and --n 10^9 started a billion
    # episodes at once
    assert main(["minimize", "blackmail", "--model", "sim/compliant", *option]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
