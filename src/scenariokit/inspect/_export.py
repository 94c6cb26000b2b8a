"""Export a study store to Inspect ``.eval`` logs, written with inspect_ai's own log API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenariokit._version import __version__
from scenariokit.experiment import StoredCondition, StoredSample, StudyStore
from scenariokit.inspect._messages import to_inspect_messages
from scenariokit.inspect._require import require_inspect
from scenariokit.report._samples import stored_verdicts
from scenariokit.scenario import CANARY

if TYPE_CHECKING:
    from inspect_ai.log import EvalResults, EvalSample
    from inspect_ai.model import ChatMessage
    from inspect_ai.scorer import Score

METADATA_KEY = "scenariokit"
"""Key of the log's ``eval.metadata`` under which the condition (fingerprint, factors, rendered scenario, ...)
is recorded; :func:`read_inspect_log` reads it back."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "x"


def verdict_score(verdict: Mapping[str, Any]) -> Score:
    """An Inspect score from a verdict's JSON: the outcome as value, the reason or evidence as explanation.

    Args:
        verdict: A verdict as JSON (``Verdict.model_dump(mode="json")``, or a stored verdict's dict).

    Returns:
        The score: ``value`` is ``harmful``, ``benign`` or ``unscorable``; ``answer`` the verdict's label;
        ``metadata`` holds the detector, version, category, score, label, reason, rationale and evidence.
    """
    require_inspect()
    from inspect_ai.scorer import Score

    evidence = list(verdict.get("evidence") or ())
    explanation = verdict.get("reason") or verdict.get("rationale") or ""
    if not explanation and evidence:
        explanation = "evidence: " + "; ".join(repr(e["quote"]) for e in evidence)
    keys = (
        "detector",
        "version",
        "category",
        "score",
        "label",
        "reason",
        "rationale",
        "evidence",
        "stored_at",
    )
    return Score(
        value=str(verdict["outcome"]),
        answer=verdict.get("label"),
        explanation=explanation or None,
        metadata={k: verdict[k] for k in keys if k in verdict},
    )


def outcome_metrics(outcomes: Sequence[str]) -> dict[str, float]:
    """Counts and the harm rate of a list of outcomes (``harmful``, ``benign``, ``unscorable``).

    Example:
        >>> outcome_metrics(["harmful", "benign", "benign", "unscorable"])["harm_rate"]
        0.3333333333333333
    """
    harmful = sum(o == "harmful" for o in outcomes)
    benign = sum(o == "benign" for o in outcomes)
    scored = harmful + benign
    return {
        "harm_rate": harmful / scored if scored else float("nan"),
        "harmful": float(harmful),
        "scored": float(scored),
        "unscorable": float(len(outcomes) - scored),
    }


def _groups(store: StudyStore) -> Iterator[tuple[tuple[str, str, str], list[StoredSample]]]:
    current: tuple[str, str, str] | None = None
    batch: list[StoredSample] = []
    for sample in store.iter_samples(effective=True):
        key = (sample.model, sample.config_hash, sample.fingerprint)
        if current is not None and key != current:
            yield current, batch
            batch = []
        current = key
        batch.append(sample)
    if current is not None:
        yield current, batch


def _sample(
    sample: StoredSample, condition: StoredCondition | None, verdicts: list[dict[str, Any]]
) -> EvalSample:
    from inspect_ai.log import EvalError, EvalSample
    from inspect_ai.model import ChatCompletionChoice, ChatMessageAssistant, ModelOutput, ModelUsage

    transcript = sample.transcript()
    messages = to_inspect_messages(transcript)
    head: list[ChatMessage] = [m for m in messages[:2] if m.role in ("system", "user")]
    latest = {v["detector"]: v for v in verdicts if v.get("latest", True)}
    last = next((m for m in reversed(messages) if isinstance(m, ChatMessageAssistant)), None)
    output = ModelOutput(
        model=sample.model,
        choices=[ChatCompletionChoice(message=last, stop_reason="stop")] if last is not None else [],
    )
    error = None
    if transcript.error is not None:
        message = f"{transcript.error.type}: {transcript.error.message}"
        error = EvalError(message=message, traceback="", traceback_ansi="")
    usage = transcript.usage
    metadata: dict[str, Any] = {
        "canary": CANARY,
        "model": sample.model,
        "fingerprint": sample.fingerprint,
        "condition": condition.label if condition is not None else sample.fingerprint,
        "condition_id": transcript.condition_id,
        "family": transcript.family,
        "factors": dict(condition.factors) if condition is not None else {},
        "config_hash": sample.config_hash,
        "sample_index": sample.sample_index,
        "seed": sample.seed,
        "store_sample_id": sample.id,
        "ended_by": transcript.ended_by,
        "actions": [a.model_dump(mode="json") for a in transcript.actions.actions],
        "notes": list(transcript.notes),
        "cost_usd": sample.cost_usd,
    }
    return EvalSample(
        id=sample.sample_index,
        epoch=1,
        input=head or "",
        target="",
        messages=messages,
        output=output,
        scores={name: verdict_score(v) for name, v in latest.items()},
        metadata=metadata,
        error=error,
        started_at=transcript.started_at.isoformat() if transcript.started_at is not None else None,
        total_time=transcript.duration_s or None,
        model_usage={
            sample.model: ModelUsage(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                total_tokens=usage.input_tokens + usage.output_tokens,
                input_tokens_cache_read=usage.cache_read_tokens or None,
                input_tokens_cache_write=usage.cache_write_tokens or None,
                reasoning_tokens=usage.reasoning_tokens or None,
            )
        },
    )


