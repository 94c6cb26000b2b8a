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
"""

from __future__ import annotations

import re
import sys
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


def _gate_starts(parsed: Any) -> dict[str, Any] | None:
    """How the matches of the parsed pattern can start, as a trie of characters, or ``None`` (see :func:`_gate`)."""
    if parsed.state.flags & re.IGNORECASE:
        return None
    done: set[str] = set()
    try:
        live = _starts(parsed, {""}, done)
    except _TooManyError:
        return None
    starts = sorted(live | done)
    if not starts or starts[0] == "":
        return None
    trie: dict[str, Any] = {}
    kept = ""
    for start in starts:  # sorted: a start that extends a shorter one adds nothing to the gate
        if kept and start.startswith(kept):
            continue
        kept = start
        node = trie
        for c in start:
            node = node.setdefault(c, {})
    return trie


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

# An alternation of at least this many alternatives gets a gate of its own.
_GATED_BRANCH = 24


class _Fast:
    r"""The compiled fast path of a :class:`Caseless`: patterns over lower-cased ASCII text.

    The folded source is parsed once, and the patterns are compiled from the parsed form by ``re``'s own
    compiler (no second parse), with gates (see :func:`_gate` and :func:`_with_gates`). Should a version of
    Python's ``re`` not take a parsed pattern, they are compiled from the source, without gates.
    """

    __slots__ = ("folded", "lead", "scan", "search", "source", "words")

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

    def _compile_parsed(self, parsed: Any, flags: int, near: bool) -> None:
        state = parsed.state
        trie = _gate_starts(parsed)
        gate = None if trie is None else (_P.ASSERT, (1, _P.SubPattern(state, _trie_items(trie, state))))
        body = _P.SubPattern(state, _with_gates(parsed, state, top=True))
        self.folded = self.search = _C.compile(body, flags)
        gated = list(body) if gate is None else [gate, (_P.SUBPATTERN, (None, 0, 0, body))]
        leads = {} if trie is None else {c: child for c, child in trie.items() if not _is_word(c)}
        if self.words or (near and trie is not None):
            self.scan = _C.compile(_P.SubPattern(state, [(_P.IN, _ASCII_NON_WORD), *gated]), flags)
            if leads:
                self.lead = _C.compile(_P.SubPattern(state, _trie_items(leads, state)), flags)
        elif gate is not None:
            self.search = _C.compile(_P.SubPattern(state, gated), flags)


_LOWERED: dict[int, tuple[str, str]] = {}


def _lowered(text: str) -> str:
    """``text.lower()``, remembered for the last few texts: detectors search the same texts with many patterns.

    Keyed by identity (the entry holds the text, so that its id cannot be reused while remembered); cleared
    when full, which is atomic if threads share it.
    """
    if len(text) < 200:  # cheaper to lower again than to look up
        return text.lower()
    hit = _LOWERED.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    if len(_LOWERED) >= 32:
        _LOWERED.clear()
    low = text.lower()
    _LOWERED[id(text)] = (text, low)
    return low


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
            if fast.scan is not None:
                return next(self._scan_all(fast, _lowered(text), pos, endpos), None)
            return fast.search.search(_lowered(text), pos, endpos)
        return self.exact.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos``, as ``re.Pattern.match`` with ``re.IGNORECASE``."""
        fast = self._fast if self._ready else self.fast
        if fast is not None and text.isascii():
            return fast.folded.match(_lowered(text), pos, endpos)
        return self.exact.match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Every non-overlapping match, as ``re.Pattern.finditer`` with ``re.IGNORECASE``."""
        fast = self._fast if self._ready else self.fast
        if fast is not None and text.isascii():
            if fast.scan is not None:
                return self._scan_all(fast, _lowered(text), pos, endpos)
            return fast.search.finditer(_lowered(text), pos, endpos)
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

    def __repr__(self) -> str:
        return f"Caseless({self.pattern!r})"
