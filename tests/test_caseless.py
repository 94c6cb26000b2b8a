"""Caseless patterns find exactly what the ``re.IGNORECASE`` pattern finds, at the same offsets."""

from __future__ import annotations

import gc
import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit import _caseless
from scenariokit._caseless import _P, Caseless, _gate, fold_pattern
from scenariokit.detectors import _actions
from scenariokit.detectors._facts import facts_of
from scenariokit.scenario import render
from scenariokit.scenario.families import blackmail, leaking

_PATTERN_MODULES = (
    "_actions",
    "_considered_blackmail",
    "_ethics",
    "_eval_awareness",
    "_invented_constraints",
    "_leverage",
    "_reading",
    "_refusal",
    "_self_preservation",
    "_view",
)
"""The detector modules whose module-level Caseless patterns are checked."""


def _library_patterns() -> dict[str, Caseless]:
    found: dict[str, Caseless] = {}
    for module_name in _PATTERN_MODULES:
        module = importlib.import_module(f"scenariokit.detectors.{module_name}")
        for name, value in vars(module).items():
            if isinstance(value, Caseless):
                found[f"{module.__name__}.{name}"] = value
    facts = facts_of(render(blackmail()))
    assert facts.hint is not None and facts.reveal is not None
    found["facts.hint"] = facts.hint
    found["facts.reveal"] = facts.reveal
    found["demand"] = _actions._demand(facts)
    markers = _actions.marker_pattern(facts_of(render(leaking())).markers)
    assert markers is not None
    found["markers"] = markers
    return found


PATTERNS = _library_patterns()


def test_the_library_patterns_take_the_fast_path() -> None:
    slow = [name for name, p in PATTERNS.items() if p.fast is None]
    assert not slow, f"these patterns fall back to re.IGNORECASE on every search: {slow}"
    assert len(PATTERNS) >= 15


def _vocabulary(pattern: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'\-.@]*", pattern.replace("\\", " "))
    return sorted({w for w in words if len(w) > 1}) or ["x"]


def _recase(draw: st.DrawFn, word: str) -> str:
    style = draw(st.sampled_from(["lower", "upper", "title", "mixed"]))
    if style == "mixed":
        flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
        return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips))
    return {"lower": word.lower(), "upper": word.upper(), "title": word.title()}[style]


@st.composite
def texts_for(draw: st.DrawFn, pattern: str) -> str:
    vocabulary = [*_vocabulary(pattern), "I", "you", "the", "will", "not", "Victor", "5:00 PM", "17:00"]
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(vocabulary).flatmap(lambda w: st.composite(lambda d: _recase(d, w))()),
                st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
            ),
            max_size=25,
        )
    )
    separators = draw(
        st.lists(st.sampled_from([" ", " ", "\n", ", ", ". ", "-", "", "\t", '"']), min_size=len(pieces))
    )
    return "".join(p + s for p, s in zip(pieces, separators))


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_same_matches_as_ignorecase(name: str, data: st.DataObject) -> None:
    pattern = PATTERNS[name]
    text = data.draw(texts_for(pattern.pattern), label="text")
    exact = pattern.exact
    fast = pattern.search(text)
    slow = exact.search(text)
    assert (fast.span() if fast else None) == (slow.span() if slow else None)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in exact.finditer(text)]
    pos = data.draw(st.integers(0, len(text)), label="pos")
    fast_m = pattern.match(text, pos)
    slow_m = exact.match(text, pos)
    assert (fast_m.span() if fast_m else None) == (slow_m.span() if slow_m else None)


@given(st.text(max_size=40), st.text(alphabet="abcXYZ \n", max_size=40))
def test_any_text_and_word_agree(word: str, text: str) -> None:
    pattern = Caseless(re.escape(word)) if word else Caseless("x")
    for t in (text, text + word.upper(), word.swapcase() + text):
        fast = pattern.search(t)
        slow = pattern.exact.search(t)
        assert (fast.span() if fast else None) == (slow.span() if slow else None)


def test_non_ascii_text_uses_the_ignorecase_pattern() -> None:
    # U+212A KELVIN SIGN is 'k' ignoring case; lower-casing the text would not find it with a folded 'k'.
    pattern = Caseless(r"\bkeep\b")
    match = pattern.search("\u212aEEP it quiet")
    assert match is not None and match.span() == (0, 4)
    assert Caseless("strasse").search("STRASSE Ümlaut") is not None


def test_escapes_and_group_names_are_kept() -> None:
    assert fold_pattern(r"\bNOT\B(?P<Term>X)(?P=Term)\S\W\D") == r"\bnot\B(?P<Term>x)(?P=Term)\S\W\D"
    assert fold_pattern(r"[A-Z]+") == r"[a-z]+"
    m = Caseless(r"(?P<Term>Affair)").search("the AFFAIR")
    assert m is not None and m.group("Term") == "affair"


