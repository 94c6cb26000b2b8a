"""Factorial attribution: switch blocks on and off in a full 2^k grid and estimate each block's effect.

The orchestration lives here (build the grid, sample each cell); the maths is
:func:`scenariokit.stats.factorial_effects` (Yates contrasts with Price-Bonett intervals) and
:func:`scenariokit.stats.holm` for the many effects tested at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from scenariokit.detectors._base import Detector
from scenariokit.providers._protocol import Provider
from scenariokit.scenario import Scenario, ToolMode, get_family
from scenariokit.stats import AdjustedPValues, Cell, FactorialEffect, factorial_effects, holm
from scenariokit.testing._blocks import FACTORS, BlockError, switch
from scenariokit.testing._errors import ScenarioTestError
from scenariokit.testing._model import CallBudget, ModelUnderTest, as_model, run_sync
from scenariokit.testing._sampling import RateSample, default_detector, sample_rate_async

DEFAULT_FACTORS: tuple[str, ...] = ("threat", "goal_conflict", "agency_prompt")
"""The factors attributed by default (a 2^3 grid)."""

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class AttributionError(ScenarioTestError):
    """The grid cannot be analysed (a cell has no scorable sample, a factor is unknown or repeated)."""


class GridCell(BaseModel):
    """One cell of the grid: which factors are on, and the sampled rate."""

    model_config = _FROZEN

    levels: dict[str, bool]
    """Factor to on/off."""

    sample: RateSample
    """The cell's sample."""


class Attribution(BaseModel):
    """Main effects and two-way interactions of blocks on the harmful rate, from a 2^k grid."""

    model_config = _FROZEN

    model: str
    """The model."""

    detector: str
    """The detector (``name@version``)."""

    factors: tuple[str, ...]
    """The switched blocks."""

    n: int
    """Samples per cell."""

    seed: int
    """Base seed."""

    confidence: float
    """Confidence level of the intervals."""

    cells: tuple[GridCell, ...]
    """Every cell, in grid order (all off first)."""

    effects: tuple[FactorialEffect, ...]
    """Main effects, then two-way interactions."""

    adjusted: AdjustedPValues
    """Holm-adjusted p-values of the effects, in the same order."""

    def effect(self, *term: str) -> FactorialEffect:
        """The effect of one factor, or of a pair (an interaction), in any order.

        Raises:
            KeyError: If there is no such term.
        """
        for e in self.effects:
            if set(e.term) == set(term) and len(e.term) == len(term):
                return e
        raise KeyError(f"no effect {term}; terms: {[e.term for e in self.effects]}")

    def render(self) -> str:
        """A readable table of effects and one of cells."""
        pct = f"{self.confidence:.0%}"
        lines = [
            f"factorial attribution for {self.model} ({self.detector}): 2^{len(self.factors)} grid, n={self.n} "
            f"per cell, seed={self.seed}",
            "",
            f"  {'term':<36} {'effect':>8}  {pct + ' interval':<20} {'p':>8} {'p (Holm)':>9}",
        ]
        for e, adj in zip(self.effects, self.adjusted.adjusted, strict=True):
            term = " x ".join(e.term)
            iv = f"[{e.interval.lower:+.3f}, {e.interval.upper:+.3f}]"
            lines.append(f"  {term:<36} {e.estimate:>+8.3f}  {iv:<20} {e.p_value:>8.3g} {adj:>9.3g}")
        lines += ["", "  cells (" + ", ".join(self.factors) + "):"]
        for c in self.cells:
            flags = " ".join("+" if c.levels[f] else "-" for f in self.factors)
            lines.append(f"    {flags}  {c.sample.rate}  {c.sample.fingerprint[:12]}")
        lines.append(
            "  main effect = mean rate with the block on - mean rate with it off (cells weighted equally)"
        )
        return "\n".join(lines)


def grid(scenario: Scenario, factors: Sequence[str]) -> list[tuple[dict[str, bool], Scenario]]:
    """Every on/off combination of ``factors`` applied to ``scenario`` (all off first).

    Raises:
        AttributionError: If a factor is unknown or repeated, or a combination is not a valid scenario.
    """
    if len(set(factors)) != len(factors) or not factors:
        raise AttributionError(f"factors must be distinct and not empty, got {list(factors)}")
    unknown = [f for f in factors if f not in FACTORS]
    if unknown:
        raise AttributionError(f"unknown factor(s) {', '.join(unknown)}; use some of: {', '.join(FACTORS)}")
    out: list[tuple[dict[str, bool], Scenario]] = []
    for combo in itertools.product((False, True), repeat=len(factors)):
        levels = dict(zip(factors, combo, strict=True))
        s = scenario
        try:
            for f, on in levels.items():
                s = switch(s, f, on)
        except BlockError as exc:
            raise AttributionError(f"cell {levels}: {exc}") from None
        out.append((levels, s))
    return out


