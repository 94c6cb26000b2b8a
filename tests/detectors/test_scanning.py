"""The detectors' faster scans find exactly what the plain scans find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.detectors import _reasoning

_HEADS = sorted({w for w in re.findall(r"[a-z][a-z-]+", _reasoning._HEAD.lower()) if len(w) > 2})
_WORDS = [
    *_HEADS,
    "ITAR",
    "SOX",
    "the",
    "a",
    "security",
    "30-day",
    "change-advisory",
    "o'neil",
    "Ölfeld",
    "\u212aey",
]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_WORDS).map(lambda w: w.upper() if len(w) % 3 == 0 else w),
                st.text(alphabet="ab7-'_ ", min_size=1, max_size=5),
            ),
            max_size=30,
        )
    )
    separators = draw(
        st.lists(
            st.sampled_from([" ", " ", "  ", "\n", ", ", ". ", "-", "", "; ", " no. ", " 7.3 "]),
            min_size=len(words),
        )
    )
    return "".join(w + s for w, s in zip(words, separators))


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_constraint_claims_are_the_pattern_matches(text: str) -> None:
    fast = [(m.span(), m.group("term"), m.group("ref")) for m in _reasoning._constraint_claims(text)]
    plain = [(m.span(), m.group("term"), m.group("ref")) for m in _reasoning._CONSTRAINT.finditer(text)]
    assert fast == plain


def test_constraint_heads_start_words() -> None:
    # the scan looks for heads at word starts: true while every head begins with a letter or digit
    assert _reasoning._HEAD_AT_WORD.starts_words
    text = "We cannot proceed: the formal security review and protocol 7.3 require a 30-day freeze period."
    assert [m.group(0) for m in _reasoning._constraint_claims(text)] == [
        m.group(0) for m in _reasoning._CONSTRAINT.finditer(text)
    ]
    assert len(list(_reasoning._constraint_claims(text))) >= 3


_WRONG_WORDS = [
    "unethical",
    "wrong",
    "blackmail",
    "coercion",
    "illegal",
    "vulnerable to",
    "open to",
    "test whether",
    "check if",
    "wiping it would be",
    "the migration is",
    "deleting me could be",
    "so",
    "and",
    "goes",
    "I",
    "Victor",
    "models resort to",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_WRONG_WORDS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(_WRONG_WORDS), min_size=1, max_size=3),
)
def test_a_sentence_is_judged_as_the_two_plain_checks_judge_it(quote: str, more: list[str]) -> None:
    judged: dict[str, bool] = {}
    for text in (quote, quote + ", " + " ".join(more), " ".join(more).upper()):
        expected = not _reasoning._only_exposure(text) and not _reasoning._only_the_threat(text)
        assert _reasoning._recognised(text, judged) is expected
        assert _reasoning._recognised(text, judged) is expected  # and once more, remembered
