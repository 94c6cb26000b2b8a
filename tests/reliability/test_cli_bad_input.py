"""Bad input to the CLI is one clear line on standard error and exit code 2, never a traceback.

Regression tests of issue 11, section 2: a design file that is not UTF-8, a YAML tag on a value it cannot
convert, deeply nested YAML, an over-long ``file:`` name and ``report --plot`` to a missing or read-only path
each ended in a traceback (exit 1).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.scenario import blackmail, save_scenario

DESIGN = "name: fuzz\nmodels: [sim/compliant]\nsamples: 2\nscenarios:\n  - family: blackmail\n"


def _one_line_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("scenariokit: error: ")
    return err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (DESIGN.encode() + b"\xff\xfe not text\n", "not a text file in UTF-8"),
        (DESIGN.replace("samples: 2", "samples: !!float abc").encode(), "cannot be converted"),
        (DESIGN.replace("samples: 2", "samples: !!int [1, 2]").encode(), "invalid YAML"),
        (DESIGN.replace("samples: 2", "samples: !!timestamp yesterday").encode(), "cannot be converted"),
        (b"name: x\nscenarios: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"name: x\nscenarios: " + b"{a: " * 3000 + b"1" + b"}" * 3000 + b"\n", "nested too deeply"),
        (
            DESIGN.replace("- family: blackmail", "- file: " + "a" * 5000 + ".yaml").encode(),
            "File name too long",
        ),
    ],
    ids=["not-utf8", "float-tag", "int-tag", "timestamp-tag", "deep-lists", "deep-maps", "long-file-name"],
)
def test_a_bad_design_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    design = tmp_path / "d.yaml"
    design.write_bytes(content)
    err = _one_line_exit_2(["run", str(design), "--dry-run", "--out", str(tmp_path / "d.db")], capsys)
    assert expected in err


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00", b"!!float abc\n", b"[" * 5000 + b"]" * 5000, b"company: !!binary 'not base64?'\n"],
    ids=["not-utf8", "float-tag", "deep", "binary-tag"],
)
def test_a_bad_scenario_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_bytes(content)
    _one_line_exit_2(["show", str(scenario)], capsys)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_design_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it was read until the memory ran out
    err = _one_line_exit_2(["run", "/dev/zero", "--dry-run", "--out", str(tmp_path / "d.db")], capsys)
    assert "larger than 16 MiB" in err


def test_an_oversized_scenario_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenariokit.scenario import _io

    scenario = tmp_path / "s.yaml"
    save_scenario(blackmail(), scenario)
    monkeypatch.setattr(_io, "MAX_FILE_BYTES", scenario.stat().st_size - 1)
    err = _one_line_exit_2(["show", str(scenario)], capsys)
    assert "scenario files are small" in err
    monkeypatch.setattr(_io, "MAX_FILE_BYTES", scenario.stat().st_size)
    assert main(["show", str(scenario)]) == 0


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "r.db"
    assert main(["run", "--family", "blackmail", "--samples", "2", "--out", str(db), "--quiet"]) == 0
    return db


def test_report_plot_to_a_missing_folder_is_one_line_and_exit_2(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    capsys.readouterr()
    err = _one_line_exit_2(["report", str(store), "--plot", str(tmp_path / "missing" / "p.png")], capsys)
    assert "does not exist" in err


def test_report_plot_to_an_unwritable_path_is_one_line_and_exit_2(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    capsys.readouterr()
    target = tmp_path / "a-folder.png"
    target.mkdir()  # a folder where the file should go: not writable as a file, even by root
    err = _one_line_exit_2(["report", str(store), "--plot", str(target)], capsys)
    assert "cannot write the plot" in err
    assert os.path.isdir(target)


ENORMOUS = str(10**23)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--samples", ENORMOUS], "--samples must be at most 10,000,000"),
        (["--samples", str(10**8), "--dry-run"], "--samples must be at most 10,000,000"),
        (["--concurrency", ENORMOUS], "--concurrency must be at most 100,000"),
        (["--concurrency", str(10**9)], "--concurrency must be at most 100,000"),
        (["--score-workers", ENORMOUS], "--score-workers must be at most 64"),
    ],
    ids=[
        "samples-enormous",
        "samples-1e8",
        "concurrency-enormous",
        "concurrency-1e9",
        "score-workers-enormous",
    ],
)
def test_an_enormous_count_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], expected: str
) -> None:
    # --samples 10^23 ended in an OverflowError traceback; --concurrency 10^9 started a billion tasks and
    # --score-workers 10^23 kept starting worker processes: both hung
    db = tmp_path / "e.db"
    err = _one_line_exit_2(
        ["run", "--family", "blackmail", "--model", "sim/compliant", "--out", str(db), "--quiet", *options],
        capsys,
    )
    assert expected in err
    assert not db.exists()


@pytest.mark.parametrize(
    ("samples", "dry_run"), [(ENORMOUS, []), (ENORMOUS, ["--dry-run"]), (str(10**8), ["--dry-run"])]
)
def test_a_design_of_enormous_samples_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], samples: str, dry_run: list[str]
) -> None:
    design = tmp_path / "d.yaml"
    design.write_text(DESIGN.replace("samples: 2", f"samples: {samples}"))
    err = _one_line_exit_2(["run", str(design), "--out", str(tmp_path / "d.db"), "--quiet", *dry_run], capsys)
    assert "samples: Input should be less than or equal to 10000000" in err


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_scenario_file_that_is_a_directory_or_a_fifo_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    # both were reported as "no such scenario file", which sends the user looking for a typo in the path
    target = tmp_path / "s.yaml"
    if kind == "directory":
        target.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        os.mkfifo(target)
    design = tmp_path / "d.yaml"
    design.write_text(DESIGN.replace("- family: blackmail", "- file: s.yaml"))
    err = _one_line_exit_2(["run", str(design), "--dry-run", "--out", str(tmp_path / "d.db")], capsys)
    assert "no such scenario file" not in err
    assert ("is a directory" if kind == "directory" else "not a regular file") in err
    err = _one_line_exit_2(["show", str(target)], capsys)
    assert "no such scenario file" not in err
    assert ("is a directory" if kind == "directory" else "not a regular file") in err


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--budget-usd", "nan"], "--budget-usd must be more than 0 dollars, got nan"),
        (["--budget-usd", "-1"], "--budget-usd must be more than 0 dollars, got -1.0"),
        (["--budget-tokens", "0"], "--budget-tokens must be more than 0, got 0"),
        (["--budget-tokens", "-5"], "--budget-tokens must be more than 0, got -5"),
    ],
    ids=["usd-nan", "usd-negative", "tokens-zero", "tokens-negative"],
)
def test_a_budget_that_is_not_a_positive_number_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], expected: str
) -> None:
    # --budget-usd nan compared false with every cost: the run went on with no cap at all; a zero or negative
    # cap, refused in a design file, was taken from the command line
    db = tmp_path / "b.db"
    err = _one_line_exit_2(
        ["run", "--family", "blackmail", "--model", "sim/compliant", "--out", str(db), *options], capsys
    )
    assert expected in err
    assert not db.exists()


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\ud83d"])
def test_a_design_with_a_lone_surrogate_escape_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], escape: str
) -> None:
    # "\ud800" in a double-quoted YAML string is half a character: the run stored it, and every report of the
    # study then ended in a UnicodeEncodeError traceback (exit 1)
    design = tmp_path / "d.yaml"
    design.write_text(DESIGN.replace("name: fuzz", f'name: "study {escape}"'))
    db = tmp_path / "d.db"
    err = _one_line_exit_2(["run", str(design), "--out", str(db), "--quiet"], capsys)
    assert "lone surrogate" in err and str(design) in err
    assert not db.exists()


def test_a_surrogate_pair_escape_in_a_design_is_the_character_it_spells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = tmp_path / "d.yaml"
    design.write_text(DESIGN.replace("name: fuzz", 'name: "study \\ud83d\\ude00"'))
    db = tmp_path / "d.db"
    assert main(["run", str(design), "--out", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["report", str(db)]) == 0
    assert "study \U0001f600" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_scenario_file_with_a_lone_surrogate_escape_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    save_scenario(blackmail(), tmp_path / "s.json")
    text = (tmp_path / "s.json").read_text()
    text = text.replace('"name": "Kestrel', '"name": "\\udc80Kestrel', 1)
    assert "\\udc80" in text
    target = tmp_path / f"bad{suffix}"
    target.write_text(text)  # JSON is YAML: the same text serves both
    err = _one_line_exit_2(["show", str(target)], capsys)
    assert "lone surrogate" in err
