"""A wrapper that keeps API keys out of reprs, logs, exceptions and files."""

from __future__ import annotations

import hmac
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from typing import NoReturn

_MASK = "***"

FRAGMENT = 8
"""Length of the shortest fragment of a secret that is redacted (vendors echo keys partially)."""

KEY_ENVIRONMENT_VARIABLES: tuple[str, ...] = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "TOGETHER_API_KEY",
    "OPENROUTER_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
    "VLLM_API_KEY",
    "OLLAMA_API_KEY",
)
"""Environment variables that hold vendor keys: their values are configured secrets (see ``known_secrets``)."""

_REGISTERED: set[str] = set()
_REGISTERED_LOCK = threading.Lock()
_GENERATION = [0]  # bumped whenever a value joins _REGISTERED (the cache of known_secrets keys on it)


class Secret:
    """An API key or token whose value is only available through :meth:`reveal`.

    ``repr()``, ``str()`` and formatting show a mask, pickling and copying to JSON are refused, and
    :func:`redact` removes the value from any text (error bodies and transport errors may echo it).

    Example:
        >>> key = Secret("sk-example")
        >>> key
        Secret('***')
        >>> key.reveal()
        'sk-example'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("a Secret needs a non-empty string value")
        self._value = value.strip()
        with _REGISTERED_LOCK:
            if self._value not in _REGISTERED:
                _REGISTERED.add(self._value)
                _GENERATION[0] += 1

    def reveal(self) -> str:
        """Return the secret value, for use in an HTTP header only."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret values cannot be pickled; pass the key again in the other process")


def _covered(text: str, value: str) -> list[tuple[int, int]]:
    """Spans of ``text`` made of fragments of ``value`` that are ``FRAGMENT`` characters or longer."""
    if len(value) < FRAGMENT:
        spans = []
        start = text.find(value)
        while start != -1:
            spans.append((start, start + len(value)))
            start = text.find(value, start + len(value))
        return spans
    spans = []
    for k in range(len(value) - FRAGMENT + 1):
        window = value[k : k + FRAGMENT]
        start = text.find(window)
        while start != -1:
            spans.append((start, start + FRAGMENT))
            start = text.find(window, start + 1)
    return spans


_KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _widen(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Extend a masked span over the key-like characters around it.

    An echo that differs from the key in a few characters (``sk-live-`` before a fragment) is masked whole,
    not left in pieces.
    """
    start, stop = span
    while start > 0 and text[start - 1] in _KEY_CHARACTERS:
        start -= 1
    while stop < len(text) and text[stop] in _KEY_CHARACTERS:
        stop += 1
    return start, stop


_ANCHOR = 5
_STRIDE = 4
"""Every fragment of ``FRAGMENT`` (8) characters of a value holds one of its ``_ANCHOR``-character pieces
that start at a multiple of ``_STRIDE`` (a fragment starting at ``k`` holds the piece starting at the first
multiple of 4 from ``k``, which ends by ``k + 3 + 5 = k + 8``): a text holding none of those pieces holds no
fragment. So a scan looks for about ``len(value) / 4`` pieces instead of ``len(value) - 7`` fragments, and
checks the fragments only when a piece is there (which, for a random key, is almost never)."""


class SecretScan:
    """A fast test for whether a text holds a set of secrets or their fragments (see :func:`contains_secret`).

    Built once per set of values (:func:`scan_for` caches them); answers exactly as :func:`contains_secret`.
    """

    __slots__ = ("_fragmented", "_pieces", "_short", "values")

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values
        """The secret values (empty ones dropped)."""
        self._short = tuple(v for v in values if len(v) < FRAGMENT)
        self._fragmented = tuple(v for v in values if len(v) >= FRAGMENT)
        pieces = {
            v[j : j + _ANCHOR] for v in self._fragmented for j in range(0, len(v) - _ANCHOR + 1, _STRIDE)
        }
        self._pieces = tuple(sorted(pieces))

    def __bool__(self) -> bool:
        return bool(self.values)

    def found_in(self, text: str) -> bool:
        """Whether ``text`` holds any of the values, or a fragment of 8 characters or more of one."""
        for value in self._short:
            if value in text:
                return True
        for piece in self._pieces:
            if piece in text:
                return _fragment_in(text, self._fragmented)
        return False


def _fragment_in(text: str, values: Sequence[str]) -> bool:
    return any(value[k : k + FRAGMENT] in text for value in values for k in range(len(value) - FRAGMENT + 1))


_SCANS: dict[tuple[str, ...], SecretScan] = {}


def scan_for(secrets: Iterable[Secret | str | None]) -> SecretScan:
    """The (cached) :class:`SecretScan` of a set of secrets; ``None`` and empty entries are skipped."""
    values = tuple(s.reveal() if isinstance(s, Secret) else s for s in secrets if s)
    scan = _SCANS.get(values)
    if scan is None:
        if len(_SCANS) >= 64:
            _SCANS.clear()  # atomic, unlike evicting one entry, if threads share the cache
        scan = _SCANS[values] = SecretScan(values)
    return scan


def contains_secret(text: str, secrets: Iterable[Secret | str | None]) -> bool:
    """Whether ``text`` holds any of the secrets, or a fragment of 8 characters or more of one."""
    return scan_for(secrets).found_in(text)


def redact(text: str, secrets: Iterable[Secret | str | None]) -> str:
    """Replace every occurrence of each secret's value, and of its fragments, in ``text`` with a mask.

    Args:
        text: Text that may contain a secret (an error body, a request id, a transport error message).
        secrets: The secrets to remove; ``None`` entries are skipped.

    Returns:
        The text with each secret value, and every run of text made of fragments of 8 characters or longer of
        it (vendors echo keys partially: ``sk-abc...wxyz``), replaced by ``***``; the mask covers the whole
        key-like word (letters, digits, ``-`` and ``_``) around a fragment.

    Example:
        >>> redact("key sk-abcdefghijklmnop, echoed as sk-abcdefgh...", [Secret("sk-abcdefghijklmnop")])
        'key ***, echoed as ***...'
    """
    scan = scan_for(secrets)
    values = scan.values
    if not values or not scan.found_in(text):
        return text
    spans: list[tuple[int, int]] = []
    for value in values:
        spans.extend(_widen(text, span) for span in _covered(text, value))
    spans.sort()
    out: list[str] = []
    position = 0
    end = -1
    for start, stop in spans:
        if start > end:
            if end >= 0:
                out.append(_MASK)
            out.append(text[position:start])
            end = stop
        else:
            end = max(end, stop)
        position = end
    out.append(_MASK)
    out.append(text[position:])
    return "".join(out)


def known_secrets() -> list[str]:
    """Every configured secret.

    The values of the :class:`Secret` objects made in this process and of the vendor key environment
    variables (``KEY_ENVIRONMENT_VARIABLES``) set now, of 8 characters or more.
    """
    return list(known_scan().values)


_KNOWN: list[tuple[tuple[int, tuple[str | None, ...]], SecretScan]] = []


def known_scan() -> SecretScan:
    """The :class:`SecretScan` of every configured secret (see :func:`known_secrets`).

    Cached until a :class:`Secret` is made or one of the key environment variables changes: this runs for
    every response, so it reads the variables, not the whole registry.
    """
    environ = os.environ
    key = (_GENERATION[0], tuple(environ.get(name) for name in KEY_ENVIRONMENT_VARIABLES))
    cached = _KNOWN[0] if _KNOWN else None
    if cached is not None and cached[0] == key:
        return cached[1]
    with _REGISTERED_LOCK:
        values = set(_REGISTERED)
    for value in key[1]:
        value = (value or "").strip()
        if value:
            values.add(value)
    # a value shorter than a fragment (a placeholder such as "ollama") is no credential, and masking every
    # occurrence of it everywhere would garble unrelated text
    scan = scan_for(sorted(v for v in values if len(v) >= FRAGMENT))
    _KNOWN[:] = [(key, scan)]
    return scan


def redact_known(text: str) -> str:
    """Remove every configured secret (see :func:`known_secrets`) and its 8+ character fragments from ``text``.

    Applied to everything derived from a response (error texts, request ids, stored errors): an endpoint may
    echo the key it was sent.
    """
    scan = known_scan()
    if not scan or not scan.found_in(text):
        return text
    return redact(text, scan.values)


_URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#@'\"]*@")


def mask_url_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL in it masked.

    A base URL may carry credentials for a gateway (httpx sends them as basic auth); they are no
    :class:`Secret`, and a short password masked wherever it occurs would garble unrelated text.

    Example:
        >>> mask_url_credentials("connection to http://me:hunter2@gw.example/v1 failed")
        'connection to http://***@gw.example/v1 failed'
    """
    return _URL_CREDENTIALS.sub(r"\1***@", text) if "@" in text else text


_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")
"""The HTTP stack's loggers: at DEBUG level they write raw request and response headers."""


class RedactingFilter(logging.Filter):
    """A logging filter that removes every configured secret (and its 8+ character fragments) from records.

    It also masks the credentials of URLs (``http://***@host``: httpx logs each request's URL). Installed on the HTTP stack's loggers (``_HTTP_LOGGERS``), whose DEBUG traces print raw headers, where an
    endpoint may echo the key. It only runs for records that are emitted, so it costs nothing when those
    loggers are quiet.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message in place; never drops a record."""
        message = record.getMessage()
        cleared = mask_url_credentials(message)  # httpx logs each request's URL, user:password@ included
        scan = known_scan()
        if scan and scan.found_in(cleared):
            cleared = redact(cleared, scan.values)
        if cleared != message:
            record.msg = cleared
            record.args = ()
        return True


def install_log_redaction() -> None:
    """Put a :class:`RedactingFilter` on the HTTP stack's loggers (once)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


install_log_redaction()
