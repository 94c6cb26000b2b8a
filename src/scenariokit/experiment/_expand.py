"""Expansion of a design into conditions: every entry rendered, sweeps applied, duplicates merged.

Grids yield one scenario per combination of factor values, condition ids one per id, files one each; a sweep
yields each base followed by its variants (each operator applied, with parameters drawn from the design's
seed). The rendered scenarios go to :func:`scenariokit.experiment._merge.merge`, which makes one condition per
fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import random
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from scenariokit.experiment._conditions import ExpandedDesign, ModelRun, NotApplicable, PerturbationRecord
from scenariokit.experiment._entries import ConditionIds, FactorGrid, OperatorSpec, ScenarioFile, Sweep
from scenariokit.experiment._errors import DesignError, PerturbationNotApplicableWarning
from scenariokit.experiment._keys import config_hash
from scenariokit.experiment._merge import Item, merge, warn_merges
from scenariokit.perturb import PerturbationError
from scenariokit.scenario import (
    FAMILIES,
    RenderedScenario,
    Scenario,
    ScenarioError,
    get_family,
    load_scenario,
    parse_condition_id,
)

if TYPE_CHECKING:
    from scenariokit.experiment._design import Design


def expand(design: Design, *, stacklevel: int = 1) -> ExpandedDesign:
    """Render every scenario of ``design`` and merge those that render the same prompt.

    See :meth:`Design.expand` (which calls it) for what it returns, raises and warns; ``stacklevel`` is
    that of the warnings, counted from the caller of this function.
    """
    skipped: list[NotApplicable] = []
    conditions, merges = merge(_items(design, skipped))
    warn_merges(design.name, merges, stacklevel=stacklevel + 1)
    for na in skipped:
        warnings.warn(
            f"design {design.name!r}: {na.source}: operator {na.operator!r} does not apply to base "
            f"{na.base_label}: {na.reason}; no variant was made (remove the operator from the sweep, or "
            "change its base)",
            PerturbationNotApplicableWarning,
            stacklevel=stacklevel + 1,
        )
    runs = [ModelRun(spec=spec, config_hash=config_hash(spec.config, design)) for spec in design.models]
    return ExpandedDesign(
        design=design,
        conditions=tuple(conditions),
        models=tuple(runs),
        merges=tuple(merges),
        not_applicable=tuple(skipped),
    )


def _items(design: Design, skipped: list[NotApplicable]) -> Iterator[tuple[Item, RenderedScenario]]:
    """Every scenario of the design, rendered, in design order."""
    for index, entry in enumerate(design.scenarios):
        where = f"scenarios[{index}] ({entry.describe()})"
        if isinstance(entry, Sweep):
            yield from _sweep_items(entry, index, design, skipped)
            continue
        for label, source, factors, scenario in _entry_scenarios(entry, where, design.base_dir):
            yield Item(label, source, factors), _render(design, scenario, where, label)


def _render(design: Design, scenario: Scenario, where: str, label: str) -> RenderedScenario:
    try:
        return scenario.render(tool_mode=design.tool_mode)
    except ScenarioError as exc:
        raise DesignError(f"{where}: {label}: cannot render: {exc}") from None


_MAX_REDRAWS = 20
"""Extra draws a randomised operator gets to find a variant that no earlier draw of its sweep gave."""


def _draw_seed(design_seed: int, base_fp: str, spec: OperatorSpec, draw: int, attempt: int) -> int:
    spec_text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    text = f"sweep:{design_seed}:{base_fp}:{spec_text}:{draw}:{attempt}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _sweep_items(
    sweep: Sweep, index: int, design: Design, skipped: list[NotApplicable]
) -> Iterator[tuple[Item, RenderedScenario]]:
    """The bases of a sweep, each followed by its variants (rendered)."""
    where = f"scenarios[{index}] ({sweep.describe()})"
    for label, source, factors, scenario in _entry_scenarios(sweep.base, f"{where}: base", design.base_dir):
        base_rendered = _render(design, scenario, f"{where}: base", label)
        yield Item(label, source, factors), base_rendered
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
                    rendered = _render(design, candidate.scenario, op_where, f"{label}~{spec.name}")
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
                item = Item(f"{label}~{spec.name}{suffix}", f"{source}~{spec.name}{suffix}", None, record)
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
        try:
            is_file = path.is_file()
            is_dir = not is_file and path.is_dir()
            exists = is_file or is_dir or path.exists()
        except OSError as exc:  # a name too long for the file system, ...
            raise DesignError(
                f"{where}: cannot use scenario file {str(path)[:80]!r}: {exc.strerror}"
            ) from None
        if is_dir:
            raise DesignError(f"{where}: {path} is a directory; give a scenario file (.yaml, .yml, .json)")
        if exists and not is_file:
            raise DesignError(
                f"{where}: {path} is not a regular file (a FIFO, a socket or a device); give a scenario file"
            )
        if not is_file:
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
