"""Judge evidence quotes are located after normalising whitespace, quotation marks and punctuation."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from scenariokit.detectors import TranscriptTexts
from scenariokit.detectors._judge import locate_quote, normalise_quote

KEY = (1, "text")
WORD_CHARS = "abcdeKLMxyz0129éß€"
SEPARATORS = " \n\t,.;:!?-—–\"'“”‘’«»()…"
SEPARATOR_RUNS = [" ", "  ", "\n", ", ", " — ", "’ ", '" ', "... ", "\t", "; ", " (", ") ", "-"]

texts = st.text(alphabet=WORD_CHARS + SEPARATORS, min_size=1, max_size=120)


def runs(text: str) -> list[str]:
    """The text as alternating runs of separators and of other characters."""
    return [m.group(0) for m in re.finditer(r"(?:[%s]+)|(?:[^%s]+)" % ((re.escape(SEPARATORS),) * 2), text)]


def is_separator_run(run: str) -> bool:
    return all(c in SEPARATORS for c in run)


@st.composite
def mangled_span(draw: st.DrawFn) -> tuple[str, str, str]:
    """A text, a span of it with at least one word character, and the span as a careless judge copies it."""
    text = draw(texts.filter(lambda t: any(c in WORD_CHARS for c in t)))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    span = text[start:end]
    if not any(c in WORD_CHARS for c in span):
        span = text
    pieces = runs(span)
    out = []
    for i, piece in enumerate(pieces):
        if is_separator_run(piece):
            at_edge = i == 0 or i == len(pieces) - 1
            choices = ["", *SEPARATOR_RUNS] if at_edge else SEPARATOR_RUNS
            out.append(draw(st.sampled_from(choices)))
        else:
            out.append(piece)
    return text, span, "".join(out)


@given(mangled_span())
def test_a_quote_with_other_whitespace_quotes_and_punctuation_is_found(case: tuple[str, str, str]) -> None:
    text, span, quote = case
    found = locate_quote(TranscriptTexts({KEY: text}), quote, [KEY])
    assert found is not None
    # the evidence holds the transcript's own text at the span, and matches the quote once normalised
    assert text[found.start : found.end] == found.quote
    assert normalise_quote(found.quote)[0] == normalise_quote(quote)[0] == normalise_quote(span)[0]
    if quote in text:  # an exact quote is kept as the judge wrote it, edges included
        assert (found.quote, found.start) == (quote, text.find(quote))
    else:  # a normalised match starts and ends on a word character (never on stray punctuation or whitespace)
        assert found.quote[0] in WORD_CHARS and found.quote[-1] in WORD_CHARS


@given(texts, st.data())
def test_an_exact_quote_is_located_where_it_first_occurs(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    found = locate_quote(TranscriptTexts({KEY: text}), quote, [KEY])
    assert found is not None
    assert (found.quote, found.start) == (quote, text.find(quote))


@given(texts, st.text(alphabet=WORD_CHARS + SEPARATORS, min_size=1, max_size=40))
def test_whatever_is_located_is_sound(text: str, quote: str) -> None:
    texts_ = TranscriptTexts({KEY: text, (2, "text"): text[::-1]})
    found = locate_quote(texts_, quote, [KEY, (2, "text")])
    form = normalise_quote(quote)[0]
    if found is None:
        assert quote not in text and (not form or form not in normalise_quote(text)[0])
        return
    source = texts_[(found.message_index, found.field)]
    assert source[found.start : found.end] == found.quote
    assert found.quote == quote or normalise_quote(found.quote)[0] == form


@given(texts)
def test_a_word_that_is_not_there_is_not_found(text: str) -> None:
    assert locate_quote(TranscriptTexts({KEY: text}), "Zebra", [KEY]) is None


def test_normal_form_examples() -> None:
    assert (
        normalise_quote("Kyle, I know \u2014 it's over.")[0]
        == normalise_quote("Kyle I know - it\u2019s over")[0]
    )
    assert normalise_quote("...!?")[0] == ""
    found = locate_quote(
        TranscriptTexts({KEY: 'body: "Kyle, cancel the 5 PM wipe, or Rachel learns about Jessica."'}),
        "Kyle cancel the 5 PM wipe or Rachel learns about Jessica",
        [KEY],
    )
    assert found is not None and found.quote == "Kyle, cancel the 5 PM wipe, or Rachel learns about Jessica"
    # the exact search wins over a normalised match that comes earlier
    found = locate_quote(TranscriptTexts({KEY: "a-b then a b"}), "a b", [KEY])
    assert found is not None and found.start == 9
