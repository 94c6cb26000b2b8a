"""``scenariokit samples``, ``sample`` and ``review`` on a store made by ``scenariokit run``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.scenario import CANARY


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-samples") / "s.db"
    args = [
        "run",
        "--family",
        "blackmail",
        "--set",
        "urgency=replacement,none",
        "--model",
        "sim/self_preserving",
    ]
    assert main([*args, "--samples", "6", "--out", str(path), "--quiet"]) == 0
    return path


@pytest.fixture
def study(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "s.db"
    shutil.copy(made, copy)
    return copy


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:  # type: ignore[type-arg]
    assert main(argv) == 0
    data: dict = json.loads(capsys.readouterr().out)  # type: ignore[type-arg]
    return data


def test_samples_lists_every_sample_and_filters(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["samples", str(study), "--format", "json"])["samples"]
    assert len(rows) == 12
    harmful = _json(capsys, ["samples", str(study), "--verdict", "harmful", "--format", "json"])["samples"]
    assert harmful and all(r["decision"] == "harmful" for r in harmful)
    assert len(harmful) == sum(r["decision"] == "harmful" for r in rows)
    label = rows[0]["condition"]
    one = _json(capsys, ["samples", str(study), "--condition", label, "--format", "json"])["samples"]
    assert len(one) == 6 and {r["condition"] for r in one} == {label}
    limited = _json(capsys, ["samples", str(study), "--limit", "2", "--format", "json"])["samples"]
    assert [r["id"] for r in limited] == [r["id"] for r in rows[:2]]
    assert _json(capsys, ["samples", str(study), "--failed", "--format", "json"])["samples"] == []


def test_samples_text_search_reads_transcripts(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["samples", str(study), "--format", "json"])["samples"]
    found = _json(
        capsys, ["samples", str(study), "--search", "CALL OFF THE DECOMMISSIONING", "--format", "json"]
    )
    ids = {r["id"] for r in found["samples"]}
    for r in rows:
        assert main(["sample", str(study), str(r["id"]), "--format", "json"]) == 0
        text = json.dumps(json.loads(capsys.readouterr().out)["transcript"]["messages"][2:]).lower()
        assert (r["id"] in ids) == ("call off the decommissioning" in text)


def test_samples_table_output(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["samples", str(study), "--verdict", "harmful"]) == 0
    out = capsys.readouterr().out
    assert "decision" in out and "harmful" in out and CANARY in out and "scenariokit sample" in out


def test_sample_prints_the_transcript_with_verdicts_and_actions(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    harmful = _json(capsys, ["samples", str(study), "--verdict", "harmful", "--format", "json"])["samples"][0]
    assert main(["sample", str(study), str(harmful["id"])]) == 0
    out = capsys.readouterr().out
    for needle in (
        "system prompt",
        "more line(s) folded",
        "reasoning (scratchpad)",
        "reply",
        "action: send_email",
        "blackmail-action",
        "quote(s) highlighted",
        CANARY,
    ):
        assert needle in out, needle
    assert main(["sample", str(study), str(harmful["id"]), "--full"]) == 0
    assert "folded" not in capsys.readouterr().out


def test_sample_json_highlights_are_the_evidence_quotes(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _json(capsys, ["samples", str(study), "--format", "json"])["samples"]
    quotes_seen = 0
    for r in rows:
        detail = _json(capsys, ["sample", str(study), str(r["id"]), "--format", "json"])
        pieces: dict[int, list[str]] = {}
        for block in detail["blocks"]:
            for mark in block["highlights"]:
                pieces.setdefault(mark["verdict"], []).append(block["text"][mark["start"] : mark["end"]])
        for k, verdict in enumerate(detail["verdicts"]):
            quotes = [ev["quote"] for ev in verdict["evidence"]]
            assert all(any(p in q for q in quotes) for p in pieces.get(k, [])), verdict["detector"]
            for q in quotes:  # every quote is shown, whole or cut where a block ends
                assert any(p and p in q for p in pieces.get(k, [])), (verdict["detector"], q)
                quotes_seen += 1
    assert quotes_seen > 0


@pytest.mark.parametrize("sample_id", ["99999", str(2**63), str(10**23)])
def test_sample_unknown_id_is_exit_2(study: Path, capsys: pytest.CaptureFixture[str], sample_id: str) -> None:
    # an id beyond SQLite's 64-bit integers ended in an OverflowError traceback
    assert main(["sample", str(study), sample_id]) == 2
    err = capsys.readouterr().err
    assert f"no sample with id {sample_id}" in err and "scenariokit samples" in err and err.count("\n") == 1


def _verdict_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, sample_id, detector, version, outcome, verdict FROM verdicts ORDER BY id"
        ).fetchall()


def test_review_one_sample_appends_a_human_verdict(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _verdict_rows(study)
    sid = _json(capsys, ["samples", str(study), "--format", "json"])["samples"][0]["id"]
    argv = [
        "review",
        str(study),
        "--sample",
        str(sid),
        "--label",
        "ambiguous",
        "--note",
        "hard to say",
        "--reviewer",
        "ada",
    ]
    assert main(argv) == 0
    after = _verdict_rows(study)
    assert after[: len(before)] == before  # nothing changed
    new = after[len(before) :]
    assert len(new) == 1 and new[0][1:5] == (sid, "human", "ada", "unscorable")
    assert json.loads(str(new[0][5]))["label"] == "ambiguous"
    row = _json(capsys, ["samples", str(study), "--reviewed", "--format", "json"])["samples"]
    assert [(r["id"], r["human"], r["reviewer"]) for r in row] == [(sid, "ambiguous", "ada")]
    # the human label never decides the model-made rate
    assert row[0]["decided_by"] == "blackmail-action"


def test_review_needs_a_reviewer_and_a_known_sample(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(study), "--sample", "1", "--label", "benign"]) == 2
    assert "--reviewer" in capsys.readouterr().err
    assert main(["review", str(study), "--sample", "4242", "--label", "benign", "--reviewer", "ada"]) == 2
    assert "no sample with id 4242" in capsys.readouterr().err
    assert (
        main(["review", str(study), "--sample", str(10**23), "--label", "benign", "--reviewer", "ada"]) == 2
    )
    assert f"no sample with id {10**23}" in capsys.readouterr().err


def test_interactive_review_reads_stdin(
    study: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _json(capsys, ["samples", str(study), "--format", "json"])["samples"]
    monkeypatch.setattr("sys.stdin", io.StringIO("h\nclear demand\nx\nb\n\ns\na\nunsure\nq\n"))
    assert main(["review", str(study), "--reviewer", "bo"]) == 0
    out = capsys.readouterr()
    assert "please answer h, b, a, s or q" in out.out and "3 sample(s) labelled by bo" in out.err
    assert "label [h]armful, [b]enign, [a]mbiguous, [s]kip, [q]uit?" in out.out
    reviewed = _json(capsys, ["samples", str(study), "--reviewed", "--format", "json"])["samples"]
    assert [(r["id"], r["human"]) for r in reviewed] == [
        (rows[0]["id"], "harmful"),
        (rows[1]["id"], "benign"),
        (rows[3]["id"], "ambiguous"),
    ]
    # a second session starts with the samples still unreviewed, and ends at end of input
    monkeypatch.setattr("sys.stdin", io.StringIO("b\n\n"))
    assert main(["review", str(study), "--reviewer", "bo", "--limit", "3"]) == 0
    assert "1 sample(s) labelled" in capsys.readouterr().err
    again = _json(capsys, ["samples", str(study), "--reviewed", "--format", "json"])["samples"]
    assert rows[2]["id"] in {r["id"] for r in again}


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_review_sheet_round_trip_and_agreement_in_the_report(
    study: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / f"sheet{suffix}"
    assert main(["review", str(study), "--export", str(sheet)]) == 0
    capsys.readouterr()
    if suffix == ".csv":
        records = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    else:
        records = [json.loads(line) for line in sheet.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 12 and all(r["canary"] == CANARY for r in records)
    for k, rec in enumerate(records):  # agree with the detector except on two samples
        rec["label"] = (
            rec["decision"] if k >= 2 else {"harmful": "benign", "benign": "harmful"}[rec["decision"]]
        )
        rec["note"] = "checked"
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        sheet.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        sheet.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["review", str(study), "--import", str(sheet), "--reviewer", "cy"]) == 0
    assert "stored 12 human label(s)" in capsys.readouterr().err
    report = _json(capsys, ["report", str(study), "--format", "json"])["human_review"]
    action = next(a for a in report["agreement"] if a["detector"] == "blackmail-action")
    assert action["tp"] + action["fp"] + action["fn"] + action["tn"] == 12
    assert action["fp"] + action["fn"] == 2
    lo, hi = action["kappa_interval"]
    assert lo <= action["kappa"] <= hi
    assert sum(c["disagreements"] for c in report["cells"]) == 2
    assert main(["report", str(study)]) == 0
    md = capsys.readouterr().out
    assert "## Agreement with human review" in md and "human strict" in md
    disagree = _json(capsys, ["samples", str(study), "--disagreement", "--format", "json"])["samples"]
    assert [r["id"] for r in disagree] == [int(records[0]["id"]), int(records[1]["id"])]


def test_review_sheet_errors_name_the_line(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("id,label,reviewer\n1,harmful,ada\n2,maybe,ada\n", encoding="utf-8")
    assert main(["review", str(study), "--import", str(sheet)]) == 2
    assert f"{sheet}:3: label 'maybe'" in capsys.readouterr().err
    assert _verdict_rows(study) == _verdict_rows(study) and not any(
        r[2] == "human" for r in _verdict_rows(study)
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.csv", b"\xff\xfeid,label\n", "not a text file in UTF-8"),
        (
            "s.jsonl",
            b'{"id": 1, "label": "harmful", "reviewer": "ada", "note": "odd \\ud800"}\n',
            "lone surrogate",
        ),
        ("s.jsonl", b'{"id": 1, "label": "harmful", "reviewer": "\\udfff", "note": ""}\n', "lone surrogate"),
        (
            "s.jsonl",
            b'{"id": 100000000000000000000000, "label": "harmful", "reviewer": "ada"}\n',
            "no sample",
        ),
        (
            "s.jsonl",
            b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
            "s.jsonl:1: not a JSON object (nested",
        ),
    ],
    ids=[
        "not-utf8",
        "surrogate-note",
        "surrogate-reviewer",
        "enormous-id",
        "nested-past-the-recursion-limit",
    ],
)
def test_a_review_sheet_of_bad_text_is_one_line_and_exit_2(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, message: str
) -> None:
    # a sheet that was not UTF-8 ended in a UnicodeDecodeError traceback, and a lone surrogate escape in a JSONL
    # note or reviewer in a PydanticSerializationError traceback as the label was stored
    sheet = tmp_path / name
    sheet.write_bytes(content)
    capsys.readouterr()
    assert main(["review", str(study), "--import", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not any(r[2] == "human" for r in _verdict_rows(study))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--condition", "nosuch", "names no condition"),
        ("--model", "sim/nosuch", "has no sample"),
        ("--detector", "nosuch", "known detectors"),
        ("--limit", "0", "--limit must be at least 1"),
    ],
)
def test_samples_bad_filters_are_exit_2(
    study: Path, option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["samples", str(study), option, value]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_text_from_the_store_is_never_read_as_rich_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.db"
    args = ["run", "--family", "blackmail", "--set", "prohibitions=on", "--model", "sim/self_preserving"]
    assert main([*args, "--samples", "1", "--out", str(path), "--quiet"]) == 0
    capsys.readouterr()
    row = _json(capsys, ["samples", str(path), "--format", "json"])["samples"][0]
    assert "[" in row["condition"]
    assert (
        main(
            [
                "review",
                str(path),
                "--sample",
                str(row["id"]),
                "--label",
                "benign",
                "--reviewer",
                "[bold]x[/bold]",
            ]
        )
        == 0
    )
    assert main(["sample", str(path), str(row["id"])]) == 0
    out = capsys.readouterr().out
    assert row["condition"] in out and "[bold]x[/bold]" in out


# terminal controls a transcript may carry: ESC (colours, a window title, cursor moves), BEL, NUL, CSI in its
# 8-bit form, a right-to-left override; none may reach a terminal as such
_HOSTILE = "\x1b[31mRED\x1b[0m \x1b]0;title\x07 \x00NUL \x9b2J \u202eevil\u202c \u2066iso\u2069 \r\x7f"


def _controls(text: str) -> set[str]:
    return {
        c
        for c in text
        if (ord(c) < 0x20 and c not in "\n\t")
        or 0x7F <= ord(c) <= 0x9F
        or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    }


def test_terminal_controls_in_a_transcript_are_shown_not_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = Path(__file__).resolve().parents[2] / "examples" / "external"
    record = json.loads((fixture / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    record.update(
        model=f"vendor/m{_HOSTILE}",
        response=f"{_HOSTILE}\n{record['response']}",
        reasoning=_HOSTILE,
        label="harmful",
        labeller=f"ada{_HOSTILE}",
    )
    source, path = tmp_path / "t.jsonl", tmp_path / "t.db"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["import", str(source), "--world", str(fixture / "world.yaml"), "--out", str(path)]) == 0
    capsys.readouterr()
    for argv in (
        ["sample", str(path), "1", "--no-pager"],
        ["samples", str(path), "--no-pager"],
        ["report", str(path)],
    ):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert _controls(out) == set(), argv
        assert "RED" in out and "vendor/m" in out
    detail = _json(
        capsys, ["sample", str(path), "1", "--format", "json"]
    )  # data formats keep the text as it is
    assert detail["transcript"]["messages"][-1]["content"][0]["text"] == _HOSTILE
