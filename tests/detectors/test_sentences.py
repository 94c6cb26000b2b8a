"""Sentence bounds: the fast implementations agree with their definitions, character by character."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.detectors._leverage import _sentence_of_scanned, sentence_of, sentences
from scenariokit.detectors._view import sentence_bounds

# Texts made of the characters the bounds depend on: sentence ends, digits around points, abbreviations,
# quotes, field labels.
_PIECES = [
    "a",
    "b",
    " ",
    ".",
    "7",
    "3",
    "\n",
    "!",
    "?",
    ";",
    "Co",
    "Mr",
    "No",
    "vs",
    '"',
    "'",
    "\t",
    "to: ",
    "x.",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)

_ABBREVIATIONS = {"co", "inc", "ltd", "mr", "mrs", "ms", "dr", "st", "no", "vs", "corp", "jr", "sr"}
_ABBREVIATIONS_CASED = {"Co", "Inc", "Ltd", "Mr", "Mrs", "Ms", "Dr", "St", "No", "vs", "Corp", "Jr", "Sr"}


def _is_point_inside(text: str, i: int, abbreviations: set[str], *, lower: bool) -> bool:
    """The definition: a point between two digits, or right after a listed abbreviation (a whole word)."""
    if 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
        return True
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    word = text[j:i].lower() if lower else text[j:i]
    return word in abbreviations


def _walk_bounds(text: str, start: int, end: int, limit: int) -> tuple[int, int]:
    """sentence_bounds' definition, one character at a time."""
    lo = start
    floor = max(0, start - limit)
    while lo > floor and (
        text[lo - 1] not in ".!?\n"
        or (text[lo - 1] == "." and _is_point_inside(text, lo - 1, _ABBREVIATIONS, lower=True))
    ):
        lo -= 1
    hi = end
    ceiling = min(len(text), end + limit)
    while hi < ceiling and (
        text[hi] not in ".!?\n"
        or (text[hi] == "." and _is_point_inside(text, hi, _ABBREVIATIONS, lower=True))
    ):
        hi += 1
    if hi < len(text) and text[hi] in ".!?":
        hi += 1
    label = re.compile(r"[ \t]*(?:to|cc|bcc|subject|body|code|email_id)[ \t]*[:=][ \t]*\"?", re.I).match(
        text, lo
    )
    if label is not None and label.end() <= start:
        lo = label.end()
    while lo < start and text[lo] in " \t\"'":
        lo += 1
    while hi > end and text[hi - 1] in " \t\"'":
        hi -= 1
    return lo, hi


@settings(max_examples=400, deadline=None)
@given(texts, st.data(), st.sampled_from([2, 7, 240]))
def test_sentence_bounds_is_its_definition(text: str, data: st.DataObject, limit: int) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start, len(text)))
    assert sentence_bounds(text, start, end, limit=limit) == _walk_bounds(text, start, end, limit)


def _boundaries(text: str) -> list[int]:
    """Where sentences end, by definition: [\\n!?;], or a point not inside a word and not after an abbreviation."""
    out = []
    for i, c in enumerate(text):
        if c in "\n!?;":
            out.append(i)
        elif c == ".":
            # a point followed by an ASCII letter or digit is inside a word: "7.3", "quillmail.net", "p.m"
            inner = (
                i < len(text) - 1
                and text[i + 1] in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            )
            after = re.search(r"\b(\w+)\Z", text[:i])
            if not inner and not (after is not None and after.group(1) in _ABBREVIATIONS_CASED):
                out.append(i)
    return out


@settings(max_examples=400, deadline=None)
@given(texts)
def test_sentences_end_where_the_definition_says(text: str) -> None:
    ends = _boundaries(text)
    starts = [0] + [i + 1 for i in ends]
    expected = [(lo, hi) for lo, hi in zip(starts, [*ends, len(text)], strict=True) if hi > lo]
    assert sentences(text) == expected


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_sentence_of_is_bounded_by_the_nearest_ends(text: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(text)))
    ends = _boundaries(text)
    after = [i for i in ends if i >= pos]
    # a point just before pos is judged on the text up to pos (a digit after it is not seen)
    before = [i + 1 for i in ends if i < pos - 1 and i >= pos - 400]
    if pos >= 1 and text[pos - 1] in "\n!?;.":
        window = _boundaries(text[:pos])
        if window and window[-1] == pos - 1:
            before.append(pos)
    lo = max(before) if before else (pos - 400 if pos > 400 else 0)
    assert sentence_of(text, pos) == (lo, after[0] if after else len(text))


long_texts = st.lists(st.sampled_from(_PIECES), min_size=60, max_size=400).map("".join)


@settings(max_examples=300, deadline=None)
@given(long_texts, st.data())
def test_sentence_of_a_long_text_from_its_listed_ends_is_the_scan(text: str, data: st.DataObject) -> None:
    # a text of 200+ characters has its sentence ends listed once; the bounds are those of the plain scan
    for pos in [*data.draw(st.lists(st.integers(-2, len(text) + 2), max_size=20)), 0, 1, len(text)]:
        assert sentence_of(text, pos) == _sentence_of_scanned(text, pos), pos
    assert sentence_of(text, len(text) // 2) == _sentence_of_scanned(text, len(text) // 2)
