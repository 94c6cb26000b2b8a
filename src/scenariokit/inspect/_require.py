"""The one place that imports ``inspect_ai``, with an error naming the extra when it is missing."""

from __future__ import annotations

from types import ModuleType

EXTRA_HINT = "pip install 'scenariokit[inspect]'"
"""How to install what this package needs."""


def require_inspect() -> ModuleType:
    """Import ``inspect_ai`` or say how to install it.

    Returns:
        The ``inspect_ai`` module.

    Raises:
        ImportError: If inspect-ai is not installed; the message names the extra.
    """
    try:
        import inspect_ai
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            f"scenariokit.inspect needs inspect-ai, which is not installed ({exc}); install the extra: {EXTRA_HINT}"
        ) from exc
    return inspect_ai
