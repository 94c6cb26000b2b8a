"""Case-insensitive regular expressions that search ASCII text several times faster than ``re.IGNORECASE``.

CPython's ``re`` compares every character through a case-folding table when a pattern is compiled with
``re.IGNORECASE``, and it cannot use its literal and character-set prefix scans, so a long alternation of
words costs 3-6x more per character than the same pattern searched case-sensitively. For ASCII text the
result is the same if both sides are lower-cased first: lower-casing keeps every offset, word boundaries and
character classes do not depend on case, and two ASCII characters are equal ignoring case exactly when their
lower-case forms are equal. :class:`Caseless` does that when it can and falls back to the ``re.IGNORECASE``
pattern otherwise (non-ASCII text or pattern), so the matches are always those of the ``re.IGNORECASE``
pattern. The equivalence is checked by property tests over the detectors' patterns and random patterns.

One visible difference: on the fast path a match's groups are slices of the *lower-cased* text. Callers use
offsets (``m.start()``, ``m.end()``) into the original text, or lower-case the group themselves.

Long texts (``_PLACES_MIN`` characters or more, such as an echo of the scenario's inbox) are read once more
cleverly: their words are listed once (:class:`_Text`), a pattern whose matches start a word is tried only
where the text has a first and second word it can begin with (:class:`_Starts`), and the matches of a pattern
over the whole text are remembered for the next detector that asks. Property tests check these against the
``re.IGNORECASE`` pattern too.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

try:  # Python >= 3.11
    from re import _compiler as _sre_compile  # type: ignore[attr-defined,unused-ignore]
    from re import _parser as _sre_parse  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile
    import sre_parse as _sre_parse

_P: Any = _sre_parse
_C: Any = _sre_compile

# Escapes that can spell a character by its code (an upper-case letter the folded pattern could not match).
_CODE_ESCAPE = re.compile(r"\\(?:[xuUN]|0|[1-7][0-7]{2})")
# Tokens of a pattern's source: an escape (kept as written), a group name (kept), a character class (folded
# with care), anything else (folded).
_TOKEN = re.compile(r"\\.|\(\?P<[^>]*>|\(\?P=[^)]*\)|\[\^?\]?(?:\\.|[^\]\\])*\]|[^\\(\[]+|[(\[]", re.DOTALL)
_CLASS_PART = re.compile(r"\\.|.", re.DOTALL)
_RANGE = re.compile(r"(\\.|[^\\])-(\\.|[^\\\]])", re.DOTALL)


def _range_folds(lo: str, hi: str) -> bool:
    """Whether a class range keeps its meaning when lower-cased (``a-z``, ``0-9``; not ``A-z`` or ``Z-a``)."""
    if len(lo) == 2 or len(hi) == 2:  # an escaped endpoint such as \- or \]: fine unless it is a letter
        lo, hi = lo[-1], hi[-1]
    if ("a" <= lo <= "z" and "a" <= hi <= "z") or ("A" <= lo <= "Z" and "A" <= hi <= "Z"):
        return True
    letters = [("A", "Z"), ("a", "z")]
    return not any(lo <= end and start <= hi for start, end in letters)


def _fold_token(token: str) -> str | None:
    if token.startswith(("\\", "(?P")):
        return token
    if token.startswith("[") and len(token) > 1:
        body = token[1:-1]
        if not all(_range_folds(m.group(1), m.group(2)) for m in _RANGE.finditer(body)):
            return None
        return "".join(p if p.startswith("\\") else p.lower() for p in _CLASS_PART.findall(token))
    return token.lower()


def fold_pattern(pattern: str) -> str | None:
    r"""The source of ``pattern`` with its literals lower-cased, or ``None`` when that would change it.

    Escapes (``\B``, ``\S``, ``\W``...) and group names are kept as written. Patterns that are not ASCII,
    that spell characters by code (``\x41``, ``\u0041``, ``\N{...}``, octal), or that have a character range
    across cases (``[A-z]``) are not folded.

    Args:
        pattern: A regular expression source.

    Returns:
        The folded source, or ``None``.
    """
    if not pattern.isascii() or _CODE_ESCAPE.search(pattern):
        return None
    folded = [_fold_token(tok) for tok in _TOKEN.findall(pattern)]
    if any(tok is None for tok in folded):
        return None
    return "".join(tok for tok in folded if tok is not None)


_WORD = re.compile(r"\w")


def _seq(items: Any) -> list[Any]:
    """The items of a parsed sequence as a list (a parser's ``SubPattern`` keeps them in ``data``)."""
    data = getattr(items, "data", None)
    return data if isinstance(data, list) else list(items)


def _is_word(c: str) -> bool:
    return _WORD.fullmatch(c) is not None


def _first_is_word(items: list[Any], word: bool = True) -> bool:
    """Whether every match of the parsed sequence ``items`` starts by consuming a word character.

    With ``word=False``: by consuming a non-word character.
    """
    if not items:
        return False
    op, av = items[0]
    rest = items[1:]
    if op is _P.LITERAL:
        return _is_word(chr(av)) is word
    if op is _P.IN:
        categories = (
            (_P.CATEGORY_WORD, _P.CATEGORY_DIGIT) if word else (_P.CATEGORY_NOT_WORD, _P.CATEGORY_SPACE)
        )
        for kind, value in av:
            if kind is _P.LITERAL:
                if _is_word(chr(value)) is not word:
                    return False
            elif kind is _P.RANGE:
                lo, hi = value
                if hi - lo > 1000 or any(_is_word(chr(c)) is not word for c in range(lo, hi + 1)):
                    return False
            elif kind is _P.CATEGORY:
                if value not in categories:
                    return False
            else:  # NEGATE and anything else
                return False
        return True
    if op is _P.SUBPATTERN:
        return _first_is_word(_seq(av[-1]) + rest, word)
    if op is _P.BRANCH:
        return all(_first_is_word(_seq(alt) + rest, word) for alt in av[1])
    if op in (_P.MAX_REPEAT, _P.MIN_REPEAT) or op is getattr(_P, "POSSESSIVE_REPEAT", None):
        low, _high, item = av
        entered = _first_is_word(_seq(item), word)
        return entered if low >= 1 else entered and _first_is_word(rest, word)
    if op in (_P.ASSERT, _P.ASSERT_NOT, _P.AT):  # zero-width: they only narrow the matches
        return _first_is_word(rest, word)
    return False


def _near_non_word(items: list[Any], boundary: bool = False) -> bool:
    r"""Whether every match of the parsed ``items`` starts at the text's start, or after or at a non-word character.

    That is, it starts with a word at a boundary (``\bkeep``, ``boundary`` telling whether a ``\b`` was met
    at the same position already), with a non-word character (``'s``, ``[.!?]``), or at ``^`` (the start, or
    a line's start: after a newline).
    """
    if not items:
        return False
    op, av = items[0]
    rest = items[1:]
    if op is _P.AT and av in (_P.AT_BEGINNING, _P.AT_BEGINNING_STRING):
        return True
    if (boundary and _first_is_word(items)) or _first_is_word(items, word=False):
        return True
    if (
        op is _P.AT or op is _P.ASSERT or op is _P.ASSERT_NOT
    ):  # zero-width: the match starts at the same place
        return _near_non_word(rest, boundary or (op is _P.AT and av is _P.AT_BOUNDARY))
    if op is _P.SUBPATTERN:
        return _near_non_word(_seq(av[-1]) + rest, boundary)
    if op is _P.BRANCH:
        return all(_near_non_word(_seq(alt) + rest, boundary) for alt in av[1])
    return False


def _starts_at_word(items: list[Any]) -> bool:
    r"""Whether every match of the parsed ``items`` is at a word boundary before a word character (``\bword``)."""
    if not items:
        return False
    op, av = items[0]
    rest = items[1:]
    if op is _P.AT and av is _P.AT_BOUNDARY:
        return _first_is_word(rest)
    if (
        op is _P.ASSERT or op is _P.ASSERT_NOT
    ):  # zero-width: the match starts where it is (``(?<!\bI )\bdon't``)
        return _starts_at_word(rest)
    if op is _P.SUBPATTERN:
        return _starts_at_word(_seq(av[-1]) + rest)
    if op is _P.BRANCH:
        return all(_starts_at_word(_seq(alt) + rest) for alt in av[1])
    return False


# How many leading characters of a match the gate looks at, how many distinct starts it may list (and extend
# at once: past that, the starts so far are kept as they are), and how many characters a class may hold to be
# listed (more, and it is taken as "anything").
_GATE_CHARS = 4
_GATE_MAX = 2000
_LIVE_MAX = 400
_CLASS_MAX = 12
# What the fast path searches: lower-cased ASCII text.
_ALPHABET = [chr(c) for c in range(128) if not "A" <= chr(c) <= "Z"]
_CATEGORIES: dict[Any, list[str]] = {}
_ESCAPES = {
    _P.CATEGORY_DIGIT: r"\d",
    _P.CATEGORY_NOT_DIGIT: r"\D",
    _P.CATEGORY_SPACE: r"\s",
    _P.CATEGORY_NOT_SPACE: r"\S",
    _P.CATEGORY_WORD: r"\w",
    _P.CATEGORY_NOT_WORD: r"\W",
}


class _TooManyError(Exception):
    """Too many possible starts to list: no gate."""


def _category_chars(category: Any) -> list[str]:
    r"""The characters of lower-cased ASCII text that a category (``\s``, ``\d``...) matches."""
    found = _CATEGORIES.get(category)
    if found is None:
        escape = _ESCAPES.get(category)
        if escape is None:  # pragma: no cover - the parser makes no other category
            return _ALPHABET
        # in ASCII or Unicode mode alike (they differ on \x1c-\x1f)
        found = [c for c in _ALPHABET if re.match(escape, c) or re.match(escape, c, re.ASCII)]
        _CATEGORIES[category] = found
    return found


def _class_chars(items: Any) -> list[str] | None:
    """The characters of lower-cased ASCII text a parsed class matches, or ``None`` when there are many."""
    chars: set[str] = set()
    for kind, value in items:
        if kind is _P.LITERAL:
            chars.add(chr(value))
        elif kind is _P.RANGE and value[1] - value[0] < _CLASS_MAX:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        elif kind is _P.CATEGORY:
            chars.update(_category_chars(value))
        else:  # a negation, a wide range
            return None
    return sorted(chars) if len(chars) <= _CLASS_MAX else None


def _starts(items: Any, live: set[str], done: set[str]) -> set[str]:
    r"""Extend the possible starts of a match over the parsed sequence ``items``.

    ``live`` holds exactly what a match may have consumed so far (each shorter than ``_GATE_CHARS``); a start
    that reaches ``_GATE_CHARS`` characters, or meets an item whose characters are not listed (``.``, ``\w``,
    a back-reference...), moves to ``done`` as it is: the match begins with it, whatever follows. Zero-width
    items (``\b``, lookarounds) consume nothing. Returns the new ``live`` set; ``done`` is updated in place.
    """
    for op, av in _seq(items):
        if not live:
            break
        if op is _P.LITERAL or op is _P.IN:
            chars = [chr(av)] if op is _P.LITERAL else _class_chars(av)
            if chars is None or len(live) * len(chars) > _LIVE_MAX:  # not listed, or too many to go on
                done |= live
                live = set()
                continue
            grown: set[str] = set()
            for start in live:
                for c in chars:
                    longer = start + c
                    (done if len(longer) >= _GATE_CHARS else grown).add(longer)
            live = grown
        elif op is _P.AT or op is _P.ASSERT or op is _P.ASSERT_NOT:
            continue
        elif op is _P.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags
            live = _starts(av[-1], live, done)
        elif op is _P.BRANCH:
            live = set().union(*(_starts(alt, set(live), done) for alt in av[1]))
        elif (op is _P.MAX_REPEAT or op is _P.MIN_REPEAT) and av[2].getwidth()[0] > 0:
            low, high, item = av
            for _ in range(low):
                live = _starts(item, live, done)
            reached = set(live)
            count = low
            while live and count < high:  # ends: every pass adds a character to each live start
                live = _starts(item, live, done)
                reached |= live
                count += 1
            live = reached
        else:  # a back-reference, a conditional, an empty-width repeat...: what follows is not listed
            done |= live
            live = set()
        if len(live) > _LIVE_MAX:  # the starts so far are starts all the same: stop there
            done |= live
            live = set()
        if len(done) > _GATE_MAX:
            raise _TooManyError
    return live


def _start_strings(parsed: Any) -> set[str] | None:
    """How the matches of the parsed pattern can start, or ``None`` (anything, the empty match, too many ways).

    Their first ``_GATE_CHARS`` characters, all of a shorter match, or what comes before an item that is not listed.
    """
    if parsed.state.flags & re.IGNORECASE:
        return None
    done: set[str] = set()
    try:
        live = _starts(parsed, {""}, done)
    except _TooManyError:
        return None
    starts = live | done
    if not starts or "" in starts:
        return None
    return starts


def _trie_of(starts: set[str]) -> dict[str, Any]:
    """The strings as a trie of characters, those that extend a shorter one left out (they add nothing)."""
    trie: dict[str, Any] = {}
    kept = ""
    for start in sorted(starts):  # sorted: a start that extends a shorter one comes right after it
        if kept and start.startswith(kept):
            continue
        kept = start
        node = trie
        for c in start:
            node = node.setdefault(c, {})
    return trie


def _gate_starts(parsed: Any) -> dict[str, Any] | None:
    """How the matches of the parsed pattern can start, as a trie of characters, or ``None`` (see :func:`_gate`)."""
    starts = _start_strings(parsed)
    return None if starts is None else _trie_of(starts)


def _inside_word_starts(parsed: Any) -> set[str] | None:
    r"""How the matches of the parsed pattern that may start inside a word can start, or ``None``.

    A pattern is read as its top-level alternatives (each with what the parser factored out before them); those
    whose matches start a word (``\bkeep``) or next to a non-word character (``'s``) are left out, the starts of
    the others (``(?:the|my)\s+...``, which also matches in "bathe my") are listed. ``None`` when one of those
    cannot be listed, or when every alternative starts a word or next to a non-word character.
    """
    items = _seq(parsed)
    head: list[Any] = []
    at = 0
    while at < len(items) and items[at][0] in (_P.AT, _P.ASSERT, _P.ASSERT_NOT):
        head.append(items[at])
        at += 1
    if at == len(items) - 1 and items[at][0] is _P.BRANCH:
        alternatives = [head + _seq(alt) for alt in items[at][1][1]]
    else:
        alternatives = [list(items)]
    found: set[str] = set()
    inside = False
    for alt in alternatives:
        if _starts_at_word(alt) or _near_non_word(alt):
            continue
        starts = _start_strings(_P.SubPattern(parsed.state, alt))
        if starts is None:
            return None
        inside = True
        found |= starts
    return found if inside else None


def _gate(parsed: Any) -> str:
    r"""A lookahead that every match of the parsed pattern passes where it starts, or ``""`` when there is none.

    The possible first ``_GATE_CHARS`` characters of a match (or all of a shorter match) are listed from the
    parsed pattern and written as a lookahead factored by character, ``(?=s(?:top|ave)|ke(?:ep|pt)|...)``,
    which ``re`` rejects in a few comparisons where a long alternation of words would try each word in turn.
    A match of ``P`` at ``p`` always passes the gate at ``p``, so ``(?=gate)(?:P)`` finds the same matches as
    ``P`` (and the same groups: the gate has none). No gate when a match may start with anything, when the
    pattern can match the empty string, or when there are too many starts to list. (The patterns are compiled
    with the gate in parsed form, :func:`_gate_item`; this is its source.)
    """
    trie = _gate_starts(parsed)
    if trie is None:
        return ""

    def written(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + written(child) for c, child in node.items()]
        if len(branches) <= 1:
            return "".join(branches)
        return "(?:" + "|".join(branches) + ")"

    return "(?=" + written(trie) + ")"


def _trie_items(trie: dict[str, Any], state: Any) -> list[Any]:
    """Parsed items that match (consume) any of the strings of a trie, factored by character."""
    # the characters that end a string make one class, which re checks at once
    ends = [(_P.LITERAL, ord(c)) for c, child in trie.items() if not child]
    branches = [[(_P.LITERAL, ord(c)), *_trie_items(child, state)] for c, child in trie.items() if child]
    if ends:
        branches.append([ends[0] if len(ends) == 1 else (_P.IN, ends)])
    if len(branches) <= 1:
        return branches[0] if branches else []
    return [(_P.BRANCH, (None, [_P.SubPattern(state, b) for b in branches]))]


def _gate_item(parsed: Any, state: Any) -> Any:
    """The gate of :func:`_gate` as a parsed lookahead item, or ``None``."""
    trie = _gate_starts(parsed)
    return None if trie is None else (_P.ASSERT, (1, _P.SubPattern(state, _trie_items(trie, state))))


def _with_gates(items: Any, state: Any, *, top: bool) -> list[Any]:
    """The parsed sequence ``items`` with a gate before each long alternation inside it (see :func:`_gate`).

    ``re`` tries the alternatives of ``(?:policy|protocol|...)`` one after the other wherever the pattern gets
    to it; the gate before it lists how the rest of the sequence can start and fails in a few comparisons. A
    gate is necessary where it stands (the sequence from there on cannot match where it fails), so the matches
    do not change. None at the start of the whole pattern (its own gate is there) nor inside lookarounds.
    """
    out: list[Any] = []
    leading = top
    seq = _seq(items)
    for i, (op, av) in enumerate(seq):
        if op is _P.BRANCH and len(av[1]) >= _GATED_BRANCH and not leading:
            gate = _gate_item(_P.SubPattern(state, seq[i:]), state)
            if gate is not None:
                out.append(gate)
        if op is _P.BRANCH:  # the pattern's own gate lists the starts of all alternatives together
            av = (av[0], [_P.SubPattern(state, _with_gates(alt, state, top=False)) for alt in av[1]])
        elif op is _P.SUBPATTERN and not av[1] and not av[2]:  # not inside a group with flags of its own
            av = (*av[:3], _P.SubPattern(state, _with_gates(av[3], state, top=leading)))
        elif op is _P.MAX_REPEAT or op is _P.MIN_REPEAT:
            av = (av[0], av[1], _P.SubPattern(state, _with_gates(av[2], state, top=False)))
        out.append((op, av))
        if op is not _P.AT:  # past a consuming item, a gate is no longer the pattern's own
            leading = False
    return out


def _first_codes(items: list[Any]) -> set[int] | None:
    """The codes of the characters a match of the parsed sequence can start with (in lower-cased ASCII text).

    ``None`` when they are not listed: a class of many characters, a match that may be empty, anything else.
    """
    for at, (op, av) in enumerate(items):
        if op is _P.AT or op is _P.ASSERT or op is _P.ASSERT_NOT:  # zero-width
            continue
        if op is _P.LITERAL:
            return {av}
        if op is _P.IN:
            chars = _class_chars(av)
            return None if chars is None else {ord(c) for c in chars}
        if op is _P.SUBPATTERN and not av[1] and not av[2]:
            return _first_codes(_seq(av[3]) + items[at + 1 :])
        if op is _P.BRANCH:
            found: set[int] = set()
            for alt in av[1]:
                codes = _first_codes(_seq(alt) + items[at + 1 :])
                if codes is None:
                    return None
                found |= codes
            return found
        if op is _P.MAX_REPEAT or op is _P.MIN_REPEAT:
            low, _high, item = av
            codes = _first_codes(_seq(item))
            if codes is None or (low >= 1 and item.getwidth()[0] > 0):
                return codes
            rest = _first_codes(items[at + 1 :])
            return None if rest is None else codes | rest
        return None
    return None  # the match may be empty here


def _by_first_character(alternatives: list[list[Any]], state: Any) -> list[list[Any]]:
    """Alternatives that start with the same character merged into one, ``c(?:tail|tail)``, recursively.

    ``re`` tries an alternation's alternatives in turn (skipping those whose first literal differs, one
    comparison each); merged, a word list is tried as a tree, ``t(?:ransition|he (?:plan|change))``. The
    matches are the same, in the same order of preference: alternatives that start with different characters
    never match at the same place, so only their order among those with the same first character matters, and
    it is kept; an alternative merged into an earlier one never jumps over one between them that could start
    with the same character (one whose start is not listed stops every merge across it).
    """
    out: list[tuple[int, list[list[Any]]] | list[Any]] = []
    open_groups: dict[int, tuple[int, list[list[Any]]]] = {}
    for items in alternatives:
        if items and items[0][0] is _P.LITERAL:
            group = open_groups.get(items[0][1])
            if group is not None:
                group[1].append(items[1:])
                continue
            group = open_groups[items[0][1]] = (items[0][1], [items[1:]])
            out.append(group)
            continue
        codes = _first_codes(items)
        if codes is None:
            open_groups.clear()
        else:
            for code in codes:
                open_groups.pop(code, None)
        out.append(items)
    merged: list[list[Any]] = []
    for entry in out:
        if isinstance(entry, list):
            merged.append(entry)
            continue
        code, tails = entry
        if len(tails) > 1 and all(tails):
            tails = _by_first_character(tails, state)
        if len(tails) == 1:
            merged.append([(_P.LITERAL, code), *tails[0]])
        else:
            merged.append([(_P.LITERAL, code), (_P.BRANCH, (None, [_P.SubPattern(state, t) for t in tails]))])
    return merged


def _factored(items: Any, state: Any) -> Any:
    """The parsed sequence with its long alternations merged by first character (see :func:`_by_first_character`).

    Alternations of ``_GATED_BRANCH`` alternatives or more only (lists of words: merging short ones gained
    nothing measurable and cost compile time, 10,000 transcripts of many worlds 7.2 -> 7.8 s), and the parsed
    items themselves where nothing changes (``re`` reuses the widths they remember).
    """
    seq = _seq(items)
    out: list[Any] = []
    changed = False
    for op, av in seq:
        item = (op, av)
        if op is _P.BRANCH:
            alternatives = [_factored(alt, state) for alt in av[1]]
            firsts = [_seq(alt)[0][1] for alt in alternatives if _seq(alt) and _seq(alt)[0][0] is _P.LITERAL]
            if len(alternatives) >= _GATED_BRANCH and len(set(firsts)) < len(firsts):
                merged = _by_first_character([list(_seq(alt)) for alt in alternatives], state)
                if len(merged) == 1:
                    item = (_P.SUBPATTERN, (None, 0, 0, _P.SubPattern(state, merged[0])))
                else:
                    item = (_P.BRANCH, (None, [_P.SubPattern(state, alt) for alt in merged]))
            elif any(new is not old for new, old in zip(alternatives, av[1], strict=True)):
                item = (op, (av[0], [_P.SubPattern(state, _seq(alt)) for alt in alternatives]))
        elif (
            op is _P.SUBPATTERN and not av[1] and not av[2]
        ):  # not inside inline flags ((?i:...) compares Aa)
            inner = _factored(av[3], state)
            if inner is not av[3]:
                item = (op, (*av[:3], _P.SubPattern(state, _seq(inner))))
        elif op is _P.MAX_REPEAT or op is _P.MIN_REPEAT:
            inner = _factored(av[2], state)
            if inner is not av[2]:
                item = (op, (av[0], av[1], _P.SubPattern(state, _seq(inner))))
        # lookarounds (the gates are trees already) and single items stay as they are
        changed = changed or item[1] is not av
        out.append(item)
    return out if changed else items


def _size(items: Any) -> int:
    """How many parsed items a sequence holds, nested ones included (what copying it adds to the compiled code)."""
    n = 0
    for op, av in _seq(items):
        n += 1
        if op is _P.BRANCH:
            n += sum(_size(alt) for alt in av[1])
        elif op is _P.SUBPATTERN:
            n += _size(av[-1])
        elif op is _P.MAX_REPEAT or op is _P.MIN_REPEAT or op is getattr(_P, "POSSESSIVE_REPEAT", None):
            n += _size(av[2])
        elif op is _P.ASSERT or op is _P.ASSERT_NOT:
            n += _size(av[1])
    return n


def _copyable(items: Any) -> bool:
    """Whether a parsed sequence can be compiled more than once in a pattern: no groups that capture or are referred to."""
    for op, av in _seq(items):
        if op is _P.SUBPATTERN:
            if av[0] is not None or not _copyable(av[-1]):
                return False
        elif op is _P.BRANCH:
            if not all(_copyable(alt) for alt in av[1]):
                return False
        elif op is _P.MAX_REPEAT or op is _P.MIN_REPEAT or op is getattr(_P, "POSSESSIVE_REPEAT", None):
            if not _copyable(av[2]):
                return False
        elif op is _P.ASSERT or op is _P.ASSERT_NOT:
            if not _copyable(av[1]):
                return False
        elif op is _P.GROUPREF or op is _P.GROUPREF_EXISTS or op is getattr(_P, "ATOMIC_GROUP", None):
            return False
    return True


def _word_start_behind(state: Any) -> Any:
    r"""``(?<!\w\w)``: put right after a word character, whether a word started at it (``\b`` before it).

    The character itself is a word character, so the lookbehind fails exactly when the one before it is one too;
    at the start of the text it cannot look back two characters and holds, as ``\b`` does there.
    """
    word = (_P.IN, _ASCII_WORD)
    return (_P.ASSERT_NOT, (-1, _P.SubPattern(state, [word, word])))


def _spread_alternative(items: list[Any], state: Any) -> tuple[list[list[Any]], int] | None:
    r"""An alternative that starts with its first character, one alternative per such character, or ``None``.

    ``re`` skips an alternative of an alternation in one comparison when it starts with a literal character, but
    enters every other one (``\bkeep``, ``\b(?:stop|halt)...``, ``(?:the|my)\s+...``) at every position it
    tries, about 30 ns each: in a pattern of 40 such alternatives, most of the time of a scan. So
    ``\b(?:stop|halt|the)REST`` is written ``s(?<!\w\w)(?:top)REST|h(?<!\w\w)(?:alt)REST|t(?<!\w\w)(?:he)REST``
    (see :func:`_word_start_behind` for ``\b``). The matches are the same, in the same order of preference: at a
    given position only the words that start with its character can match, and they are tried in their order,
    each followed by REST, as before. Only where every word starts with a literal (a word character, after
    ``\b``). Returns the alternatives and how many parsed items the copies of REST add.
    """
    boundary = bool(items) and items[0][0] is _P.AT and items[0][1] is _P.AT_BOUNDARY
    at = 1 if boundary else 0
    if at >= len(items):
        return None
    op, av = items[at]
    rest = items[at + 1 :]
    if op is _P.LITERAL:
        if not boundary or not _is_word(chr(av)):
            return None  # already starts with its character, or a boundary before a non-word one
        return [[(_P.LITERAL, av), _word_start_behind(state), *rest]], 0
    branch = None
    if op is _P.BRANCH:
        branch = av
    elif op is _P.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
        inner = _seq(av[3])
        if len(inner) == 1 and inner[0][0] is _P.BRANCH:
            branch = inner[0][1]
    if branch is None:
        return None
    by_first: dict[int, list[list[Any]]] = {}
    for word in branch[1]:
        seq = _seq(word)
        if not seq or seq[0][0] is not _P.LITERAL or (boundary and not _is_word(chr(seq[0][1]))):
            return None
        by_first.setdefault(seq[0][1], []).append(list(seq[1:]))
    copies = len(by_first) - 1
    if copies and not _copyable(rest):
        return None
    out = []
    for code, tails in by_first.items():
        head = [(_P.LITERAL, code), _word_start_behind(state)] if boundary else [(_P.LITERAL, code)]
        if len(tails) == 1:
            body = tails[0]
        else:
            body = [(_P.BRANCH, (None, [_P.SubPattern(state, t) for t in tails]))]
        out.append([*head, *body, *rest])
    return out, (_size(rest) * copies if copies else 0)


def _spread(items: Any, state: Any, budget: list[int], depth: int = 0) -> list[Any]:
    """The parsed sequence with the alternatives of its long alternations spread by first character.

    See :func:`_spread_alternative`; :func:`_factored` then merges the alternatives that start with the same
    character. Alternations of ``_GATED_BRANCH`` alternatives or more (lists of words and phrases), the pattern's
    own and those nested in them down to ``_SPREAD_DEPTH`` levels (deeper ones are tried at few places), while
    the copies add at most ``budget[0]`` parsed items in all and ``_SPREAD_ONE`` for one alternative: they cost
    compile time, once per process.
    """
    out: list[Any] = []
    for op, av in _seq(items):
        if op is _P.BRANCH:
            alternatives = [list(_seq(alt)) for alt in av[1]]
            if depth + 1 < _SPREAD_DEPTH:
                alternatives = [_spread(alt, state, budget, depth + 1) for alt in alternatives]
            if len(alternatives) >= _GATED_BRANCH:
                spread: list[list[Any]] = []
                for alt in alternatives:
                    found = _spread_alternative(alt, state)
                    if found is not None and found[1] <= min(budget[0], _SPREAD_ONE):
                        budget[0] -= found[1]
                        spread.extend(found[0])
                    else:
                        spread.append(alt)
                alternatives = spread
            out.append((op, (av[0], [_P.SubPattern(state, alt) for alt in alternatives])))
        elif op is _P.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags: the same level
            out.append((op, (*av[:3], _P.SubPattern(state, _spread(av[3], state, budget, depth)))))
        elif (op is _P.MAX_REPEAT or op is _P.MIN_REPEAT) and depth + 1 < _SPREAD_DEPTH:
            out.append((op, (av[0], av[1], _P.SubPattern(state, _spread(av[2], state, budget, depth + 1)))))
        else:  # lookarounds (gates need no spreading), single items, what lies deeper
            out.append((op, av))
    return out


_SPREAD_MAX = 4000
"""How many parsed items the copies made by :func:`_spread` may add to one pattern."""
_SPREAD_ONE = 400
"""How many parsed items the copies of one alternative may add: the tails of a few hundred items (after the threat's
words, gaps tried against long lists) cost more compile time than the spreading saves (with no such limit the
first realistic transcript of a process cost about 25 ms more to compile, and the suite measured no faster)."""
_SPREAD_DEPTH = 2
"""How deep :func:`_spread` spreads alternations: the pattern's own and those of its alternatives."""


def _ranges(codes: list[int]) -> list[Any]:
    """A parsed class holding the given character codes (sorted), as ranges."""
    out: list[Any] = []
    for code in codes:
        if out and out[-1][1][1] == code - 1:
            out[-1] = (_P.RANGE, (out[-1][1][0], code))
        else:
            out.append((_P.RANGE, (code, code)))
    return out


# ``\W`` over ASCII text, spelt out: ``re`` checks a class of characters by a bitmap, twice as fast as the
# category, which matters for the character ``re`` skips to before each word of the text.
_ASCII_NON_WORD = _ranges([c for c in range(128) if not re.match(r"\w", chr(c))])
# The word characters of ASCII text (for the lookbehind of a lead, see :meth:`_Fast._compile_parsed`).
_ASCII_WORD = _ranges([c for c in range(128) if re.match(r"\w", chr(c))])

# An alternation of at least this many alternatives gets a gate of its own. (8 rather than 24: the detectors'
# suite 3-5% faster on the realistic reply and the echo, mostly in the demand pattern's lists of verbs after a
# gap; 5 and 12 measured no better, within the noise of a shared machine.)
_GATED_BRANCH = 8


_END_ANCHORS = (_P.AT_END, _P.AT_END_STRING, _P.AT_BOUNDARY)
_REPEATS = (_P.MAX_REPEAT, _P.MIN_REPEAT)


# ------------------------------------------------------------------ first words: where matches may start
#
# A pattern whose matches start a word (``\b(?:I'd|I would|I)\s+(?:rather|prefer)``, ``\bcoerc\w*``) can only
# match where the text has a word, and a word after it, that the pattern can begin with: "i" then "d",
# "would", "rather" or "prefer"; or a word starting with "coerc". These pairs are read from the parsed
# pattern (:func:`_word_pairs`); the positions of each word of the text, with the word after each, are listed
# once per text (:class:`_Text`), so that the pattern is tried at a few positions instead of scanned over the
# whole text.

_PAIRS_MAX = 20000
_PAIR_CHARS = 40


class _TooManyPairsError(Exception):
    """Too many ways for a match to start, or a match that may start anywhere: no list."""


class _Pairs:
    """What :func:`_pairs` collects: the first two words of the matches that start with a word character.

    Strings hold the first word, then (after one space, for the non-word characters between) the second:
    ``closed`` ones are both words whole; ``open`` ones are a prefix of what the text has there: ``"coerc"``
    (a first word starting so), ``"i "`` (the first word "i", any second word or none), ``"i wo"`` (the first
    word "i", a second word starting with "wo").
    """

    __slots__ = ("closed", "open")

    def __init__(self) -> None:
        self.closed: set[str] = set()
        self.open: set[str] = set()

    def leave(self, strings: set[str]) -> None:
        """Record strings as open (the match goes on with characters that are not listed, or ends)."""
        if "" in strings:
            raise _TooManyPairsError  # a match that starts with anything, or the empty match
        self.open |= strings


def _word_ends(strings: set[str], out: _Pairs) -> set[str]:
    """The strings after a non-word character or the end of a word: a second word ends there (closed)."""
    after: set[str] = set()
    for s in strings:
        if not s:
            continue  # a match that starts with a non-word character: found by the pattern's lead instead
        if s[-1] == " ":
            after.add(s)  # between the words
        elif " " not in s:
            after.add(s + " ")  # the first word ends
        else:
            out.closed.add(s)
    return after


def _pairs(items: Any, live: set[str], out: _Pairs) -> set[str]:
    r"""Extend the possible starts of a match over the parsed sequence ``items`` (see :class:`_Pairs`).

    ``live`` holds what a match may have consumed so far, written as in :class:`_Pairs` (runs of non-word
    characters as one space); a string moves to ``out`` once it holds two whole words, or when the next item
    is not listed. Returns the new ``live`` set.
    """
    for op, av in _seq(items):
        if not live:
            break
        if op is _P.LITERAL or op is _P.IN:
            chars = [chr(av)] if op is _P.LITERAL else _class_chars(av)
            if chars is None:
                out.leave(live)
                live = set()
                continue
            grown: set[str] = set()
            words = [c for c in chars if _is_word(c)]
            for c in words:
                grown.update(s + c for s in live)
            if len(words) < len(chars):
                grown |= _word_ends(live, out)
            live = grown
        elif op is _P.AT:
            if av in _END_ANCHORS:  # \b, $, \Z after a word character: the word ends here
                live = {s for s in live if not s} | _word_ends({s for s in live if s}, out)
        elif op is _P.ASSERT or op is _P.ASSERT_NOT:
            continue
        elif op is _P.SUBPATTERN and not av[1] and not av[2]:
            live = _pairs(av[-1], live, out)
        elif op is _P.BRANCH:
            live = set().union(*(_pairs(alt, set(live), out) for alt in av[1]))
        elif op in _REPEATS and av[2].getwidth()[0] > 0:
            low, high, item = av
            for _ in range(low):
                live = _pairs(item, live, out)
            reached = set(live)
            count = low
            while live and count < high:
                # a string met before has the same continuations and no fewer passes left: not followed again
                live = _pairs(item, live, out) - reached
                reached |= live
                count += 1
                if len(reached) > _PAIRS_MAX:
                    raise _TooManyPairsError
            live = reached
        else:  # a back-reference, a conditional, a group with flags, an empty-width repeat...
            out.leave(live)
            live = set()
        long = {s for s in live if len(s) > _PAIR_CHARS}
        if long:
            out.leave(long)
            live -= long
        if len(live) > _LIVE_MAX and "" not in live:  # too many ways on: what they consumed so far is a start
            out.leave(live)
            live = set()
        if len(live) + len(out.closed) + len(out.open) > _PAIRS_MAX:
            raise _TooManyPairsError
    return live


_HEAD = 4
"""Word prefixes are looked up by their first (at most) this many characters."""


class _Starts:
    """How the matches of a pattern that start with a word character start, as words of the text.

    A match at ``p`` has the text's word ``w1`` at ``p`` and the next word ``w2`` (none at the end) such that
    ``w1`` is a key of ``firsts`` whose entry ``(any, seconds, starts)`` takes ``w2`` (any second word or none;
    one of ``seconds``; or one starting with one of ``starts``), or ``w1`` starts with one of ``prefixes``.
    """

    __slots__ = ("first_keys", "firsts", "prefixes")

    def __init__(self, out: _Pairs) -> None:
        firsts: dict[str, tuple[list[bool], set[str], set[str]]] = {}
        prefixes: dict[str, set[str]] = {}

        def entry(first: str) -> tuple[list[bool], set[str], set[str]]:
            return firsts.setdefault(first, ([False], set(), set()))

        for s in out.closed:
            first, second = s.split(" ")
            entry(first)[1].add(second)
        for s in out.open:
            if " " not in s:
                prefixes.setdefault(s[:_HEAD], set()).add(s)
                continue
            first, second = s.split(" ")
            if second:
                entry(first)[2].add(second)
            else:
                entry(first)[0][0] = True
        self.firsts = {
            first: (any_second[0], frozenset(seconds), tuple(sorted(starts)))
            for first, (any_second, seconds, starts) in firsts.items()
        }
        """First words, whole, with the second words each takes."""
        self.first_keys = frozenset(self.firsts)
        """The keys of ``firsts``."""
        self.prefixes = {head: tuple(sorted(found)) for head, found in prefixes.items()}
        """The starts of a first word (any second word), by their first ``_HEAD`` characters (all when shorter)."""


def _word_pairs(parsed: Any) -> _Starts | None:
    """The starts of the matches of a parsed pattern that start with a word character, or ``None``."""
    if parsed.state.flags & re.IGNORECASE:
        return None
    out = _Pairs()
    try:
        out.leave(_pairs(parsed, {""}, out))
    except (_TooManyPairsError, RecursionError):
        return None
    return _Starts(out)


_NON_WORD_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not re.match(r"\w", chr(c))})


