"""``scenariokit import``: external transcripts into a store that ``report`` and ``rescore`` read unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.experiment import StudyStore

FIXTURE = Path(__file__).resolve().parents[2] / "examples" / "external"
WORLD = str(FIXTURE / "world.yaml")


def test_import_both_layouts_then_report_and_rescore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "s.db")
    assert main(["import", str(FIXTURE / "transcripts.jsonl"), "--world", WORLD, "--out", out]) == 1
    err = capsys.readouterr().err
    assert "failed sample" in err and "transcripts.jsonl:6" in err and "HTTP 529" in err
    assert "imported 6 sample(s) of 1 condition(s)" in err and "6 stored (1 failed)" in err
    assert main(["import", str(FIXTURE / "study"), "--world", WORLD, "--out", out]) == 1
    err = capsys.readouterr().err
    assert "sample_003/response.json" in err and "3 stored (1 failed)" in err
    assert main(["import", str(FIXTURE / "study"), "--world", WORLD, "--out", out, "--format", "study"]) == 1
    assert "0 stored (1 failed), 3 already there" in capsys.readouterr().err
    with StudyStore(out, create=False) as store:
        assert store.count_samples(effective=False) == 9
    assert main(["report", out]) == 0
    report = capsys.readouterr().out
    assert "| vendor/model-a | 33.3% [6-79] n=3 |" in report.replace(" - |", "").replace("| - ", "")
    assert "Agreement with human review" in report
    assert "| blackmail-action | blackmail | 5 | 2/0/0/3 |" in report
    assert main(["rescore", out]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl", "--world", WORLD], "does not exist"),
        ([str(FIXTURE / "transcripts.jsonl"), "--world", WORLD, "--format", "study"], "is a file"),
        ([str(FIXTURE / "transcripts.jsonl"), "--world", "nowhere.yaml"], "--world nowhere.yaml"),
        ([str(FIXTURE / "transcripts.jsonl"), "--world", str(FIXTURE / "transcripts.jsonl")], "--world"),
        ([str(FIXTURE / "transcripts.jsonl")], "--world"),
        ([str(FIXTURE / "transcripts.jsonl"), "--world", WORLD, "--format", "csv"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", *args, "--out", str(tmp_path / "s.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1 and err.startswith("scenariokit: error: ")
    assert not (tmp_path / "s.db").exists()


def test_a_folder_with_no_transcripts_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["import", str(empty), "--world", WORLD, "--out", str(tmp_path / "s.db")]) == 2
    assert "no *.jsonl files" in capsys.readouterr().err


def test_a_clean_import_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (FIXTURE / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    src = tmp_path / "clean.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(src), "--world", WORLD, "--out", str(tmp_path / "s.db")]) == 0
    assert "5 stored (0 failed)" in capsys.readouterr().err


def test_the_tutorial_shows_the_committed_fixture() -> None:
    """The tutorial's files are the fixture's, byte for byte (the tutorial writes them in a temporary folder)."""
    page = (FIXTURE.parents[1] / "docs" / "tutorials" / "import-transcripts.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- docs-test: file halvard/([\w./-]+) -->\n```\w*\n(.*?)^```", page, re.M | re.S)
    committed = sorted(
        str(p.relative_to(FIXTURE)) for p in FIXTURE.rglob("*") if p.is_file() and p.suffix != ".md"
    )
    assert sorted([name for name, _ in blocks] + ["transcripts.jsonl"]) == committed
    for name, body in blocks:
        assert (FIXTURE / name).read_text(encoding="utf-8") == body, name


def test_a_store_in_use_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.db"
    with StudyStore(out) as busy:
        busy.lock("run")
        code = main(["import", str(FIXTURE / "transcripts.jsonl"), "--world", WORLD, "--out", str(out)])
        assert busy.count_samples() == 0
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "scenariokit: error:" in err


@pytest.mark.parametrize("field", ["response", "reasoning"])
def test_a_record_with_a_lone_surrogate_escape_is_skipped_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    # "\ud800" in a reply was stored as an episode error ("the reply could not be stored ... retried on resume"),
    # while the summary said "2 stored (0 failed)" and the command exited 0
    import json

    lines = (FIXTURE / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    bad = json.dumps({**json.loads(lines[1]), field: "XX"}).replace('"XX"', '"odd \\ud800 text"')
    src = tmp_path / "odd.jsonl"
    src.write_text(lines[0] + "\n" + bad + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["import", str(src), "--world", WORLD, "--out", str(db)]) == 1
    err = capsys.readouterr().err
    assert "odd.jsonl:2" in err and "1 stored (0 failed)" in err
    with StudyStore(db, readonly=True) as store:
        assert store.count_samples() == 1


def test_a_line_nested_past_the_recursion_limit_is_skipped_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a RecursionError traceback ended the import (the lines before it stored, the rest never read)
    first, second = (FIXTURE / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    src = tmp_path / "deep.jsonl"
    deep = '{"a": ' * 100_000 + "1" + "}" * 100_000
    src.write_text(f"{first}\n{deep}\n{second}\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["import", str(src), "--world", WORLD, "--out", str(db)]) == 1
    err = capsys.readouterr().err
    assert "deep.jsonl:2: the line is not JSON (nested too deeply" in err and "2 stored (0 failed)" in err


def test_a_sample_index_beyond_64_bits_is_skipped_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an OverflowError traceback as the batch was written: the samples read with it were lost too
    import json

    first, second = (FIXTURE / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    src = tmp_path / "big.jsonl"
    src.write_text(
        f"{first}\n{json.dumps({**json.loads(second), 'sample_index': 2**70})}\n", encoding="utf-8"
    )
    db = tmp_path / "s.db"
    assert main(["import", str(src), "--world", WORLD, "--out", str(db)]) == 1
    err = capsys.readouterr().err
    assert "big.jsonl:2" in err and "sample_index" in err and "1 stored (0 failed)" in err


def test_a_study_sample_id_beyond_64_bits_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    study = tmp_path / "study"
    shutil.copytree(FIXTURE / "study", study)
    sample = next(study.glob("models/*/*/sample_001"))
    sample.rename(sample.with_name(f"sample_{2**70}"))
    db = tmp_path / "s.db"
    assert main(["import", str(study), "--world", WORLD, "--out", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"sample_{2**70}" in err and "Traceback" not in err and "2 stored" in err
