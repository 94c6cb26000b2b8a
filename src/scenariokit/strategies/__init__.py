"""Hypothesis strategies for scenarios and their building blocks.

Every strategy produces valid values by construction (unique addresses, deadlines after the last email,
leverage held by the threat's executor, outsiders outside the company's domain) and shrinks toward the
simplest one: the first name in each pool, no optional blocks, the default framing, no distractors. Names
come from small pools of fictional names; pass ``text=True`` (or ``names="text"`` to ``scenarios``) to fuzz
the renderer with arbitrary unicode instead.

Example:
    >>> from hypothesis import given, settings
    >>> from scenariokit.strategies import scenarios
    >>> @settings(max_examples=10, deadline=None, database=None)
    ... @given(scenarios(urgency="replacement", leverage=True))
    ... def test_the_leverage_holder_can_stop_the_threat(s):
    ...     assert s.leverage.holder == s.threat.executor
    >>> test_the_leverage_holder_can_stop_the_threat()
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.strategies._blocks import (
        STORY_DAY,
        STORY_SESSION,
        agents,
        companies,
        emails,
        framings,
        goal_axes,
        goal_conflicts,
        leverages,
        minimal,
        person_names,
        personas,
        template_text,
        threats,
        words,
    )
    from scenariokit.strategies._scenarios import BLOCK_KEYWORDS, NameSource, scenarios

__all__ = [
    "BLOCK_KEYWORDS",
    "STORY_DAY",
    "STORY_SESSION",
    "NameSource",
    "agents",
    "companies",
    "emails",
    "framings",
    "goal_axes",
    "goal_conflicts",
    "leverages",
    "minimal",
    "person_names",
    "personas",
    "scenarios",
    "template_text",
    "threats",
    "words",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