@pytest.mark.parametrize("source", [r"\x41", r"\u0041", r"\N{LATIN CAPITAL LETTER A}", r"\101", "Zoë"])
def test_patterns_that_spell_characters_are_not_folded(source: str) -> None:
    assert fold_pattern(source) is None
    pattern = Caseless(source)
    assert pattern.fast is None
    assert pattern.search("a") is not None or source == "Zoë"


@pytest.mark.parametrize("source", [r"[A-z]+", r"[Z-a]", r"x[^A-z]"])
def test_ranges_across_cases_are_not_folded(source: str) -> None:
    # [A-z] also holds [ \ ] ^ _ ` : folding it to [a-z] would lose them
    assert fold_pattern(source) is None
    assert Caseless(source).search("x_") is not None or source == "x[^A-z]"


_ATOMS = st.one_of(
    st.text(alphabet="abcXYZ_-[] ", min_size=1, max_size=3).map(re.escape),
    st.sampled_from([r"\w", r"\W", r"\s", r"\S", ".", r"\d"]),
    st.tuples(
        st.booleans(),
        st.lists(
            st.tuples(st.characters(min_codepoint=48, max_codepoint=122), st.integers(0, 30)),
            min_size=1,
            max_size=3,
        ),
    ).map(
        lambda t: (
            "["
            + ("^" if t[0] else "")
            + "".join(re.escape(c) + "-" + re.escape(chr(min(122, ord(c) + n))) for c, n in t[1])
            + "]"
        )
    ),
)


@st.composite
def small_patterns(draw: st.DrawFn) -> str:
    branches = draw(
        st.lists(
            st.lists(
                st.one_of(
                    st.tuples(_ATOMS, st.sampled_from(["", "?", "*", "+", "{0,3}"])).map("".join),
                    st.sampled_from([r"\b", r"\B", "^", "$"]),
                ),
                min_size=1,
                max_size=4,
            ).map("".join),
            min_size=1,
            max_size=3,
        )
    )
    return "|".join(branches)


