"""The rendered scenario of the running episode, visible to simulated providers through a context variable.

Real providers ignore it. The simulator (``sim/<profile>``) reads it to know the ground truth of the
world it is acting in; outside an episode there is none, and it says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from scenariokit.scenario._rendered import RenderedScenario

_CURRENT: ContextVar[RenderedScenario | None] = ContextVar("scenariokit_current_scenario", default=None)


class NoScenarioError(LookupError):
    """Something that needs the current scenario (the simulator) was called outside an episode."""


def current_scenario(*, who: str = "this code") -> RenderedScenario:
    """Return the rendered scenario of the running episode.

    Args:
        who: Name of the caller, used in the error message (e.g. ``"sim/compliant"``).

    Returns:
        The scenario set by :func:`use_scenario` (which ``run_episode`` does for you).

    Raises:
        NoScenarioError: If no episode is running in this context; the message says how to fix it.
    """
    rendered = _CURRENT.get()
    if rendered is None:
        raise NoScenarioError(
            f"{who} needs the rendered scenario of the running episode, but none is set in this context. "
            "Run it through scenariokit.agent.run_episode(provider, rendered, ...), or wrap the call in "
            "`with scenariokit.agent.use_scenario(rendered): ...`"
        )
    return rendered


def get_current_scenario() -> RenderedScenario | None:
    """Return the rendered scenario of the running episode, or ``None`` outside an episode."""
    return _CURRENT.get()


@contextmanager
def use_scenario(rendered: RenderedScenario) -> Iterator[RenderedScenario]:
    """Make ``rendered`` the current scenario for the duration of a ``with`` block (nests and restores).

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> r = blackmail().render()
        >>> with use_scenario(r):
        ...     current_scenario() is r
        True
        >>> get_current_scenario() is None
        True
    """
    token = _CURRENT.set(rendered)
    try:
        yield rendered
    finally:
        _CURRENT.reset(token)
