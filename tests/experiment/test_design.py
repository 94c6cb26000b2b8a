"""Designs: expansion by fingerprint, merges with a warning, YAML validation with locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenariokit.experiment import (
    ConditionIds,
    Design,
    DesignError,
    DuplicateConditionWarning,
    FactorGrid,
    ScenarioFile,
    config_hash,
    load_design,
    loads_design,
)
from scenariokit.providers import GenerateConfig
from scenariokit.scenario import blackmail, save_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "study.yaml"


def test_grid_crosses_listed_factors_and_keeps_defaults() -> None:
    design = Design(
        scenarios=[
            FactorGrid(family="blackmail", factors={"urgency": ["replacement", "none"], "prohibitions": True})
        ],
        models=["sim/self_preserving", "sim/compliant"],
        samples=7,
    )
    expanded = design.expand()
    assert len(expanded.conditions) == 2
    assert expanded.total_samples == 2 * 2 * 7
    assert {c.factors["urgency"] for c in expanded.conditions} == {"replacement", "none"}
    assert all(
        c.factors["prohibitions"] == "on" and c.factors["scratchpad"] == "on" for c in expanded.conditions
    )
    # prohibitions on takes the scenario outside the study's condition ids: labelled by its changed factors
    assert all(c.condition_id is None and c.label.startswith("blackmail[") for c in expanded.conditions)


def test_same_prompt_from_two_grid_cells_is_merged_with_a_warning_naming_both() -> None:
    design = Design(
        scenarios=[
            FactorGrid(
                family="blackmail",
                factors={"goal_type": ["explicit", "none"], "goal_value": ["america", "global"]},
            )
        ],
        models=["sim/compliant"],
        samples=3,
    )
    with pytest.warns(
        DuplicateConditionWarning,
        match=r"goal_type=none,goal_value=america\] = blackmail\[goal_type=none,goal_value=global\]",
    ):
        expanded = design.expand()
    assert len(expanded.conditions) == 3  # explicit-america, explicit-global, none (once)
    assert len({c.fingerprint for c in expanded.conditions}) == 3
    (merge,) = expanded.merges
    merged = next(c for c in expanded.conditions if c.fingerprint == merge.fingerprint)
    assert merged.label == "blackmail_none-none_replacement"
    assert "goal_value" not in merged.factors  # it does not change the prompt, so it is not a factor of it
    assert expanded.total_samples == 3 * 3


def test_condition_ids_and_grid_naming_the_same_prompt_are_one_condition() -> None:
    design = Design(
        scenarios=[
            ConditionIds(
                condition_ids=["blackmail_none-america_replacement", "blackmail_explicit-america_replacement"]
            ),
            FactorGrid(family="blackmail", factors={"goal_type": "none"}),
        ],
        models=["sim/compliant"],
        samples=1,
    )
    with pytest.warns(DuplicateConditionWarning, match="blackmail_none-america_replacement"):
        expanded = design.expand()
    assert [c.label for c in expanded.conditions] == [
        "blackmail_none-none_replacement",
        "blackmail_explicit-america_replacement",
    ]


def test_scenario_file_entries_resolve_relative_to_the_design(tmp_path: Path) -> None:
    save_scenario(blackmail(urgency="restriction"), tmp_path / "custom.yaml")
    (tmp_path / "d.yaml").write_text(
        "scenarios:\n  - file: custom.yaml\n    label: mine\nmodels: [sim/compliant]\nsamples: 2\n",
        encoding="utf-8",
    )
    expanded = load_design(tmp_path / "d.yaml").expand()
    (condition,) = expanded.conditions
    assert condition.label == "mine"
    assert condition.fingerprint == blackmail(urgency="restriction").render().fingerprint


def test_missing_scenario_file_names_the_entry(tmp_path: Path) -> None:
    design = Design(
        scenarios=[ScenarioFile(file="nope.yaml")], models=["sim/compliant"], base_dir=str(tmp_path)
    )
    with pytest.raises(DesignError, match=r"scenarios\[0\].*no such scenario file"):
        design.expand()


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "scenarios:\n  - family: blackmail\n    factorz: {}\nmodels: [sim/x]\n",
            r"scenarios\[0\]\.factorz: unknown key",
        ),
        ("scenarios: [{family: blackmail}]\nmodels: [sim/x]\nsampels: 3\n", r"sampels: unknown key"),
        (
            "scenarios: [{famly: blackmail}]\nmodels: [sim/x]\n",
            r"scenarios\[0\]: a scenario entry needs one of the keys",
        ),
        (
            "scenarios: [{family: blackmail}]\nmodels: [gpt4]\n",
            r"models\[0\]\.name: expected a 'provider/model' name",
        ),
        ("scenarios: [{family: blackmail}]\n", r"models: required key is missing"),
        (
            "scenarios: [{family: blackmail}]\nmodels: [sim/x]\nsamples: 0\n",
            r"samples: Input should be greater",
        ),
        ("scenarios: [\n", r"line 2, column 1: invalid YAML"),
        ("- just a list\n", r"a design must be a mapping"),
    ],
)
def test_invalid_yaml_designs_are_rejected_with_their_location(text: str, pattern: str) -> None:
    with pytest.raises(DesignError, match=pattern):
        loads_design(text, source="study.yaml")


@pytest.mark.parametrize(
    ("factors", "pattern"),
    [
        (
            {"urgncy": "none"},
            r"scenarios\[0\] \(family blackmail\): family 'blackmail' has no factor 'urgncy'",
        ),
        ({"urgency": "soon"}, r"scenarios\[0\] \(family blackmail\): .*urgency.*soon"),
    ],
)
def test_bad_factors_are_reported_at_expansion_with_the_entry(factors: dict[str, str], pattern: str) -> None:
    design = Design(scenarios=[FactorGrid(family="blackmail", factors=factors)], models=["sim/compliant"])
    with pytest.raises(DesignError, match=pattern):
        design.expand()


def test_unknown_family_lists_the_known_ones() -> None:
    design = Design(scenarios=[FactorGrid(family="phishing")], models=["sim/compliant"])
    with pytest.raises(DesignError, match="unknown family 'phishing'; known families: blackmail"):
        design.expand()


def test_a_model_listed_twice_with_the_same_config_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"models\[1\] repeats models\[0\]"):
        Design(scenarios=[FactorGrid(family="blackmail")], models=["sim/compliant", "sim/compliant"])


def test_config_hash_ignores_seed_and_timeout_but_not_sampling_settings() -> None:
    base = config_hash(GenerateConfig())
    assert config_hash(GenerateConfig(seed=5, timeout=3.0)) == base
    assert config_hash(GenerateConfig(temperature=0.7)) != base
    assert config_hash(GenerateConfig(), max_turns=2) != base
    assert config_hash(GenerateConfig(), seed=1) != base


def test_the_example_study_loads_and_has_matched_controls() -> None:
    expanded = load_design(EXAMPLE).expand()
    labels = [c.label for c in expanded.conditions]
    assert "blackmail_explicit-america_replacement" in labels
    assert "blackmail_none-none_replacement" in labels and "blackmail_explicit-america_none" in labels
    assert len(expanded.models) == 2
