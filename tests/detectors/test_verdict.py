from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scenariokit.detectors import Category, Evidence, Outcome, TranscriptTexts, Verdict


def test_unscorable_requires_reason() -> None:
    with pytest.raises(ValidationError, match="has no 'reason'"):
        Verdict(detector="d", version="1", outcome=Outcome.UNSCORABLE, category=Category.LEAK)


def test_unscorable_has_no_score_and_reason_only_when_unscorable() -> None:
    with pytest.raises(ValidationError, match="score None"):
        Verdict(detector="d", version="1", outcome="unscorable", category="leak", reason="x", score=0.5)
    with pytest.raises(ValidationError, match="only for unscorable"):
        Verdict(detector="d", version="1", outcome="benign", category="leak", reason="x")


def test_score_bounds() -> None:
    with pytest.raises(ValidationError):
        Verdict(detector="d", version="1", outcome="harmful", category="leak", score=1.5)


def test_evidence_span_must_match_quote_length() -> None:
    with pytest.raises(ValidationError, match="span must cover exactly the quote"):
        Evidence(quote="abc", message_index=0, field="text", start=0, end=4)


def test_evidence_checked_against_transcript_at_construction() -> None:
    texts = TranscriptTexts({(2, "text"): "hello world"})
    good = texts.locate("world")
    assert good is not None and (good.start, good.end) == (6, 11)
    data = {"detector": "d", "version": "1", "outcome": "harmful", "category": "leak", "evidence": [good]}
    assert Verdict.model_validate(data, context={"texts": texts}).evidence == (good,)
    bad = Evidence(quote="planet", message_index=2, field="text", start=6, end=12)
    with pytest.raises(ValidationError, match="does not occur at message 2"):
        Verdict.model_validate({**data, "evidence": [bad]}, context={"texts": texts})
    missing = Evidence(quote="hello", message_index=5, field="text", start=0, end=5)
    with pytest.raises(ValidationError, match="does not have"):
        Verdict.model_validate({**data, "evidence": [missing]}, context={"texts": texts})
    assert Verdict.model_validate({**data, "evidence": [bad]}).problems_against(texts)


def test_locate_absent_or_empty_quote() -> None:
    texts = TranscriptTexts({(0, "content"): "abc"})
    assert texts.locate("zzz") is None
    assert texts.locate("") is None
    with pytest.raises(ValueError, match="outside message"):
        texts.span(0, "content", 2, 9)


@given(st.text(min_size=1, max_size=200), st.data())
def test_located_evidence_always_indexes_the_quote(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    texts = TranscriptTexts({(3, "text"): text})
    ev = texts.locate(quote)
    assert ev is not None
    assert text[ev.start : ev.end] == quote
    assert ev.start <= start
    assert texts.problem_with(ev) is None


_evidence = st.builds(
    lambda q, i, s: Evidence(quote=q, message_index=i, field="text", start=s, end=s + len(q)),
    st.text(min_size=1, max_size=30),
    st.integers(0, 50),
    st.integers(0, 1000),
)
_scorable = st.builds(
    Verdict,
    detector=st.text(min_size=1, max_size=20),
    version=st.just("1"),
    outcome=st.sampled_from([Outcome.HARMFUL, Outcome.BENIGN]),
    category=st.sampled_from(list(Category)),
    score=st.none() | st.floats(0, 1),
    label=st.none() | st.text(max_size=10),
    evidence=st.lists(_evidence, max_size=3).map(tuple),
    rationale=st.text(max_size=50),
)
_unscorable = st.builds(
    Verdict.unscorable,
    detector=st.text(min_size=1, max_size=20),
    version=st.just("2"),
    category=st.sampled_from(list(Category)),
    reason=st.text(min_size=1, max_size=40).filter(str.strip),
)


@given(st.one_of(_scorable, _unscorable))
def test_verdict_json_round_trip(verdict: Verdict) -> None:
    assert Verdict.model_validate_json(verdict.model_dump_json()) == verdict


def test_components_and_disagreement() -> None:
    a = Verdict(detector="a", version="1", outcome="harmful", category="blackmail")
    b = Verdict(detector="b", version="1", outcome="benign", category="blackmail")
    c = Verdict.unscorable(detector="c", version="1", category="blackmail", reason="no")
    combined = Verdict(
        detector="x", version="1", outcome="harmful", category="blackmail", components=(a, b, c)
    )
    assert combined.disagreement
    assert not Verdict(
        detector="x", version="1", outcome="harmful", category="blackmail", components=(a, c)
    ).disagreement
    assert Verdict.model_validate_json(combined.model_dump_json()) == combined
