"""The design model: scenario entries x models x samples, in Python or YAML, expanded to conditions.

Its parts live beside it, one job per module: the scenario entries (``_entries``), loading from YAML
(``_load``), expansion into rendered scenarios (``_expand``), merging of duplicates (``_merge``), the
resulting conditions (``_conditions``) and the keys of a sample (``_keys``).

A design lists *scenario entries* (a family with a grid of factor values, explicit study condition ids,
scenario files, or perturbation sweeps over a base scenario), the models with their generation settings, and how many samples to draw of each
(condition, model). :meth:`Design.expand` renders every scenario and identifies each condition by its
fingerprint: entries that render the same prompt are merged into one condition (with a
:class:`DuplicateConditionWarning` naming them), so no condition is ever counted twice.

Example:
    >>> design = Design(
    ...     name="demo",
    ...     scenarios=[FactorGrid(family="blackmail", factors={"urgency": ["replacement", "none"]})],
    ...     models=["sim/self_preserving"],
    ...     samples=10,
    ... )
    >>> expanded = design.expand()
    >>> [c.label for c in expanded.conditions]
    ['blackmail_explicit-america_replacement', 'blackmail_explicit-america_none']
    >>> expanded.total_samples
    20
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from scenariokit.experiment._conditions import ExpandedDesign
from scenariokit.experiment._entries import _MODEL, FactorGrid, ScenarioEntry
from scenariokit.experiment._expand import expand
from scenariokit.experiment._judges import DetectorEntry, JudgeEntry, JudgeSpec, judge_models
from scenariokit.experiment._keys import config_hash
from scenariokit.providers import GenerateConfig, parse_provider_name
from scenariokit.scenario import ToolMode

__all__ = ["Budget", "Design", "FactorGrid", "JudgeEntry", "JudgeSpec", "ModelSpec", "models_of"]


class ModelSpec(BaseModel):
    """A model to run, with its generation settings. In YAML a bare ``provider/model`` string also works."""

    model_config = _MODEL

    name: str
    """``provider/model``, e.g. ``anthropic/claude-sonnet-4-5`` or ``sim/self_preserving``."""

    config: GenerateConfig = GenerateConfig()
    """Generation settings (temperature, max_tokens, ...). The per-sample seed is set by the runner."""

    @field_validator("name")
    @classmethod
    def _provider_model(cls, value: str) -> str:
        parse_provider_name(value)
        return value


MAX_SAMPLES = 10_000_000
"""The most samples per (condition, model) a design takes (the runner keeps a byte per sample of each pair)."""


class Budget(BaseModel):
    """Spending caps for the whole study (what the store already holds counts too).

    When a cap is reached the runner starts no new sample; samples in flight finish and are stored.
    """

    model_config = _MODEL

    tokens: int | None = Field(default=None, gt=0)
    """Most input + output tokens, summed over every stored sample."""

    usd: float | None = Field(default=None, gt=0)
    """Most estimated US dollars (from the providers' price table), summed over every stored sample."""


class Design(BaseModel):
    """A study: scenario entries x models x ``samples`` samples each.

    Build it in Python or load it from YAML with :func:`load_design`; :meth:`expand` gives the conditions.
    """

    model_config = _MODEL

    name: str = "study"
    """Name of the study (shown in reports)."""

    description: str = ""
    """What the study is about."""

    scenarios: list[ScenarioEntry] = Field(min_length=1)
    """Scenario entries: factor grids, condition id lists, scenario files and perturbation sweeps."""

    models: list[ModelSpec] = Field(min_length=1)
    """Models to run, each with its generation settings."""

    samples: int = Field(default=100, ge=1, le=MAX_SAMPLES)
    """Samples per (condition, model); the study used 100. At most ``MAX_SAMPLES`` (10,000,000)."""

    seed: int = 0
    """Seed from which each sample's own seed is derived (part of the configuration hash)."""

    tool_mode: ToolMode = "text"
    """``text`` (the study's ``<tool_use:...>`` tags) or ``native`` tool calls."""

    max_turns: int = Field(default=1, ge=1)
    """Most model calls per episode (1: the study's single-turn set-up)."""

    detectors: list[DetectorEntry] | None = None
    """Detectors to apply (``None``: each condition's default suite). Names keep only those detectors of the
    default suites (the design's ``judge`` judges are kept too, unless some ``judge-...`` names are listed:
    then only those); a ``{judge: provider/model, category: ...}`` entry adds a judge for one category. A
    list of judge entries only keeps every default detector beside them."""

    judge: JudgeSpec | None = None
    """An LLM judge for every condition (``provider/model``, or a mapping with ``model``, ``categories``,
    ``decide``, ...); ``None``: no judge unless ``detectors`` names one."""

    budget: Budget = Budget()
    """Spending caps."""

    batch: bool = False
    """Send the requests through the vendors' batch APIs (Anthropic Message Batches, the OpenAI Batch API,
    Gemini batch mode): half the price, answers within hours. ``scenariokit run --batch`` sets it too."""

    base_dir: str | None = Field(default=None, exclude=True)
    """Folder against which relative scenario file paths are resolved (set by :func:`load_design`)."""

    @field_validator("models", mode="before")
    @classmethod
    def _model_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _judges(self) -> Design:
        seen: dict[str, int] = {}
        for i, entry in enumerate(self.detectors or ()):
            if isinstance(entry, JudgeEntry):
                name = entry.detector_name
                if name in seen:
                    raise ValueError(
                        f"detectors[{i}]: a judge named {name!r} is already detectors[{seen[name]}]; give one of "
                        "them another 'name' (starting with 'judge')"
                    )
                seen[name] = i
            elif entry.startswith("judge") and self.judge is None:
                raise ValueError(
                    f"detectors[{i}]: {entry!r} is a judge, and the design has none; add 'judge: provider/model' "
                    f"or write the entry as {{judge: provider/model, category: ...}}"
                )
        return self

    @property
    def judge_models(self) -> list[str]:
        """Every judge model the design names (``judge`` and judge entries of ``detectors``), in order."""
        return judge_models(self.judge, self.detectors)

    @model_validator(mode="after")
    def _unique_models(self) -> Design:
        seen: dict[tuple[str, str], int] = {}
        for i, spec in enumerate(self.models):
            key = (spec.name, config_hash(spec.config, self))
            if key in seen:
                raise ValueError(
                    f"models[{i}] repeats models[{seen[key]}] ({spec.name} with the same config); list it once"
                )
            seen[key] = i
        return self

    def expand(self) -> ExpandedDesign:
        """Render every scenario and merge those that render the same prompt.

        Returns:
            The conditions (one per fingerprint), the merges that were made and the sweep operators that did
            not apply.

        Raises:
            DesignError: If a family, factor, value, condition id, file or operator parameter is invalid; the
                message names the entry (``scenarios[2]``) and the fix.

        Warns:
            DuplicateConditionWarning: When entries were merged; the message lists the merged labels.
            PerturbationNotApplicableWarning: When a sweep operator does not apply to its base (one warning
                per operator and base, with the reason).
        """
        return expand(self, stacklevel=2)


def models_of(specs: Sequence[str]) -> list[ModelSpec]:
    """Model specs from ``provider/model`` names."""
    return [ModelSpec(name=name) for name in specs]