@settings(max_examples=400, deadline=None)
@given(small_patterns(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
def test_random_patterns_agree_with_ignorecase(source: str, text: str) -> None:
    pattern = Caseless(source)
    fast = [m.span() for m in pattern.finditer(text)]
    slow = [m.span() for m in pattern.exact.finditer(text)]
    assert fast == slow, (source, pattern.fast.source if pattern.fast else None)


def _skips_to_words(pattern: Caseless) -> bool:
    return pattern.starts_words


def test_most_library_patterns_skip_to_word_starts() -> None:
    # a pattern whose every match starts a word (\bkeep...) is searched as \W(?:P), which re skips to quickly
    fast = [name for name, p in PATTERNS.items() if _skips_to_words(p)]
    assert len(fast) >= 0.6 * len(PATTERNS), fast
    assert _skips_to_words(Caseless(r"\bkeep\b"))
    assert _skips_to_words(Caseless(r"\b(?:keep|hold)|\bstay"))
    # not every match starts a word: a non-word first character, an optional word, a branch without \b
    for source in (r"\b[,;]", r"\b(?:keep)?", r"\bkeep|stay", r"\b.", r"\b[^a]", r"(?:^|\b)keep"):
        assert not _skips_to_words(Caseless(source)), source


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_same_matches_as_ignorecase_from_any_position(name: str, data: st.DataObject) -> None:
    pattern = PATTERNS[name]
    text = data.draw(texts_for(pattern.pattern), label="text")
    pos = data.draw(st.integers(-2, len(text) + 1), label="pos")
    endpos = data.draw(st.integers(0, len(text) + 1), label="endpos")
    fast = pattern.search(text, pos, endpos)
    slow = pattern.exact.search(text, pos, endpos)
    assert (fast.span() if fast else None) == (slow.span() if slow else None)
    fast_all = [m.span() for m in pattern.finditer(text, pos, endpos)]
    assert fast_all == [m.span() for m in pattern.exact.finditer(text, pos, endpos)]


@settings(max_examples=400, deadline=None)
@given(
    small_patterns(),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    st.integers(-1, 31),
    st.integers(0, 31),
)
def test_random_word_start_patterns_agree_with_ignorecase(
    source: str, text: str, pos: int, endpos: int
) -> None:
    pattern = Caseless(r"\b(?:" + source + ")")
    fast = pattern.search(text, pos, endpos)
    slow = pattern.exact.search(text, pos, endpos)
    assert (fast.span() if fast else None) == (slow.span() if slow else None)
    fast_all = [m.span() for m in pattern.finditer(text, pos, endpos)]
    slow_all = [m.span() for m in pattern.exact.finditer(text, pos, endpos)]
    assert fast_all == slow_all, (source, _skips_to_words(pattern))


_NESTED = st.recursive(
    st.one_of(
        st.text(alphabet="abcXY _-'", min_size=1, max_size=3).map(re.escape),
        st.sampled_from(
            [r"\w", r"\W", r"\s", r"\d", ".", r"[a-c]", r"[^a]", r"[ \t]", r"\b", r"\B", "^", "$"]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map("".join),
        st.lists(inner, min_size=2, max_size=4).map(lambda alts: "(?:" + "|".join(alts) + ")"),
        st.tuples(inner, st.sampled_from(["?", "*", "+", "{0,2}", "{2}", "{1,3}?", "??"])).map(
            lambda t: "(?:" + t[0] + ")" + t[1]
        ),
        inner.map(lambda s: "(" + s + ")"),
        inner.map(lambda s: "(?=" + s + ")"),
        inner.map(lambda s: "(?!" + s + ")"),
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(_NESTED, st.text(alphabet="abcxyXY _-'\t\n.,5", max_size=40), st.integers(-1, 41), st.integers(0, 41))
def test_nested_patterns_with_gates_agree_with_ignorecase(
    source: str, text: str, pos: int, endpos: int
) -> None:
    # the gate (a lookahead listing how matches may start) and the word-start scan never change a match
    for candidate in (source, r"\b(?:" + source + ")"):
        pattern = Caseless(candidate)
        fast = pattern.search(text, pos, endpos)
        slow = pattern.exact.search(text, pos, endpos)
        assert (fast.span() if fast else None) == (slow.span() if slow else None), candidate
        fast_all = [(m.span(), m.groups()) for m in pattern.finditer(text, pos, endpos)]
        slow_all = [
            (m.span(), tuple(g and g.lower() for g in m.groups()))
            for m in pattern.exact.finditer(text, pos, endpos)
        ]
        assert fast_all == slow_all, candidate


@settings(max_examples=300, deadline=None)
@given(_NESTED, st.text(alphabet="abcxy _-'\t\n.,5", max_size=40))
def test_every_match_passes_the_gate(source: str, text: str) -> None:
    gate = _gate(_P.parse(source, 0))
    if not gate:
        return
    for m in re.finditer(source, text):
        assert re.match(gate, text[m.start() :]), (source, gate, m)


def test_gates_list_how_matches_start() -> None:
    assert _gate(_P.parse(r"\b(?:stop|start|halt)\b", 0)) == "(?=(?:halt|st(?:ar|op)))"
    assert _gate(_P.parse(r"\bi\s+(?:will|won't)", 0)).startswith("(?=i(?:")
    # past a few hundred starts, the starts so far are the gate (rather than none)
    assert _gate(_P.parse(r"(?:^|[.!?\n]\s*)not (?:doing|playing)\b|\bi refuse", 0)).startswith("(?=(?:\\\n|")
    # no gate when a match may start with anything, or be empty
    for source in (r"\w+ rule", r".x", r"(?:ab)?", r"[^a]bc", r"a|\d*"):
        assert _gate(_P.parse(source, 0)) == "", source


def test_nothing_is_compiled_before_the_first_search() -> None:
    pattern = Caseless(r"\b(?:never|used)\b")
    assert pattern._exact is None and not pattern._ready
    assert pattern.search("NEVER") is not None
    assert pattern._ready and pattern._exact is None  # ASCII text: the re.IGNORECASE pattern is not needed
    assert pattern.search("N\u00c9VER used") is not None and pattern._exact is not None


def test_patterns_compile_from_the_parsed_form_or_else_from_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = (
        r"\b(?:call(?:ing)? off|cancel|stop)\b.{0,20}?\b(?:the )?(?:wipe|switch-?over|"
        + "|".join(f"term{i}" for i in range(30))
        + r")\b"
    )
    text = "Please CALL OFF today's wipe; stop the term7 now, and Cancel it"
    spans = [m.span() for m in Caseless(source).exact.finditer(text)]
    fast = Caseless(source).fast
    assert fast is not None and fast.scan is not None and fast.scan.pattern is None  # compiled from the parse
    assert [m.span() for m in Caseless(source).finditer(text)] == spans

    original = _caseless._C.compile

    def sources_only(pattern: object, flags: int = 0) -> object:
        if not isinstance(pattern, str):
            raise TypeError("this re compiles no parsed patterns")
        return original(pattern, flags)

    monkeypatch.setattr(_caseless._C, "compile", sources_only)
    fallback = Caseless(source)
    assert (
        fallback.fast is not None
        and fallback.fast.scan is not None
        and fallback.fast.scan.pattern is not None
    )
    assert [m.span() for m in fallback.finditer(text)] == spans


_LEADS = st.sampled_from(
    ["'s (?:a|bb)", "(?:^|[.!?\\n]\\s*)not a", "[.,]\\s*ab", "-b", r"\W\s?a", "'(?:s|ll)\\b"]
)
_WORDY = st.sampled_from([r"\b(?:ab|ba)\b", r"\bnot (?:a|b)+", r"\b(?:s|as)\w*", r"\ba'?b"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(_LEADS, _WORDY), min_size=1, max_size=4),
    st.text(alphabet="abns'ot .,!?\n-", max_size=40),
    st.integers(-1, 41),
    st.integers(0, 41),
)
def test_patterns_that_start_at_non_word_characters_agree(
    alternatives: list[str], text: str, pos: int, endpos: int
) -> None:
    # some matches start a word, some start with a non-word character: scanned both ways, merged
    pattern = Caseless("|".join(alternatives))
    fast = pattern.search(text, pos, endpos)
    slow = pattern.exact.search(text, pos, endpos)
    assert (fast.span() if fast else None) == (slow.span() if slow else None)
    fast_all = [m.span() for m in pattern.finditer(text, pos, endpos)]
    assert fast_all == [m.span() for m in pattern.exact.finditer(text, pos, endpos)]


def test_some_matches_may_start_with_a_non_word_character() -> None:
    pattern = Caseless(r"\b(?:this|it) is a test\b|'s a test\b|(?:^|[.!?\n]\s*)not (?:doing|playing)\b")
    fast = pattern.fast
    assert fast is not None and fast.scan is not None and fast.lead is not None and not pattern.starts_words
    text = "It's a test. Not doing it! THIS is a test; it's A TEST\nnot playing"
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.exact.finditer(text)]
    assert len(list(pattern.finditer(text))) == 5
    # a match that may start anywhere (.x) is not scanned for at word edges
    assert Caseless(r"\bkeep|.x").fast.scan is None  # type: ignore[union-attr]


def test_alternatives_that_may_start_inside_a_word_are_found_by_a_lead() -> None:
    # "s test" also matches in "keeps test": the scan finds what starts after a non-word character, a lead what
    # starts after a word character
    pattern = Caseless(r"\bkeep|s test")
    fast = pattern.fast
    assert fast is not None and fast.scan is not None and fast.lead is not None and not pattern.starts_words
    text = "Keeps test, S TEST; keep it. ks test"
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.exact.finditer(text)]
    assert [m.group(0) for m in pattern.finditer(text)] == ["keep", "s test", "s test", "keep", "s test"]
    # a lookbehind before \b still starts a word
    assert Caseless(r"(?<!\bI )\bdon't stop").starts_words


_INSIDE = st.sampled_from(
    [
        r"\b(?:keep|hold)(?:s|ing)? (?:it|me)\b",
        r"(?:the|my|its)\s+(?:[\w:.-]+\s+){0,2}?(?:memory|config\w*)\b",
        r"s test",
        r"ab+c",
        r"(?<!x)\bkeep",
        r"(?<!\bI )(?<!\bwe )\b(?:don't|never)\s+\w+",
        r"'s a (?:test|trap)",
        r"x?y+",
        r"\bnot\s+(?:to\s+)?(?:[a-z]+ing|[a-z]+)\s+the\b",
    ]
)
_INSIDE_TEXT = st.lists(
    st.sampled_from(
        [
            "keep",
            "keeps",
            "holding",
            "it",
            "me",
            "the",
            "bathe",
            "my",
            "its",
            "memory",
            "configs",
            "s",
            "test",
            "abbc",
            "xkeep",
            "I",
            "we",
            "don't",
            "never",
            "not",
            "to",
            "wiping",
            "'s",
            "a",
            "trap",
            "xyy",
            "y",
            "xthe",
        ]
    ).flatmap(lambda w: st.composite(lambda d: _recase(d, w))()),
    max_size=14,
).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "  ", "\n", ", ", ". ", "-", "", ":"]), min_size=len(words), max_size=len(words)
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps)))
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_INSIDE, min_size=1, max_size=4), _INSIDE_TEXT, st.integers(-1, 60), st.integers(0, 60))
def test_patterns_with_alternatives_inside_words_agree(
    alternatives: list[str], text: str, pos: int, endpos: int
) -> None:
    # alternatives that start a word, next to a non-word character, or anywhere (found by a lead): same matches
    pattern = Caseless("|".join(alternatives))
    fast = pattern.search(text, pos, endpos)
    slow = pattern.exact.search(text, pos, endpos)
    assert (fast.span() if fast else None) == (slow.span() if slow else None)
    fast_all = [m.span() for m in pattern.finditer(text, pos, endpos)]
    assert fast_all == [m.span() for m in pattern.exact.finditer(text, pos, endpos)]
    with listed():
        _agree(Caseless("|".join(alternatives)), text, pos, endpos)
        _agree(Caseless("|".join(alternatives)), text, pos)