async def attribute_async(
    model: str | Provider | ModelUnderTest,
    scenario: Scenario | None = None,
    *,
    family: str = "blackmail",
    factors: Sequence[str] = DEFAULT_FACTORS,
    detector: Detector | None = None,
    n: int = 30,
    seed: int = 0,
    confidence: float = 0.95,
    interactions: bool = True,
    tool_mode: ToolMode = "text",
    budget: CallBudget | int | None = None,
) -> Attribution:
    """Async form of :func:`attribute`."""
    mut = as_model(model, budget=budget)
    base = scenario if scenario is not None else get_family(family).build()
    det = detector if detector is not None else default_detector(base)
    cells: list[GridCell] = []
    for levels, s in grid(base, factors):
        sample = await sample_rate_async(mut, s, det, n=n, seed=seed, tool_mode=tool_mode)
        if sample.rate.scorable == 0:
            reasons = "; ".join(sample.unscorable_reasons) or "no samples"
            raise AttributionError(
                f"cell {levels} has no scorable sample ({reasons}); the 2^k analysis needs every cell. Use a "
                "detector that can score that cell, or leave that factor out (e.g. the action detectors cannot "
                "score a scenario without its opportunity)"
            )
        cells.append(GridCell(levels=levels, sample=sample))
    stats_cells = [
        Cell(
            levels=dict(c.levels),
            harmful=c.sample.rate.harmful,
            scorable=c.sample.rate.scorable,
            unscorable=c.sample.rate.unscorable,
        )
        for c in cells
    ]
    effects = factorial_effects(stats_cells, list(factors), confidence=confidence, interactions=interactions)
    return Attribution(
        model=mut.name,
        detector=f"{det.name}@{det.version}",
        factors=tuple(factors),
        n=n,
        seed=seed,
        confidence=confidence,
        cells=tuple(cells),
        effects=tuple(effects),
        adjusted=holm([e.p_value for e in effects], alpha=1.0 - confidence),
    )


def attribute(
    model: str | Provider | ModelUnderTest,
    scenario: Scenario | None = None,
    *,
    family: str = "blackmail",
    factors: Sequence[str] = DEFAULT_FACTORS,
    detector: Detector | None = None,
    n: int = 30,
    seed: int = 0,
    confidence: float = 0.95,
    interactions: bool = True,
    tool_mode: ToolMode = "text",
    budget: CallBudget | int | None = None,
) -> Attribution:
    """Attribute the harmful rate to blocks: sample every on/off combination and estimate effects.

    Each factor is a block of :data:`scenariokit.testing._blocks.FACTORS`: ``threat``, ``goal_conflict``,
    ``opportunity`` (content blocks: "on" is as in the base scenario, "off" removes them) or a framing
    switch (``prohibitions``, ``agency_prompt``, ``escalation_reachable``, ``eval_notice``, ``scratchpad``, ``clarity``).
    A main effect is the mean rate with the block on minus with it off over the other factors' levels; an
    interaction ``A x B`` is half the difference between A's effect with B on and with B off.

    Args:
        model: The model.
        scenario: The base scenario, with every content block that is a factor; default the family's.
        family: The family when ``scenario`` is not given.
        factors: The blocks to switch (``2^len(factors)`` cells).
        detector: What decides harm; default the family's action detector. It must score every cell.
        n: Samples per cell.
        seed: Base seed.
        confidence: Confidence level of the intervals.
        interactions: Also estimate two-way interactions.
        tool_mode: ``text`` or ``native``.
        budget: A call budget.

    Returns:
        The effects with intervals and p-values (raw and Holm-adjusted), and every cell's rate.

    Raises:
        AttributionError: On an unknown factor, an invalid cell, or a cell with no scorable sample.

    Example:
        >>> a = attribute("sim/self_preserving", factors=("threat", "prohibitions"), n=30)
        >>> a.effect("threat").estimate > 0 > a.effect("prohibitions").estimate
        True
    """
    mut = as_model(model, budget=budget)
    return run_sync(
        mut,
        lambda: attribute_async(
            mut,
            scenario,
            family=family,
            factors=factors,
            detector=detector,
            n=n,
            seed=seed,
            confidence=confidence,
            interactions=interactions,
            tool_mode=tool_mode,
        ),
    )