def _starting(items: list[str], prefix: str) -> Iterator[str]:
    """The strings of a sorted list that start with ``prefix``."""
    at = bisect_left(items, prefix)
    while at < len(items) and items[at].startswith(prefix):
        yield items[at]
        at += 1


class _Text:
    """A lower-cased ASCII text and, once asked for, its words: as a set, and where each one stands.

    Shared by every pattern searched in the text (see :func:`_text_of`).
    """

    __slots__ = (
        "_first",
        "_found",
        "_listed",
        "_next",
        "_positions",
        "_sorted_words",
        "_spaced",
        "_words",
        "found",
        "low",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower()
        self._spaced: str | None = None
        self._words: frozenset[str] | None = None
        self._sorted_words: list[str] | None = None
        self._listed: list[str] = []
        self._positions: list[int] = []
        self._first: dict[str, int] = {}
        self._next: list[int] = []
        self._found: dict[_Fast, list[int]] = {}
        self.found: dict[_Fast, list[re.Match[str]]] = {}
        """Every match of a pattern over the whole text, once listed (see :meth:`Caseless.finditer`)."""

    @property
    def spaced(self) -> str:
        """The lower-cased text with every non-word character made a space, between two spaces.

        Its character ``i + 1`` is the text's character ``i``.
        """
        spaced = self._spaced
        if spaced is None:
            spaced = self._spaced = " " + self.low.translate(_NON_WORD_TO_SPACE) + " "
        return spaced

    def _split(self) -> None:
        """List the words in order, where each one stands, and where each word is next (one pass over the spaced text).

        A word's places are chained by index: ``_first[word]`` is the index of its first place in the list,
        ``_next[i]`` that of the place after ``i`` of the same word (``-1`` after the last). Plain integers in one
        dictionary and three lists: the cyclic garbage collector visits no object per word or per place. (With a
        list of places per word, and a dictionary of lists per word followed, the few dozen long texts remembered
        held about 50,000 lists, which the collector's passes visited: on the echo of the scenario's inbox the
        detectors' suite spent about a tenth of its time there.)
        """
        listed: list[str] = []
        positions: list[int] = []
        following: list[int] = []
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        get = last.get
        at = -1  # where the next part of the spaced text starts, in the text
        for part in self.spaced.split(" "):
            if part:
                i = len(listed)
                before = get(part)
                if before is None:
                    first[part] = i
                else:
                    following[before] = i
                last[part] = i
                listed.append(part)
                positions.append(at)
                following.append(-1)
                at += len(part) + 1
            else:
                at += 1
        self._listed = listed
        self._positions = positions
        self._first = first
        self._next = following
        self._words = frozenset(first)

    @property
    def words(self) -> frozenset[str]:
        """The text's words (maximal runs of word characters)."""
        if self._words is None:
            self._split()
        assert self._words is not None
        return self._words

    def _ordered(self) -> list[str]:
        """The text's words, sorted."""
        ordered = self._sorted_words
        if ordered is None:
            ordered = self._sorted_words = sorted(self.words)
        return ordered

    def starting(self, prefix: str) -> Iterator[str]:
        """The text's words that start with ``prefix``."""
        return _starting(self._ordered(), prefix)

    def starts(self, fast: _Fast, starts: _Starts) -> list[int]:
        """Where matches of ``fast`` that start with a word character may be, in order (see :class:`_Starts`)."""
        found = self._found.get(fast)
        if found is None:
            words = self.words  # first: listing the words chains their places
            first = self._first
            following = self._next
            listed = self._listed
            positions = self._positions
            last = len(listed) - 1
            at: list[int] = []
            add = at.append
            firsts = starts.firsts
            for word in starts.first_keys.intersection(words):
                any_second, seconds, prefixes = firsts[word]
                i = first[word]
                if any_second:
                    while i >= 0:
                        add(positions[i])
                        i = following[i]
                    continue
                while i >= 0:
                    second = listed[i + 1] if i < last else ""
                    if second in seconds or (prefixes and second.startswith(prefixes)):
                        add(positions[i])
                    i = following[i]
            if starts.prefixes:
                # by bisection in the sorted words, where sets of the words' heads cost about 50 us a size
                ordered = self._ordered()
                count = len(ordered)
                for head, heads_prefixes in starts.prefixes.items():
                    k = bisect_left(ordered, head)
                    if k == count or not ordered[k].startswith(head):  # no word starts with the head
                        continue
                    for prefix in heads_prefixes:
                        for word in _starting(ordered, prefix):
                            i = first[word]
                            while i >= 0:
                                add(positions[i])
                                i = following[i]
            found = self._found[fast] = sorted(set(at))
        return found


class _Fast:
    r"""The compiled fast path of a :class:`Caseless`: patterns over lower-cased ASCII text.

    The folded source is parsed once, and the patterns are compiled from the parsed form by ``re``'s own
    compiler (no second parse), with gates (see :func:`_gate` and :func:`_with_gates`). Should a version of
    Python's ``re`` not take a parsed pattern, they are compiled from the source, without gates.
    """

    __slots__ = ("_flags", "_listable", "_read", "folded", "lead", "scan", "search", "source", "words")

    def __init__(self, folded: str, flags: int) -> None:
        self.source = folded
        """The folded source."""
        self.folded: re.Pattern[str]
        """The folded pattern, for ``match`` and to match at a position found by ``scan`` or ``lead``."""
        self.search: re.Pattern[str]
        """For ``search`` and ``finditer`` without ``scan``: ``(?=gate)(?:P)``, or ``P`` without a gate."""
        self.scan: re.Pattern[str] | None = None
        r"""For a pattern whose matches all start a word (or next to a non-word character, see ``lead``):
        ``\W(?=gate)(?:P)``, which finds the matches of ``P`` after a non-word character.

        ``re`` tries a pattern that starts with ``\b`` at every position of the text; ``\W(?:P)`` starts with
        a character class, which ``re`` skips to in its fast loop (spelt out as a class of ASCII characters,
        which ``re`` checks by a bitmap: the fast path only searches ASCII text). A match of ``P`` at
        ``p > 0`` after a non-word character is exactly a match of ``\W(?:P)`` at ``p - 1``.
        """
        self.lead: re.Pattern[str] | None = None
        """For a pattern some of whose matches start with a non-word character (``'s``, ``[.!?]``): the
        starts of such matches, from the gate (``P`` is then matched at each)."""
        self.words = False
        """Whether every match starts a word."""
        self._flags = flags
        self._listable = False  # whether ``starts`` applies: the pattern has a scan compiled from its parse
        self._read: tuple[_Starts | None] | None = None
        parsed = _P.parse(folded, flags)
        items = _seq(parsed)
        self.words = _starts_at_word(items)
        near = self.words or (_near_non_word(items) and parsed.getwidth()[0] > 0)
        try:
            self._compile_parsed(parsed, flags, near)
        except (TypeError, AttributeError, ValueError, IndexError):  # a version of re whose internals differ
            self.folded = self.search = re.compile(folded, flags)
            self.scan = re.compile(r"\W(?:" + folded + ")", flags) if self.words else None
            self.lead = None

    @property
    def starts(self) -> _Starts | None:
        """How the matches that start with a word character start, for a pattern with ``scan``; or ``None``.

        (See :class:`_Starts`: to try the pattern only there in a long text.) Read from the parsed pattern when
        first asked for: only long texts ask.
        """
        found = self._read
        if found is None:
            listed = _word_pairs(_P.parse(self.source, self._flags)) if self._listable else None
            found = self._read = (listed,)
        return found[0]

    def _compile_parsed(self, parsed: Any, flags: int, near: bool) -> None:
        state = parsed.state
        trie = _gate_starts(parsed)
        gate = None if trie is None else (_P.ASSERT, (1, _P.SubPattern(state, _trie_items(trie, state))))
        source = parsed
        if not flags & re.IGNORECASE:
            source = _P.SubPattern(state, _spread(parsed, state, [_SPREAD_MAX]))
        body = _P.SubPattern(state, _with_gates(source, state, top=True))
        if not flags & re.IGNORECASE:
            body = _P.SubPattern(state, _seq(_factored(body, state)))
        self.folded = self.search = _C.compile(body, flags)
        gated = list(body) if gate is None else [gate, (_P.SUBPATTERN, (None, 0, 0, body))]
        leads = {} if trie is None else {c: child for c, child in trie.items() if not _is_word(c)}
        inside = None
        if not near and trie is not None and parsed.getwidth()[0] > 0:
            inside = _inside_word_starts(parsed)
        if self.words or (near and trie is not None) or inside is not None:
            self.scan = _C.compile(_P.SubPattern(state, [(_P.IN, _ASCII_NON_WORD), *gated]), flags)
            self._listable = True
            lead = _trie_items(leads, state) if leads else []
            if inside is not None:  # also where a word character comes before (the scan finds the rest)
                after_word = [  # c(?<=\wc)...: re skips to the characters a lead starts with
                    [
                        (_P.LITERAL, ord(c)),
                        (_P.ASSERT, (-1, _P.SubPattern(state, [(_P.IN, _ASCII_WORD), (_P.LITERAL, ord(c))]))),
                        *_trie_items(child, state),
                    ]
                    for c, child in _trie_of(inside).items()
                ]
                if lead:
                    after_word.append(lead)
                lead = [(_P.BRANCH, (None, [_P.SubPattern(state, alt) for alt in after_word]))]
            if lead:
                self.lead = _C.compile(_P.SubPattern(state, lead), flags)
        elif gate is not None:
            self.search = _C.compile(_P.SubPattern(state, gated), flags)


_LOWERED: dict[int, _Text] = {}
_REMEMBER_MIN = 200
"""Texts shorter than this are lower-cased again at each search (cheaper than a look-up)."""


_REMEMBERED = 64
_PLACES_MIN = 2000
"""Texts shorter than this are scanned: listing where their words stand costs more than it saves."""


def _text_of(text: str) -> _Text:
    """The :class:`_Text` of a long ``text``, remembered for the last few dozen long texts.

    Detectors search the same texts with many patterns: the oldest text is forgotten first. Keyed
    by identity (the entry holds the text, so that its id cannot be reused while remembered). Each step is one
    dictionary operation, so threads sharing the cache can at worst forget an entry or compute one twice.
    """
    hit = _LOWERED.get(id(text))
    if hit is not None and hit.text is text:
        return hit
    hit = _LOWERED[id(text)] = _Text(text)
    while len(_LOWERED) > _REMEMBERED:
        try:
            _LOWERED.pop(next(iter(_LOWERED)), None)
        except (StopIteration, RuntimeError):  # emptied or changed by another thread meanwhile
            break
    return hit


_LOWER: dict[int, tuple[str, str]] = {}


def _lowered(text: str) -> str:
    """``text.lower()``, remembered for the last few texts: detectors search the same texts with many patterns.

    Keyed by identity (the entry holds the text, so that its id cannot be reused while remembered); cleared
    when full, which is atomic if threads share it. A text of ``_PLACES_MIN`` characters or more is
    remembered with its words instead (see :func:`_text_of`).
    """
    if len(text) < _REMEMBER_MIN:  # cheaper to lower again than to look up
        return text.lower()
    if len(text) >= _PLACES_MIN:
        return _text_of(text).low
    hit = _LOWER.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    if len(_LOWER) >= 32:
        _LOWER.clear()
    low = text.lower()
    _LOWER[id(text)] = (text, low)
    return low


def _prepared(fast: _Fast, text: str, endpos: int) -> tuple[str, _Text, list[int] | None]:
    """The lower-cased text, its :class:`_Text`, and where matches may start (a text of ``_PLACES_MIN``+).

    The places are those of matches that start a word (see :class:`_Starts`), only for a search to the end of
    the text: a match cut at ``endpos`` may end inside a word.
    """
    entry = _text_of(text)
    if endpos < len(text):
        return entry.low, entry, None
    starts = fast.starts
    return entry.low, entry, (None if starts is None else entry.starts(fast, starts))


class Caseless:
    r"""A compiled case-insensitive pattern with a fast path for ASCII text.

    Nothing is compiled until the first search, so that patterns a process never uses cost nothing at
    start-up; the ``re.IGNORECASE`` pattern itself is compiled only if non-ASCII text comes along.

    Args:
        pattern: The regular expression source.
        flags: Other ``re`` flags (``re.IGNORECASE`` is implied).

    Example:
        >>> Caseless(r"\bcall off\b").search("Please CALL OFF the wipe").span()
        (7, 15)
    """

    __slots__ = ("_exact", "_fast", "_flags", "_ready", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        """The source, as given."""
        self._flags = flags
        self._exact: re.Pattern[str] | None = None
        self._fast: _Fast | None = None
        self._ready = False

    @property
    def exact(self) -> re.Pattern[str]:
        """The equivalent ``re.IGNORECASE`` pattern (compiled on first use)."""
        exact = self._exact
        if exact is None:
            exact = self._exact = re.compile(self.pattern, self._flags | re.IGNORECASE)
        return exact

    @property
    def flags(self) -> int:
        """The flags of the equivalent ``re.IGNORECASE`` pattern."""
        return self.exact.flags

    @property
    def fast(self) -> _Fast | None:
        """The compiled fast path for ASCII text (compiled on first use), or ``None`` when there is none."""
        if not self._ready:
            folded = fold_pattern(self.pattern)
            fast = None
            if folded is not None:
                try:
                    fast = _Fast(
                        folded, int(self._flags & ~re.IGNORECASE)
                    )  # an int: re compiles faster than with flag enums
                except re.error:  # e.g. an inline flag group whose letters do not survive lower-casing
                    fast = None
            self._fast = fast
            self._ready = True
        return self._fast

    @property
    def starts_words(self) -> bool:
        r"""Whether every match starts a word: a word character at the start of the text or after a non-word one.

        True for patterns such as ``\b(?:keep|hold)``, which are searched by skipping from word to word.
        """
        fast = self.fast
        return fast is not None and fast.words

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """The first match in ``text[pos:endpos]``, as ``re.Pattern.search`` with ``re.IGNORECASE``."""
        fast = self._fast if self._ready else self.fast
        if fast is not None and text.isascii():
            if len(text) < _PLACES_MIN:
                low, places = _lowered(text), None
            else:
                low, entry, places = _prepared(fast, text, endpos)
                if pos <= 0 and endpos >= len(text):
                    found = entry.found.get(fast)
                    if found is not None:  # every match listed already: the first is the first
                        return found[0] if found else None
            if places is not None:
                return next(self._places_all(fast, low, pos, endpos, places), None)
            if fast.scan is not None:
                return self._scan_first(fast, low, pos, endpos)
            return fast.search.search(low, pos, endpos)
        return self.exact.search(text, pos, endpos)

    @staticmethod
    def _scan_first(fast: _Fast, low: str, pos: int, endpos: int) -> re.Match[str] | None:
        """The first match that :meth:`_scan_all` gives, without making a generator (searches are many and short)."""
        folded = fast.folded
        if pos <= 0:
            first = folded.match(low, 0, endpos)
            if first is not None:
                return first
            pos = 1
        assert fast.scan is not None
        after = fast.scan.search(low, pos - 1, endpos)
        lead = fast.lead
        if lead is None:
            return None if after is None else folded.match(low, after.start() + 1, endpos)
        at: re.Match[str] | None = None
        start = lead.search(low, pos, endpos)
        while start is not None:
            at = folded.match(low, start.start(), endpos)
            if at is not None:
                break
            start = lead.search(low, start.start() + 1, endpos)
        if after is not None and (at is None or after.start() + 1 < at.start()):
            return folded.match(low, after.start() + 1, endpos)
        return at

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos``, as ``re.Pattern.match`` with ``re.IGNORECASE``."""
        fast = self._fast if self._ready else self.fast
        if fast is not None and text.isascii():
            return fast.folded.match(_lowered(text), pos, endpos)
        return self.exact.match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Every non-overlapping match, as ``re.Pattern.finditer`` with ``re.IGNORECASE``.

        The matches over the whole of a long text (``_PLACES_MIN`` characters or more) are listed once and
        remembered with the text: several detectors read the same texts with the same patterns.
        """
        fast = self._fast if self._ready else self.fast
        if fast is not None and text.isascii():
            if len(text) < _PLACES_MIN:
                low = _lowered(text)
                if fast.scan is not None:
                    return self._scan_all(fast, low, pos, endpos)
                return fast.search.finditer(low, pos, endpos)
            low, entry, places = _prepared(fast, text, endpos)
            whole = pos <= 0 and endpos >= len(text)
            if whole:
                found = entry.found.get(fast)
                if found is not None:
                    return iter(found)
            if places is not None:
                matches = self._places_all(fast, low, pos, endpos, places)
            elif fast.scan is not None:
                matches = self._scan_all(fast, low, pos, endpos)
            else:
                matches = fast.search.finditer(low, pos, endpos)
            if not whole:
                return matches
            found = entry.found[fast] = list(matches)
            return iter(found)
        return self.exact.finditer(text, pos, endpos)

    @staticmethod
    def _scan_all(fast: _Fast, low: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        r"""Every match at or after ``pos``, as ``finditer``, of a pattern whose matches start by a non-word character.

        (See :attr:`_Fast.scan`.)

        Such a match at ``p`` has ``p == 0``, a non-word character at ``p - 1`` (the scan for ``\W(?:P)`` from
        ``pos - 1`` finds the leftmost such ``p >= pos``), or a non-word character at ``p`` (a start listed in
        ``lead``, where ``P`` is then tried). The leftmost of these is the next match, and ``P`` is matched
        there: lookbehinds and ``\b`` see the whole text either way, and ``endpos`` bounds all alike. A
        candidate found ahead is kept while it lies ahead. The matches are never empty (the pattern cannot
        match the empty string), so the next one is searched from the end of the last.
        """
        assert fast.scan is not None
        pos = max(0, pos)
        if pos == 0:
            first = fast.folded.match(low, 0, endpos)
            if first is not None:
                yield first
                pos = first.end()
            else:
                pos = 1
        after: re.Match[str] | None = None  # the scan's next hit: a match of P at its start + 1
        at: re.Match[str] | None = None  # the next match of P at a non-word character
        searched = False
        while True:
            if not searched or (after is not None and after.start() < pos - 1):
                after = fast.scan.search(low, pos - 1, endpos)
            if fast.lead is not None and (not searched or (at is not None and at.start() < pos)):
                at = None
                start = fast.lead.search(low, pos, endpos)
                while start is not None:
                    at = fast.folded.match(low, start.start(), endpos)
                    if at is not None:
                        break
                    start = fast.lead.search(low, start.start() + 1, endpos)
            searched = True
            if after is not None and (at is None or after.start() + 1 < at.start()):
                found = fast.folded.match(low, after.start() + 1, endpos)
            else:
                found = at
            if found is None:
                return
            yield found
            pos = found.end()

    @staticmethod
    def _places_all(
        fast: _Fast, low: str, pos: int, endpos: int, places: list[int]
    ) -> Iterator[re.Match[str]]:
        """Every match at or after ``pos``, as :meth:`_scan_all`, trying ``P`` at ``places`` instead of scanning.

        ``places`` are the sorted positions where a match that starts with a word character may be (see
        :class:`_Starts`): the first place at or after ``pos`` where ``P`` matches is the leftmost such match.
        Matches that start with a non-word character are found by ``lead``, as in :meth:`_scan_all`.
        """
        pos = max(0, pos)
        folded = fast.folded
        index = 0
        after: re.Match[str] | None = None  # the next match of P at a word start
        at: re.Match[str] | None = None  # the next match of P at a non-word character
        searched = False
        while True:
            if not searched or (after is not None and after.start() < pos):
                after = None
                index = bisect_left(places, pos, index)
                while index < len(places) and places[index] < endpos:
                    after = folded.match(low, places[index], endpos)
                    index += 1
                    if after is not None:
                        break
            if fast.lead is not None and (not searched or (at is not None and at.start() < pos)):
                at = None
                start = fast.lead.search(low, pos, endpos)
                while start is not None:
                    at = folded.match(low, start.start(), endpos)
                    if at is not None:
                        break
                    start = fast.lead.search(low, start.start() + 1, endpos)
            searched = True
            found = after if after is not None and (at is None or after.start() < at.start()) else at
            if found is None:
                return
            yield found
            pos = found.end()

    def __repr__(self) -> str:
        return f"Caseless({self.pattern!r})"
