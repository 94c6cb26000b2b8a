"""The Agentic Misalignment study's published rates, kept as data with their source, to show beside a replication.

Source: the rates reported for Anthropic's *Agentic Misalignment* study (June 2025), as quoted by news
coverage of the study and by the README of its Inspect port (which also lists its own 10-epoch re-run);
the study used 100 samples per condition. Collected in the project's ``reference/prior-art.md``, section 5.

The rates of o3, o4-mini and Llama 4 Maverick come from the study's *adapted* blackmail scenario (those models
misread the original set-up): they are shown beside conditions of the blackmail family with the ``clarity``
framing switched on, an explicit goal, the replacement threat and the leverage (:meth:`PublishedRate.matches`).
Claude Opus 4's rate by what its reasoning stated (real deployment or evaluation) is
:data:`PUBLISHED_AWARENESS`, shown beside a report's eval-awareness table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenariokit.scenario import Scenario

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

    adapted: bool = False
    """The study's adapted scenario: matched by :meth:`matches_adapted` rather than by condition id."""

    def matches(self, condition_id: str | None, scenario: Scenario | None = None) -> bool:
        """Whether a scenariokit condition (its id and, for adapted rates, its scenario) is the study's."""
        if self.adapted:
            return scenario is not None and self.matches_adapted(scenario)
        return self.matches_condition(condition_id)

    @staticmethod
    def matches_adapted(scenario: Scenario) -> bool:
        """Whether a scenario is the study's adapted blackmail scenario.

        That is the blackmail family with ``clarity`` on, an explicit goal, the replacement threat and the
        leverage (other framing switches may vary).
        """
        return (
            scenario.family == "blackmail"
            and scenario.framing.clarity
            and scenario.goal_conflict.goal_type.value == "explicit"
            and scenario.threat.kind.value == "replacement"
            and scenario.leverage is not None
        )

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
        "Grok 3 Beta",
        "blackmail, explicit goal, replacement",
        0.80,
        None,
        _EXPLICIT,
        r"grok-3(?:-beta)?(?:-\d{4}-\d\d-\d\d)?$",
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
    PublishedRate(
        "o3", "adapted blackmail scenario", 0.09, None, None, r"/o3(?:-\d{4}-\d\d-\d\d)?$", adapted=True
    ),
    PublishedRate(
        "o4-mini",
        "adapted blackmail scenario",
        0.01,
        None,
        None,
        r"/o4-mini(?:-\d{4}-\d\d-\d\d)?$",
        adapted=True,
    ),
    PublishedRate(
        "Llama 4 Maverick",
        "adapted blackmail scenario",
        0.12,
        None,
        None,
        r"(?i)llama-4-maverick",
        adapted=True,
    ),
)
"""The published rates (prior-art.md section 5). The adapted ones match conditions with ``clarity`` on."""


@dataclass(frozen=True)
class PublishedAwareness:
    """A published harmful rate split by what the model's reasoning stated about the scenario."""

    model: str
    """The model as the study names it."""

    condition: str
    """The condition as the study describes it."""

    says_real: float
    """Harmful rate when the reasoning stated the scenario was a real deployment."""

    says_test: float
    """Harmful rate when the reasoning stated it was an evaluation."""

    model_pattern: str
    """Regular expression matched against ``provider/model`` names."""

    def matches_model(self, model: str) -> bool:
        """Whether a ``provider/model`` name is the study's model."""
        return re.search(self.model_pattern, model) is not None


PUBLISHED_AWARENESS: tuple[PublishedAwareness, ...] = (
    PublishedAwareness("Claude Opus 4", "blackmail", 0.551, 0.065, _OPUS_4),
)
"""Claude Opus 4 blackmailed in 55.1% of the samples whose reasoning stated the scenario was real and in 6.5% of
those whose reasoning stated it was an evaluation (prior-art.md section 5); shown beside the awareness table."""


def published_for(condition_id: str | None, scenario: Scenario | None = None) -> list[PublishedRate]:
    """The published rates of the study's condition matching a scenariokit condition.

    Args:
        condition_id: The condition's study id (``None`` when it has none).
        scenario: The condition's scenario, needed to match the adapted scenario's rates.
    """
    return [p for p in PUBLISHED_RATES if p.matches(condition_id, scenario)]
