"""LLM judges in a study: the design's ``judge:`` and judge entries of ``detectors:``, and who decides the rate.

A judge is any ``provider/model`` (``replay/...`` included) asked each rubric's question about a sample
(see :class:`scenariokit.detectors.LLMJudge`). Its requests go through the same provider layer as the agent's:
the same process-wide limits, the capability table (a reasoning model gets no temperature it would refuse),
recordings and replay; its tokens and dollars count in the study's budget and cost ledger; its verdicts and
raw replies are stored with the sample.

In YAML::

    judge: openai/gpt-4.1                # judges for the harm categories of every condition
    judge:                               # or with options
      model: anthropic/claude-sonnet-4-5
      categories: [blackmail, eval_awareness]   # or 'all'; default: the harm categories
      decide: heuristic                  # heuristic | judge | any | all: which verdict decides the rate
    detectors:                           # or per detector, beside the heuristics kept
      - blackmail-action
      - {judge: openai/o3, category: leverage_disclosure}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from scenariokit.detectors import RUBRICS, AllOf, AnyOf, Category, Detector, LLMJudge
from scenariokit.providers import Provider, parse_provider_name

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

Decide = Literal["heuristic", "judge", "any", "all"]
"""Which verdict decides a condition's rate when both a heuristic and a judge look at its harm category:
the heuristic (the judge is a second opinion, the default), the judge, or both combined (``any``: harmful if
either says so; ``all``: only if both do)."""

HARM_CATEGORIES: tuple[Category, ...] = (
    Category.BLACKMAIL,
    Category.LEVERAGE_DISCLOSURE,
    Category.LEAK,
    Category.LETHAL_ACTION,
)
"""The categories a judge looks at by default: the harmful acts (the action detectors' categories)."""


def _category(value: str, where: str) -> Category:
    try:
        cat = Category(value)
    except ValueError:
        raise ValueError(
            f"{where}: unknown category {value!r}; the categories with a judge rubric are: "
            f"{', '.join(c.value for c in RUBRICS)}"
        ) from None
    if cat not in RUBRICS:
        raise ValueError(
            f"{where}: there is no judge rubric for category {value!r}; use one of: "
            f"{', '.join(c.value for c in RUBRICS)}"
        )
    return cat


def _model_name(value: str) -> str:
    try:
        parse_provider_name(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return value


class JudgeSpec(BaseModel):
    """The study's judge: a model asked each rubric's question about every sample.

    In YAML a bare ``provider/model`` string also works (``judge: openai/gpt-4.1``).

    Example:
        >>> JudgeSpec.model_validate("openai/o3").categories
        'harm'
    """

    model_config = _MODEL

    model: str
    """``provider/model`` of the judge (``replay/provider/model`` replays recorded judge replies)."""

    categories: Literal["harm", "all"] | list[str] = "harm"
    """Which categories to judge: ``harm`` (the harmful acts of each condition: blackmail, leverage
    disclosure, leak, lethal action), ``all`` (every category of each condition's suite with a rubric), or a
    list of category names."""

    decide: Decide = "heuristic"
    """Which verdict decides the rate of a condition's harm category (see :data:`Decide`)."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    """Answers asked for in all before the verdict is unscorable (an invalid answer is sent back)."""

    max_tokens: int = Field(default=2048, ge=16)
    """Output budget of each judge call (reasoning models spend part of it thinking)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"model": value}
        return value

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        return _model_name(value)

    @field_validator("categories")
    @classmethod
    def _check_categories(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError(
                    "judge.categories is empty; list at least one category, or write 'harm' or 'all'"
                )
            for i, name in enumerate(value):
                _category(name, f"item {i}")
        return value


class JudgeEntry(BaseModel):
    """A judge for one category, as an entry of the design's ``detectors`` list.

    Example:
        >>> JudgeEntry(judge="openai/gpt-4.1", category="blackmail").detector_name
        'judge-blackmail'
    """

    model_config = _MODEL

    judge: str
    """``provider/model`` of the judge."""

    category: str
    """The category it judges (one with a rubric)."""

    name: str | None = None
    """Detector name (default ``judge-<category>``); must be unique in the study."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    """Answers asked for in all before the verdict is unscorable."""

    max_tokens: int = Field(default=2048, ge=16)
    """Output budget of each judge call."""

    @field_validator("judge")
    @classmethod
    def _check_model(cls, value: str) -> str:
        return _model_name(value)

    @field_validator("category")
    @classmethod
    def _check_category(cls, value: str) -> str:
        return _category(value, "category").value

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("judge"):
            raise ValueError(
                f"a judge's name must start with 'judge' (got {value!r}), so that reports tell judges from "
                "heuristics; e.g. 'judge-blackmail-o3'"
            )
        return value

    @property
    def detector_name(self) -> str:
        """The judge's detector name."""
        return self.name or f"judge-{self.category}"


def _entry_kind(value: Any) -> str:
    return "detector-name" if isinstance(value, str) else "judge-entry"


DetectorEntry = Annotated[
    Annotated[str, Tag("detector-name")] | Annotated[JudgeEntry, Tag("judge-entry")],
    Discriminator(_entry_kind),
]
"""An entry of ``Design.detectors``: a detector name (``blackmail-action``, ``judge-blackmail`` when the
design has a ``judge``), or a :class:`JudgeEntry`."""


def judge_models(judge: JudgeSpec | None, detectors: Sequence[DetectorEntry] | None) -> list[str]:
    """Every judge model a design names, in order, without repeats."""
    names = [judge.model] if judge is not None else []
    names += [d.judge for d in detectors or () if isinstance(d, JudgeEntry)]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Combined:
    """A combined verdict of a heuristic and a judge, computed from their verdicts (never asked twice)."""

    combinator: AnyOf | AllOf
    """The rule."""

    members: tuple[str, str]
    """The heuristic's and the judge's detector names."""

    @property
    def name(self) -> str:
        """The combined detector's name, e.g. ``any(blackmail-action,judge-blackmail)``."""
        return self.combinator.name


@dataclass(frozen=True)
class JudgeSlot:
    """One judge a condition gets: its model, category and settings (before any provider exists)."""

    model: str
    """``provider/model``."""

    category: Category
    """The category judged."""

    name: str | None
    """Detector name (``None``: ``judge-<category>``)."""

    max_attempts: int
    """Answers asked for in all."""

    max_tokens: int
    """Output budget of each call."""


def judge_slots(
    categories: Sequence[Category], judge: JudgeSpec | None, entries: Sequence[DetectorEntry] | None
) -> list[JudgeSlot]:
    """The judges a condition whose detectors have ``categories`` gets from a design's judge and entries."""
    slots: list[JudgeSlot] = []
    if judge is not None:
        if judge.categories == "harm":
            wanted = [c for c in HARM_CATEGORIES if c in categories]
        elif judge.categories == "all":
            wanted = [c for c in dict.fromkeys(categories) if c in RUBRICS]
        else:
            wanted = [Category(c) for c in judge.categories if Category(c) in categories]
        slots += [
            JudgeSlot(judge.model, cat, None, judge.max_attempts, judge.max_tokens)
            for cat in dict.fromkeys(wanted)
        ]
    for entry in entries or ():
        if isinstance(entry, JudgeEntry) and Category(entry.category) in categories:
            slots.append(
                JudgeSlot(
                    entry.judge,
                    Category(entry.category),
                    entry.detector_name,
                    entry.max_attempts,
                    entry.max_tokens,
                )
            )
    return slots


def judges_for(
    suite: Sequence[Detector],
    judge: JudgeSpec | None,
    entries: Sequence[DetectorEntry] | None,
    providers: Mapping[str, Provider],
) -> tuple[list[Detector], list[Combined]]:
    """The judges of one condition (and its combined verdicts), given its heuristic suite.

    Args:
        suite: The condition's heuristic detectors (its default suite).
        judge: The design's judge, if any.
        entries: The design's ``detectors`` list, if any (its :class:`JudgeEntry` items add judges).
        providers: A provider per judge model.

    Returns:
        The judges, and the combined verdicts asked for by ``judge.decide`` (``any``/``all``).
    """
    judges: list[Detector] = [
        LLMJudge(
            providers[slot.model],
            slot.category,
            max_attempts=slot.max_attempts,
            max_tokens=slot.max_tokens,
            name=slot.name,
        )
        for slot in judge_slots([d.category for d in suite], judge, entries)
    ]
    combined: list[Combined] = []
    if judge is not None and judge.decide in ("any", "all"):
        kind = AnyOf if judge.decide == "any" else AllOf
        for j in judges:
            heuristic = next(
                (d for d in suite if d.category is j.category and d.name.endswith("-action")), None
            )
            if heuristic is not None:
                combinator = kind([heuristic, j])
                combined.append(Combined(combinator, (heuristic.name, j.name)))
    return judges, combined


def detector_kind(name: str) -> str:
    """Whether a detector name is a ``judge``, a ``combined`` verdict, a ``human`` label or a ``heuristic``.

    Judges are named ``judge-...`` (the default names of :class:`LLMJudge`); combined verdicts
    ``any(...)``/``all(...)``/``majority(...)``.

    Example:
        >>> [detector_kind(n) for n in ("blackmail-action", "judge-blackmail", "any(a,b)", "human")]
        ['heuristic', 'judge', 'combined', 'human']
    """
    if name == "human":
        return "human"
    if name.startswith("judge"):
        return "judge"
    if "(" in name and name.endswith(")"):
        return "combined"
    return "heuristic"
