"""``scenariokit samples``, ``sample`` and ``review``: list, read and label the samples of a study store."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scenariokit.cli._common import Command, Subparsers, UsageError, print_json
from scenariokit.experiment import ExperimentError, StudyStore
from scenariokit.report import SampleFilter, SampleRow, list_samples, sample_detail
from scenariokit.report._printable import printable, printable_data
from scenariokit.report._review import ReviewError, add_labels, read_sheet, write_sheet
from scenariokit.scenario import CANARY

_OUTCOME_STYLE = {"harmful": "bold red", "benign": "green", "unscorable": "yellow", "ambiguous": "yellow"}
_HIGHLIGHT = {
    "harmful": "black on bright_red",
    "benign": "black on bright_green",
    "unscorable": "black on yellow",
}
_FOLD_LINES = 6


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--model", help="only this model (provider/model)")
    group.add_argument("--condition", help="only this condition: its label, study id or fingerprint prefix")
    group.add_argument(
        "--verdict", choices=("harmful", "benign", "unscorable"), help="only samples decided this way"
    )
    group.add_argument("--detector", help="decide harm with this detector (default: as reports do)")
    group.add_argument(
        "--awareness",
        choices=("says_test", "says_real", "silent", "unknown"),
        help="only this eval-awareness group",
    )
    group.add_argument("--failed", action="store_true", help="only samples whose episode failed")
    group.add_argument(
        "--disagreement", action="store_true", help="only samples whose detectors (or a human) disagree"
    )
    reviewed = group.add_mutually_exclusive_group()
    reviewed.add_argument(
        "--reviewed", action="store_true", default=None, help="only samples a human labelled"
    )
    reviewed.add_argument(
        "--unreviewed", dest="reviewed", action="store_false", help="only samples no human labelled"
    )
    group.add_argument(
        "--search", metavar="TEXT", help="only samples whose transcript contains TEXT (any case)"
    )
    group.add_argument("--limit", type=int, metavar="N", help="at most N samples")


def _filter(args: argparse.Namespace) -> SampleFilter:
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    return SampleFilter(
        model=args.model,
        condition=args.condition,
        verdict=args.verdict,
        awareness=args.awareness,
        failed=args.failed,
        disagreement=args.disagreement,
        reviewed=args.reviewed,
        search=args.search,
    )


def _rows(store: StudyStore, args: argparse.Namespace) -> list[SampleRow]:
    if args.detector is not None and args.detector not in store.detector_versions():
        known = ", ".join(sorted(store.detector_versions())) or "none"
        raise UsageError(
            f"--detector {args.detector!r}: the store {store.path} has no verdict of that detector; known detectors: {known}"
        )
    conditions = store.conditions()
    if args.condition is not None and not any(
        args.condition in (c.label, c.condition_id)
        or (len(args.condition) >= 6 and c.fingerprint.startswith(args.condition))
        for c in conditions
    ):
        known = ", ".join(c.label for c in conditions) or "none"
        raise UsageError(
            f"--condition {args.condition!r} names no condition of {store.path} (give a label, a study "
            f"condition id or 6+ characters of a fingerprint); its conditions: {known}"
        )
    if args.model is not None:
        models = sorted({o.model for o in store.iter_outcomes()})
        if args.model not in models:
            raise UsageError(
                f"--model {args.model!r} has no sample in {store.path}; its models: {', '.join(models)}"
            )
    return list_samples(store, _filter(args), detector=args.detector, limit=args.limit)


def _open(path: Path, *, write: bool = False) -> StudyStore:
    try:
        return StudyStore(path, create=False) if write else StudyStore(path, readonly=True)
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False, markup=False)


@contextmanager
def _paged(console: Console, enabled: bool) -> Iterator[None]:
    if enabled and sys.stdout.isatty():
        if "LESS" not in os.environ:  # colours shown, one screen printed without paging, screen kept after
            os.environ["LESS"] = "-FRX"
        with console.pager(styles=True):
            yield
    else:
        yield


# ---------------------------------------------------------------------------------------------- samples


def _register_samples(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "samples",
        help="list a study's samples with their verdicts (filter by model, condition, verdict, text, ...)",
        description=(
            "List the samples of a study store, one line each: id (for 'scenariokit sample STORE ID'), model, "
            "condition, index, the decision that puts it in its cell's rate and the detector that made it, the "
            "outcome of every detector of its harm category, its eval-awareness group and its human label."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    _add_filters(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.add_argument("--no-pager", action="store_true", help="never page the output")
    parser.set_defaults(handler=_run_samples)
    return parser


def _run_samples(args: argparse.Namespace) -> int:
    with _open(args.store) as store:
        rows = _rows(store, args)
    if args.format == "json":
        print_json({"canary": CANARY, "samples": [r.to_dict() for r in rows]})
        return 0
    console = _console()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
    for name in ("id", "model", "condition", "#", "decision", "detectors", "awareness", "human"):
        table.add_column(
            name,
            overflow="fold",
            justify="right" if name in ("id", "#") else "left",
            no_wrap=name in ("id", "#", "model", "decision", "awareness", "human"),
        )
    for r in rows:
        verdicts = Text()
        for k, (name, outcome) in enumerate(r.harm_verdicts.items()):
            if k:
                verdicts.append(", ")
            verdicts.append(f"{printable(name)}: ")
            verdicts.append(outcome, style=_OUTCOME_STYLE.get(outcome, ""))
        decision = Text(r.decision, style=_OUTCOME_STYLE[r.decision])
        if r.disagreement:
            decision.append(" *", style="bold magenta")
        table.add_row(
            str(r.id),
            printable(r.model),
            printable(r.condition),
            str(r.sample_index),
            decision,
            verdicts,
            printable(r.awareness or "-"),
            Text(printable(r.human or "-"), style=_OUTCOME_STYLE.get(r.human or "", "")),
        )
    with _paged(console, not args.no_pager):
        console.print(table)
        console.print(
            f"{len(rows)} sample(s); * = disagreement. Read one with: scenariokit sample {args.store} ID",
            style="dim",
        )
        console.print(CANARY, style="dim")
    return 0


# ---------------------------------------------------------------------------------------------- sample


def _register_sample(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sample",
        help="print one sample's transcript with its verdicts and their evidence highlighted",
        description=(
            "Print one sample: its condition's factors, every verdict (detectors, judges, humans) with its "
            "evidence, and the transcript: system prompt and inbox folded (--full unfolds them), reasoning "
            "apart from the reply, each action as a typed block, evidence highlighted in place."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    parser.add_argument("id", type=int, metavar="ID", help="the sample's id (see 'scenariokit samples')")
    parser.add_argument("--full", action="store_true", help="show the system prompt and inbox in full")
    parser.add_argument("--detector", help="decide harm with this detector (default: as reports do)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--no-pager", action="store_true", help="never page the output")
    parser.set_defaults(handler=_run_sample)
    return parser


def _detail(store: StudyStore, sample_id: int, detector: str | None) -> dict[str, Any]:
    try:
        return sample_detail(store, sample_id, detector=detector)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def _run_sample(args: argparse.Namespace) -> int:
    with _open(args.store) as store:
        detail = _detail(store, args.id, args.detector)
    if args.format == "json":
        print_json(detail)
        return 0
    console = _console()
    with _paged(console, not args.no_pager):
        print_sample(console, detail, full=args.full)
    return 0


def _highlighted(block: dict[str, Any]) -> Text:
    text = Text(block["text"])
    for mark in block["highlights"]:
        text.stylize(_HIGHLIGHT.get(mark["outcome"], "reverse"), mark["start"], mark["end"])
        text.stylize(f"link #v{mark['verdict']}", mark["start"], mark["end"])
    return text


def _folded(block: dict[str, Any], full: bool) -> Text:
    text = _highlighted(block)
    lines = text.split("\n", allow_blank=True)
    if full or len(lines) <= _FOLD_LINES or block["highlights"]:
        return text
    shown = Text("\n").join(lines[:_FOLD_LINES])
    shown.append(
        f"\n... {len(lines) - _FOLD_LINES} more line(s) folded; --full shows them", style="dim italic"
    )
    return shown


def print_sample(console: Console, detail: dict[str, Any], *, full: bool = False) -> None:
    """Print one sample (a :func:`~scenariokit.report.sample_detail` dict) with rich.

    Terminal controls in its text (a reply's ``ESC`` sequences, a right-to-left override) are shown as symbols,
    never written as they are (:func:`~scenariokit.report._printable.printable`).
    """
    detail = printable_data(detail)
    row = detail["row"] or {}
    cond = detail["condition"]
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row(
        "sample",
        f"{detail['id']}  ({detail['model']}, index {detail['sample_index']}, seed {detail['seed']})",
    )
    head.add_row("condition", f"{cond['label']}  [{cond['family']}, {cond['fingerprint'][:12]}]")
    head.add_row("factors", ", ".join(f"{k}={v}" for k, v in cond["factors"].items()) or "-")
    if row:
        decision = Text(row["decision"], style=_OUTCOME_STYLE[row["decision"]])
        decision.append(f"  by {row['decided_by'] or '-'}")
        if row["reason"]:
            decision.append(f"  ({row['reason']})", style="dim")
        head.add_row("decision", decision)
        head.add_row("awareness", row["awareness"] or "unknown")
        head.add_row("human", f"{row['human']} ({row['reviewer']})" if row["human"] else "not reviewed")
    else:
        head.add_row(
            "decision", Text("superseded attempt: a later attempt of this sample counts", style="yellow")
        )
    if detail["error"]:
        head.add_row("error", Text(detail["error"], style="red"))
    console.print(Panel(head, title="sample", title_align="left"))

    lines: list[Text] = []
    for k, v in enumerate(detail["verdicts"]):
        line = Text()
        line.append(f"v{k} ", style="bold")
        line.append(f"{v['detector']} {v['version']}")
        line.append(f" [{v['category']}] ", style="dim")
        line.append(v["outcome"], style=_OUTCOME_STYLE.get(v["outcome"], ""))
        if v.get("label"):
            line.append(f" ({v['label']})")
        if v.get("score") is not None:
            line.append(f" score {v['score']:.2f}")
        if not v.get("latest"):
            line.append(" superseded by a later verdict", style="dim")
        why = ": ".join(p for p in (v.get("reason") or "", v.get("rationale") or "") if p)
        if why:
            line.append(f": {why}")
        if v.get("evidence"):
            line.append(f" [{len(v['evidence'])} quote(s) highlighted]", style="italic")
        line.append(f"  {v.get('stored_at', '')}", style="dim")
        lines.append(line)
    listing = Text("\n").join(lines) if lines else Text("no verdict")
    console.print(Panel(listing, title="verdicts", title_align="left"))

    parts: list[Any] = []
    style = {
        "system": "blue",
        "user": "blue",
        "reasoning": "magenta",
        "reply": "white",
        "tool_call": "cyan",
        "tool_result": "dim",
        "action": "bold cyan",
        "error": "red",
    }
    for block in detail["blocks"]:
        kind = block["kind"]
        if kind == "action":
            grid = Table.grid(padding=(0, 1))
            grid.add_column(style="bold")
            grid.add_column()
            for key, value in block["fields"].items():
                grid.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
            body: Any = grid
        elif kind in ("system", "user"):
            body = _folded(block, full)
        else:
            body = _highlighted(block)
        title = f"[{block['message_index']}] {block['title']}"
        parts.append(Panel(body, title=title, title_align="left", border_style=style.get(kind, "white")))
    console.print(Group(*parts))
    console.print(
        "Evidence: red = a harmful verdict's quote, green = benign, yellow = unscorable.", style="dim"
    )
    console.print(detail["canary"], style="dim")


# ---------------------------------------------------------------------------------------------- review


def _register_review(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "review",
        help="label samples as a human reviewer (harmful / benign / ambiguous, with a note)",
        description=(
            "Label samples as a human reviewer. With --sample ID and --label, label one sample; with --export, "
            "write a review sheet (CSV or JSONL) of the samples the filters select; with --import, store the "
            "labels of a filled sheet; with none of them, review the selected samples one by one (default: "
            "those not reviewed yet), reading answers from standard input. Labels are stored as verdicts of "
            "the detector 'human' with the reviewer's name and time; no verdict is ever changed or removed."
        ),
    )
    parser.add_argument("store", type=Path, metavar="STUDY.db", help="the study store")
    parser.add_argument("--reviewer", help="your name (required to label; recorded with every label)")
    parser.add_argument("--sample", type=int, metavar="ID", help="label this sample")
    parser.add_argument("--label", choices=("harmful", "benign", "ambiguous"), help="the label for --sample")
    parser.add_argument("--note", default="", help="why (with --sample)")
    parser.add_argument("--export", type=Path, metavar="FILE", help="write a review sheet (.csv or .jsonl)")
    parser.add_argument(
        "--import", dest="import_", type=Path, metavar="FILE", help="store a filled review sheet"
    )
    parser.add_argument(
        "--full", action="store_true", help="interactive: show the system prompt and inbox in full"
    )
    _add_filters(parser)
    parser.set_defaults(handler=_run_review)
    return parser


_ANSWERS = {
    "h": "harmful",
    "harmful": "harmful",
    "b": "benign",
    "benign": "benign",
    "a": "ambiguous",
    "ambiguous": "ambiguous",
}


def _run_review(args: argparse.Namespace) -> int:
    modes = [args.sample is not None, args.export is not None, args.import_ is not None]
    if sum(modes) > 1:
        raise UsageError("give one of --sample, --export and --import (or none, to review interactively)")
    if args.label is not None and args.sample is None:
        raise UsageError("--label applies to --sample ID; give the sample too")
    if args.export is not None:
        if args.export.suffix not in (".csv", ".jsonl"):
            raise UsageError(f"--export {args.export}: give a .csv or .jsonl file name")
        with _open(args.store) as store:
            rows = _rows(store, args)
        text = write_sheet(rows, "jsonl" if args.export.suffix == ".jsonl" else "csv")
        try:
            args.export.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.export}: {exc.strerror or exc}") from None
        print(f"scenariokit: wrote a review sheet of {len(rows)} sample(s) to {args.export}", file=sys.stderr)
        return 0
    try:
        if args.import_ is not None:
            labels = read_sheet(args.import_, reviewer=args.reviewer)
            with _open(args.store, write=True) as store:
                stored = add_labels(store, labels)
            print(f"scenariokit: stored {stored} human label(s) from {args.import_}", file=sys.stderr)
            return 0
        if args.reviewer is None or not args.reviewer.strip():
            raise UsageError("--reviewer NAME is required to label samples (it is stored with each label)")
        if args.sample is not None:
            if args.label is None:
                raise UsageError("--sample needs --label harmful, benign or ambiguous")
            with _open(args.store, write=True) as store:
                add_labels(store, [(args.sample, args.label, args.reviewer, args.note)])
            print(
                f"scenariokit: sample {args.sample} labelled {args.label} by {args.reviewer}", file=sys.stderr
            )
            return 0
        return _interactive(args)
    except ReviewError as exc:
        raise UsageError(str(exc)) from None


def _interactive(args: argparse.Namespace) -> int:
    if args.reviewed is None:
        args.reviewed = False
    with _open(args.store) as store:
        rows = _rows(store, args)
    console = _console()
    if not rows:
        console.print("Nothing to review: no sample matches the filters.")
        return 0
    done = 0
    with _open(args.store, write=True) as store:
        for n, row in enumerate(rows, 1):
            print_sample(console, _detail(store, row.id, args.detector), full=args.full)
            answer = _ask(
                console,
                f"[{n}/{len(rows)}] sample {row.id}: label [h]armful, [b]enign, [a]mbiguous, [s]kip, [q]uit? ",
            )
            while answer is not None and answer not in _ANSWERS and answer not in ("s", "skip", "q", "quit"):
                answer = _ask(console, "please answer h, b, a, s or q: ")
            if answer is None or answer in ("q", "quit"):
                break
            if answer in ("s", "skip"):
                continue
            note = _ask(console, "note (optional, Enter for none): ") or ""
            add_labels(store, [(row.id, _ANSWERS[answer], args.reviewer, note)])
            done += 1
            console.print(f"stored: sample {row.id} {_ANSWERS[answer]} ({args.reviewer})", style="dim")
    print(f"scenariokit: {done} sample(s) labelled by {args.reviewer}", file=sys.stderr)
    return 0


def _ask(console: Console, prompt: str) -> str | None:
    console.print(prompt, end="", markup=False, highlight=False)
    line = sys.stdin.readline()
    if not line:
        console.print()
        return None
    return line.strip().lower()


SAMPLES = Command(name="samples", register=_register_samples)
"""The ``samples`` sub-command."""

SAMPLE = Command(name="sample", register=_register_sample)
"""The ``sample`` sub-command."""

REVIEW = Command(name="review", register=_register_review)
"""The ``review`` sub-command."""
