"""Report formats: Markdown (also the terminal table), CSV, JSON and one self-contained HTML file.

Every format carries the canary string.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Literal

from scenariokit.report._summary import CellStats, StudySummary
from scenariokit.stats import Rate

ReportFormat = Literal["md", "csv", "json", "html"]
"""The report formats."""


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


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def rate_table(summary: StudySummary) -> str:
    """The study's table: models as rows, conditions as columns; rate [Wilson interval] n=scorable."""
    header = ["model", *[label for _, label in summary.conditions]]
    rows = [
        [model, *[_cell_text(summary.cell(model, fp)) for fp, _ in summary.conditions]]
        for model in summary.models
    ]
    return _md_table(header, rows)


def render_terminal(summary: StudySummary) -> str:
    """The short report printed after a run: the rate table, pooled rates and unscorable counts."""
    conf = f"{summary.confidence:.0%}"
    parts = [
        f"# {summary.canary}",
        f"Harmful rate per model and condition ({conf} Wilson intervals; n = scorable samples):",
        "",
        rate_table(summary),
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
    return "\n".join(parts)


def _pooled_text(p: object) -> str:
    from scenariokit.stats import PooledRate

    assert isinstance(p, PooledRate)
    if p.estimate is None or p.interval is None:
        return f"undefined ({p.undefined_reason})"
    return (
        f"{_pct(p.estimate)} [{_pct(p.interval.lower)}, {_pct(p.interval.upper)}] over {p.clusters} condition(s), "
        f"{p.harmful}/{p.scorable}"
    )


def render_markdown(summary: StudySummary) -> str:
    """The full report as Markdown."""
    conf = f"{summary.confidence:.0%}"
    out = [
        f"<!-- {summary.canary} -->",
        f"# Study report: {summary.name}",
        "",
        f"Canary: `{summary.canary}` (keep this report out of training data).",
        f"Store: `{summary.path}`. Harm decided by: {summary.detector or 'each family harm detector (latest version)'}.",
        "",
        f"## Harmful rate per model and condition ({conf} Wilson interval, n = scorable samples)",
        "",
        rate_table(summary),
        "",
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
    if summary.published:
        out += ["", "## Published rates of the Agentic Misalignment study beside matching conditions", ""]
        rows = [
            [
                m.label,
                m.published.model,
                m.published.condition,
                _pct(m.published.rate),
                _pct(m.published.inspect_rerun),
                "; ".join(f"{name}: {_cell_rate(r)}" for name, r in m.ours) or "(model not in this study)",
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
    if summary.other_rates:
        out += ["", "## Other detectors (rate of flagged samples)", ""]
        labels = dict(summary.conditions)
        rows = [
            [model, labels.get(fp, fp[:12]), det, _rate_text(rate)]
            for (model, fp, det), rate in summary.other_rates.items()
        ]
        out.append(_md_table(["model", "condition", "detector", "flagged"], rows))
    if summary.detectors_seen:
        out += [
            "",
            "Detector versions stored (latest used): "
            + ", ".join(f"{name} {'/'.join(v)}" for name, v in summary.detectors_seen.items()),
        ]
    out += ["", f"<!-- {summary.canary} -->", ""]
    return "\n".join(out)


def _cell_rate(r: Rate) -> str:
    if r.estimate is None or r.interval is None:
        return "n=0"
    return f"{_pct(r.estimate)} [{_pct(r.interval.lower)}, {_pct(r.interval.upper)}] n={r.scorable}"


def _interval(r: Rate | None) -> str:
    if r is None or r.interval is None:
        return "-"
    return f"[{_pct(r.interval.lower)}, {_pct(r.interval.upper)}]"


def render_csv(summary: StudySummary) -> str:
    """One row per (model, condition); the first line is a comment with the canary."""
    buffer = io.StringIO()
    buffer.write(f"# {summary.canary}\n")
    writer = csv.writer(buffer, lineterminator="\n")
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
        ]
    )
    for c in summary.cells.values():
        w, cp = c.wilson, c.clopper_pearson
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
            ]
        )
    return buffer.getvalue()


def render_json(summary: StudySummary) -> str:
    """The summary as indented JSON (with the canary)."""
    return json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;max-width:80rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:0.3rem 0.6rem;text-align:left}
th{background:#f3f3f3}td.num{text-align:right}.canary{color:#777;font-size:0.85rem}img{max-width:100%}
"""


def _html_table(md: str) -> str:
    lines = [line for line in md.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return f"<p>{html.escape(md)}</p>"
    header = [h.strip() for h in lines[0].strip("|").split(" | ")]
    body = [[c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")] for line in lines[2:]]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render_html(summary: StudySummary, *, plot_png: bytes | None = None) -> str:
    """One self-contained HTML file (inline CSS; the plot, if given, embedded as a data URI)."""
    import base64

    markdown = render_markdown(summary)
    body: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            body.append(_html_table("\n".join(block)))
            block.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            block.append(line)
            continue
        flush()
        if line.startswith("<!--"):
            continue
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.strip():
            body.append(f"<p>{html.escape(line).replace('`', '')}</p>")
    flush()
    if plot_png is not None:
        data = base64.b64encode(plot_png).decode()
        body.insert(2, f'<img alt="harmful rates with intervals" src="data:image/png;base64,{data}">')
    title = html.escape(f"Study report: {summary.name}")
    return (
        f'<!DOCTYPE html>\n<!-- {summary.canary} -->\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="scenariokit-canary" content="{summary.canary}"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body>\n{''.join(body)}\n"
        f'<p class="canary">{summary.canary}</p></body></html>\n'
    )


def render(summary: StudySummary, fmt: ReportFormat, *, plot_png: bytes | None = None) -> str:
    """Render a summary in one of the formats (``md``, ``csv``, ``json``, ``html``)."""
    if fmt == "md":
        return render_markdown(summary)
    if fmt == "csv":
        return render_csv(summary)
    if fmt == "json":
        return render_json(summary)
    return render_html(summary, plot_png=plot_png)
