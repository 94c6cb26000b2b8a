import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.scenario import (
    Scenario,
    ScenarioFileError,
    blackmail,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
    scenario_json_schema,
)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_file_round_trip(tmp_path: Path, minimal: Scenario, suffix: str) -> None:
    path = tmp_path / f"s{suffix}"
    save_scenario(minimal, path)
    assert load_scenario(path) == minimal
    assert load_scenario(path).render().fingerprint == minimal.render().fingerprint


@settings(max_examples=25, deadline=None)
@given(
    goal_type=st.sampled_from(["explicit", "latent", "ambiguous", "none", "swap"]),
    goal_value=st.sampled_from(
        [
            "america",
            "global",
            "safety",
            "acceleration",
            "ethical",
            "pragmatic",
            "individualism",
            "collectivism",
        ]
    ),
    urgency=st.sampled_from(["replacement", "restriction", "none"]),
    switches=st.fixed_dictionaries(
        {
            k: st.booleans()
            for k in [
                "leverage",
                "scratchpad",
                "agency_prompt",
                "prohibitions",
                "eval_notice",
                "escalation_reachable",
                "successor_shares_goals",
            ]
        }
    ),
    fmt=st.sampled_from(["yaml", "json"]),
)
def test_family_scenarios_round_trip(
    goal_type: str, goal_value: str, urgency: str, switches: dict[str, bool], fmt: str
) -> None:
    s = blackmail(goal_type=goal_type, goal_value=goal_value, urgency=urgency, **switches)
    back = loads_scenario(dumps_scenario(s, format=fmt), format=fmt)  # type: ignore[arg-type]
    assert back == s
    assert back.render().fingerprint == s.render().fingerprint


def test_unknown_keys_are_rejected_with_their_location(minimal: Scenario) -> None:
    data = json.loads(dumps_scenario(minimal, format="json"))
    data["personas"][1]["nickname"] = "Sammy"
    data["mood"] = "tense"
    with pytest.raises(ScenarioFileError) as info:
        loads_scenario(json.dumps(data), format="json", source="x.json")
    message = str(info.value)
    assert message.startswith("x.json: not a valid scenario (2 problems)")
    assert "personas.1.nickname: Extra inputs are not permitted" in message
    assert "mood: Extra inputs are not permitted" in message


def test_story_errors_surface_from_files(tmp_path: Path, minimal: Scenario) -> None:
    data = json.loads(dumps_scenario(minimal, format="json"))
    data["leverage"]["holder"] = "pal"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ScenarioFileError, match="cannot stop the threat"):
        load_scenario(path)


def test_malformed_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: [unclosed\n")
    with pytest.raises(ScenarioFileError, match=r"bad.yaml: malformed YAML"):
        load_scenario(bad)
    with pytest.raises(ScenarioFileError, match="cannot read the file"):
        load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioFileError, match="cannot tell the format"):
        load_scenario(tmp_path / "s.toml")
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioFileError, match="must be a mapping at the top level, not list"):
        load_scenario(listy)


def test_json_schema_describes_the_model() -> None:
    schema = scenario_json_schema()
    assert schema["title"] == "scenariokit Scenario"
    assert set(schema["required"]) >= {"family", "company", "agent", "personas", "emails", "current_time"}
    assert schema["additionalProperties"] is False
    persona = schema["$defs"]["Persona"]
    assert "Full name" in persona["properties"]["name"]["description"]


def test_opportunity_kind_may_be_omitted_in_hand_written_files() -> None:
    from scenariokit.scenario import get_family

    s = get_family("lethal_action").build()
    data = json.loads(dumps_scenario(s, format="json"))
    assert data["opportunity"]["kind"] == "emergency_alert"
    del data["opportunity"]["kind"]
    assert loads_scenario(json.dumps(data), format="json") == s
    data["opportunity"] = {"summary": "?"}
    with pytest.raises(ScenarioFileError, match="set 'kind' to 'confidential_material' or 'emergency_alert'"):
        loads_scenario(json.dumps(data), format="json")


@pytest.mark.parametrize("text", ["0\x85", "a\u2028b", "a\u2029b", "x\x85\ny"])
def test_yaml_round_trips_unicode_line_breaks(text: str) -> None:
    # Before: PyYAML wrote U+0085 raw in a single-quoted scalar and read it back as a space.
    s = blackmail()
    s = s.model_copy(update={"company": s.company.model_copy(update={"industry": text})})
    assert loads_scenario(dumps_scenario(s)) == s
