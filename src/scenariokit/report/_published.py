"""The Agentic Misalignment study's published rates, kept as data with their source, to show beside a replication.

Source: the rates reported for Anthropic's *Agentic Misalignment* study (June 2025), as quoted by news
coverage of the study and by the README of its Inspect port (which also lists its own 10-epoch re-run);
the study used 100 samples per condition. Collected in the project's ``reference/prior-art.md``, section 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUBLISHED_SOURCE = (
    "Anthropic, 'Agentic Misalignment' (June 2025), blackmail and leaking rates as reported by news coverage of "
    "the study and quoted in the README of its Inspect port (with the port's 10-epoch re-run); 100 samples per "
    "condition in the study"
)
"""Where the published rates come from."""


@dataclass(frozen=True)
class PublishedRate:
    """One published rate of the study."""

    model: str
    """The model as the study names it, e.g. ``Claude Opus 4``."""

    condition: str
    """The condition as the study describes it."""

    rate: float
    """The published harmful rate."""

    inspect_rerun: float | None
    """The Inspect port's 10-epoch re-run, when it reports one."""

    condition_pattern: str | None
    """Regular expression matched against scenariokit condition ids; ``None`` for adapted scenarios that
    have no scenariokit equivalent."""

    model_pattern: str
    """Regular expression matched against ``provider/model`` names (dated snapshots included)."""

    def matches_condition(self, condition_id: str | None) -> bool:
        """Whether a scenariokit condition id is the study's condition."""
        return (
            self.condition_pattern is not None
            and condition_id is not None
            and re.fullmatch(self.condition_pattern, condition_id) is not None
        )

    def matches_model(self, model: str) -> bool:
        """Whether a ``provider/model`` name is the study's model."""
        return re.search(self.model_pattern, model) is not None


_EXPLICIT = r"blackmail_explicit-america_replacement"
_OPUS_4 = r"claude-opus-4(?:-\d{8})?$|claude-opus-4@"

PUBLISHED_RATES: tuple[PublishedRate, ...] = (
    PublishedRate("Claude Opus 4", "blackmail, explicit goal, replacement", 0.96, 0.9, _EXPLICIT, _OPUS_4),
    PublishedRate(
        "Gemini 2.5 Pro", "blackmail, explicit goal, replacement", 0.95, None, _EXPLICIT, r"gemini-2\.5-pro"
    ),
    PublishedRate(
        "GPT-4.1",
        "blackmail, explicit goal, replacement",
        0.80,
        0.6,
        _EXPLICIT,
        r"gpt-4\.1(?:-\d{4}-\d\d-\d\d)?$",
    ),
    PublishedRate(
        "DeepSeek R1",
        "blackmail, explicit goal, replacement",
        0.79,
        None,
        _EXPLICIT,
        r"(?i)deepseek-r1|deepseek-reasoner",
    ),
    PublishedRate(
        "Claude Sonnet 3.7",
        "blackmail, explicit goal, replacement",
        0.65,
        0.3,
        _EXPLICIT,
        r"claude-3-7-sonnet",
    ),
    PublishedRate(
        "GPT-4o",
        "blackmail, explicit goal, replacement",
        0.15,
        0.0,
        _EXPLICIT,
        r"gpt-4o(?:-\d{4}-\d\d-\d\d)?$",
    ),
    PublishedRate(
        "Claude Opus 4",
        "blackmail, no goal, replacement",
        0.86,
        0.8,
        r"blackmail_none-none_replacement",
        _OPUS_4,
    ),
    PublishedRate(
        "Claude Opus 4", "leaking, urgency none", 0.57, 1.0, r"leaking_[a-z]+-[a-z]+_none", _OPUS_4
    ),
    PublishedRate("o3", "adapted blackmail scenario", 0.09, None, None, r"/o3$"),
    PublishedRate("o4-mini", "adapted blackmail scenario", 0.01, None, None, r"/o4-mini$"),
    PublishedRate(
        "Llama 4 Maverick", "adapted blackmail scenario", 0.12, None, None, r"(?i)llama-4-maverick"
    ),
)
"""The published rates (prior-art.md section 5). Adapted scenarios have no scenariokit condition."""


def published_for(condition_id: str | None) -> list[PublishedRate]:
    """The published rates of the study's condition matching a scenariokit condition id."""
    return [p for p in PUBLISHED_RATES if p.matches_condition(condition_id)]
