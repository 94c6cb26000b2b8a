r"""Text from a store made safe to print: terminal controls shown as symbols, never obeyed.

A transcript, a model or condition name, a reviewer's name or a detector's rationale can hold anything a model
or an imported file wrote, terminal controls included: ``ESC [31m`` recolours the terminal, ``ESC ] 0;...``
sets its window title, a C1 ``CSI`` (``\x9b``) does the same on terminals that read 8-bit controls, a
carriage return or a backspace overwrites what was printed, and a right-to-left override reorders the text
after it. What is printed for a person to read (the terminal, Markdown and the HTML report drawn from it) shows
each such character as one visible symbol instead; the data formats (JSON, CSV, the store) keep the text as it
is. One character becomes one character, so the offsets of evidence quotes into a text still hold.
"""

from __future__ import annotations

from typing import Any

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates (pop included): they reorder the text that follows them."""

_SHOWN: dict[int, str] = {
    **{c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\n\t"},  # NUL -> U+2400, ESC -> U+241B, ...
    0x7F: "\u2421",  # DEL
    **dict.fromkeys(range(0x80, 0xA0), "\ufffd"),  # C1 controls (0x9b is CSI)
    **{ord(c): "\ufffd" for c in _BIDI_CONTROLS},
}
"""Each control character (line feeds and tabs excepted) and the symbol it is shown as."""


def printable(text: str) -> str:
    r"""``text`` with every terminal control shown as a visible symbol (one character for one).

    Line feeds and tabs are kept; the other C0 controls become their Unicode control pictures (``ESC`` is
    ``U+241B``), ``DEL`` ``U+2421``, and C1 controls and bidirectional overrides ``U+FFFD``.

    Args:
        text: Any text.

    Returns:
        The text, as long as it was, safe to write to a terminal.

    Example:
        >>> printable("\x1b[31mred\x00")
        '␛[31mred␀'
    """
    return text.translate(_SHOWN)


def printable_data(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with :func:`printable` applied to every string."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k) if isinstance(k, str) else k: printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value