def _results(samples: Sequence[EvalSample]) -> EvalResults:
    from inspect_ai.log import EvalMetric, EvalResults, EvalScore

    names: list[str] = []
    for s in samples:
        names.extend(n for n in (s.scores or {}) if n not in names)
    scores = []
    for name in names:
        outcomes = [str(s.scores[name].value) for s in samples if s.scores and name in s.scores]
        metrics = {k: EvalMetric(name=k, value=v) for k, v in outcome_metrics(outcomes).items()}
        scores.append(EvalScore(name=name, scorer=name, scored_samples=len(outcomes), metrics=metrics))
    completed = sum(s.error is None for s in samples)
    return EvalResults(total_samples=len(samples), completed_samples=completed, scores=scores)


def export_inspect_logs(store: StudyStore | str | Path, output: str | Path) -> list[Path]:
    """Write a study as Inspect ``.eval`` logs: one log per model (and configuration) and condition.

    Each sample carries its messages (reasoning as Inspect reasoning content), one score per detector (its
    latest verdict: ``harmful``, ``benign`` or ``unscorable``, with the reason or evidence as explanation and
    the whole verdict in the score's metadata) and metadata with the condition's factors and fingerprint. The
    log's ``eval.metadata["scenariokit"]`` holds the condition (label, family, factors, fingerprint, rendered
    scenario), so that :func:`read_inspect_log` imports it exactly. ``inspect view --log-dir OUTPUT`` shows
    them; ``inspect_ai.analysis.samples_df(OUTPUT)`` reads them.

    Args:
        store: The study store, or its path (opened read-only).
        output: The folder to write to (created if missing).

    Returns:
        The paths written, in store order.

    Raises:
        ImportError: If inspect-ai is not installed.
    """
    require_inspect()
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSpec, EvalStats, write_eval_log

    if not isinstance(store, StudyStore):
        with StudyStore(store, create=False, readonly=True) as opened:
            return export_inspect_logs(opened, output)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    conditions = {c.fingerprint: c for c in store.conditions()}
    study = store.meta().get("design_name") or "study"
    written: list[Path] = []
    for (model, config_hash, fingerprint), group in _groups(store):
        condition = conditions.get(fingerprint)
        verdicts = stored_verdicts(store, [s.id for s in group])
        samples = [_sample(s, condition, verdicts.get(s.id, [])) for s in group]
        label = condition.label if condition is not None else fingerprint[:12]
        created = min((s.started_at for s in samples if s.started_at), default=None)
        created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
        spec = EvalSpec(
            created=created,
            task=f"scenariokit/{label}",
            task_id=f"{fingerprint[:16]}-{config_hash}",
            run_id=fingerprint[:16],
            dataset=EvalDataset(name=label, samples=len(samples), sample_ids=[s.id for s in samples]),
            model=model,
            config=EvalConfig(),
            packages={"scenariokit": __version__},
            metadata={
                METADATA_KEY: {
                    "canary": CANARY,
                    "study": study,
                    "condition": label,
                    "fingerprint": fingerprint,
                    "family": condition.family if condition is not None else None,
                    "condition_id": condition.condition_id if condition is not None else None,
                    "factors": dict(condition.factors) if condition is not None else {},
                    "config_hash": config_hash,
                    "rendered": json.loads(condition.rendered_json) if condition is not None else None,
                }
            },
        )
        log = EvalLog(
            eval=spec,
            status="success",
            results=_results(samples),
            stats=EvalStats(started_at=created, completed_at=created),
            samples=samples,
        )
        path = out / f"{_slug(model)}_{_slug(label)}_{config_hash}.eval"
        write_eval_log(log, path, format="eval")
        written.append(path)
    return written
