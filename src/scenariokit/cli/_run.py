"""``scenariokit run``: run a study (a YAML design, or a family with ``--set``) into a resumable store."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio

from scenariokit.cli._common import (
    Command,
    Subparsers,
    UsageError,
    add_judge_options,
    judge_from_args,
    parse_settings,
)
from scenariokit.experiment import (
    MAX_CONCURRENCY,
    MAX_SAMPLES,
    MAX_SCORE_WORKERS,
    ConditionIds,
    Design,
    DuplicateConditionWarning,
    ExpandedDesign,
    ExperimentError,
    FactorGrid,
    FactorValue,
    ModelSpec,
    PerturbationNotApplicableWarning,
    Runner,
    RunProgress,
    RunResult,
    Shard,
    StudyStore,
    create_providers,
    load_design,
    plan,
)
from scenariokit.providers import (
    Provider,
    ProviderError,
    UnknownProviderError,
    batch_api_for,
    parse_provider_name,
)
from scenariokit.report import render_terminal, summarize
from scenariokit.scenario import FAMILIES

DEFAULT_SIMULATOR = "sim/self_preserving"
"""The model used when none is given and no API key is set."""

KEY_VARIABLES: tuple[str, ...] = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "TOGETHER_API_KEY",
    "OPENROUTER_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
)
"""Environment variables whose presence means a vendor key is set (only their presence is read)."""


EXIT_CODES = """exit codes:
  0    every sample of the design is stored and none of this run failed (or a budget stopped the run)
  1    some samples failed (stored as errors, retried on the next run), or a model was halted early because
       its samples kept failing with the same error that no retry fixes (wrong key, unknown model, no quota)
  2    bad input: options, design file, a store that is busy, read-only or holds another design
  130  interrupted (Ctrl-C): scored samples are stored; run again to resume"""
"""The exit codes of ``scenariokit run`` (shown by ``--help``)."""


def _register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "run",
        help="run a study: a YAML design, or a family with --set, against models or the simulator",
        description=(
            "Run a study into an SQLite store (resumable: run it again to finish a stopped or failed run; done "
            "samples are never run twice), then print the rate table. Give a design file (STUDY.yaml), or "
            "--family with --set factor=value (comma-separated values are crossed) or --condition ids. With no "
            "--model and no API key set, the offline simulator is used. One run at a time per store: a second "
            "process running into the same store refuses while the first holds its lock."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "design",
        nargs="?",
        metavar="STUDY.yaml",
        help="design file (see examples/study.yaml; examples/sweep.yaml for perturbation sweeps)",
    )
    parser.add_argument("--family", choices=tuple(FAMILIES), help="run a family instead of a design file")
    parser.add_argument(
        "--condition",
        dest="conditions",
        action="append",
        metavar="ID",
        help="a study condition id such as blackmail_explicit-america_replacement (repeatable)",
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        metavar="FACTOR=VALUE[,VALUE...]",
        help="set a family factor; several comma-separated values are crossed (repeatable)",
    )
    parser.add_argument(
        "--model", dest="models", action="append", metavar="PROVIDER/MODEL", help="model to run (repeatable)"
    )
    parser.add_argument(
        "--samples",
        type=int,
        help=f"samples per condition and model (default 100, or the design's; at most {MAX_SAMPLES:,})",
    )
    parser.add_argument("--out", type=Path, help="study store (.db); default: <design or family name>.db")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the conditions, requests and estimated cost"
    )
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument(
        "--budget-tokens",
        type=int,
        metavar="N",
        help="cap for the whole study: start no new sample once the tokens in the store (earlier runs count) "
        "would pass N",
    )
    budget.add_argument(
        "--budget-usd",
        type=float,
        metavar="X",
        help="cap for the whole study: start no new sample once the estimated dollars in the store (earlier "
        "runs count) would pass X",
    )
    parser.add_argument(
        "--concurrency", type=int, metavar="N", help=f"most samples in flight (at most {MAX_CONCURRENCY:,})"
    )
    parser.add_argument(
        "--score-workers",
        type=int,
        metavar="N",
        help="worker processes that apply the heuristic detectors, off the core that sends the requests "
        "(0: score in this process; default: 1 for runs of 1,000 samples or more on a machine with 2+ cores; at "
        f"most {MAX_SCORE_WORKERS})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    parser.add_argument(
        "--tool-mode", choices=("text", "native"), help="text tags (default) or native tool calls"
    )
    parser.add_argument("--temperature", type=float, help="sampling temperature for every model")
    parser.add_argument("--max-tokens", type=int, help="max output tokens for every model")
    parser.add_argument("--seed", type=int, help="design seed (default 0)")
    add_judge_options(parser)
    parser.add_argument(
        "--append",
        action="store_true",
        help="run into a store that holds another design's study (refused otherwise, to keep studies apart)",
    )
    parser.add_argument(
        "--batch",
        action="store_true",
        help="send the requests through the vendors' batch APIs (anthropic/, openai/, gemini/ models): half "
        "the price, answers within hours; kill and run again to resume polling (as 'batch: true' in a design)",
    )
    parser.add_argument(
        "--batch-poll",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds before the first poll of a batch (then 1.5 times longer each poll, at most 10 minutes)",
    )
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="run only shard I of N of the design's samples (a fixed rule on each sample's key, the same on "
        "every machine); combine the shard stores with 'scenariokit merge'",
    )
    parser.set_defaults(handler=_run)
    return parser


def _design_from_args(args: argparse.Namespace) -> tuple[Design, Path]:
    if args.design is not None:
        if args.family or args.conditions or args.settings:
            raise UsageError("give either a design file or --family/--condition/--set, not both")
        path = Path(args.design)
        design = load_design(path)
        default_out = Path(f"{path.stem}.db")
    else:
        if not args.family and not args.conditions:
            raise UsageError("give a design file (STUDY.yaml), --family FAMILY or --condition ID")
        entries: list[Any] = []
        if args.family:
            settings = parse_settings(args.settings)
            factors: dict[str, FactorValue | list[FactorValue]] = {
                k: list(v.split(",")) if "," in v else v for k, v in settings.items()
            }
            entries.append(FactorGrid(family=args.family, factors=factors))
        elif args.settings:
            raise UsageError("--set applies to --family; a condition id fixes every factor already")
        if args.conditions:
            entries.append(ConditionIds(condition_ids=args.conditions))
        design = Design(
            name=args.family or "conditions",
            scenarios=entries,
            models=[ModelSpec(name=DEFAULT_SIMULATOR)],
        )
        default_out = Path(f"{design.name}.db")
    updates: dict[str, Any] = {}
    if args.models:
        for name in args.models:
            try:
                parse_provider_name(name)
            except ValueError as exc:
                raise UsageError(f"--model {name}: {exc}") from None
        updates["models"] = [ModelSpec(name=name) for name in args.models]
    elif args.design is None:
        updates["models"] = [ModelSpec(name=_default_model())]
    if args.samples is not None:
        if args.samples < 1:
            raise UsageError(f"--samples must be at least 1, got {args.samples}")
        if args.samples > MAX_SAMPLES:
            raise UsageError(
                f"--samples must be at most {MAX_SAMPLES:,} per condition and model, got {args.samples}"
            )
        updates["samples"] = args.samples
    if args.tool_mode:
        updates["tool_mode"] = args.tool_mode
    if args.seed is not None:
        updates["seed"] = args.seed
    judge = judge_from_args(args, design.judge)
    if judge is not None:
        updates["judge"] = judge.model_dump(mode="json")
    if args.batch:
        updates["batch"] = True
    config_updates = {
        k: v for k, v in (("temperature", args.temperature), ("max_tokens", args.max_tokens)) if v is not None
    }
    data = design.model_dump(mode="json")
    data.update({k: v.model_dump(mode="json") if isinstance(v, ModelSpec) else v for k, v in updates.items()})
    if "models" in updates:
        data["models"] = [m.model_dump(mode="json") for m in updates["models"]]
    if config_updates:
        for m in data["models"]:
            m["config"] = {**m.get("config", {}), **config_updates}
    data["base_dir"] = design.base_dir
    try:
        design = Design.model_validate(data)
    except ValueError as exc:
        raise UsageError(f"invalid options: {exc}") from None
    return design, args.out or default_out


def _default_model() -> str:
    if any(os.environ.get(name) for name in KEY_VARIABLES):
        raise UsageError(
            "no --model given; pass --model provider/model (e.g. --model anthropic/claude-sonnet-4-5), or "
            f"--model {DEFAULT_SIMULATOR} for the offline simulator"
        )
    print(
        f"scenariokit: no --model given and no API key set: using the offline simulator {DEFAULT_SIMULATOR} "
        "(a simulator, not a real model)",
        file=sys.stderr,
    )
    return DEFAULT_SIMULATOR


def _expand(design: Design) -> ExpandedDesign:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DuplicateConditionWarning)
        warnings.simplefilter("always", PerturbationNotApplicableWarning)
        expanded = design.expand()
    for w in caught:
        if issubclass(w.category, (DuplicateConditionWarning, PerturbationNotApplicableWarning)):
            print(f"scenariokit: warning: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return expanded


def _run(args: argparse.Namespace) -> int:
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {args.concurrency}")
    if args.concurrency is not None and args.concurrency > MAX_CONCURRENCY:
        raise UsageError(
            f"--concurrency must be at most {MAX_CONCURRENCY:,} samples in flight, got {args.concurrency}"
        )
    if args.score_workers is not None and args.score_workers < 0:
        raise UsageError(f"--score-workers must be 0 or more, got {args.score_workers}")
    if args.score_workers is not None and args.score_workers > MAX_SCORE_WORKERS:
        raise UsageError(
            f"--score-workers must be at most {MAX_SCORE_WORKERS} worker processes, got {args.score_workers}"
        )
    if args.budget_tokens is not None and args.budget_tokens <= 0:
        raise UsageError(f"--budget-tokens must be more than 0, got {args.budget_tokens}")
    if args.budget_usd is not None and not args.budget_usd > 0:  # NaN too: it compares false with every cost
        raise UsageError(f"--budget-usd must be more than 0 dollars, got {args.budget_usd}")
    if not args.batch_poll > 0:
        raise UsageError(f"--batch-poll must be more than 0 seconds, got {args.batch_poll}")
    try:
        shard = Shard.parse(args.shard) if args.shard is not None else None
        design, out = _design_from_args(args)
        expanded = _expand(design)
        if args.dry_run:
            store = StudyStore(out, readonly=True) if out.exists() else None
            try:
                print(plan(expanded, store).describe())
            finally:
                if store is not None:
                    store.close()
            return 0
        try:
            providers = create_providers([m.name for m in expanded.models] + design.judge_models)
            if design.batch:  # before the store is created: a model with no batch API is bad input
                for m in expanded.models:
                    batch_api_for(providers[m.name])
        except (ProviderError, UnknownProviderError, ValueError) as exc:
            raise UsageError(str(exc)) from None
        with StudyStore(out) as store:
            store.lock("run")  # before anything is written: a second process refuses here
            runner = Runner(
                expanded,
                store,
                providers,
                concurrency=args.concurrency,
                budget_tokens=args.budget_tokens,
                budget_usd=args.budget_usd,
                append=args.append,
                shard=shard,
                batch_poll=args.batch_poll,
                score_workers=args.score_workers,
            )
            _collect_nothing_at_exit()
            with _fewer_collections():
                result = anyio.run(_main, runner, providers, not args.quiet and sys.stderr.isatty())
            print(_result_line(result, out), file=sys.stderr)
            print(render_terminal(summarize(store)))
    except ExperimentError as exc:
        raise UsageError(str(exc)) from None
    if result.stop_reason == "stopped":
        return 130
    if result.failed or result.halted:
        return 1
    return 0


GC_THRESHOLD = 20_000
"""Allocations between two young-generation collections during a run (Python's default is 700)."""


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run with fewer cyclic garbage collections, then restore the collector as it was.

    Everything made before the run (modules, compiled patterns, the design) is frozen out of the collector's
    scans, and young objects are collected every ``GC_THRESHOLD`` allocations instead of 700: with the
    samples in flight bounded, garbage stays small either way, and the collections took about 5% of a run's
    CPU (0.29 s of 5.7 s for 2,000 samples; 0.04 s after).
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


_EXIT_FREEZE: list[bool] = []


def _collect_nothing_at_exit() -> None:
    """At the interpreter's exit, skip the garbage collector's last scan of every object (registered once).

    Python's exit collects every object it still holds (after the run: the design, the rendered conditions,
    the detectors' compiled patterns, the modules): about 70 ms of a 2,000-sample run's tail, for memory the
    operating system takes back anyway. Frozen objects are left out of that scan (the exit took 15 ms instead
    of 85). Objects are still released and files flushed as usual; nothing the run needs is left to the
    collector (the store is closed before).
    """
    if not _EXIT_FREEZE:
        _EXIT_FREEZE.append(True)
        atexit.register(gc.freeze)


async def _main(runner: Runner, providers: dict[str, Provider], live: bool) -> RunResult:
    display = _Display(runner.progress.total) if live else None
    if display is not None:
        runner.progress_callback = display.update
    result: RunResult | None = None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_watch_signals, runner, tg.cancel_scope)
            result = await runner.run()
            tg.cancel_scope.cancel()
    finally:
        if display is not None:
            display.close()
        for provider in providers.values():
            with anyio.CancelScope(shield=True):
                await provider.aclose()
    if result is None:  # cancelled by a second Ctrl-C: finished samples were flushed by the runner
        raise KeyboardInterrupt
    return result