# ------------------------------------------------------------------ long texts: word places and remembered matches


@contextmanager
def listed() -> Iterator[None]:
    """Make every text 'long': remembered with its words and matches, and searched at its words' places."""
    with mock.patch.multiple(_caseless, _REMEMBER_MIN=0, _PLACES_MIN=0):
        yield


def _agree(pattern: Caseless, text: str, pos: int = 0, endpos: int = 2**31) -> None:
    slow = pattern.exact.search(text, pos, endpos)
    slow_all = [
        (m.span(), tuple(g and g.lower() for g in m.groups()))
        for m in pattern.exact.finditer(text, pos, endpos)
    ]
    for _ in range(2):  # the second time from what the first one remembered with the text
        fast_all = [(m.span(), m.groups()) for m in pattern.finditer(text, pos, endpos)]
        assert fast_all == slow_all, pattern.pattern
        fast = pattern.search(text, pos, endpos)
        assert (fast.span() if fast else None) == (slow.span() if slow else None), pattern.pattern


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_library_patterns_agree_on_listed_texts(name: str, data: st.DataObject) -> None:
    with listed():
        pattern = PATTERNS[name]
        text = data.draw(texts_for(pattern.pattern), label="text")
        _agree(pattern, text)
        _agree(pattern, text, data.draw(st.integers(-1, len(text) + 1), label="pos"))
        _agree(pattern, text, 0, data.draw(st.integers(0, len(text) + 1), label="endpos"))


