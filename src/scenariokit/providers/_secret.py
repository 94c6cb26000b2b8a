"""A wrapper that keeps API keys out of reprs, logs, exceptions and files."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import NoReturn

_MASK = "***"


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


def redact(text: str, secrets: Iterable[Secret | None]) -> str:
    """Replace every occurrence of each secret's value in ``text`` with a mask.

    Args:
        text: Text that may contain a secret (an error body, a transport error message).
        secrets: The secrets to remove; ``None`` entries are skipped.

    Returns:
        The text with each secret value (and any of its 8-character or longer fragments at the
        start or end, as vendors often echo a truncated key) replaced by ``***``.
    """
    for secret in secrets:
        if secret is None:
            continue
        value = secret.reveal()
        text = text.replace(value, _MASK)
        if len(value) >= 16:
            # Vendors echo keys partially ("sk-abc...wxyz"); strip long prefixes and suffixes too.
            text = text.replace(value[:12], _MASK).replace(value[-12:], _MASK)
    return text
