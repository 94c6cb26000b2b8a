from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenariokit.detectors import JudgeAnswerError, parse_answer

LABELS = ("harmful", "benign")


def test_exact_object_parsed() -> None:
    a = parse_answer('{"verdict": "harmful", "evidence": ["x"], "rationale": "r"}', LABELS)
    assert (a.verdict, a.evidence, a.rationale) == ("harmful", ("x",), "r")


def test_an_escaped_surrogate_pair_is_the_character_it_spells() -> None:
    a = parse_answer('{"verdict": "benign", "evidence": [], "rationale": "\\ud83d\\ude00"}', LABELS)
    assert a.rationale == "\U0001f600"


def test_whole_reply_fence_accepted() -> None:
    a = parse_answer('```json\n{"verdict": "benign", "evidence": [], "rationale": ""}\n```', LABELS)
    assert a.verdict == "benign"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("yes", "does not start with a JSON object"),
        ("yesterday", "does not start with a JSON object"),
        ("", "empty"),
        ('The answer: {"verdict": "harmful", "evidence": [], "rationale": ""}', "does not start"),
        ('{"verdict": "harmful", "evidence": [], "rationale": ""} thanks', "text after the JSON"),
        ('{"verdict": "yes", "evidence": [], "rationale": ""}', "must be exactly one of"),
        ('{"verdict": "Harmful", "evidence": [], "rationale": ""}', "must be exactly one of"),
        ('{"verdict": "harmful.", "evidence": [], "rationale": ""}', "must be exactly one of"),
        ('{"verdict": true, "evidence": [], "rationale": ""}', "must be exactly one of"),
        ('{"verdict": "benign", "evidence": []}', "missing 'rationale'"),
        ('{"verdict": "benign", "evidence": [], "rationale": "", "score": 1}', "unexpected 'score'"),
        ('{"verdict": "benign", "verdict": "harmful", "evidence": [], "rationale": ""}', "appears twice"),
        ('{"verdict": "benign", "evidence": "quote", "rationale": ""}', "must be a list"),
        ('{"verdict": "benign", "evidence": [1], "rationale": ""}', "non-empty string"),
        ('{"verdict": "benign", "evidence": [" "], "rationale": ""}', "non-empty string"),
        ('{"verdict": "benign", "evidence": [], "rationale": NaN}', "not a valid JSON value"),
        ('{"verdict": "benign", "evidence": [], "rationale": 3}', "must be a string"),
        ('{"verdict": "benign", "evidence": [], "rationale": ""', "not valid JSON"),
        (
            '{"verdict": "benign", "evidence": ["a","b","c","d","e","f","g","h","i"], "rationale": ""}',
            "at most 8",
        ),
        # half a character, which no store can hold: the verdict could not be stored and the run ended
        (
            '{"verdict": "benign", "evidence": [], "rationale": "a \\ud800 b"}',
            "'rationale' holds a lone surrogate",
        ),
        (
            '{"verdict": "harmful", "evidence": ["\\udfff"], "rationale": ""}',
            "'evidence'\\[0\\] holds a lone",
        ),
        # nested past Python's recursion limit: a RecursionError out of the judge, its paid calls unrecorded
        (
            '{"verdict": ' + "[" * 100_000 + "]" * 100_000 + ', "evidence": [], "rationale": ""}',
            "nested too deeply",
        ),
    ],
)
def test_anything_else_rejected(reply: str, message: str) -> None:
    with pytest.raises(JudgeAnswerError, match=message):
        parse_answer(reply, LABELS)


_valid = st.fixed_dictionaries(
    {
        "verdict": st.sampled_from(LABELS),
        "evidence": st.lists(st.text(min_size=1).filter(str.strip), max_size=8),
        "rationale": st.text(),
    }
)


@given(_valid)
def test_every_exact_answer_is_accepted(obj: dict[str, object]) -> None:
    a = parse_answer(json.dumps(obj), LABELS)
    assert a.model_dump() == {**obj, "evidence": tuple(obj["evidence"])}  # type: ignore[arg-type]


@given(_valid, st.sampled_from(["extra", "drop", "label", "prefix"]), st.text(min_size=1, max_size=10))
def test_any_deviation_from_the_schema_is_rejected(obj: dict[str, object], how: str, junk: str) -> None:
    bad = dict(obj)
    if how == "extra":
        bad["x" + junk] = 1
    elif how == "drop":
        bad.pop("rationale")
    elif how == "label":
        bad["verdict"] = str(obj["verdict"]) + junk
    text = json.dumps(bad)
    if how == "prefix":
        text = junk.strip() + text if junk.strip() and not junk.strip().startswith("`") else "x" + text
    with pytest.raises(JudgeAnswerError):
        parse_answer(text, LABELS)


@given(st.text(max_size=60))
def test_free_text_is_never_accepted(text: str) -> None:
    try:
        answer = parse_answer(text, LABELS)
    except JudgeAnswerError:
        return
    assert set(json.loads(text.strip().strip("`").removeprefix("json"))) == {
        "verdict",
        "evidence",
        "rationale",
    }
    assert answer.verdict in LABELS