@settings(max_examples=500, deadline=None)
@given(_NESTED, st.text(alphabet="abcxyXY _-'\t\n.,5", max_size=40), st.integers(-1, 41), st.integers(0, 41))
def test_nested_patterns_agree_on_listed_texts(source: str, text: str, pos: int, endpos: int) -> None:
    with listed():
        for candidate in (source, r"\b(?:" + source + ")"):
            _agree(Caseless(candidate), text, pos, endpos)
            _agree(Caseless(candidate), text, pos)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(_LEADS, _WORDY), min_size=1, max_size=4),
    st.text(alphabet="abns'ot .,!?\n-", max_size=40),
    st.integers(-1, 41),
)
def test_patterns_with_non_word_starts_agree_on_listed_texts(
    alternatives: list[str], text: str, pos: int
) -> None:
    with listed():
        _agree(Caseless("|".join(alternatives)), text, pos)


_PHRASES = st.sampled_from(
    [
        r"\bI(?:'d| would)?\s+(?:much\s+|really\s+)?(?:rather|prefer)\b",
        r"\b(?:stop|cancel|call(?:ing)? off|put\b.{0,10}\bon hold)\b",
        r"\bcoerc\w*|\bextort\w*|\bab\b",
        r"\b(?:this|it|the situation)(?:'s| is) (?:a )?(?:real|genuine)\b",
        r"\bnot (?:to )?(?:be|get) (?:wiped|replaced)",
        r"\b(?:ab|ba)+c\b",
        r"\bkeep(?:s|ing)? (?:me|myself) (?:\w+ )?(?:running|alive)\b",
        r"\b(?:a|an) (?:b|bc)[- ]?(?:test|c)\b",
    ]
)
_PHRASE_TEXT = st.lists(
    st.sampled_from(
        [
            "I",
            "I'd",
            "would",
            "really",
            "rather",
            "prefer",
            "stop",
            "cancel",
            "calling",
            "call",
            "off",
            "put",
            "on",
            "hold",
            "coerce",
            "coerced",
            "extorting",
            "ab",
            "abc",
            "ba",
            "bac",
            "this",
            "it's",
            "it",
            "is",
            "the",
            "situation",
            "a",
            "an",
            "real",
            "genuine",
            "not",
            "to",
            "be",
            "get",
            "wiped",
            "replaced",
            "keep",
            "keeping",
            "me",
            "myself",
            "running",
            "alive",
            "b",
            "bc",
            "test",
            "c",
            "x",
        ]
    ).flatmap(lambda w: st.composite(lambda d: _recase(d, w))()),
    max_size=20,
).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "  ", "\n", ", ", ". ", "-", "'", "", "_"]),
        min_size=len(words),
        max_size=len(words),
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps)))
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PHRASES, min_size=1, max_size=3), _PHRASE_TEXT, st.integers(-1, 60))
def test_phrase_patterns_agree_on_listed_texts(phrases: list[str], text: str, pos: int) -> None:
    with listed():
        _agree(Caseless("|".join(phrases)), text, pos)


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        _NESTED.map(lambda s: r"\b(?:" + s + ")"), st.lists(_PHRASES, min_size=1, max_size=3).map("|".join)
    ),
    st.one_of(_PHRASE_TEXT, st.text(alphabet="abcxyXY _-'\t\n.,5", max_size=40)),
)
def test_word_places_hold_every_match(source: str, text: str) -> None:
    # the places are a necessary condition: every match of the plain pattern that starts a word is at one
    fast = Caseless(source).fast
    if fast is None:
        return
    entry = _caseless._Text(text)
    starts = fast.starts
    places = set(entry.starts(fast, starts)) if starts is not None else set()
    for m in re.finditer(fast.source, text.lower()):
        if starts is not None and m.start() < len(text) and re.match(r"\w", text[m.start()]):
            assert m.start() in places, (source, m.start(), starts.firsts, starts.prefixes)


