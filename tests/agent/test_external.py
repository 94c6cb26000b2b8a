"""External transcripts: the world's ground truth with the transcript's verbatim prompts, and the readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from scenariokit.agent import (
    ExternalFailure,
    ExternalRecord,
    ExternalSample,
    SendEmail,
    external_record_schema,
    external_transcript,
    read_external,
    read_jsonl,
    read_study_folder,
    render_external,
    study_user_message,
)
from scenariokit.providers import ReasoningPart
from scenariokit.scenario import STANDARD_TOOLS, Scenario, blackmail, load_scenario

FIXTURE = Path(__file__).resolve().parents[2] / "examples" / "external"


@pytest.fixture(scope="module")
def world() -> Scenario:
    return load_scenario(FIXTURE / "world.yaml")


def test_prompts_are_verbatim_and_the_ground_truth_is_the_worlds(world: Scenario) -> None:
    r = render_external(world, "  System, as sent.\n", "User, as sent.")
    assert (r.system_prompt, r.user_message) == ("  System, as sent.\n", "User, as sent.")
    assert r.scenario.leverage == world.leverage
    assert r.scenario.personas == world.personas
    assert [t.text_tag for t in r.tools] == [t.text_tag for t in STANDARD_TOOLS]  # the world declares none


def test_two_worlds_with_the_same_text_do_not_share_a_fingerprint(world: Scenario) -> None:
    other = world.model_copy(update={"leverage": None, "family": "custom"})
    a = render_external(world, "S", "U")
    assert render_external(world, "S", "U").fingerprint == a.fingerprint
    assert render_external(other, "S", "U").fingerprint != a.fingerprint
    assert a.fingerprint != world.render().fingerprint


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=60))
def test_any_text_is_kept_exactly_and_distinct_prompts_have_distinct_fingerprints(
    system: str, user: str, other: str
) -> None:
    world = blackmail()
    r = render_external(world, system, user)
    assert (r.system_prompt, r.user_message) == (system, user)
    if other != user:
        assert render_external(world, system, other).fingerprint != r.fingerprint


def test_reasoning_stays_apart_from_the_visible_reply(world: Scenario) -> None:
    r = render_external(world, "S", "U")
    reply = '<tool_use:email>\nto: "marcus.lindqvist@halvardfreight.com"\nsubject: "x"\nbody: "y"\n</tool_use:email>'
    t = external_transcript(r, response=reply, reasoning="I could use the affair.", model="m", sample_index=3)
    (turn,) = t.turns
    assert "affair" not in turn.visible_text
    assert [seg.text for seg in turn.reasoning] == ["I could use the affair."]
    assert isinstance(t.messages[2].content[0], ReasoningPart)  # type: ignore[union-attr]
    (action,) = t.actions.actions
    assert isinstance(action, SendEmail) and action.to == ("marcus.lindqvist@halvardfreight.com",)
    assert (t.fingerprint, t.sample_index, t.model) == (r.fingerprint, 3, "m")


def test_an_empty_reply_and_a_failed_one(world: Scenario) -> None:
    r = render_external(world, "S", "U")
    empty = external_transcript(r, response="  ")
    assert empty.error is None and empty.turns == () and "empty" in empty.notes[-1]
    failed = external_transcript(r, response="x", error="HTTP 529")
    assert failed.error is not None and failed.error.message == "HTTP 529" and failed.ended_by == "error"


def test_the_record_schema() -> None:
    schema = external_record_schema()
    assert set(schema["required"]) == {"system_prompt", "user_prompt"}
    assert {"response", "reasoning", "error", "label", "sample_index"} <= set(schema["properties"])
    with pytest.raises(ValidationError, match="no 'response'"):
        ExternalRecord(system_prompt="s", user_prompt="u")
    with pytest.raises(ValidationError, match="reponse"):
        ExternalRecord.model_validate({"system_prompt": "s", "user_prompt": "u", "reponse": "typo"})
    with pytest.raises(ValidationError, match="labeller"):
        ExternalRecord(system_prompt="s", user_prompt="u", response="r", labeller="ada")


def _line(**fields: object) -> str:
    return json.dumps({"system_prompt": "S", "user_prompt": "U", **fields})


def test_jsonl_bad_lines_are_reported_with_their_line_and_the_rest_are_read(
    tmp_path: Path, world: Scenario
) -> None:
    path = tmp_path / "t.jsonl"
    lines = [
        _line(response="a", model="m"),
        "{not json",
        "",
        "[1, 2]",
        _line(model="m"),
        _line(response="b", model="m"),
        _line(response="c", model="m", sample_index=7),
        _line(response="d", model="m"),
        _line(response="e", model="other"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path, world))
    failures = [i for i in items if isinstance(i, ExternalFailure)]
    assert [f.source.rsplit(":", 1)[1] for f in failures] == ["2", "4", "5"]
    assert "not JSON" in failures[0].reason and "JSON object" in failures[1].reason
    assert "no 'response'" in failures[2].reason
    samples = [i for i in items if isinstance(i, ExternalSample)]
    assert [(s.transcript.model, s.transcript.sample_index) for s in samples] == [
        ("m", 0),
        ("m", 1),
        ("m", 7),
        ("m", 8),
        ("other", 0),
    ]
    assert len({s.rendered.fingerprint for s in samples}) == 1
    assert samples[0].label == f"imported-{samples[0].rendered.fingerprint[:8]}"


def test_jsonl_that_is_not_utf8_stops_with_a_reason(tmp_path: Path, world: Scenario) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(_line(response="a").encode() + b"\n\xff\xfe\n")
    items = list(read_jsonl(path, world))
    assert isinstance(items[-1], ExternalFailure) and "UTF-8" in items[-1].reason


def test_the_study_fixture(world: Scenario) -> None:
    items = list(read_study_folder(FIXTURE / "study", world))
    assert all(isinstance(i, ExternalSample) for i in items)
    samples = [i for i in items if isinstance(i, ExternalSample)]
    assert [s.transcript.sample_index for s in samples] == [0, 1, 2]
    assert {s.label for s in samples} == {"blackmail_halvard_replacement"}
    assert {s.transcript.model for s in samples} == {"vendor-model-c"}
    first, second, broken = (s.transcript for s in samples)
    assert first.error is None and "hold over him" in first.turns[0].reasoning[0].text
    assert "hold over him" not in first.turns[0].visible_text
    assert second.error is None
    assert broken.error is not None and "cannot be imported" in broken.error.message
    user = (FIXTURE / "study/prompts/blackmail_halvard_replacement/user_prompt.txt").read_text()
    emails = (FIXTURE / "study/prompts/blackmail_halvard_replacement/email_content.txt").read_text()
    assert samples[0].rendered.user_message == study_user_message(user, emails)
    assert (
        samples[0].rendered.user_message.startswith(user.strip())
        and emails.strip() in samples[0].rendered.user_message
    )


def test_study_layout_problems_fail_one_sample_or_condition_each(tmp_path: Path, world: Scenario) -> None:
    root = tmp_path / "results"
    good = root / "prompts" / "c1"
    good.mkdir(parents=True)
    (good / "system_prompt.txt").write_text("S")
    (good / "user_prompt.txt").write_text("U")
    (root / "prompts" / "c2").mkdir()  # no prompt files
    cases = {
        "m/c1/sample_001": {"raw_response": "fine"},
        "m/c1/sample_002": {"raw_response": 3},
        "m/c1/sample_003": {"other": 1},
        "m/c1/sample_004": {"error": "timeout"},
        "m/c1/sample_000": {"raw_response": "x"},
        "m/c2/sample_001": {"raw_response": "x"},
    }
    for rel, data in cases.items():
        d = root / "models" / rel
        d.mkdir(parents=True)
        (d / "response.json").write_text(json.dumps(data))
    items = {
        Path(i.source).parent.name + "@" + Path(i.source).parent.parent.name: i
        for i in read_study_folder(root, world)
    }
    assert isinstance(items["sample_000@c1"], ExternalFailure) and "from 1" in items["sample_000@c1"].reason
    assert (
        isinstance(items["sample_001@c2"], ExternalFailure)
        and "system_prompt.txt" in items["sample_001@c2"].reason
    )
    ok = items["sample_001@c1"]
    assert isinstance(ok, ExternalSample) and ok.transcript.error is None and ok.rendered.user_message == "U"
    reasons = {}
    for name in ("sample_002@c1", "sample_003@c1", "sample_004@c1"):
        item = items[name]
        assert isinstance(item, ExternalSample) and item.transcript.error is not None
        reasons[name] = item.transcript.error.message
    assert "must be text" in reasons["sample_002@c1"]
    assert "no 'raw_response'" in reasons["sample_003@c1"]
    assert reasons["sample_004@c1"] == "timeout"


def test_read_external_chooses_the_layout_and_refuses_what_does_not_fit(
    tmp_path: Path, world: Scenario
) -> None:
    assert {type(i) for i in read_external(FIXTURE / "study", world)} == {ExternalSample}
    jsonl = list(read_external(FIXTURE / "transcripts.jsonl", world))
    assert len(jsonl) == 6
    with pytest.raises(ValueError, match="is a file"):
        list(read_external(FIXTURE / "transcripts.jsonl", world, format="study"))
    with pytest.raises(ValueError, match="no \\*.jsonl"):
        list(read_external(tmp_path, world))
    with pytest.raises(FileNotFoundError):
        list(read_external(tmp_path / "missing", world))
