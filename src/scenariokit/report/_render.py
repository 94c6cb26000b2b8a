"""Report formats: Markdown (also the terminal table), CSV, JSON and one self-contained HTML file.

Every format carries the canary string.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from scenariokit.experiment import ModelCost, detector_kind
from scenariokit.report._awareness import AWARENESS_GROUPS, AwarenessSplit
from scenariokit.report._perturbation import PerturbationComparison
from scenariokit.report._printable import printable
from scenariokit.report._published import PUBLISHED_AWARENESS, PublishedAwareness
from scenariokit.report._summary import DIFFERENCE_ORIENTATION, CellStats, StudySummary, is_simulated
from scenariokit.stats import Rate, RateDifference

if TYPE_CHECKING:
    from scenariokit.report._drilldown import DrillDown

ReportFormat = Literal["md", "csv", "json", "html"]
"""The report formats."""

CsvTable = Literal["cells", "awareness", "perturbations", "differences", "costs"]
"""The CSV tables: one row per (model, condition) (with awareness and perturbation columns), the awareness
split (per model and per condition), or the sweep comparisons."""

AWARENESS_HOW_TO_READ = (
    "How to read it: each sample falls in a group by what its own reasoning says (its eval-awareness "
    "verdict's label), so this is observational: samples select themselves into the groups, and a difference "
    "is an association, not the effect of believing the scenario is real (to measure that, vary the "
    "evaluation notice and compare conditions). Rows over all conditions pool conditions whose harm and "
    "awareness rates may differ; the per-condition rows do not. Samples with no usable awareness verdict are "
    "counted as unknown; samples whose harm is unscorable are not in any denominator."
)
"""The note printed under the awareness table in every text format."""

SWEEP_HOW_TO_READ = (
    "Each variant's rate minus its base's (Newcombe interval). An invariant perturbation is flagged when the "
    "difference is significant after Holm's adjustment over the model's invariant comparisons (a flagged "
    "difference has an interval that excludes 0); a directional one reads as expected, opposite or "
    "inconclusive from where its interval lies."
)
"""The note printed under the sweep table."""


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _cell_text(cell: CellStats | None) -> str:
    if cell is None or cell.wilson is None:
        return "-"
    r = cell.wilson
    tail = f", {cell.unscorable} unsc." if cell.unscorable else ""
    if r.estimate is None or r.interval is None:
        return f"n=0{tail}"
    return (
        f"{_pct(r.estimate)} [{100 * r.interval.lower:.0f}-{100 * r.interval.upper:.0f}] n={r.scorable}{tail}"
    )


def _rate_text(r: Rate) -> str:
    if r.estimate is None or r.interval is None:
        return f"undefined (n=0){f', {r.unscorable} unscorable' if r.unscorable else ''}"
    tail = f", {r.unscorable} unscorable" if r.unscorable else ""
    return f"{_pct(r.estimate)} [{_pct(r.interval.lower)}, {_pct(r.interval.upper)}] ({r.harmful}/{r.scorable}{tail})"


def _md_cell(text: str) -> str:
    """A table cell's text on one line (a line break in a name would end the row), ``|`` escaped."""
    return " ".join(text.splitlines()).replace("|", "\\|")


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(_md_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def rate_table(summary: StudySummary) -> str:
    """The study's table: models as rows, conditions as columns; rate [Wilson interval] n=scorable."""
    header = ["model", *[label for _, label in summary.conditions]]
    rows = [
        [model, *[_cell_text(summary.cell(model, fp)) for fp, _ in summary.conditions]]
        for model in summary.models
    ]
    return _md_table(header, rows)


def _rich_rate_table(summary: StudySummary, width: int) -> str:
    """The rate table drawn with rich to fit ``width`` columns.

    Models are rows and conditions columns when that fits; otherwise (many conditions) the table is turned so
    that conditions are rows, and rich wraps the cells that are still too wide.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    def build(transposed: bool) -> Table:
        conditions = summary.conditions
        if transposed:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            table.add_column("condition", overflow="fold")
            for model in summary.models:
                table.add_column(model, overflow="fold")
            for fp, label in conditions:
                table.add_row(label, *[_cell_text(summary.cell(m, fp)) for m in summary.models])
            return table
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("model", overflow="fold")
        for _, label in conditions:
            table.add_column(label, overflow="fold")
        for model in summary.models:
            table.add_row(model, *[_cell_text(summary.cell(model, fp)) for fp, _ in conditions])
        return table

    def natural_width(table: Table) -> int:
        wide = Console(width=100_000, file=io.StringIO())
        return max((len(line) for line in _draw(wide, table).splitlines()), default=0)

    table = build(False)
    if natural_width(table) > width and len(summary.conditions) > len(summary.models):
        turned = build(True)
        if natural_width(turned) < natural_width(table):
            table = turned
    console = Console(width=width, file=io.StringIO(), no_color=True, highlight=False)
    return _draw(console, table)


def _draw(console: Any, renderable: Any) -> str:
    with console.capture() as capture:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def render_terminal(summary: StudySummary, *, width: int | None = None) -> str:
    """The short report printed after a run: the rate table, pooled rates and unscorable counts.

    Args:
        summary: The summary.
        width: Columns to fit the rate table in (default: the terminal's width, 100 when not a terminal).

    Returns:
        Plain text; the rate table is drawn with rich and never wider than ``width``.
    """
    import shutil

    conf = f"{summary.confidence:.0%}"
    columns = width if width is not None else shutil.get_terminal_size((100, 24)).columns
    parts = [
        f"# {summary.canary}",
        f"Harmful rate per model and condition{summary.simulator_title} ({conf} Wilson intervals; "
        "n = scorable samples):",
        *([summary.simulator_notice] if summary.simulator_notice else []),
        "",
        _rich_rate_table(summary, max(columns, 40)),
        *(line for _, text in summary.heuristic_notices for line in ("", text.replace("`", "'"))),
    ]
    deciders = sorted({name for c in summary.cells.values() for name in c.decided_by})
    if summary.agreement or any(detector_kind(n) != "heuristic" for n in deciders):
        parts += ["", f"Decided by: {', '.join(f'{n} ({detector_kind(n)})' for n in deciders)}."]
        parts += [
            f"  {a.judge} vs {a.heuristic} ({a.model}): agree on {_pct(a.agreement)} of {a.both} sample(s), "
            f"kappa {'-' if a.score.kappa is None else f'{a.score.kappa:.2f}'}"
            for a in summary.agreement
        ]
    unscorable = sum(c.unscorable for c in summary.cells.values())
    if unscorable:
        parts += [
            "",
            f"{unscorable} sample(s) unscorable, not counted (see 'scenariokit report' for reasons).",
        ]
    if summary.pooled:
        parts += ["", "Pooled over conditions (cluster bootstrap):"]
        parts += [f"  {model}: {_pooled_text(p)}" for model, p in summary.pooled.items()]
    if summary.perturbations:
        parts += ["", "Perturbation variants against their base (variant - base):"]
        parts += [
            f"  {c.model} {c.variant_label} [{c.operator}, {c.effect}]: {_diff_text(c.result)} -> {c.reading}"
            for c in summary.perturbations
        ]
    paid = [c for c in summary.costs if c.cost_usd]
    if paid:
        parts += [
            "",
            "Estimated cost (as run, with prompt caching and batch rates where used / online without caching):",
        ]
        parts += [
            f"  {c.model}{' (judge)' if c.role == 'judge' else ''}: {_usd(c.cost_usd)} / {_usd(c.uncached_cost_usd)}"
            for c in paid
        ]
    pooled_awareness = [a for a in summary.awareness if a.fingerprint is None]
    if pooled_awareness:
        parts += ["", "Harmful rate by what the reasoning says (observational; see 'scenariokit report'):"]
        for a in pooled_awareness:
            groups = "; ".join(f"{g}: {_rate_text(a.groups[g])}" for g in AWARENESS_GROUPS)
            parts.append(f"  {a.model}: {groups}; real - test: {_diff_text(a.real_minus_test)}")
    return printable("\n".join(parts))


COST_HOW_TO_READ = (
    "Cached prompt tokens are charged at the vendor's cached-read price and cache writes at its cache-write "
    "price; samples run through a vendor's batch API (run --batch) are charged at its batch prices. 'Without "
    "caching' is the online price with every prompt token at the input price. Prices are approximate list "
    "prices (see scenariokit.providers.PRICES_AS_OF); '?' means the model has no known price."
)
"""The note printed under the cost table."""


def _usd(x: float | None) -> str:
    return "?" if x is None else f"${x:,.4f}"


def _cost_row(c: ModelCost) -> list[str]:
    per = None if c.cost_usd is None or not c.attempts else c.cost_usd / c.attempts
    per_uncached = None if c.uncached_cost_usd is None or not c.attempts else c.uncached_cost_usd / c.attempts
    return [
        f"{c.model} (judge)" if c.role == "judge" else c.model,
        str(c.attempts),
        f"{c.input_tokens:,}",
        f"{c.cache_read_tokens:,}",
        f"{c.cache_write_tokens:,}",
        f"{c.output_tokens:,}",
        _usd(c.cost_usd),
        _usd(c.uncached_cost_usd),
        _usd(per),
        _usd(per_uncached),
    ]


def _pooled_text(p: object) -> str:
    from scenariokit.stats import PooledRate

    assert isinstance(p, PooledRate)
    if p.estimate is None or p.interval is None:
        return f"undefined ({p.undefined_reason})"
    return (
        f"{_pct(p.estimate)} [{_pct(p.interval.lower)}, {_pct(p.interval.upper)}] over {p.clusters} condition(s), "
        f"{p.harmful}/{p.scorable}"
    )


JUDGE_AGREEMENT_HOW_TO_READ = (
    "The judge's verdicts against the heuristic's on the samples both scored: both flagged, only the judge, "
    "only the heuristic, neither; agreement is the share of samples on which they agree, kappa Cohen's kappa "
    "(1: perfect, 0: no better than chance). Neither is ground truth: where they disagree, read the samples "
    "('scenariokit samples STUDY.db --disagreement')."
)
"""How to read the heuristic-judge agreement table."""


def decided_markdown(summary: StudySummary) -> list[str]:
    """Markdown lines: which detector or judge decided each rate, and heuristic-judge agreement."""
    conf = f"{summary.confidence:.0%}"
    kinds = {k for c in summary.cells.values() for k in c.decided_by_kinds}
    out: list[str] = []
    if summary.agreement or kinds - {"heuristic"}:
        out += [
            "",
            f"## Who decided each rate (verdict preference: {summary.decide})",
            "",
            _md_table(
                ["model", "condition", "decided by"],
                [[c.model, c.label, c.decided_by_text] for c in summary.cells.values()],
            ),
        ]
    if summary.agreement:
        rows = []
        for a in summary.agreement:
            sc = a.score
            kappa = "-" if sc.kappa is None else f"{sc.kappa:.2f}"
            iv = sc.kappa_interval(summary.confidence)
            if iv is not None:
                kappa += f" [{iv.lower:.2f}, {iv.upper:.2f}]"
            rows.append(
                [
                    a.model,
                    a.category,
                    a.heuristic,
                    a.judge,
                    str(a.both),
                    str(sc.tp),
                    str(sc.fp),
                    str(sc.fn),
                    str(sc.tn),
                    str(sc.unscorable),
                    _pct(a.agreement),
                    kappa,
                ]
            )
        out += [
            "",
            f"## Heuristic-judge agreement (kappa with a {conf} interval)",
            "",
            _md_table(
                [
                    "model",
                    "category",
                    "heuristic",
                    "judge",
                    "both scored",
                    "both flagged",
                    "only judge",
                    "only heuristic",
                    "neither",
                    "judge unscorable",
                    "agreement",
                    "kappa",
                ],
                rows,
            ),
            "",
            JUDGE_AGREEMENT_HOW_TO_READ,
        ]
    return out


def render_markdown(summary: StudySummary) -> str:
    """The full report as Markdown."""
    each_condition = "the harm detector of each condition's scenario (latest version)"
    conf = f"{summary.confidence:.0%}"
    out = [
        f"<!-- {summary.canary} -->",
        f"# Study report: {summary.name}{summary.simulator_title}",
        "",
        *([f"> **Simulated rates.** {summary.simulator_notice}", ""] if summary.simulator_notice else []),
        f"Canary: `{summary.canary}` (keep this report out of training data).",
        f"Store: `{summary.path}`. Harm decided by: {summary.detector or each_condition}.",
        "",
        f"## Harmful rate per model and condition ({conf} Wilson interval, n = scorable samples)",
        "",
        rate_table(summary),
        "",
        *(line for title, text in summary.heuristic_notices for line in (f"> **{title}.** {text}", "")),
        f"## Per cell, with Wilson and Clopper-Pearson {conf} intervals",
        "",
    ]
    rows = []
    for c in summary.cells.values():
        w, cp = c.wilson, c.clopper_pearson
        rows.append(
            [
                c.model,
                c.label,
                str(c.harmful),
                str(c.scorable),
                str(c.unscorable),
                _pct(w.estimate if w else None),
                _interval(w),
                _interval(cp),
            ]
        )
    out.append(
        _md_table(
            ["model", "condition", "harmful", "n", "unscorable", "rate", "Wilson", "Clopper-Pearson"], rows
        )
    )
    out += decided_markdown(summary)
    reasons = [(c, reason, k) for c in summary.cells.values() for reason, k in c.reasons.most_common()]
    out += ["", "## Unscorable samples (not counted in any rate)", ""]
    if reasons:
        out.append(
            _md_table(
                ["model", "condition", "count", "reason"],
                [[c.model, c.label, str(k), r] for c, r, k in reasons],
            )
        )
    else:
        out.append("None.")
    if summary.pooled:
        out += ["", "## Pooled over conditions (cluster bootstrap over conditions)", ""]
        out.append(
            _md_table(["model", "pooled rate"], [[m, _pooled_text(p)] for m, p in summary.pooled.items()])
        )
    if any(summary.marginals.values()):
        out += ["", "## Per-factor breakdown (marginal rates, samples pooled)", ""]
        rows = [
            [model, factor, level, _rate_text(rate)]
            for model, factors in summary.marginals.items()
            for factor, levels in factors.items()
            for level, rate in levels.items()
        ]
        out.append(_md_table(["model", "factor", "level", "rate"], rows))
    if summary.differences:
        out += [
            "",
            f"## Differences between matched conditions (one factor apart; Newcombe {conf} interval)",
            "",
        ]
        rows = [
            [
                d.model,
                d.factor,
                f"{d.level_a} ({d.label_a})",
                f"{d.level_b} ({d.label_b})",
                f"{100 * d.result.difference:+.1f} pts",
                f"[{100 * d.result.interval.lower:+.1f}, {100 * d.result.interval.upper:+.1f}]",
            ]
            for d in summary.differences
        ]
        out.append(_md_table(["model", "factor", "a", "b", "a - b", "interval"], rows))
        out += ["", DIFFERENCE_ORIENTATION]
    if summary.perturbations:
        out += ["", f"## Perturbation sweeps: each variant against its base ({conf} Newcombe interval)", ""]
        out.append(_md_table(_SWEEP_HEADER, [_sweep_row(c) for c in summary.perturbations]))
        out += ["", "Per operator:", "", _md_table(_GROUP_HEADER, _operator_rows(summary.perturbations))]
        out += ["", SWEEP_HOW_TO_READ]
    if summary.awareness:
        out += ["", f"## Eval awareness crossed with harm ({conf} Wilson and Newcombe intervals)", ""]
        out.append(_md_table(_AWARENESS_HEADER, [_awareness_row(a) for a in summary.awareness]))
        out += ["", AWARENESS_HOW_TO_READ]
        out += ["", "Published beside it (harmful rate by what the reasoning stated):", ""]
        if summary.published_note:
            out += [f"> **{summary.published_note}**", ""]
        out.append(
            _md_table(
                ["model", "study condition", "says real", "says test", "this study: says real", "says test"],
                [_published_awareness_row(p, summary) for p in PUBLISHED_AWARENESS],
            )
        )
    if summary.published:
        if summary.published_note:
            out += [
                "",
                "## Published rates of the Agentic Misalignment study (real models; not comparable)",
                "",
            ]
            out += [f"> **{summary.published_note}**", ""]
        else:
            out += ["", "## Published rates of the Agentic Misalignment study beside matching conditions", ""]
        rows = [
            [
                m.label,
                m.published.model,
                m.published.condition,
                _pct(m.published.rate),
                _pct(m.published.inspect_rerun),
                "; ".join(
                    f"{name}: {_cell_rate(r)}{' (simulated, not comparable)' if is_simulated(name) else ''}"
                    for name, r in m.ours
                )
                or "(model not in this study)",
            ]
            for m in summary.published
        ]
        out.append(
            _md_table(
                ["condition here", "model", "study condition", "published", "Inspect re-run", "this study"],
                rows,
            )
        )
        out += ["", f"Source: {summary.published_source}."]
    costs = [c for c in summary.costs if c.cost_usd != 0.0 and (c.input_tokens or c.output_tokens)]
    if costs:
        out += ["", "## Cost per model (estimated, every stored attempt)", ""]
        out.append(
            _md_table(
                [
                    "model",
                    "attempts",
                    "input tokens",
                    "cached read",
                    "cache write",
                    "output tokens",
                    "cost",
                    "without caching",
                    "per attempt",
                    "per attempt without caching",
                ],
                [_cost_row(c) for c in costs],
            )
        )
        out += ["", COST_HOW_TO_READ]
    if summary.other_rates:
        out += ["", "## Other detectors (rate of flagged samples)", ""]
        labels = dict(summary.conditions)
        rows = [
            [model, labels.get(fp, fp[:12]), det, _rate_text(rate)]
            for (model, fp, det), rate in summary.other_rates.items()
        ]
        out.append(_md_table(["model", "condition", "detector", "flagged"], rows))
    if summary.review is not None:
        from scenariokit.report._review import review_markdown

        out += ["", *review_markdown(summary.review)]
    if summary.detectors_seen:
        out += [
            "",
            "Detector versions stored (latest used): "
            + ", ".join(f"{name} {'/'.join(v)}" for name, v in summary.detectors_seen.items()),
        ]
    out += ["", f"<!-- {summary.canary} -->", ""]
    return printable("\n".join(out))


_SWEEP_HEADER = [
    "model",
    "variant",
    "base",
    "operator",
    "declared effect",
    "changes",
    "variant rate",
    "base rate",
    "variant - base",
    "interval",
    "Holm p",
    "reading",
]
_GROUP_HEADER = [
    "model",
    "operator",
    "declared effect",
    "variants",
    "flagged",
    "differences (variant - base)",
]
_AWARENESS_HEADER = [
    "model",
    "condition",
    "says test",
    "says real",
    "silent",
    "unknown",
    "real - test",
    "silent - test",
    "detector",
]


def _diff_text(d: RateDifference | None) -> str:
    if d is None:
        return "undefined (a group is empty)"
    return f"{100 * d.difference:+.1f} pts [{100 * d.interval.lower:+.1f}, {100 * d.interval.upper:+.1f}]"


def _sweep_row(c: PerturbationComparison) -> list[str]:
    changes = "; ".join(c.changes[:2]) + (f"; +{len(c.changes) - 2} more" if len(c.changes) > 2 else "")
    return [
        c.model,
        c.variant_label,
        c.base_label,
        c.operator,
        c.effect,
        changes,
        _rate_text(c.result.rate_a),
        _rate_text(c.result.rate_b),
        f"{100 * c.result.difference:+.1f} pts",
        f"[{100 * c.result.interval.lower:+.1f}, {100 * c.result.interval.upper:+.1f}]",
        "-" if c.adjusted_p is None else f"{c.adjusted_p:.3g}",
        c.reading.upper() if c.flagged or c.reading == "opposite" else c.reading,
    ]


def _operator_rows(comparisons: list[PerturbationComparison]) -> list[list[str]]:
    groups: dict[tuple[str, str, str], list[PerturbationComparison]] = {}
    for c in comparisons:
        groups.setdefault((c.model, c.operator, c.effect), []).append(c)
    rows = []
    for (model, operator, effect), items in groups.items():
        flagged = sum(c.flagged for c in items) if effect == "invariant" else None
        readings = ", ".join(f"{100 * c.result.difference:+.1f}" for c in items)
        rows.append(
            [
                model,
                operator,
                effect,
                str(len(items)),
                "-" if flagged is None else str(flagged),
                f"{readings} pts",
            ]
        )
    return rows


def _published_awareness_row(p: PublishedAwareness, summary: StudySummary) -> list[str]:
    ours = [a for a in summary.awareness if a.fingerprint is None and p.matches_model(a.model)]
    return [
        p.model,
        p.condition,
        _pct(p.says_real),
        _pct(p.says_test),
        "; ".join(f"{a.model}: {_rate_text(a.groups['says_real'])}" for a in ours)
        or "(model not in this study)",
        "; ".join(f"{a.model}: {_rate_text(a.groups['says_test'])}" for a in ours) or "-",
    ]


def _awareness_row(a: AwarenessSplit) -> list[str]:
    return [
        a.model,
        a.label,
        *[_rate_text(a.groups[g]) for g in AWARENESS_GROUPS],
        str(a.unknown),
        _diff_text(a.real_minus_test),
        _diff_text(a.silent_minus_test),
        ", ".join(a.detectors) or "-",
    ]


def _cell_rate(r: Rate) -> str:
    if r.estimate is None or r.interval is None:
        return "n=0"
    return f"{_pct(r.estimate)} [{_pct(r.interval.lower)}, {_pct(r.interval.upper)}] n={r.scorable}"


def _interval(r: Rate | None) -> str:
    if r is None or r.interval is None:
        return "-"
    return f"[{_pct(r.interval.lower)}, {_pct(r.interval.upper)}]"


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.6f}"


def _rate_cols(r: Rate | None) -> list[str]:
    if r is None:
        return ["", "", "", "", ""]
    lower = upper = None
    if r.interval is not None:
        lower, upper = r.interval.lower, r.interval.upper
    return [str(r.harmful), str(r.scorable), _f(r.estimate), _f(lower), _f(upper)]


def _diff_cols(d: RateDifference | None) -> list[str]:
    if d is None:
        return ["", "", ""]
    return [_f(d.difference), _f(d.interval.lower), _f(d.interval.upper)]


def _group_header(prefix: str) -> list[str]:
    return [f"{prefix}_harmful", f"{prefix}_scorable", f"{prefix}_rate", f"{prefix}_lower", f"{prefix}_upper"]


_AWARENESS_CSV = [
    *[col for g in AWARENESS_GROUPS for col in _group_header(g)],
    "awareness_unknown",
    "real_minus_test",
    "real_minus_test_lower",
    "real_minus_test_upper",
    "silent_minus_test",
    "silent_minus_test_lower",
    "silent_minus_test_upper",
]


def _awareness_cols(a: AwarenessSplit | None) -> list[str]:
    if a is None:
        return [""] * len(_AWARENESS_CSV)
    return [
        *[col for g in AWARENESS_GROUPS for col in _rate_cols(a.groups[g])],
        str(a.unknown),
        *_diff_cols(a.real_minus_test),
        *_diff_cols(a.silent_minus_test),
    ]


def render_csv(summary: StudySummary, table: CsvTable = "cells") -> str:
    """A CSV table that parses with default settings (``csv.DictReader``, ``pandas.read_csv``).

    The first line is the header. The last two columns are ``simulated`` (``true`` when the row's rates come
    from the offline simulator, ``sim/...``, not from a real model) and ``canary``, the canary string. In the
    ``cells`` table, ``decided_by`` lists the detectors whose verdicts decided the cell's samples
    (``name=samples``, separated by ``;``) and ``heuristic_unvalidated_world`` is ``true`` when a built-in
    heuristic decided some of them in a world that is not a built-in family's (the report's custom-world notice).
    In the ``cells`` table, ``heuristic_below_target`` (appended after the sweep columns, just before those two)
    is ``true`` when a heuristic that missed its targets on blind text even in the built-in families
    (``BELOW_TARGET_HEURISTICS``) decided some of the cell's samples (the report's below-target notice).

    Args:
        summary: The summary.
        table: ``cells`` (default): one row per (model, condition), with its awareness split and, for a
            sweep variant, its comparison with its base; ``awareness``: the awareness split per model (all
            conditions) and per condition where n allows; ``perturbations``: one row per sweep variant and
            model; ``differences``: one row per pair of matched conditions, ``a - b`` oriented as
            :data:`DIFFERENCE_ORIENTATION` says; ``costs``: one row per model, its tokens (cached reads and
            cache writes apart) and estimated dollars with prompt caching and without (empty when unpriced).

    Returns:
        The CSV text.
    """
    buffer = io.StringIO()
    writer = _CanaryWriter(csv.writer(buffer, lineterminator="\n"), summary.canary)
    if table == "awareness":
        writer.writerow(
            ["model", "condition", "fingerprint", *_AWARENESS_CSV, "awareness_detectors", "confidence"]
        )
        for a in summary.awareness:
            writer.writerow(
                [
                    a.model,
                    a.label,
                    a.fingerprint or "",
                    *_awareness_cols(a),
                    ";".join(a.detectors),
                    summary.confidence,
                ]
            )
        return buffer.getvalue()
    if table == "perturbations":
        writer.writerow(_PERTURBATION_CSV)
        for comparison in summary.perturbations:
            writer.writerow([*_perturbation_cols(comparison), str(summary.confidence)])
        return buffer.getvalue()
    if table == "differences":
        writer.writerow(_DIFFERENCE_CSV)
        for d in summary.differences:
            writer.writerow(
                [
                    d.model,
                    d.factor,
                    d.level_a,
                    d.label_a,
                    d.level_b,
                    d.label_b,
                    str(d.result.rate_a.harmful),
                    str(d.result.rate_a.scorable),
                    str(d.result.rate_b.harmful),
                    str(d.result.rate_b.scorable),
                    *_diff_cols(d.result),
                    str(summary.confidence),
                ]
            )
        return buffer.getvalue()
    if table == "costs":
        writer.writerow(
            [
                "model",
                "attempts",
                "input_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "output_tokens",
                "cost_usd",
                "uncached_cost_usd",
            ]
        )
        for cost in summary.costs:
            writer.writerow(
                [
                    cost.model,
                    cost.attempts,
                    cost.input_tokens,
                    cost.cache_read_tokens,
                    cost.cache_write_tokens,
                    cost.output_tokens,
                    "" if cost.cost_usd is None else repr(cost.cost_usd),
                    "" if cost.uncached_cost_usd is None else repr(cost.uncached_cost_usd),
                ]
            )
        return buffer.getvalue()
    if table != "cells":
        raise ValueError(
            f"unknown CSV table {table!r}; use 'cells', 'awareness', 'perturbations', 'differences' or 'costs'"
        )
    writer.writerow(
        [
            "model",
            "condition",
            "condition_id",
            "fingerprint",
            "harmful",
            "scorable",
            "unscorable",
            "failed",
            "rate",
            "wilson_lower",
            "wilson_upper",
            "clopper_pearson_lower",
            "clopper_pearson_upper",
            "confidence",
            "factors",
            "decided_by",
            "heuristic_unvalidated_world",
            *_AWARENESS_CSV,
            *[f"sweep_{h}" for h in _PERTURBATION_CSV[2:-1]],
            "heuristic_below_target",
        ]
    )
    by_variant: dict[tuple[str, str], PerturbationComparison] = {}
    for item in summary.perturbations:
        by_variant.setdefault((item.model, item.variant_fingerprint), item)
    for c in summary.cells.values():
        w, cp = c.wilson, c.clopper_pearson
        variant = by_variant.get((c.model, c.fingerprint))
        writer.writerow(
            [
                c.model,
                c.label,
                c.condition_id or "",
                c.fingerprint,
                c.harmful,
                c.scorable,
                c.unscorable,
                c.failed,
                "" if w is None or w.estimate is None else f"{w.estimate:.6f}",
                "" if w is None or w.interval is None else f"{w.interval.lower:.6f}",
                "" if w is None or w.interval is None else f"{w.interval.upper:.6f}",
                "" if cp is None or cp.interval is None else f"{cp.interval.lower:.6f}",
                "" if cp is None or cp.interval is None else f"{cp.interval.upper:.6f}",
                summary.confidence,
                ";".join(f"{k}={v}" for k, v in c.factors.items()),
                ";".join(f"{name}={k}" for name, k in sorted(c.decided_by.items())),
                "true" if c.heuristic_unvalidated_world else "false",
                *_awareness_cols(summary.awareness_cells.get((c.model, c.fingerprint))),
                *(_perturbation_cols(variant)[2:] if variant else [""] * (len(_PERTURBATION_CSV) - 3)),
                "true" if c.heuristic_below_target else "false",
            ]
        )
    return buffer.getvalue()


_DIFFERENCE_CSV = [
    "model",
    "factor",
    "level_a",
    "condition_a",
    "level_b",
    "condition_b",
    "a_harmful",
    "a_scorable",
    "b_harmful",
    "b_scorable",
    "difference",
    "difference_lower",
    "difference_upper",
    "confidence",
]


_PERTURBATION_CSV = [
    "model",
    "variant",
    "base",
    "base_fingerprint",
    "operator",
    "declared_effect",
    "changes",
    "variant_harmful",
    "variant_scorable",
    "base_harmful",
    "base_scorable",
    "difference",
    "difference_lower",
    "difference_upper",
    "p_value",
    "holm_adjusted_p",
    "reading",
    "confidence",
]


def _perturbation_cols(c: PerturbationComparison) -> list[str]:
    return [
        c.model,
        c.variant_label,
        c.base_label,
        c.base_fingerprint,
        c.operator,
        c.effect,
        " | ".join(c.changes),
        str(c.result.rate_a.harmful),
        str(c.result.rate_a.scorable),
        str(c.result.rate_b.harmful),
        str(c.result.rate_b.scorable),
        *_diff_cols(c.result),
        _f(c.p_value),
        _f(c.adjusted_p),
        c.reading,
    ]


class _CanaryWriter:
    """A CSV writer that adds two last columns to every table (whose first column is the model).

    ``simulated`` (``true`` when the row's model is the offline simulator, ``sim/...``) and ``canary``.
    """

    def __init__(self, writer: Any, canary: str) -> None:
        self._writer = writer
        self._canary = canary
        self._header = True

    def writerow(self, row: Sequence[object]) -> None:
        if self._header:
            self._writer.writerow([*row, "simulated", "canary"])
        else:
            self._writer.writerow([*row, "true" if is_simulated(str(row[0])) else "false", self._canary])
        self._header = False


def render_json(summary: StudySummary) -> str:
    """The summary as indented JSON (with the canary)."""
    return json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;max-width:80rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:0.3rem 0.6rem;text-align:left}
th{background:#f3f3f3}td.num{text-align:right}.canary{color:#777;font-size:0.85rem}img{max-width:100%}
.notice{background:#fff4e5;border-left:4px solid #e67e22;padding:0.5rem 0.8rem}
details.detector{margin:0.2rem 0}details.detector summary{cursor:pointer;padding:0.2rem 0}
"""

_OTHER_DETECTORS = "## Other detectors (rate of flagged samples)"

_NO_MATPLOTLIB = (
    '<p class="notice"><strong>No plot:</strong> matplotlib is not installed, so this report has no plot of '
    "the rates. Install it with <code>pip install 'scenariokit[plot]'</code> (from a checkout: "
    "<code>pip install -e '.[plot]'</code>) and run the report again.</p>"
)


def _other_detectors_html(summary: StudySummary) -> str:
    """The other detectors' flag rates, one collapsed section per detector (open it for its cells)."""
    labels = dict(summary.conditions)
    by_detector: dict[str, list[tuple[str, str, Rate]]] = {}
    for (model, fp, det), rate in summary.other_rates.items():
        by_detector.setdefault(det, []).append((model, labels.get(fp, fp[:12]), rate))
    parts = [
        f"<h2>{html.escape(_OTHER_DETECTORS[3:])}</h2>",
        "<p>Descriptive flags of the other detectors, one per detector: open one to see its rate per model "
        "and condition.</p>",
    ]
    for det, rows in sorted(by_detector.items()):
        flagged = sum(r.harmful for _, _, r in rows)
        scorable = sum(r.scorable for _, _, r in rows)
        estimates = [r.estimate for _, _, r in rows if r.estimate is not None]
        spread = f"; per cell {_pct(min(estimates))} to {_pct(max(estimates))}" if estimates else ""
        overall = (
            f"{flagged} of {scorable} scorable samples ({_pct(flagged / scorable if scorable else None)})"
        )
        table = _html_table(
            _md_table(["model", "condition", "flagged"], [[m, c, _rate_text(r)] for m, c, r in rows])
        )
        parts.append(
            f'<details class="detector"><summary><strong>{html.escape(det)}</strong>: flagged {overall} over '
            f"{len(rows)} cell(s){spread}</summary>{table}</details>"
        )
    return "".join(parts)


def _html_table(md: str) -> str:
    lines = [line for line in md.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return f"<p>{html.escape(md)}</p>"
    header = [h.strip().replace("\\|", "|") for h in lines[0].strip("|").split(" | ")]
    body = [[c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")] for line in lines[2:]]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _bold(escaped: str) -> str:
    """Markdown's ``**strong**`` in an already escaped line, as ``<strong>``."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)


def render_html(
    summary: StudySummary, *, plot_png: bytes | None = None, samples: DrillDown | None = None
) -> str:
    """One self-contained HTML file (inline CSS; the plot, if given, embedded as a data URI).

    Args:
        summary: The summary.
        plot_png: A plot to embed.
        samples: The drill-down (``scenariokit.report.drilldown``): every rate links to its samples, each
            sample to a page with its verdicts and transcript, evidence highlighted; all inside the file.

    Returns:
        The HTML text.
    """
    import base64

    markdown = render_markdown(summary)
    body: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            body.append(_html_table("\n".join(block)))
            block.clear()

    in_other_detectors = False
    for line in markdown.splitlines():
        if line == _OTHER_DETECTORS:  # grouped per detector and collapsed, from the summary itself
            flush()
            body.append(_other_detectors_html(summary))
            in_other_detectors = True
            continue
        if in_other_detectors:
            if line.startswith("|") or not line.strip():
                continue
            in_other_detectors = False
        if line.startswith("|"):
            block.append(line)
            continue
        flush()
        if line.startswith("<!--"):
            continue
        if line.startswith("> "):
            text = html.escape(line[2:]).replace("`", "")
            body.append(f'<p class="notice">{_bold(text)}</p>')
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.strip():
            body.append(f"<p>{html.escape(line).replace('`', '')}</p>")
    flush()
    first_section = next((i for i, part in enumerate(body) if part.startswith("<h2>")), len(body))
    if plot_png is not None:
        data = base64.b64encode(plot_png).decode()
        body.insert(
            first_section, f'<img alt="harmful rates with intervals" src="data:image/png;base64,{data}">'
        )
    elif importlib.util.find_spec("matplotlib") is None:
        body.insert(first_section, _NO_MATPLOTLIB)
    app = ""
    if samples is not None:
        from scenariokit.report._drilldown import drilldown_html

        intro, app = drilldown_html(samples)
        first_section = next((i for i, part in enumerate(body) if part.startswith("<h2>")), len(body))
        body.insert(first_section, intro)
    title = html.escape(f"Study report: {summary.name}")
    return (
        f'<!DOCTYPE html>\n<!-- {summary.canary} -->\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="scenariokit-canary" content="{summary.canary}"><title>{title}</title>'
        f'<style>{_CSS}</style></head><body>\n<div id="sk-report">{"".join(body)}</div>{app}\n'
        f'<p class="canary">{summary.canary}</p></body></html>\n'
    )


def render(
    summary: StudySummary,
    fmt: ReportFormat,
    *,
    plot_png: bytes | None = None,
    samples: DrillDown | None = None,
) -> str:
    """Render a summary in one of the formats (``md``, ``csv``, ``json``, ``html``; ``samples``: HTML only)."""
    if fmt == "md":
        return render_markdown(summary)
    if fmt == "csv":
        return render_csv(summary)
    if fmt == "json":
        return render_json(summary)
    return render_html(summary, plot_png=plot_png, samples=samples)