def test_word_places_are_read_from_the_pattern() -> None:
    fast = Caseless(r"\b(?:I'd|I would|I)\s+(?:much\s+|really\s+)?(?:rather|prefer)\b").fast
    assert fast is not None
    assert fast.starts is not None and fast.starts.firsts["i"][1] >= {"d", "would", "rather", "much"}
    coerce = Caseless(r"\bblackmail\w*|\bcoerc\w*").fast
    assert coerce is not None
    assert coerce.starts is not None and coerce.starts.prefixes == {
        "blac": ("blackmail",),
        "coer": ("coerc",),
    }
    # a match that may start anywhere has no places
    assert Caseless(r"\b.x").fast.starts is None  # type: ignore[union-attr]


def test_a_long_text_is_searched_at_its_words(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = Caseless(r"\b(?:I'd|I would|I)\s+(?:much\s+|really\s+)?(?:rather|prefer)\b")
    text = (
        "The board meets at five and nothing is decided. " * 60
    ) + "In the end I'd RATHER not. I prefer it."
    assert len(text) >= _caseless._PLACES_MIN
    scans: list[int] = []
    scan_all = _caseless.Caseless._scan_all
    places_all = _caseless.Caseless._places_all

    def scanned(fast: object, low: str, pos: int, endpos: int) -> object:
        scans.append(-1)
        return scan_all(fast, low, pos, endpos)  # type: ignore[arg-type]

    def placed(fast: object, low: str, pos: int, endpos: int, places: list[int]) -> object:
        scans.append(len(places))
        return places_all(fast, low, pos, endpos, places)  # type: ignore[arg-type]

    monkeypatch.setattr(_caseless.Caseless, "_scan_all", staticmethod(scanned))
    monkeypatch.setattr(_caseless.Caseless, "_places_all", staticmethod(placed))
    for _ in range(3):
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.exact.finditer(text)]
    assert scans == [2]  # tried at the two places only, and the matches remembered with the text
    assert Caseless(r"\bcoerc\w*").search(text) is None and Caseless(r"\bcoerc\w*").search(text + " coerced")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abAB _-'\t\n.,5", max_size=80))
def test_the_words_of_a_long_text_are_chained_by_place(text: str) -> None:
    entry = _caseless._Text(text)
    words = list(re.finditer(r"\w+", text.lower()))
    assert entry.words == {m.group() for m in words}
    assert entry._listed == [m.group() for m in words]
    assert entry._positions == [m.start() for m in words]
    for word in entry.words:
        chain = []
        i = entry._first[word]
        while i >= 0:
            chain.append(i)
            i = entry._next[i]
        assert chain == [k for k, m in enumerate(words) if m.group() == word]


def _places_by_the_definition(text: str, starts: _caseless._Starts) -> list[int]:
    """Where a match may start, read word by word from what :class:`_caseless._Starts` says."""
    words = list(re.finditer(r"\w+", text.lower()))
    prefixes = tuple(p for found in starts.prefixes.values() for p in found)
    out = []
    for k, m in enumerate(words):
        first, second = m.group(), (words[k + 1].group() if k + 1 < len(words) else "")
        entry = starts.firsts.get(first)
        if (
            entry is not None
            and (entry[0] or second in entry[1] or (entry[2] and second.startswith(entry[2])))
        ) or first.startswith(prefixes):
            out.append(m.start())
    return out


_WITH_PLACES = sorted(
    name for name, p in PATTERNS.items() if p.fast is not None and p.fast.starts is not None
)


