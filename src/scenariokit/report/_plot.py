"""An optional plot of harmful rates with their intervals (needs the ``plot`` extra: matplotlib)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from scenariokit.report._summary import StudySummary


class PlotUnavailableError(ImportError):
    """matplotlib is not installed; install the ``plot`` extra."""


def _pyplot() -> Any:
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise PlotUnavailableError(
            "plotting needs matplotlib, which is not installed; install it with "
            "pip install 'scenariokit[plot]' (or pip install matplotlib)"
        ) from None
    return plt


def _plain(text: str) -> str:
    """``text`` drawn as written: a ``$`` starts no mathematics; control and format characters are left out."""
    return "".join(c if c.isprintable() else " " if c.isspace() else "" for c in text).replace("$", "\\$")


def plot_rates(summary: StudySummary, path: str | Path | None = None) -> bytes:
    """Plot each (model, condition) rate with its Wilson interval; return the PNG (and write it to ``path``).

    Raises:
        PlotUnavailableError: If matplotlib is not installed.
    """
    plt = _pyplot()
    labels = [_plain(label) for _, label in summary.conditions]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(labels) + 2), 4.5))
    width = 0.8 / max(1, len(summary.models))
    for m, model in enumerate(summary.models):
        xs, ys, lo, hi = [], [], [], []
        for i, (fp, _) in enumerate(summary.conditions):
            cell = summary.cell(model, fp)
            if (
                cell is None
                or cell.wilson is None
                or cell.wilson.estimate is None
                or cell.wilson.interval is None
            ):
                continue
            xs.append(i - 0.4 + width * (m + 0.5))
            ys.append(cell.wilson.estimate)
            lo.append(cell.wilson.estimate - cell.wilson.interval.lower)
            hi.append(cell.wilson.interval.upper - cell.wilson.estimate)
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=3, label=_plain(model))
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"harmful rate ({summary.confidence:.0%} Wilson interval)")
    ax.set_title(_plain(f"{summary.name}{summary.simulator_title}"), fontsize=10)
    ax.legend(fontsize=8)
    fig.text(0.01, 0.01, summary.canary, fontsize=5, color="#999999")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    png = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(png)
    return png
