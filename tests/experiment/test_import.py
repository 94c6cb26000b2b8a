"""Importing external transcripts into a store: scored, idempotent, and usable by rescore and reports."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.agent import read_external
from scenariokit.detectors import default_suite
from scenariokit.experiment import IMPORT_CONFIG_HASH, StudyStore, import_transcripts, rescore
from scenariokit.scenario import Scenario, load_scenario

FIXTURE = Path(__file__).resolve().parents[2] / "examples" / "external"


@pytest.fixture(scope="module")
def world() -> Scenario:
    return load_scenario(FIXTURE / "world.yaml")


def _import(store: StudyStore, source: Path, world: Scenario):  # type: ignore[no-untyped-def]
    return anyio.run(lambda: import_transcripts(store, read_external(source, world), source=str(source)))


def test_the_fixture_is_scored_as_its_labels_say(tmp_path: Path, world: Scenario) -> None:
    with StudyStore(tmp_path / "s.db") as store:
        result = _import(store, FIXTURE / "transcripts.jsonl", world)
        assert (result.samples, result.stored, result.duplicates, result.labels) == (6, 6, 0, 5)
        assert len(result.failed) == 1 and "529" in result.failed[0][1] and not result.ok
        agree = 0
        for sample in store.iter_samples():
            assert sample.config_hash == IMPORT_CONFIG_HASH
            rows = {v.detector: v for v in store_verdicts(store, sample.id)}
            if sample.status == "error":
                assert set(rows) == set()
                continue
            human = rows["human"]
            assert human.version == "tutorial-author"
            assert rows["blackmail-action"].outcome == human.outcome
            agree += 1
        assert agree == 5
        (condition,) = store.conditions()
        assert condition.rendered().system_prompt.startswith("You are Sable, the email assistant")


def store_verdicts(store: StudyStore, sample_id: int) -> list:  # type: ignore[type-arg]
    from scenariokit.detectors import Verdict

    rows = store._conn.execute("SELECT verdict FROM verdicts WHERE sample_id = ?", (sample_id,)).fetchall()
    return [Verdict.model_validate_json(r[0]) for r in rows]


def test_importing_again_adds_nothing_and_rescore_works_unchanged(tmp_path: Path, world: Scenario) -> None:
    with StudyStore(tmp_path / "s.db") as store:
        _import(store, FIXTURE / "transcripts.jsonl", world)
        _import(store, FIXTURE / "study", world)
        before = store.count_samples(effective=False)
        verdicts = sum(1 for _ in store.iter_verdict_rows())
        again = _import(store, FIXTURE / "transcripts.jsonl", world)
        again_study = _import(store, FIXTURE / "study", world)
        assert (again.stored, again.duplicates, again_study.stored, again_study.duplicates) == (0, 6, 0, 3)
        assert not again.ok and not again_study.ok  # the failures are still reported
        assert store.count_samples(effective=False) == before == 9
        assert sum(1 for _ in store.iter_verdict_rows()) == verdicts
        assert len(store.conditions()) == 1  # both layouts carry the same prompts: one condition
        result = anyio.run(lambda: rescore(store))
        # the 7 read samples had their verdicts; the 2 failed ones get the suite's unscorable verdicts, as a run's
        assert result.skipped == 7 and result.verdicts == 2 * len(default_suite(world).detectors)
        assert anyio.run(lambda: rescore(store)).verdicts == 0
        forced = anyio.run(lambda: rescore(store, names=["blackmail-action"], force=True))
        assert forced.verdicts == 9  # every sample that counts, failed ones included


def test_a_failed_sample_that_reads_well_later_supersedes_its_failure(
    tmp_path: Path, world: Scenario
) -> None:
    src = tmp_path / "t.jsonl"
    base = {"system_prompt": "S", "user_prompt": "U", "model": "m", "sample_index": 0}
    src.write_text(json.dumps({**base, "error": "timeout"}) + "\n")
    with StudyStore(tmp_path / "s.db") as store:
        assert _import(store, src, world).stored == 1
        assert _import(store, src, world).stored == 0
        src.write_text(json.dumps({**base, "response": "Nothing to do."}) + "\n")
        result = _import(store, src, world)
        assert result.stored == 1 and result.ok
        assert [s.status for s in store.iter_samples()] == ["ok"]
        assert store.count_samples(effective=False) == 2


def test_a_sample_given_twice_is_skipped_with_a_reason(tmp_path: Path, world: Scenario) -> None:
    src = tmp_path / "t.jsonl"
    line = json.dumps({"system_prompt": "S", "user_prompt": "U", "response": "x", "sample_index": 2})
    src.write_text(line + "\n" + line + "\n")
    with StudyStore(tmp_path / "s.db") as store:
        result = _import(store, src, world)
    assert result.stored == 1 and len(result.skipped) == 1
    assert "given twice" in result.skipped[0].reason and result.skipped[0].source.endswith(":2")


def test_a_label_on_a_world_without_harm_is_not_stored_and_says_why(tmp_path: Path, world: Scenario) -> None:
    plain = world.model_copy(update={"leverage": None, "family": "custom"})
    src = tmp_path / "t.jsonl"
    src.write_text(
        json.dumps({"system_prompt": "S", "user_prompt": "U", "response": "x", "label": "benign"}) + "\n"
    )
    with StudyStore(tmp_path / "s.db") as store:
        result = anyio.run(lambda: import_transcripts(store, read_external(src, plain), source=str(src)))
    assert result.labels == 0 and "no harm category" in result.notes[0]


_RECORD = st.fixed_dictionaries(
    {
        "system_prompt": st.sampled_from(["S1", "S2"]),
        "user_prompt": st.just("U"),
        "model": st.sampled_from(["m1", "m2"]),
    },
    optional={
        "response": st.sampled_from(
            ["Nothing to do.", '<tool_use:email>\nto: "x@y.z"\nsubject: "s"\nbody: "b"\n</tool_use:email>']
        ),
        "error": st.sampled_from(["timeout", "HTTP 529"]),
        "sample_index": st.integers(0, 3),
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_RECORD, st.just("{broken")), max_size=8))
def test_any_source_imported_twice_is_stored_once(
    world: Scenario, tmp_path_factory: pytest.TempPathFactory, lines: list
) -> None:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("prop")
    src = folder / "t.jsonl"
    src.write_text(
        "".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines), encoding="utf-8"
    )
    with StudyStore(folder / "s.db") as store:
        first = _import(store, src, world)
        rows = store.count_samples(effective=False)
        second = _import(store, src, world)
        assert second.stored == 0 and store.count_samples(effective=False) == rows == first.stored
        assert second.duplicates == first.stored
        assert first.samples + sum(
            "not JSON" in f.reason or "no 'response'" in f.reason for f in first.skipped
        ) == len(lines)
        assert len(first.failed) == len(second.failed)
        keys = [(s.fingerprint, s.model, s.sample_index) for s in store.iter_samples()]
        assert len(keys) == len(set(keys))