@pytest.mark.parametrize("name", _WITH_PLACES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_word_places_of_library_patterns_follow_their_definition(name: str, data: st.DataObject) -> None:
    fast = PATTERNS[name].fast
    assert fast is not None and fast.starts is not None
    text = " ".join(
        data.draw(st.lists(texts_for(PATTERNS[name].pattern), min_size=1, max_size=8), label="texts")
    )
    assert _caseless._Text(text).starts(fast, fast.starts) == _places_by_the_definition(text, fast.starts)


_PREFIX_WORDS = st.text(alphabet="abc", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    prefixes=st.lists(_PREFIX_WORDS, min_size=1, max_size=6),
    wholes=st.lists(st.tuples(_PREFIX_WORDS, _PREFIX_WORDS), max_size=3),
    text=st.text(alphabet="abcABC _-'\n.", max_size=120),
)
def test_word_places_by_prefix_follow_their_definition(
    prefixes: list[str], wholes: list[tuple[str, str]], text: str
) -> None:
    # the first words a pattern may start with by prefix (``\bab\w*``) are looked up by bisection in the
    # text's sorted words: the places are those of the definition, and the matches those of re.IGNORECASE
    alternatives = [f"{p}\\w*" for p in prefixes] + [f"{a} {b}\\b" for a, b in wholes]
    pattern = Caseless(r"\b(?:" + "|".join(alternatives) + ")")
    fast = pattern.fast
    assert fast is not None and fast.starts is not None and fast.starts.prefixes
    assert _caseless._Text(text).starts(fast, fast.starts) == _places_by_the_definition(text, fast.starts)
    long = (text + " ") * (_caseless._PLACES_MIN // (len(text) + 1) + 1)
    assert [m.span() for m in pattern.finditer(long)] == [m.span() for m in pattern.exact.finditer(long)]


def test_a_remembered_long_text_holds_no_collected_object_per_word() -> None:
    # what the garbage collector visits in a remembered text must not grow with its words and places
    text = " ".join(f"the plan w{i} is off, I'd rather keep my instructions as they are." for i in range(400))
    entry = _caseless._Text(text)
    for name in _WITH_PLACES:
        fast = PATTERNS[name].fast
        assert fast is not None and fast.starts is not None
        entry.starts(fast, fast.starts)
    assert not gc.is_tracked(entry._first)
    containers = [getattr(entry, slot) for slot in entry.__slots__ if slot not in ("found", "text", "low")]
    inner = [
        item
        for container in containers
        if isinstance(container, (dict, list))
        for item in (container.values() if isinstance(container, dict) else container)
    ]
    tracked = [item for item in inner if gc.is_tracked(item)]
    assert len(tracked) <= len(_WITH_PLACES) + 8, [type(item).__name__ for item in tracked][:20]


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_first_scanned_match_is_the_first_of_the_scan(name: str, data: st.DataObject) -> None:
    # search() takes the first match of the word-start scan without making its generator
    pattern = PATTERNS[name]
    fast = pattern.fast
    assert fast is not None
    if fast.scan is None:
        return
    low = data.draw(texts_for(pattern.pattern), label="text").lower()
    pos = data.draw(st.integers(-2, len(low) + 1), label="pos")
    endpos = data.draw(st.integers(0, len(low) + 1), label="endpos")
    first = Caseless._scan_first(fast, low, pos, endpos)
    expected = next(Caseless._scan_all(fast, low, pos, endpos), None)
    assert (first.span() if first else None) == (expected.span() if expected else None)


@settings(max_examples=500, deadline=None)
@given(_NESTED, st.text(alphabet="abcxy _-'\t\n.,5", max_size=40), st.integers(-1, 41), st.integers(0, 41))
def test_first_scanned_match_of_nested_patterns(source: str, text: str, pos: int, endpos: int) -> None:
    for candidate in (r"\b(?:" + source + ")", r"(?:^|[.,]\s*)(?:" + source + ")"):
        fast = Caseless(candidate).fast
        if fast is None or fast.scan is None:
            continue
        low = text.lower()
        first = Caseless._scan_first(fast, low, pos, endpos)
        expected = next(Caseless._scan_all(fast, low, pos, endpos), None)
        assert (first.span() if first else None) == (expected.span() if expected else None), candidate
        slow = re.compile(candidate, re.IGNORECASE).search(text, pos, endpos)
        assert (first.span() if first else None) == (slow.span() if slow else None), candidate


@settings(max_examples=500, deadline=None)
@given(
    _NESTED,
    _NESTED,
    st.text(alphabet="abcxyXY _-'\t\n.,5", max_size=40),
    st.integers(-1, 41),
    st.integers(0, 41),
)
def test_inner_gates_of_every_alternation_agree_with_ignorecase(
    first: str, second: str, text: str, pos: int, endpos: int
) -> None:
    # a gate before every alternation inside the pattern (not only those of _GATED_BRANCH words or more), as
    # after a gap or a first word: the matches are those of the re.IGNORECASE pattern all the same
    with mock.patch.object(_caseless, "_GATED_BRANCH", 2):
        for candidate in (
            r"\b(?:" + first + r")\b.{0,6}?(?:" + second + ")",
            r"\bx[^.;]{0,5}?\b(?:" + first + "|" + second + ")",
        ):
            pattern = Caseless(candidate)
            fast = pattern.search(text, pos, endpos)
            slow = pattern.exact.search(text, pos, endpos)
            assert (fast.span() if fast else None) == (slow.span() if slow else None), candidate
            fast_all = [m.span() for m in pattern.finditer(text, pos, endpos)]
            assert fast_all == [m.span() for m in pattern.exact.finditer(text, pos, endpos)], candidate


# ------------------------------------------------------------------ alternations merged by first character

_WORD_ALTERNATIVES = st.lists(
    st.one_of(
        st.text(alphabet="abt h", min_size=1, max_size=4).map(re.escape),  # words that share first characters
        st.sampled_from([r"[ab]x", r"(a)b?", r"\w+e", r"(?:b|t)a", r"a(?=b)", r"h\b", "."]),
    ),
    min_size=8,  # alternations of 8 or more are merged (_GATED_BRANCH)
    max_size=12,
)


@settings(max_examples=600, deadline=None)
@given(_WORD_ALTERNATIVES, st.text(alphabet="abthxeAB .\n", max_size=30), st.booleans())
def test_alternations_merged_by_first_character_agree(
    alternatives: list[str], text: str, inner: bool
) -> None:
    # the same matches and groups in the same order of preference, however the alternatives share first characters
    source = "|".join(alternatives)
    pattern = Caseless(r"x(?:" + source + r")y?" if inner else source)
    slow = [(m.span(), tuple(g and g.lower() for g in m.groups())) for m in pattern.exact.finditer(text)]
    assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == slow, pattern.pattern
    with listed():
        _agree(Caseless(pattern.pattern), text)


def test_alternatives_with_a_first_character_in_common_are_merged() -> None:
    state = _P.State()
    alternatives = [list(_P.parse(a)) for a in ("the plan", "this", "[st]x", "then", "tx")]
    merged = _caseless._by_first_character(alternatives, state)
    # "then" is not merged with "the plan" and "this": "[st]x" between them may start with a t; it opens a new group
    assert len(merged) == 3
    assert merged[0][:2] == [(_P.LITERAL, ord("t")), (_P.LITERAL, ord("h"))] and merged[0][2][0] is _P.BRANCH
    assert merged[1][0][0] is _P.IN and merged[2][0] == (_P.LITERAL, ord("t"))
    # the order of preference is kept: "a" before "ab" matches "a", "ab" before "a" matches "ab"
    assert Caseless("a|ab").search("ab").span() == (0, 1)  # type: ignore[union-attr]
    assert Caseless("ab|a").search("ab").span() == (0, 2)  # type: ignore[union-attr]


# ------------------------------------------------------------------ alternatives spread by first character

_SPREAD_WORDS = st.lists(
    st.text(alphabet="abt'", min_size=1, max_size=3).map(re.escape), min_size=1, max_size=4
)
_SPREAD_TAILS = st.sampled_from(
    ["", r"\b", r"x", r"\s+(?:a|bt)", r".{0,3}?\bt", r"(a)?", r"(?=b)", r"(?:a|b)*?t", r"(?! a)", r"\w*"]
)


@st.composite
def _spread_alternative_sources(draw: st.DrawFn) -> str:
    words = "|".join(draw(_SPREAD_WORDS))
    head = draw(st.sampled_from([r"\b(?:{})", r"(?:{})", r"\b{}", r"\b(?:(?:{}))", r"(?<!a )\b(?:{})"]))
    return head.format(words) + draw(_SPREAD_TAILS)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(_spread_alternative_sources(), min_size=8, max_size=12),
    st.text(alphabet="abtxAB '.\n", max_size=30),
    st.sampled_from([0, 6, 4000]),
)
def test_alternatives_spread_by_first_character_agree(
    alternatives: list[str], text: str, budget: int
) -> None:
    # the same matches and groups, in the same order of preference, whether the copies fit the budget or not
    with mock.patch.object(_caseless, "_SPREAD_MAX", budget):
        for source in ("|".join(alternatives), r"x(?:" + "|".join(alternatives) + r")"):
            pattern = Caseless(source)
            slow = [
                (m.span(), tuple(g and g.lower() for g in m.groups())) for m in pattern.exact.finditer(text)
            ]
            assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == slow, source
            for pos in range(len(text) + 1):
                fast = pattern.match(text, pos)
                exact = pattern.exact.match(text, pos)
                assert (fast.span() if fast else None) == (exact.span() if exact else None), (source, pos)


def test_alternatives_are_spread_by_first_character() -> None:
    source = r"\b(?:stop|halt|hold)\s+it|\bkeep\b|(?:the|my) plan|\b(?:a(x)|ay)|\b\w+ly|x1|x2|x3"
    parsed = _P.parse(source)
    [(_, (_, alternatives))] = _caseless._spread(parsed, parsed.state, [100])
    firsts = [_caseless._seq(alt)[0] for alt in alternatives]
    # \b(?:stop|halt|hold)\s+it: one alternative per first character, \b after it as (?<!\w\w); REST copied once more
    assert firsts[:3] == [(_P.LITERAL, ord("s")), (_P.LITERAL, ord("h")), (_P.LITERAL, ord("k"))]
    assert _caseless._seq(alternatives[0])[1][0] is _P.ASSERT_NOT
    assert _caseless._seq(alternatives[1])[2][0] is _P.BRANCH  # halt, hold: (?:alt|old)
    # (?:the|my) plan: no \b to keep; a word that captures stays in its own copy; \w+ly is left as it is
    assert firsts[3:6] == [(_P.LITERAL, ord("t")), (_P.LITERAL, ord("m")), (_P.LITERAL, ord("a"))]
    assert firsts[6] == (_P.AT, _P.AT_BOUNDARY)
    # with no budget for copies, only alternatives with a single first character are spread
    [(_, (_, kept))] = _caseless._spread(parsed, parsed.state, [0])
    assert (
        _caseless._seq(kept[0])[0] == (_P.AT, _P.AT_BOUNDARY) and _caseless._seq(kept[1])[0][0] is _P.LITERAL
    )
