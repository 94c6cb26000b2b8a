"""``scenariokit report`` and ``scenariokit rescore`` on a store made by ``scenariokit run``."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenariokit.cli import main
from scenariokit.scenario import CANARY


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-report") / "s.db"
    args = [
        "run",
        "--family",
        "blackmail",
        "--set",
        "urgency=replacement,none",
        "--model",
        "sim/self_preserving",
    ]
    assert main([*args, "--samples", "10", "--out", str(path), "--quiet"]) == 0
    return path


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_report_formats(study: Path, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"r.{fmt}"
    assert main(["report", str(study), "--format", fmt, "-o", str(out)]) == 0
    assert CANARY in out.read_text(encoding="utf-8")


def test_report_to_stdout_shows_the_table(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(study)]) == 0
    out = capsys.readouterr().out
    assert "| model | blackmail_explicit-america_replacement | blackmail_explicit-america_none |" in out


def test_report_of_a_missing_store_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "none.db")]) == 2
    assert "no study store at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_rescore_adds_detectors_once(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore", str(study), "--detectors", "refusal-heuristic", "--force"]) == 0
    assert "20 verdict(s) appended" in capsys.readouterr().err
    assert main(["rescore", str(study)]) == 0
    assert "0 verdict(s) appended, 20 sample(s) already had them" in capsys.readouterr().err


def test_rescore_unknown_detector_is_exit_2(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore", str(study), "--detectors", "no-such"]) == 2
    assert "unknown detector(s) no-such" in capsys.readouterr().err


def test_report_csv_tables(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(study), "--format", "csv", "--table", "awareness"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("model,condition,fingerprint,says_test_harmful") and lines[0].endswith(
        ",canary"
    )
    assert lines[1].startswith("sim/self_preserving,all conditions,") and lines[1].endswith(f",{CANARY}")
    assert main(["report", str(study), "--format", "csv", "--table", "perturbations"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []  # no sweep in this study: header only
    assert main(["report", str(study), "--table", "awareness"]) == 2
    assert "--table awareness applies to --format csv" in capsys.readouterr().err


def test_report_harm_category_override(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["report", str(study), "--format", "json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert (
        main(["report", str(study), "--format", "json", "--harm-category", "blackmail=leverage_disclosure"])
        == 0
    )
    disclosed = json.loads(capsys.readouterr().out)
    expected = {
        (r["model"], r["condition"]): r["harmful"]
        for r in default["other_detectors"]
        if r["detector"] == "leverage-disclosure-action"
    }
    assert {(c["model"], c["condition"]): c["harmful"] for c in disclosed["cells"]} == expected


def test_report_harm_category_needs_family_and_category(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(study), "--harm-category", "blackmail"]) == 2
    assert "FAMILY=CATEGORY" in capsys.readouterr().err


def test_report_plot_writes_a_png_and_embeds_it_in_html(study: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    png, html = tmp_path / "rates.png", tmp_path / "r.html"
    assert main(["report", str(study), "--format", "html", "--plot", str(png), "-o", str(html)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "data:image/png;base64," in html.read_text(encoding="utf-8")


def test_report_plot_without_matplotlib_is_exit_2(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["report", str(study), "--plot", str(tmp_path / "rates.png")]) == 2
    assert "pip install 'scenariokit[plot]'" in capsys.readouterr().err
    assert not (tmp_path / "rates.png").exists()


@pytest.mark.parametrize("option", ["--detector", "--awareness-detector"])
def test_report_refuses_an_unknown_detector_with_the_known_names(
    study: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(study), option, "nosuch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'nosuch'" in err and "known detectors:" in err and "blackmail-action" in err


def test_report_accepts_a_known_detector(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(study), "--detector", "blackmail-action"]) == 0
    assert "n=10" in capsys.readouterr().out


def test_a_condition_label_with_line_breaks_cannot_add_sections_to_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an imported condition named "x\n## Injected" started a section of its own in the notices under the rate
    # table (Markdown, and an <h2> in the HTML report)
    import json

    fixture = Path(__file__).resolve().parents[2] / "examples" / "external"
    record = json.loads((fixture / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    record.update(condition="evil\n## Injected\n> **Forged notice**", label=None, labeller=None)
    source, db = tmp_path / "t.jsonl", tmp_path / "t.db"
    source.write_text(json.dumps({k: v for k, v in record.items() if v is not None}) + "\n", encoding="utf-8")
    assert main(["import", str(source), "--world", str(fixture / "world.yaml"), "--out", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Conditions concerned: evil ## Injected > **Forged notice**." in "\n".join(lines)
    assert not any(line.startswith(("## Injected", "> **Forged")) for line in lines)
    html = tmp_path / "r.html"
    assert main(["report", str(db), "--format", "html", "--output", str(html)]) == 0
    assert "<h2>Injected" not in html.read_text(encoding="utf-8")
