"""The scenario entries of a design: factor grids, condition ids, scenario files and perturbation sweeps.

Each entry says which scenarios a design contains; :mod:`scenariokit.experiment._expand` turns them into
rendered scenarios. In YAML an entry is recognised by its keys (``family``, ``condition_ids``, ``file``,
``sweep``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

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

from scenariokit.perturb import OPERATOR_TYPES, Operator

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