async def _watch_signals(runner: Runner, scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        count = 0
        async for _ in signals:
            count += 1
            if count == 1:
                print(
                    "\nscenariokit: stopping: no new samples; finishing those in flight (press Ctrl-C again to "
                    "abandon them; scored samples are kept)",
                    file=sys.stderr,
                )
                runner.request_stop()
            else:
                print(
                    "\nscenariokit: cancelled; scored samples are stored (replies not yet scored are run again "
                    "on resume)",
                    file=sys.stderr,
                )
                scope.cancel()


def _result_line(result: RunResult, out: Path) -> str:
    why = {
        "complete": "complete" if not result.failed else "finished with failures",
        "budget": "stopped: budget reached",
        "stopped": "stopped on request",
        "errors": "stopped early",
    }[result.stop_reason]
    failed = f", {result.failed} failed (retried on the next run)" if result.failed else ""
    if result.judged:
        failed += f", {result.judged} stored sample(s) judged"
    halted = "".join(f"\nscenariokit: {model} halted: {why}" for model, why in result.halted.items())
    return (
        f"scenariokit: {why}: {result.completed} sample(s) run{failed}, {result.already_done} already stored, "
        f"{result.remaining} remaining; {result.tokens:,} tokens, ${result.cost_usd:.2f} in {out} "
        f"({result.elapsed_s:.1f} s){halted}"
    )


class _Display:
    """A rich progress bar on standard error, refreshed by the runner's fixed-rate ticker (not per sample)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]samples"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
            auto_refresh=False,
        )
        self._task = self._progress.add_task("run", total=total, info="")
        self._progress.start()

    def update(self, p: RunProgress) -> None:
        rate = p.completed / p.elapsed if p.elapsed > 0 else 0.0
        info = f"{rate:.0f}/s  in flight {p.in_flight}  failed {p.failed}  tokens {p.tokens:,}"
        if p.stopping:
            info += f"  [yellow]{p.stopping}"
        self._progress.update(self._task, completed=p.done, info=info)
        self._progress.refresh()

    def close(self) -> None:
        self._progress.stop()


COMMAND = Command(name="run", register=_register)
"""The ``run`` sub-command."""
