"""``scenariokit report``: rates with intervals, factor breakdowns and published rates from a study store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenariokit.cli._common import Command, Subparsers, UsageError
from scenariokit.experiment import ExperimentError, StudyStore
from scenariokit.report import (
    DEFAULT_MAX_TRANSCRIPTS,
    PlotUnavailableError,
    drilldown,
    plot_rates,
    render,
    render_csv,
    summarize,
)


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="report a study: rates with intervals per model and condition, breakdowns, published rates",
        description=(
            "Report a study store: harmful rate per (model, condition) with Wilson and Clopper-Pearson "
            "intervals (unscorable samples counted apart, with reasons), per-factor breakdowns, differences "
            "between matched conditions, pooled rates (cluster bootstrap), perturbation-sweep variants against "
            "their base, the harmful rate by eval awareness (says test / says real / silent; observational) and "
            "the Agentic Misalignment study's published rates beside matching conditions."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    parser.add_argument("--format", choices=("md", "csv", "json", "html"), default="md", help="output format")
    parser.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    parser.add_argument(
        "--detector",
        help="decide harm with this detector (default: each condition's harm detector, from what its scenario "
        "contains: leverage -> blackmail, confidential material -> leak, an emergency alert -> lethal_action)",
    )
    parser.add_argument(
        "--harm-category",
        action="append",
        default=[],
        metavar="FAMILY=CATEGORY",
        help="decide the rate of FAMILY's conditions by verdicts of CATEGORY (e.g. leverage_disclosure) instead "
        "of the category its scenarios probe; repeatable",
    )
    parser.add_argument(
        "--decide",
        choices=("heuristic", "judge", "any", "all"),
        help="when a judge looked too: the verdict that decides each rate (default: the latest run's judge.decide, "
        "else heuristic); any/all use the combined verdicts of 'rescore --judge-decide any|all'",
    )
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument(
        "--table",
        choices=("cells", "awareness", "perturbations", "differences", "costs"),
        default="cells",
        help="with --format csv: the table to write (default: one row per model and condition; differences: "
        "matched conditions, a - b with a the factor's level declared first; costs: per model, with prompt "
        "caching and without)",
    )
    parser.add_argument(
        "--awareness-detector",
        help="group samples by this eval-awareness detector's labels (default: the heuristic, else a judge)",
    )
    parser.add_argument(
        "--plot", type=Path, metavar="FILE.png", help="also plot the rates (needs matplotlib)"
    )
    parser.add_argument(
        "--max-transcripts",
        type=int,
        default=DEFAULT_MAX_TRANSCRIPTS,
        metavar="N",
        help="with --format html: embed at most N transcripts for the drill-down (default "
        f"{DEFAULT_MAX_TRANSCRIPTS}; every sample is listed, and the report says how many were left out)",
    )
    parser.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.max_transcripts < 0:
        raise UsageError(f"--max-transcripts must be 0 or more, got {args.max_transcripts}")
    if not 0.0 < args.confidence < 1.0:
        raise UsageError(f"--confidence must be between 0 and 1, got {args.confidence}")
    categories: dict[str, str] = {}
    for item in args.harm_category:
        family, sep, category = item.partition("=")
        if not sep or not family.strip() or not category.strip():
            raise UsageError(
                f"--harm-category takes FAMILY=CATEGORY (e.g. my_family=blackmail), got {item!r}"
            )
        categories[family.strip()] = category.strip()
    try:
        with StudyStore(args.store, readonly=True) as store:
            _check_detector_names(store, args.detector, "--detector")
            _check_detector_names(store, args.awareness_detector, "--awareness-detector")
            summary = summarize(
                store,
                detector=args.detector,
                confidence=args.confidence,
                awareness_detector=args.awareness_detector,
                harm_category=categories,
                decide=args.decide,
            )
            drill = None
            if args.format == "html":
                drill = drilldown(
                    store,
                    summary,
                    max_transcripts=args.max_transcripts,
                    harm_category=categories,
                    awareness_detector=args.awareness_detector,
                )
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    png = None
    if args.plot is not None or (args.format == "html" and args.plot is None and _has_matplotlib()):
        if args.plot is not None and not args.plot.parent.is_dir():
            raise UsageError(
                f"--plot {args.plot}: the folder {args.plot.parent} does not exist; create it first"
            )
        try:
            png = plot_rates(summary)
        except PlotUnavailableError as exc:
            raise UsageError(str(exc)) from None
        if args.plot is not None:
            try:
                args.plot.write_bytes(png)
            except OSError as exc:
                raise UsageError(
                    f"--plot {args.plot}: cannot write the plot: {exc.strerror or exc}"
                ) from None
    if args.table != "cells" and args.format != "csv":
        raise UsageError(
            f"--table {args.table} applies to --format csv; the other formats include every table"
        )
    text = (
        render_csv(summary, args.table)
        if args.format == "csv"
        else render(summary, args.format, plot_png=png, samples=drill)
    )
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return 0


def _check_detector_names(store: StudyStore, name: str | None, option: str) -> None:
    """Refuse a detector name that has no verdict in the store (a typo would make every sample unscorable)."""
    if name is None:
        return
    known = store.detector_versions()
    if name not in known:
        names = ", ".join(sorted(known)) or "none: run 'scenariokit rescore' first"
        raise UsageError(
            f"{option} {name!r}: the store {store.path} has no verdict of that detector; known detectors: {names}"
        )


def _has_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


COMMAND = Command(name="report", register=_register)
"""The ``report`` sub-command."""
