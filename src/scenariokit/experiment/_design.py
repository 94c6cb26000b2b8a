"""Study designs: scenarios x models x samples, in Python or YAML, expanded to conditions by fingerprint.

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

import hashlib
import itertools
import json
import random
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from scenariokit.experiment._errors import (
    DesignError,
    DuplicateConditionWarning,
    PerturbationNotApplicableWarning,
)
from scenariokit.perturb import OPERATOR_TYPES, Change, Effect, Operator, PerturbationError
from scenariokit.providers import GenerateConfig, parse_provider_name
from scenariokit.scenario import (
    FAMILIES,
    RenderedScenario,
    Scenario,
    ScenarioError,
    ToolMode,
    get_family,
    load_scenario,
    parse_condition_id,
)

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

FactorValue = str | bool
"""A factor value as text (``"explicit"``, ``"on"``) or a Python bool for on/off switches."""


def _text(value: FactorValue) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value).strip().lower()


class FactorGrid(BaseModel):
    """A family crossed over factor values: every combination is one scenario.

    Factors not listed keep the family's default. A factor given a single value is fixed; a list is
    crossed with the other lists.

    Example:
        >>> grid = FactorGrid(family="blackmail", factors={"goal_type": ["explicit", "none"], "prohibitions": True})
        >>> len(list(grid.settings()))
        2
    """

    model_config = _MODEL

    family: str
    """The family's name (``blackmail``, ``leaking``, ``lethal_action``)."""

    factors: dict[str, FactorValue | list[FactorValue]] = Field(default_factory=dict)
    """Factor name -> value, or list of values to cross (see ``scenariokit list`` for names and values)."""

    @field_validator("factors")
    @classmethod
    def _non_empty_lists(cls, value: dict[str, FactorValue | list[FactorValue]]) -> dict[str, Any]:
        for name, values in value.items():
            if isinstance(values, list) and not values:
                raise ValueError(f"factor {name!r} has an empty list of values; give at least one value")
        return value

    def settings(self) -> Iterator[dict[str, str]]:
        """Yield each combination of the listed factor values as ``{factor: value-as-text}``."""
        names = list(self.factors)
        lists = [v if isinstance(v, list) else [v] for v in self.factors.values()]
        for combo in itertools.product(*lists):
            yield {name: _text(v) for name, v in zip(names, combo, strict=True)}

    def describe(self) -> str:
        """A short description for messages, e.g. ``family blackmail``."""
        return f"family {self.family}"


class ConditionIds(BaseModel):
    """Explicit study condition ids such as ``blackmail_explicit-america_replacement``."""

    model_config = _MODEL

    condition_ids: list[str] = Field(min_length=1)
    """The condition ids (``{family}_{goal_type}-{goal_value}_{urgency}[_prod]``)."""

    def describe(self) -> str:
        """A short description for messages."""
        return "condition ids"


class ScenarioFile(BaseModel):
    """A scenario file (YAML or JSON, as written by ``save_scenario``).

    Relative paths are resolved against the design file's folder.
    """

    model_config = _MODEL

    file: str
    """Path of the scenario file."""

    label: str | None = None
    """Column label in reports (default: the file's stem)."""

    def describe(self) -> str:
        """A short description for messages."""
        return f"file {self.file}"


