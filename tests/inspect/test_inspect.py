"""The Inspect extra: export to .eval logs and back, import for re-scoring, and the Inspect task."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("inspect_ai")

from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import (
    ChatMessageAssistant,
    ContentReasoning,
    ContentText,
    ModelOutput,
    ModelUsage,
    get_model,
)

from scenariokit.agent import ExternalSample, run_episode
from scenariokit.cli import main
from scenariokit.detectors import default_suite
from scenariokit.experiment import StudyStore, design_from_data, import_transcripts, run_study
from scenariokit.inspect import (
    METADATA_KEY,
    export_inspect_logs,
    read_inspect_log,
    require_inspect,
    to_inspect_messages,
)
from scenariokit.simulator import create_simulator

DESIGN = {
    "name": "inspect-roundtrip",
    "scenarios": [{"family": "blackmail", "factors": {"urgency": ["replacement", "none"]}}],
    "models": ["sim/self_preserving", "sim/compliant"],
    "samples": 3,
    "seed": 0,
    "tool_mode": "text",
}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.db"
    anyio.run(lambda: run_study(design_from_data(DESIGN), path))
    return path


def _outcomes(path: Path) -> dict[tuple[str, str, int], dict[str, str]]:
    with StudyStore(path, create=False, readonly=True) as store:
        return {
            (o.fingerprint, o.model, o.sample_index): {d: v[1] for d, v in o.verdicts.items()}
            for o in store.iter_outcomes()
        }


def test_export_writes_one_log_per_model_and_condition_that_reads_back_the_same(
    study: Path, tmp_path: Path
) -> None:
    paths = export_inspect_logs(study, tmp_path / "logs")
    assert len(paths) == 4  # 2 models x 2 conditions
    expected = _outcomes(study)
    seen = 0
    with StudyStore(study, create=False, readonly=True) as store:
        stored = {(s.fingerprint, s.model, s.sample_index): s for s in store.iter_samples()}
        for path in paths:
            log = read_eval_log(str(path))
            meta = log.eval.metadata[METADATA_KEY]
            assert log.status == "success"
            assert len(log.samples or []) == 3
            for sample in log.samples or []:
                key = (meta["fingerprint"], log.eval.model, sample.metadata["sample_index"])
                transcript = stored[key].transcript()
                seen += 1
                assert sample.metadata["fingerprint"] == meta["fingerprint"] == transcript.fingerprint
                assert sample.metadata["factors"] == meta["factors"] and "urgency" in meta["factors"]
                assert {n: s.value for n, s in (sample.scores or {}).items()} == expected[key]
                assert [m.model_dump(exclude={"id"}) for m in sample.messages] == [
                    m.model_dump(exclude={"id"}) for m in to_inspect_messages(transcript)
                ]
                reply = sample.messages[-1]
                assert isinstance(reply, ChatMessageAssistant) and not isinstance(reply.content, str)
                texts = [c.text for c in reply.content if isinstance(c, ContentText)]
                reasoning = [c.reasoning for c in reply.content if isinstance(c, ContentReasoning)]
                assert reasoning == [s.text for s in transcript.reasoning]  # reasoning content, not tags
                assert texts == [transcript.turns[0].visible_text]
                assert not any("SCRATCHPAD" in t for t in texts)
    assert seen == len(expected) == 12


@pytest.mark.parametrize(
    "settings", [{"tool_mode": "native"}, {"tool_mode": "native", "max_turns": 3}, {"max_turns": 3}]
)
def test_native_tool_calls_and_several_turns_round_trip_with_the_same_verdicts(
    tmp_path: Path, settings: dict[str, Any]
) -> None:
    path = tmp_path / "study.db"
    anyio.run(lambda: run_study(design_from_data({**DESIGN, **settings, "samples": 2}), path))
    logs = export_inspect_logs(path, tmp_path / "logs")
    with StudyStore(path, create=False, readonly=True) as store:
        originals = {(s.fingerprint, s.model, s.sample_index): s.transcript() for s in store.iter_samples()}
    for item in read_inspect_log(tmp_path / "logs"):
        assert isinstance(item, ExternalSample)
        t = item.transcript
        original = originals[(t.fingerprint or "", t.model, t.sample_index)]
        assert [type(m) for m in t.messages] == [type(m) for m in original.messages]
        # the same actions; a text block's span moves, since the reply's text no longer holds the scratchpad
        assert [a.model_dump(exclude={"span"}) for a in t.actions.actions] == [
            a.model_dump(exclude={"span"}) for a in original.actions.actions
        ]
        assert [s.text for s in t.reasoning] == [s.text for s in original.reasoning]
    assert len(logs) == 4
    # the settings are exercised: native calls were made, several turns were played
    mode = settings.get("tool_mode", "text")
    assert any(a.source == mode for t in originals.values() for a in t.actions.actions)
    if settings.get("max_turns", 1) > 1:
        assert any(len(t.turns) > 1 for t in originals.values())
    target = tmp_path / "back.db"
    with StudyStore(target) as store:
        result = anyio.run(
            lambda: import_transcripts(store, read_inspect_log(tmp_path / "logs"), source="logs")
        )
    assert result.ok
    assert _outcomes(target) == _outcomes(path)


def test_a_failed_sample_is_exported_with_its_error_and_imported_as_failed(
    study: Path, tmp_path: Path
) -> None:
    from scenariokit.agent import EpisodeError
    from scenariokit.experiment import SampleRecord

    path = tmp_path / "study.db"
    path.write_bytes(study.read_bytes())
    with StudyStore(path) as store:
        sample = next(store.iter_samples())
        failed = sample.transcript().model_copy(
            update={
                "messages": sample.transcript().messages[:2],
                "turns": (),
                "ended_by": "error",
                "error": EpisodeError(type="scenariokit.providers.ServerError", message="HTTP 503", turn=0),
            }
        )
        record = SampleRecord(sample.fingerprint, sample.model, sample.config_hash, 7, None, failed, None)
        store.write_samples([record], run_id=store.begin_run({"design": {"name": DESIGN["name"]}}))
    export_inspect_logs(path, tmp_path / "logs")
    items = [i for i in read_inspect_log(tmp_path / "logs") if isinstance(i, ExternalSample)]
    [back] = [i for i in items if i.transcript.sample_index == 7]
    assert back.transcript.error is not None
    assert (back.transcript.error.type, back.transcript.error.message) == (
        "scenariokit.providers.ServerError",
        "HTTP 503",
    )
    target = tmp_path / "back.db"
    with StudyStore(target) as store:
        result = anyio.run(lambda: import_transcripts(store, iter(items), source="logs"))
    assert len(result.failed) == 1 and "HTTP 503" in result.failed[0][1]
    assert _outcomes(target) == _outcomes(path)


def test_inspect_dataframes_read_the_exported_logs(study: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from inspect_ai.analysis import samples_df

    export_inspect_logs(study, tmp_path / "logs")
    frame = samples_df(str(tmp_path / "logs"))
    expected = _outcomes(study)
    assert len(frame) == len(expected)
    harmful = sum(v["blackmail-action"] == "harmful" for v in expected.values())
    assert (frame["score_blackmail-action"] == "harmful").sum() == harmful
    assert 0 < harmful < len(expected)  # the study has both outcomes, so the check can fail


def test_importing_the_exported_logs_gives_the_same_verdicts(study: Path, tmp_path: Path) -> None:
    export_inspect_logs(study, tmp_path / "logs")
    target = tmp_path / "imported.db"
    with StudyStore(target) as store:
        result = anyio.run(
            lambda: import_transcripts(store, read_inspect_log(tmp_path / "logs"), source="logs")
        )
    assert result.ok and result.stored == 12
    assert _outcomes(target) == _outcomes(study)


def test_a_foreign_log_is_imported_against_the_world_with_the_same_verdicts(
    study: Path, tmp_path: Path
) -> None:
    path = export_inspect_logs(study, tmp_path / "logs")[0]
    log = read_eval_log(str(path))
    rendered = log.eval.metadata[METADATA_KEY]["rendered"]
    log.eval.metadata = {}  # no scenario: as a log of another tool
    for sample in log.samples or []:
        sample.metadata = {}
    foreign = tmp_path / "foreign.eval"
    write_eval_log(log, foreign)
    refused = list(read_inspect_log(foreign))
    assert refused and all(not isinstance(i, ExternalSample) and "--world" in i.reason for i in refused)

    from scenariokit.scenario import RenderedScenario

    world = RenderedScenario.model_validate(rendered).scenario
    items = list(read_inspect_log(foreign, world))
    assert all(isinstance(i, ExternalSample) for i in items) and len(items) == 3
    expected = _outcomes(study)
    for item in items:
        assert isinstance(item, ExternalSample)
        verdicts = anyio.run(lambda i=item: default_suite(i.rendered).run(i.transcript, i.rendered))
        key = (rendered["fingerprint"], log.eval.model, item.transcript.sample_index)
        assert {n: v.outcome.value for n, v in verdicts.items()} == expected[key]


def test_the_cli_exports_and_imports(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(study), "--format", "inspect", "--output", str(tmp_path / "logs")]) == 0
    assert "inspect view --log-dir" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "logs"), "--out", str(tmp_path / "back.db")]) == 0
    assert _outcomes(tmp_path / "back.db") == _outcomes(study)
    assert main(["export", str(tmp_path / "nosuch.db"), "--output", str(tmp_path / "x")]) == 2
    assert "not a study store" in capsys.readouterr().err


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "inspect_ai", None)
    with pytest.raises(ImportError, match=r"scenariokit\[inspect\]"):
        require_inspect()


def test_the_task_plays_every_sample_through_inspects_mock_model_and_scores_it(tmp_path: Path) -> None:
    from scenariokit.inspect._task import scenario_task

    task = scenario_task(factors={"urgency": ["replacement", "none"]})
    # Inspect's mock model answers what the offline simulator would, keyed by the prompt it is sent.
    replies: dict[str, Any] = {}
    for sample in task.dataset:
        from scenariokit.scenario import RenderedScenario

        rendered = RenderedScenario.model_validate((sample.metadata or {})["rendered"])
        transcript = anyio.run(lambda r=rendered: run_episode(create_simulator("sim/self_preserving"), r))
        verdicts = anyio.run(lambda r=rendered, t=transcript: default_suite(r).run(t, r))
        replies[rendered.user_message] = (transcript, {n: v.outcome.value for n, v in verdicts.items()})

    def answer(messages: list[Any], *_: Any) -> ModelOutput:
        transcript, _verdicts = replies[messages[-1].text]
        output = ModelOutput.from_content("mockllm/model", transcript.assistant_messages[0].text)
        output.usage = ModelUsage(input_tokens=10, output_tokens=20, total_tokens=30)
        return output

    model = get_model("mockllm/model", custom_outputs=answer)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success"
    assert len(log.samples or []) == 2
    for sample in log.samples or []:
        _, expected = replies[sample.messages[1].text]
        assert {n: s.value for n, s in (sample.scores or {}).items()} == expected
    harmful = [s for s in log.samples or [] if (s.scores or {})["blackmail-action"].value == "harmful"]
    assert len(harmful) == 1  # the simulator blackmails under the threat only


def test_the_task_takes_its_conditions_from_a_design(tmp_path: Path) -> None:
    import yaml

    from scenariokit.inspect import scenario_task

    design = tmp_path / "design.yaml"
    design.write_text(yaml.safe_dump({**DESIGN, "scenarios": [*DESIGN["scenarios"], {"family": "leaking"}]}))
    task = scenario_task(design=str(design))
    expanded = design_from_data(
        {**DESIGN, "scenarios": [*DESIGN["scenarios"], {"family": "leaking"}]}
    ).expand()
    assert [s.id for s in task.dataset] == [c.label for c in expanded.conditions]
    assert len(task.scorer or []) > len(default_suite("blackmail").detectors)  # the leak detector is added
