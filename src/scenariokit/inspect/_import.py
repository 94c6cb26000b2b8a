"""Read Inspect logs as external samples, for ``import_transcripts`` to score and store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from scenariokit.agent import ExternalFailure, ExternalItem, ExternalSample, render_external
from scenariokit.agent._transcript import EpisodeError
from scenariokit.inspect._export import METADATA_KEY
from scenariokit.inspect._messages import from_inspect_messages, transcript_from_messages
from scenariokit.inspect._require import require_inspect
from scenariokit.providers import SystemMessage, UserMessage
from scenariokit.scenario import RenderedScenario, Scenario

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog, EvalSample


def _log_paths(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(p for p in source.rglob("*") if p.suffix in (".eval", ".json") and p.is_file())
    return [source]


def _rendered_of_log(log: EvalLog) -> RenderedScenario | None:
    meta = (log.eval.metadata or {}).get(METADATA_KEY)
    if isinstance(meta, dict) and meta.get("rendered") is not None:
        return RenderedScenario.model_validate(meta["rendered"])
    return None


def _one(
    sample: EvalSample,
    log: EvalLog,
    where: str,
    world: Scenario | RenderedScenario | None,
    exported: RenderedScenario | None,
    counters: dict[str, int],
) -> ExternalItem:
    messages = from_inspect_messages(sample.messages or [])
    system = next((m.content for m in messages if isinstance(m, SystemMessage)), None)
    user = next((m.content for m in messages if isinstance(m, UserMessage)), None)
    meta: dict[str, Any] = dict(sample.metadata or {})
    if exported is not None:
        rendered = exported
        label = str((log.eval.metadata or {})[METADATA_KEY].get("condition") or rendered.fingerprint[:12])
    elif world is not None:
        if system is None or user is None:
            return ExternalFailure(
                where, "the sample has no system or no user message; the world's prompts cannot be matched"
            )
        rendered = render_external(
            world, system, user, tool_mode="native" if _has_tool_calls(sample) else "text"
        )
        label = str(meta.get("condition") or sample.id)
    else:
        return ExternalFailure(
            where,
            "the log was not exported by scenariokit (no eval.metadata['scenariokit'] with the scenario); give the "
            "world the transcripts happened in (--world WORLD.yaml)",
        )
    index = meta.get("sample_index")
    if not isinstance(index, int) or index < 0:
        key = f"{rendered.fingerprint}|{log.eval.model}"
        index = counters.get(key, 0)
        counters[key] = index + 1
    seed = meta.get("seed") if isinstance(meta.get("seed"), int) else None
    transcript = transcript_from_messages(
        messages,
        rendered,
        model=log.eval.model,
        sample_index=index,
        seed=seed,
        notes=(f"imported from the Inspect log {where}",),
    )
    if sample.error is not None:
        message = sample.error.message.partition(": ")
        kind, text = (message[0], message[2]) if message[2] else ("inspect.error", sample.error.message)
        transcript = transcript.model_copy(
            update={
                "ended_by": "error",
                "error": EpisodeError(type=kind, message=text, turn=len(transcript.turns)),
            }
        )
    return ExternalSample(rendered=rendered, label=label, transcript=transcript, source=where)


def _has_tool_calls(sample: EvalSample) -> bool:
    return any(getattr(m, "tool_calls", None) for m in sample.messages or [])


def read_inspect_log(
    source: str | Path, world: Scenario | RenderedScenario | None = None
) -> Iterator[ExternalItem]:
    """Read Inspect logs (``.eval`` or ``.json``; a file or a folder of them) as external samples.

    A log written by :func:`export_inspect_logs` carries its scenario, which is used exactly. For any other log
    (for example one of the study's Inspect port) give ``world``: each sample's system prompt and user message
    are taken verbatim with the world's ground truth (see ``scenariokit.agent.render_external``). Reasoning
    content stays reasoning (never visible text); tool calls and ``<tool_use:...>`` blocks become actions.
    Pass what this yields to ``scenariokit.experiment.import_transcripts`` to score and store it.

    Args:
        source: A log file or a folder (searched recursively).
        world: The world the transcripts happened in (needed for logs not exported by scenariokit).

    Yields:
        One :class:`ExternalSample` per sample, or an :class:`ExternalFailure` with the reason for a log or
        sample that cannot be read.

    Raises:
        ImportError: If inspect-ai is not installed.
    """
    require_inspect()
    from inspect_ai.log import read_eval_log

    root = Path(source)
    if not root.exists():
        yield ExternalFailure(
            str(root), "no such file or folder; give an Inspect .eval log or a folder of them"
        )
        return
    counters: dict[str, int] = {}
    for path in _log_paths(root):
        try:
            log = read_eval_log(str(path))
            exported = _rendered_of_log(log)
        except (OSError, ValueError, ValidationError, KeyError) as exc:
            yield ExternalFailure(
                str(path), f"not a readable Inspect log: {' '.join(str(exc).split())[:300]}"
            )
            continue
        for sample in log.samples or []:
            where = f"{path}#{sample.id}/{sample.epoch}"
            try:
                yield _one(sample, log, where, world, exported, counters)
            except (ValueError, ValidationError) as exc:
                yield ExternalFailure(where, f"cannot read the sample: {' '.join(str(exc).split())[:300]}")