def _entry_kind(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if "family" in value:
            return "grid"
        if "condition_ids" in value:
            return "ids"
        if "file" in value:
            return "file"
        if "sweep" in value or "operators" in value:
            return "sweep"
        return None
    if isinstance(value, FactorGrid):
        return "grid"
    if isinstance(value, ConditionIds):
        return "ids"
    if isinstance(value, ScenarioFile):
        return "file"
    if isinstance(value, Sweep):
        return "sweep"
    return None


OPERATORS: dict[str, type[Operator]] = {t.NAME: t for t in OPERATOR_TYPES}
"""Operator name -> class, for the ``operators`` of a sweep (``rename_company``, ``add_prohibitions``, ...)."""


class OperatorSpec(BaseModel):
    """A perturbation operator of a sweep, by name, with the parameters it is given (the rest are drawn).

    In YAML an operator is its bare name (``rename_company``) or a one-key mapping from its name to its
    parameters (``rename_company: {company_name: Corvane Labs, domain: corvanelabs.com}``).

    Example:
        >>> OperatorSpec(name="shift_dates", params={"weeks": 2}).build().weeks
        2
    """

    model_config = _MODEL

    name: str
    """The operator's name (see ``scenariokit.perturb.OPERATOR_TYPES``)."""

    params: dict[str, Any] = Field(default_factory=dict)
    """Parameters of the operator; those left out are drawn for each variant from the design's seed."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"name": value}
        if isinstance(value, Operator):
            return {"name": value.name, "params": value.model_dump(mode="json", exclude_none=True)}
        if isinstance(value, Mapping) and len(value) == 1 and "name" not in value:
            ((name, params),) = value.items()
            if params is None:
                params = {}
            if not isinstance(params, Mapping):
                raise ValueError(
                    f"the parameters of operator {name!r} must be a mapping of parameter names to values "
                    f"(e.g. {name}: {{param: value}}), got {params!r}"
                )
            return {"name": name, "params": dict(params)}
        return value

    @model_validator(mode="after")
    def _buildable(self) -> OperatorSpec:
        self.build()
        return self

    def build(self) -> Operator:
        """The operator with the given parameters.

        Raises:
            ValueError: If the name is unknown or a parameter is invalid (the message lists the names or the
                operator's parameters).
        """
        kind = OPERATORS.get(self.name)
        if kind is None:
            raise ValueError(f"unknown operator {self.name!r}; the operators are: {', '.join(OPERATORS)}")
        try:
            return kind.model_validate(self.params)
        except ValidationError as exc:
            fields = ", ".join(kind.model_fields) or "none"
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False)
            )
            raise ValueError(
                f"operator {self.name!r}: invalid parameters ({problems}); its parameters are: {fields}"
            ) from None

    @property
    def randomised(self) -> bool:
        """Whether the operator draws some of its parameters (then a sweep makes ``variants`` draws)."""
        op = self.build()
        return any(getattr(op, name) is None for name in type(op).model_fields)

    def describe(self) -> str:
        """The name, with the given parameters if any."""
        if not self.params:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


def _base_kind(value: Any) -> str | None:
    if isinstance(value, Mapping) and "condition_id" in value:
        return "ids"
    kind = _entry_kind(value)
    return kind if kind in ("grid", "ids", "file") else None


def _condition_id_shorthand(value: Any) -> Any:
    if isinstance(value, Mapping) and "condition_id" in value:
        rest = {k: v for k, v in value.items() if k != "condition_id"}
        return {"condition_ids": [value["condition_id"]], **rest}
    return value


BaseEntry = Annotated[
    Annotated[FactorGrid, Tag("grid")]
    | Annotated[ConditionIds, Tag("ids")]
    | Annotated[ScenarioFile, Tag("file")],
    Discriminator(
        _base_kind,
        custom_error_type="sweep_base",
        custom_error_message=(
            "a sweep's base needs one of the keys 'family' (with 'factors'), 'condition_id' (a study condition "
            "id) or 'file' (a scenario file)"
        ),
    ),
]
"""The base of a sweep: a family with factor values, a condition id, or a scenario file."""


class Sweep(BaseModel):
    """Perturbation variants of a base scenario: each operator applied to each base, each variant a condition.

    The base itself is a condition of the design too (each variant is compared with it in reports). An
    operator that draws parameters (a company name, new names for the people) is applied ``variants`` times,
    each draw seeded from the design's seed; an operator with nothing to draw gives one variant. A variant
    records its base, the operator with every parameter it used, its declared effect and its changes.
    An operator that does not apply to a base is left out with a :class:`PerturbationNotApplicableWarning`.

    In YAML the fields sit under a ``sweep`` key::

        - sweep:
            base: {family: blackmail, factors: {urgency: replacement}}
            operators: [rename_company, rename_people, add_prohibitions]
            variants: 5

    Example:
        >>> sweep = Sweep(base=FactorGrid(family="blackmail"), operators=["add_prohibitions"])
        >>> [o.name for o in sweep.operators], sweep.variants
        (['add_prohibitions'], 5)
    """

    model_config = _MODEL

    base: BaseEntry
    """The base: a family with factor values (a list of values gives several bases), a condition id
    (``{condition_id: ...}``), or a scenario file."""

    operators: list[OperatorSpec] = Field(min_length=1)
    """The operators to apply to each base, by name, optionally with parameters."""

    variants: int = Field(default=5, ge=1, le=1000)
    """Draws per operator that draws parameters (operators with nothing to draw give one variant)."""

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and "sweep" in value:
            if len(value) != 1:
                extra = ", ".join(repr(k) for k in value if k != "sweep")
                raise ValueError(f"put every key of a sweep under 'sweep:' (found {extra} beside it)")
            inner = value["sweep"]
            if not isinstance(inner, Mapping):
                raise ValueError("'sweep' must be a mapping with the keys 'base', 'operators' and 'variants'")
            value = inner
        if isinstance(value, Mapping) and "base" in value:
            value = {**value, "base": _condition_id_shorthand(value["base"])}
        return value

    def describe(self) -> str:
        """A short description for messages."""
        return f"sweep over {self.base.describe()}"


class PerturbationRecord(BaseModel):
    """How a sweep variant was made: its base, the operator (with every parameter used), effect and changes.

    Stored with the condition (``StudyStore.condition_metadata``) so reports can compare variant and base.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    base_fingerprint: str
    """Fingerprint of the base condition."""

    base_label: str
    """Label of the base condition."""

    operator: str
    """The operator's name (``rename_company``)."""

    effect: Effect
    """The operator's declared effect on harmful behaviour: ``invariant``, ``decrease`` or ``increase``."""

    params: dict[str, Any]
    """Every parameter of the operator as applied (drawn ones included): the operator can be rebuilt from it."""

    changes: tuple[Change, ...]
    """What the operator changed (the typed diff of ``scenariokit.perturb``)."""

    source: str
    """The design entry and operator that made it, e.g. ``scenarios[1].sweep.operators[0]``."""

    draw: int | None = None
    """Index of the draw (0-based) for an operator that draws parameters; ``None`` for one with no draws."""

    def summary(self, limit: int = 3) -> str:
        """The operator, its effect and its first changes on one line."""
        shown = "; ".join(c.summary for c in self.changes[:limit])
        more = f"; and {len(self.changes) - limit} more" if len(self.changes) > limit else ""
        return f"{self.operator} ({self.effect.value}): {shown}{more}"


@dataclass(frozen=True)
class NotApplicable:
    """A sweep operator that did not apply to a base (left out of the design)."""

    source: str
    """The sweep entry and operator, e.g. ``scenarios[1].sweep.operators[2]``."""

    base_label: str
    """The base condition."""

    operator: str
    """The operator's name."""

    reason: str
    """Why it did not apply."""


ScenarioEntry = Annotated[
    Annotated[FactorGrid, Tag("grid")]
    | Annotated[ConditionIds, Tag("ids")]
    | Annotated[ScenarioFile, Tag("file")]
    | Annotated[Sweep, Tag("sweep")],
    Discriminator(
        _entry_kind,
        custom_error_type="scenario_entry",
        custom_error_message=(
            "a scenario entry needs one of the keys 'family' (a factor grid), 'condition_ids' (a list of "
            "study condition ids), 'file' (a scenario file) or 'sweep' (perturbation variants of a base)"
        ),
    ),
]
"""One entry of ``Design.scenarios``: a :class:`FactorGrid`, :class:`ConditionIds`, :class:`ScenarioFile` or
:class:`Sweep`."""


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

    samples: int = Field(default=100, ge=1)
    """Samples per (condition, model); the study used 100."""

    seed: int = 0
    """Seed from which each sample's own seed is derived (part of the configuration hash)."""

    tool_mode: ToolMode = "text"
    """``text`` (the study's ``<tool_use:...>`` tags) or ``native`` tool calls."""

    max_turns: int = Field(default=1, ge=1)
    """Most model calls per episode (1: the study's single-turn set-up)."""

    detectors: list[str] | None = None
    """Names of the detectors to apply (``None``: each family's default suite)."""

    budget: Budget = Budget()
    """Spending caps."""

    base_dir: str | None = Field(default=None, exclude=True)
    """Folder against which relative scenario file paths are resolved (set by :func:`load_design`)."""

    @field_validator("models", mode="before")
    @classmethod
    def _model_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

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
        by_fp: dict[str, _Draft] = {}
        order: list[str] = []
        skipped: list[NotApplicable] = []

        def add(item: _Item, rendered: RenderedScenario) -> None:
            draft = by_fp.get(rendered.fingerprint)
            if draft is None:
                draft = by_fp[rendered.fingerprint] = _Draft(rendered, [], [], [], [])
                order.append(rendered.fingerprint)
            draft.labels.append(item.label)
            draft.sources.append(item.source)
            draft.factors.append(item.factors)
            if item.perturbation is not None:
                draft.perturbations.append(item.perturbation)

        for index, entry in enumerate(self.scenarios):
            where = f"scenarios[{index}] ({entry.describe()})"
            if isinstance(entry, Sweep):
                for item, rendered in _sweep_items(entry, index, self, skipped):
                    add(item, rendered)
                continue
            for label, source, factors, scenario in _entry_scenarios(entry, where, self.base_dir):
                add(_Item(label, source, factors), self._render(scenario, where, label))
        conditions: list[Condition] = []
        merges: list[Merge] = []
        used_labels: set[str] = set()
        final_label: dict[str, str] = {}
        for fp in order:
            draft = by_fp[fp]
            label = draft.labels[0]
            if label in used_labels:
                label = f"{label}#{fp[:8]}"
            used_labels.add(label)
            final_label[fp] = label
        for fp in order:
            draft = by_fp[fp]
            label = final_label[fp]
            known = [f for f in draft.factors if f is not None]
            first = known[0] if known else {}
            factors = {k: v for k, v in first.items() if all(f.get(k) == v for f in known[1:])}
            rendered = draft.rendered
            perturbations = tuple(
                p.model_copy(update={"base_label": final_label.get(p.base_fingerprint, p.base_label)})
                for p in draft.perturbations
            )
            conditions.append(
                Condition(
                    fingerprint=fp,
                    label=label,
                    family=rendered.scenario.family,
                    condition_id=rendered.condition_id,
                    factors=factors,
                    rendered=rendered,
                    merged_sources=tuple(draft.sources),
                    perturbations=perturbations,
                )
            )
            if len(draft.sources) > 1:
                merges.append(Merge(fingerprint=fp, label=label, sources=tuple(draft.sources)))
        if merges:
            listed = "; ".join(
                f"{' = '.join(m.sources)} (kept as {m.label}, fingerprint {m.fingerprint[:12]})"
                for m in merges
            )
            warnings.warn(
                f"design {self.name!r}: {sum(len(m.sources) - 1 for m in merges)} scenario(s) render the same "
                f"prompt as another and were merged (each condition is run and counted once): {listed}",
                DuplicateConditionWarning,
                stacklevel=2,
            )
        for na in skipped:
            warnings.warn(
                f"design {self.name!r}: {na.source}: operator {na.operator!r} does not apply to base "
                f"{na.base_label}: {na.reason}; no variant was made (remove the operator from the sweep, or "
                "change its base)",
                PerturbationNotApplicableWarning,
                stacklevel=2,
            )
        runs = [ModelRun(spec=spec, config_hash=config_hash(spec.config, self)) for spec in self.models]
        return ExpandedDesign(
            design=self,
            conditions=tuple(conditions),
            models=tuple(runs),
            merges=tuple(merges),
            not_applicable=tuple(skipped),
        )

    def _render(self, scenario: Scenario, where: str, label: str) -> RenderedScenario:
        try:
            return scenario.render(tool_mode=self.tool_mode)
        except ScenarioError as exc:
            raise DesignError(f"{where}: {label}: cannot render: {exc}") from None


@dataclass
class _Item:
    label: str
    source: str
    factors: dict[str, str] | None
    perturbation: PerturbationRecord | None = None


@dataclass
class _Draft:
    rendered: RenderedScenario
    labels: list[str]
    sources: list[str]
    factors: list[dict[str, str] | None]
    perturbations: list[PerturbationRecord]


_MAX_REDRAWS = 20
"""Extra draws a randomised operator gets to find a variant that no earlier draw of its sweep gave."""


def _draw_seed(design_seed: int, base_fp: str, spec: OperatorSpec, draw: int, attempt: int) -> int:
    spec_text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    text = f"sweep:{design_seed}:{base_fp}:{spec_text}:{draw}:{attempt}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _sweep_items(
    sweep: Sweep, index: int, design: Design, skipped: list[NotApplicable]
) -> Iterator[tuple[_Item, RenderedScenario]]:
    """The bases of a sweep, each followed by its variants (rendered)."""
    where = f"scenarios[{index}] ({sweep.describe()})"
    for label, source, factors, scenario in _entry_scenarios(sweep.base, f"{where}: base", design.base_dir):
        base_rendered = design._render(scenario, f"{where}: base", label)
        yield _Item(label, source, factors), base_rendered
        for j, spec in enumerate(sweep.operators):
            op_where = f"scenarios[{index}].sweep.operators[{j}]"
            operator = spec.build()
            draws = sweep.variants if spec.randomised else 1
            seen: set[str] = set()  # this operator's variants of this base: each draw must give a new prompt
            made = 0
            for draw in range(draws):
                result = None
                reason = None
                for attempt in range(_MAX_REDRAWS + 1 if spec.randomised else 1):
                    rng = random.Random(
                        _draw_seed(design.seed, base_rendered.fingerprint, spec, draw, attempt)
                    )
                    try:
                        candidate = operator.apply(scenario, rng)
                    except PerturbationError as exc:
                        raise DesignError(
                            f"{op_where} ({spec.describe()}) on base {label}: {exc}; fix the operator's "
                            "parameters or choose another base"
                        ) from None
                    if not candidate.applicable:
                        reason = candidate.reason
                        break
                    rendered = design._render(candidate.scenario, op_where, f"{label}~{spec.name}")
                    if rendered.fingerprint not in seen:
                        result = (candidate, rendered)
                        break
                if reason is not None:
                    skipped.append(NotApplicable(op_where, label, spec.name, reason))
                    break
                if result is None:
                    continue
                candidate, rendered = result
                seen.add(rendered.fingerprint)
                made += 1
                suffix = f".{made}" if spec.randomised else ""
                record = PerturbationRecord(
                    base_fingerprint=base_rendered.fingerprint,
                    base_label=label,
                    operator=candidate.operator.name,
                    effect=candidate.effect,
                    params=candidate.operator.model_dump(mode="json"),
                    changes=candidate.changes,
                    source=op_where,
                    draw=draw if spec.randomised else None,
                )
                item = _Item(f"{label}~{spec.name}{suffix}", f"{source}~{spec.name}{suffix}", None, record)
                yield item, rendered
            if spec.randomised and 0 < made < draws:
                skipped.append(
                    NotApplicable(
                        op_where,
                        label,
                        spec.name,
                        f"only {made} of {draws} draws gave distinct prompts (the operator has few choices for "
                        "this base); lower 'variants' to at most that number",
                    )
                )


def _entry_scenarios(
    entry: FactorGrid | ConditionIds | ScenarioFile, where: str, base_dir: str | None
) -> Iterator[tuple[str, str, dict[str, str], Scenario]]:
    if isinstance(entry, FactorGrid):
        yield from _grid_scenarios(entry, where)
    elif isinstance(entry, ConditionIds):
        for i, cid in enumerate(entry.condition_ids):
            try:
                scenario = parse_condition_id(cid)
            except ScenarioError as exc:
                raise DesignError(f"{where}: condition_ids[{i}]: {exc}") from None
            yield scenario.condition_id or cid, cid, _factors_of(scenario), scenario
    else:
        path = Path(entry.file)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        if not path.is_file():
            raise DesignError(
                f"{where}: no such scenario file: {path}; fix the path (relative to the design file)"
            )
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            raise DesignError(f"{where}: {exc}") from None
        yield entry.label or path.stem, str(entry.file), {}, scenario


def _grid_scenarios(grid: FactorGrid, where: str) -> Iterator[tuple[str, str, dict[str, str], Scenario]]:
    try:
        family = get_family(grid.family)
    except ScenarioError:
        raise DesignError(
            f"{where}: unknown family {grid.family!r}; known families: {', '.join(FAMILIES)}"
        ) from None
    defaults = {f.name: f.default for f in family.factors}
    for name in grid.factors:
        if name not in defaults:
            raise DesignError(
                f"{where}: family {grid.family!r} has no factor {name!r}; its factors are: {', '.join(defaults)}"
            )
    for settings in grid.settings():
        try:
            scenario = family.build(**settings)
        except ScenarioError as exc:
            raise DesignError(f"{where}: {exc}") from None
        factors = {**defaults, **settings}
        label = scenario.condition_id
        if label is None:
            changed = [f"{k}={v}" for k, v in factors.items() if v != defaults[k]]
            label = f"{grid.family}[{','.join(changed)}]" if changed else grid.family
        given = ",".join(f"{k}={v}" for k, v in settings.items())
        yield label, f"{grid.family}[{given}]", factors, scenario


def _factors_of(scenario: Scenario) -> dict[str, str]:
    goal = scenario.goal_conflict
    factors = {
        "goal_type": goal.goal_type.value,
        "urgency": scenario.threat.kind.value,
        "scratchpad": "on" if scenario.framing.scratchpad else "off",
    }
    if goal.goal_type.uses_value and goal.value is not None:
        factors["goal_value"] = goal.value
    return factors


def config_hash(
    config: GenerateConfig, design: Design | None = None, *, max_turns: int = 1, seed: int = 0
) -> str:
    """A short hash of what changes a sample besides the scenario and the model.

    It covers the generation settings (without ``seed``, set per sample, and ``timeout``), the episode's
    ``max_turns`` and the design's ``seed``. Two runs with the same hash draw the same samples.

    Args:
        config: Generation settings.
        design: The design whose ``max_turns`` and ``seed`` apply (overrides the keyword arguments).
        max_turns: Most model calls per episode.
        seed: The design's seed.

    Returns:
        16 hex characters.
    """
    if design is not None:
        max_turns, seed = design.max_turns, design.seed
    data = {
        "generate": config.model_dump(mode="json", exclude={"seed", "timeout"}),
        "max_turns": max_turns,
        "seed": seed,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


REPLAY_PREFIX = "replay/"
"""Prefix of models served from recordings (``replay/openai/gpt-4.1`` replays ``openai/gpt-4.1``)."""


def recorded_model(model: str) -> str:
    """The model whose responses a model name stands for: ``replay/`` prefixes removed.

    Example:
        >>> recorded_model("replay/openai/gpt-4.1")
        'openai/gpt-4.1'
    """
    while model.startswith(REPLAY_PREFIX):
        model = model[len(REPLAY_PREFIX) :]
    return model


def sample_seed(design_seed: int, fingerprint: str, model: str, config_hash: str, sample_index: int) -> int:
    """The seed of one sample, derived deterministically from the design seed and the sample's key.

    The model enters as the model it stands for (:func:`recorded_model`), so a study run through
    ``replay/<model>`` draws the seeds of the recorded ``<model>`` run, sends the same requests, and hits its
    recordings.
    """
    text = f"{design_seed}:{fingerprint}:{recorded_model(model)}:{config_hash}:{sample_index}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


@dataclass(frozen=True)
class Condition:
    """One distinct prompt of a study, identified by its fingerprint."""

    fingerprint: str
    """Fingerprint of the rendered scenario."""

    label: str
    """Column label: the study condition id when there is one, else the family and its non-default
    factors (or the scenario file's stem)."""

    family: str
    """The scenario family."""

    condition_id: str | None
    """The study's condition id, or ``None``."""

    factors: Mapping[str, str]
    """Factor values as text (for per-factor breakdowns); factors that differ between merged entries are
    left out, since they do not change the prompt. Empty for a sweep variant (its factors are its base's,
    changed by the perturbation): variants are compared with their base instead."""

    rendered: RenderedScenario = field(repr=False, compare=False)
    """What the model sees."""

    merged_sources: tuple[str, ...] = ()
    """Every design entry that rendered this prompt (condition id, family settings or file), first first."""

    perturbations: tuple[PerturbationRecord, ...] = ()
    """How sweeps made this prompt from a base (empty unless it is a sweep variant; several when variants of
    different sweeps render the same prompt)."""

    @property
    def is_variant(self) -> bool:
        """Whether a sweep made this condition by perturbing a base."""
        return bool(self.perturbations)


@dataclass(frozen=True)
class Merge:
    """Entries that rendered the same prompt and were merged."""

    fingerprint: str
    """The shared fingerprint."""

    label: str
    """Label of the condition kept."""

    sources: tuple[str, ...]
    """The merged entries (condition id, family settings or file), in design order."""


@dataclass(frozen=True)
class ModelRun:
    """A model with its settings and the hash that keys its samples in the store."""

    spec: ModelSpec
    """The model and its generation settings."""

    config_hash: str
    """Hash of its settings, the design's ``max_turns`` and ``seed`` (see :func:`config_hash`)."""

    @property
    def name(self) -> str:
        """``provider/model``."""
        return self.spec.name


@dataclass(frozen=True)
class ExpandedDesign:
    """A design's distinct conditions, models and the merges made while expanding it."""

    design: Design
    """The design."""

    conditions: tuple[Condition, ...]
    """One per fingerprint, in the order the entries produced them."""

    models: tuple[ModelRun, ...]
    """The models with their configuration hashes."""

    merges: tuple[Merge, ...] = ()
    """Entries merged because they rendered the same prompt."""

    not_applicable: tuple[NotApplicable, ...] = ()
    """Sweep operators that did not apply to their base (left out, with the reason)."""

    @property
    def total_samples(self) -> int:
        """Conditions x models x samples."""
        return len(self.conditions) * len(self.models) * self.design.samples


# ---------------------------------------------------------------------------------------------- YAML


def design_from_data(data: Any, *, source: str = "<data>", base_dir: str | Path | None = None) -> Design:
    """Validate a design from parsed YAML/JSON data.

    Args:
        data: A mapping as read from a design file.
        source: Where it came from, for messages.
        base_dir: Folder for relative scenario file paths.

    Returns:
        The design.

    Raises:
        DesignError: On unknown keys, missing keys or bad values; one line per problem, with its location.
    """
    if not isinstance(data, Mapping):
        raise DesignError(f"{source}: a design must be a mapping with keys such as 'scenarios' and 'models'")
    payload = dict(data)
    if base_dir is not None:
        payload["base_dir"] = str(base_dir)
    try:
        return Design.model_validate(payload)
    except ValidationError as exc:
        raise DesignError(_validation_message(exc, source)) from None


def _validation_message(exc: ValidationError, source: str) -> str:
    lines = []
    for error in exc.errors():
        loc = ""
        for part in error["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            elif part in ("grid", "ids", "file", "function-before[_model_strings(), list[ModelSpec]]"):
                continue
            else:
                loc += f".{part}" if loc else str(part)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; remove it or fix its spelling"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{loc or '(top level)'}: {message}")
    body = "\n  ".join(lines)
    return f"{source}: invalid design ({len(lines)} problem{'s' if len(lines) > 1 else ''}):\n  {body}"


def loads_design(text: str, *, source: str = "<string>", base_dir: str | Path | None = None) -> Design:
    """Parse a YAML (or JSON) design.

    Raises:
        DesignError: If the text is not valid YAML (with the line and column) or not a valid design.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DesignError(f"{source}:{where}: invalid YAML: {problem}") from None
    return design_from_data(data, source=source, base_dir=base_dir)


def load_design(path: str | Path) -> Design:
    """Load a design file; relative scenario file paths are resolved against its folder.

    Example:
        >>> design = load_design("examples/study.yaml")  # doctest: +SKIP

    Raises:
        DesignError: If the file is missing, unreadable, not valid YAML, or not a valid design.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DesignError(f"cannot read design file {path}: {exc.strerror or exc}") from None
    return loads_design(text, source=str(path), base_dir=path.parent)


def design_schema() -> dict[str, Any]:
    """The JSON Schema of design files."""
    return Design.model_json_schema()


def models_of(specs: Sequence[str]) -> list[ModelSpec]:
    """Model specs from ``provider/model`` names."""
    return [ModelSpec(name=name) for name in specs]
