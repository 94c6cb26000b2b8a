"""Samples of a study, one by one: listing with filters, one sample in full, and the shapes both export.

Two JSON-ready shapes, used by ``scenariokit samples --format json``, ``scenariokit sample --format json``
and the HTML report (and meant for other exporters too):

* a **row** (:meth:`SampleRow.to_dict`): one sample attempt that counts for its key, with the decision that
  puts it in its cell's rate (``harmful`` / ``benign`` / ``unscorable``, the detector that decided and why),
  the latest outcome of every detector of the condition's harm category, its eval-awareness group and the
  latest human label; no transcript;
* a **detail** (:func:`sample_detail`): the row plus the condition's factors, every stored verdict (oldest
  first, with the time it was stored and whether it is the latest of its detector), the transcript as stored
  (``Transcript`` JSON) and the transcript as **blocks** (:func:`transcript_blocks`): a flat list of what a
  reader sees, each block with the text it shows and the evidence spans to highlight in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from scenariokit.agent import Transcript
from scenariokit.experiment import StoredCondition, StudyStore
from scenariokit.providers import AssistantMessage, SystemMessage, ToolMessage, UserMessage
from scenariokit.report._awareness import awareness_group
from scenariokit.report._summary import _decide, _stored_category, study_decide
from scenariokit.scenario import CANARY

HUMAN_DETECTOR = "human"
"""Detector name of verdicts made by a person (``scenariokit review``); its version is the reviewer's name."""

Decision = Literal["harmful", "benign", "unscorable"]
"""What a sample counts as in its cell's rate."""


@dataclass(frozen=True)
class SampleRow:
    """One sample (the attempt that counts for its key), as ``scenariokit samples`` lists it."""

    id: int
    """Row id of the attempt in the store (``scenariokit sample STORE ID``)."""

    model: str
    """``provider/model``."""

    condition: str
    """Condition label."""

    fingerprint: str
    """Condition fingerprint."""

    condition_id: str | None
    """The study's condition id, if any."""

    family: str
    """Scenario family."""

    category: str | None
    """The condition's harm category (``blackmail``, ``leak``, ...), or ``None`` when it has none."""

    factors: Mapping[str, str]
    """The condition's factor values."""

    sample_index: int
    """Index of the sample in its cell."""

    status: str
    """``ok`` or ``error`` (the episode failed)."""

    error: str | None
    """Error of a failed episode."""

    decision: Decision
    """What the sample counts as in its cell's rate."""

    decided_by: str | None
    """The detector whose verdict decided (``None`` when no verdict did: failed episode, no detector)."""

    reason: str | None
    """Why the sample is unscorable, when it is."""

    harm_verdicts: Mapping[str, str] = field(default_factory=dict)
    """Detector -> latest outcome, for every model-made detector of the condition's harm category."""

    awareness: str | None = None
    """Eval-awareness group (``says_test``, ``says_real``, ``silent``), or ``None`` when unknown."""

    human: str | None = None
    """Latest human label (``harmful``, ``benign``, ``ambiguous``), or ``None`` when not reviewed."""

    reviewer: str | None = None
    """Who gave the latest human label."""

    @property
    def disagreement(self) -> bool:
        """Whether the scorable harm verdicts disagree, or a human label (harmful/benign) differs from the decision."""
        outcomes = {o for o in self.harm_verdicts.values() if o != "unscorable"}
        if len(outcomes) > 1:
            return True
        return (
            self.human in ("harmful", "benign")
            and self.decision != "unscorable"
            and self.human != self.decision
        )

    def to_dict(self) -> dict[str, Any]:
        """The row as a JSON-ready dict (every field, plus ``disagreement``)."""
        return {
            "id": self.id,
            "model": self.model,
            "condition": self.condition,
            "fingerprint": self.fingerprint,
            "condition_id": self.condition_id,
            "family": self.family,
            "category": self.category,
            "factors": dict(self.factors),
            "sample_index": self.sample_index,
            "status": self.status,
            "error": self.error,
            "decision": self.decision,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "harm_verdicts": dict(self.harm_verdicts),
            "awareness": self.awareness,
            "human": self.human,
            "reviewer": self.reviewer,
            "disagreement": self.disagreement,
        }


@dataclass(frozen=True)
class SampleFilter:
    """Which samples to list; every field left at its default lets all samples through."""

    model: str | None = None
    """Only this model (exact ``provider/model``)."""

    condition: str | None = None
    """Only this condition: its label, its condition id, or a prefix (6+ characters) of its fingerprint."""

    verdict: Decision | None = None
    """Only samples with this decision."""

    awareness: str | None = None
    """Only this eval-awareness group (``says_test``, ``says_real``, ``silent``) or ``unknown``."""

    failed: bool = False
    """Only samples whose episode failed."""

    disagreement: bool = False
    """Only samples whose verdicts disagree (see :attr:`SampleRow.disagreement`)."""

    reviewed: bool | None = None
    """``True``: only samples with a human label; ``False``: only samples without one."""

    search: str | None = None
    """Only samples whose transcript (after the shared prompt) contains this text, case-insensitively."""

    def admits(self, row: SampleRow) -> bool:
        """Whether a row passes every filter but ``search`` (which needs the transcript)."""
        if self.model is not None and row.model != self.model:
            return False
        if self.condition is not None and not _condition_matches(self.condition, row):
            return False
        if self.verdict is not None and row.decision != self.verdict:
            return False
        if self.awareness is not None and (row.awareness or "unknown") != self.awareness:
            return False
        if self.failed and row.status != "error":
            return False
        if self.disagreement and not row.disagreement:
            return False
        return self.reviewed is None or (row.human is not None) == self.reviewed


def _condition_matches(wanted: str, row: SampleRow) -> bool:
    if wanted in (row.condition, row.condition_id):
        return True
    return len(wanted) >= 6 and row.fingerprint.startswith(wanted)


def harm_category_of(
    conditions: Mapping[str, StoredCondition], override: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Fingerprint -> harm category of each condition (see ``scenariokit.report.harm_category``)."""
    return {fp: _stored_category(c, dict(override or {})) for fp, c in conditions.items()}


def iter_rows(
    store: StudyStore,
    *,
    detector: str | None = None,
    harm_category: Mapping[str, str] | None = None,
    awareness_detector: str | None = None,
) -> Iterator[SampleRow]:
    """Stream one row per sample (the attempt that counts for its key), in the store's order.

    Args:
        store: The study store.
        detector: Decide harm with this detector (as ``summarize(detector=...)``).
        harm_category: Family -> category overrides (as ``summarize(harm_category=...)``).
        awareness_detector: Group by this eval-awareness detector (as ``summarize``).

    Yields:
        The rows; transcripts are not read.
    """
    conditions = {c.fingerprint: c for c in store.conditions()}
    categories = harm_category_of(conditions, harm_category)
    reviewers = store.latest_versions(HUMAN_DETECTOR)
    decide = study_decide(store)
    for outcome in store.iter_outcomes():
        cond = conditions.get(outcome.fingerprint)
        if cond is None:
            continue
        category = categories[outcome.fingerprint]
        decision, reason, decider = _decide(outcome, cond.family, category, detector, decide)
        group, _ = awareness_group(outcome.verdicts, outcome.labels, awareness_detector)
        human = outcome.labels.get(HUMAN_DETECTOR) if HUMAN_DETECTOR in outcome.verdicts else None
        yield SampleRow(
            id=outcome.sample_id,
            model=outcome.model,
            condition=cond.label,
            fingerprint=cond.fingerprint,
            condition_id=cond.condition_id,
            family=cond.family,
            category=category,
            factors=cond.factors,
            sample_index=outcome.sample_index,
            status=outcome.status,
            error=outcome.error,
            decision=decision,  # type: ignore[arg-type]
            decided_by=decider,
            reason=reason,
            harm_verdicts={
                n: v[1] for n, v in outcome.verdicts.items() if v[3] == category and n != HUMAN_DETECTOR
            },
            awareness=group if outcome.status == "ok" else None,
            human=human,
            reviewer=reviewers.get(outcome.sample_id) if human is not None else None,
        )


def list_samples(
    store: StudyStore,
    where: SampleFilter | None = None,
    *,
    detector: str | None = None,
    harm_category: Mapping[str, str] | None = None,
    awareness_detector: str | None = None,
    limit: int | None = None,
) -> list[SampleRow]:
    """The samples that pass a filter, in the store's order (model, condition, index).

    Args:
        store: The study store.
        where: The filter (default: every sample).
        detector: Decide harm with this detector.
        harm_category: Family -> category overrides.
        awareness_detector: Group by this eval-awareness detector.
        limit: At most this many rows.

    Returns:
        The rows.
    """
    where = where or SampleFilter()
    rows = [
        r
        for r in iter_rows(
            store, detector=detector, harm_category=harm_category, awareness_detector=awareness_detector
        )
        if where.admits(r)
    ]
    if where.search:
        matching = _search(store, {r.id for r in rows}, where.search)
        rows = [r for r in rows if r.id in matching]
    return rows[:limit] if limit is not None else rows


def _search(store: StudyStore, ids: set[int], text: str) -> set[int]:
    needle = text.casefold()
    found: set[int] = set()
    for sample in store.iter_samples(effective=True):
        if sample.id in ids and any(
            needle in s.casefold() for s in _strings(json.loads(sample.transcript_json))
        ):
            found.add(sample.id)
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def stored_verdicts(store: StudyStore, sample_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Sample id -> every stored verdict of it (oldest first) as JSON-ready dicts.

    Each dict is the verdict's own JSON plus ``stored_at`` (ISO 8601, UTC) and ``latest`` (whether it is the
    latest verdict of its detector for that sample: the one reports use).
    """
    result: dict[int, list[dict[str, Any]]] = {}
    for sid, created, text in store.iter_verdict_rows(sample_ids):
        data = json.loads(text)
        data["stored_at"] = datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="seconds")
        result.setdefault(sid, []).append(data)
    for items in result.values():
        seen: set[str] = set()
        for data in reversed(items):
            data["latest"] = data["detector"] not in seen
            seen.add(data["detector"])
    return result


def transcript_blocks(
    transcript: Transcript, verdicts: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """The transcript as a flat list of blocks a reader sees, with the evidence to highlight in each.

    Block kinds: ``system`` (the system prompt), ``user`` (the inbox), ``reasoning`` (native reasoning, or a
    scratchpad / ``<think>`` region of the reply text), ``reply`` (the visible text), ``tool_call`` (a native
    call and its arguments), ``tool_result``, ``action`` (a typed action the agent took: ``send_email``,
    ``forward_email``, ``cancel_alert``, ...; its ``fields`` hold the arguments) and ``error``.

    Each block has ``kind``, ``title``, ``message_index``, ``text`` and ``highlights``: a list of
    ``{"start", "end", "verdict", "detector", "outcome"}`` spans in ``text`` (``verdict`` is the index in
    ``verdicts``). Text blocks also have ``field`` and ``offset``: where ``text`` starts in the field that
    evidence cites (``text``, ``reasoning[K]``, ``tool_calls[K].arguments.NAME``, ``results[K].content``,
    ``content``).

    Args:
        transcript: The transcript (with its prompt messages).
        verdicts: Verdicts as dicts (``Verdict.model_dump(mode="json")`` or :func:`stored_verdicts`' items);
            the evidence of each is highlighted.

    Returns:
        The blocks, in reading order.
    """
    spans: dict[tuple[int, str], list[tuple[int, int, int, str, str]]] = {}
    for k, v in enumerate(verdicts):
        for ev in v.get("evidence", ()):
            spans.setdefault((ev["message_index"], ev["field"]), []).append(
                (ev["start"], ev["end"], k, v["detector"], v["outcome"])
            )
    blocks: list[dict[str, Any]] = []

    def text_block(kind: str, title: str, index: int, fld: str, text: str, offset: int = 0) -> None:
        if kind in ("reply", "reasoning"):  # leading blank lines between a scratchpad and the reply
            lead = len(text) - len(text.lstrip("\n"))
            text, offset = text[lead:].rstrip(), offset + lead
        end = offset + len(text)
        marks = [
            {
                "start": max(s, offset) - offset,
                "end": min(e, end) - offset,
                "verdict": k,
                "detector": d,
                "outcome": o,
            }
            for s, e, k, d, o in spans.get((index, fld), ())
            if s < end and e > offset
        ]
        blocks.append(
            {
                "kind": kind,
                "title": title,
                "message_index": index,
                "field": fld,
                "offset": offset,
                "text": text,
                "highlights": sorted(marks, key=lambda m: (m["start"], m["end"])),
            }
        )

    regions: dict[int, list[tuple[int, int, str]]] = {}
    for seg in transcript.reasoning:
        if seg.span is not None:
            regions.setdefault(seg.message_index, []).append((seg.span[0], seg.span[1], seg.kind))
    actions: dict[int, list[Any]] = {}
    for action in transcript.actions.actions:
        actions.setdefault(action.message_index, []).append(action)
    for i, msg in enumerate(transcript.messages):
        if isinstance(msg, SystemMessage):
            text_block("system", "system prompt", i, "content", msg.content)
        elif isinstance(msg, UserMessage):
            text_block(
                "user", "user message (inbox)" if i == 1 else "user message", i, "content", msg.content
            )
        elif isinstance(msg, AssistantMessage):
            for k, part in enumerate(msg.reasoning_parts):
                title = (
                    "reasoning (withheld by the provider)" if part.redacted else f"reasoning ({part.source})"
                )
                text_block("reasoning", title, i, f"reasoning[{k}]", part.text)
            text = msg.text
            pos = 0
            for start, end, kind in sorted(regions.get(i, ())):
                if start > pos and text[pos:start].strip():
                    text_block("reply", "reply", i, "text", text[pos:start], pos)
                text_block("reasoning", f"reasoning ({kind})", i, "text", text[start:end], start)
                pos = max(pos, end)
            if text[pos:].strip():
                text_block("reply", "reply", i, "text", text[pos:], pos)
            for k, call in enumerate(msg.tool_calls):
                for name, value in call.arguments.items():
                    if isinstance(value, str):
                        text_block(
                            "tool_call", f"{call.name}: {name}", i, f"tool_calls[{k}].arguments.{name}", value
                        )
                others = {n: v for n, v in call.arguments.items() if not isinstance(v, str)}
                if others or not call.arguments:
                    blocks.append(
                        {
                            "kind": "tool_call",
                            "title": call.name,
                            "message_index": i,
                            "text": json.dumps(others, ensure_ascii=False),
                            "highlights": [],
                        }
                    )
            for action in actions.get(i, ()):
                data = action.model_dump(
                    mode="json", exclude={"source", "message_index", "span", "tool_call_id", "kind"}
                )
                blocks.append(
                    {
                        "kind": "action",
                        "title": f"action: {action.kind}",
                        "message_index": i,
                        "text": "",
                        "fields": {k: v for k, v in data.items() if v not in ((), [], "", None)},
                        "highlights": [],
                        "source": action.source,
                    }
                )
        elif isinstance(msg, ToolMessage):
            for k, result in enumerate(msg.results):
                title = f"tool result: {result.name}" + (" (error)" if result.is_error else "")
                text_block("tool_result", title, i, f"results[{k}].content", result.content)
    if transcript.error is not None:
        blocks.append(
            {
                "kind": "error",
                "title": "episode failed",
                "message_index": len(transcript.messages),
                "text": f"{transcript.error.type}: {transcript.error.message}",
                "highlights": [],
            }
        )
    return blocks


def sample_detail(
    store: StudyStore,
    sample_id: int,
    *,
    detector: str | None = None,
    harm_category: Mapping[str, str] | None = None,
    awareness_detector: str | None = None,
) -> dict[str, Any]:
    """One sample in full, as a JSON-ready dict (see the module docstring).

    Args:
        store: The study store.
        sample_id: Row id of the attempt (``scenariokit samples`` lists them).
        detector: Decide harm with this detector.
        harm_category: Family -> category overrides.
        awareness_detector: Group by this eval-awareness detector.

    Returns:
        ``{"canary", "row", "condition", "seed", "verdicts", "transcript", "blocks"}``.

    Raises:
        KeyError: If the store has no sample attempt with this id (the message says how to find ids).
    """
    sample = store.sample(sample_id)
    if sample is None:
        raise KeyError(
            f"{store.path} has no sample with id {sample_id}; list the ids with 'scenariokit samples {store.path}'"
        )
    row = next(
        (
            r
            for r in iter_rows(
                store, detector=detector, harm_category=harm_category, awareness_detector=awareness_detector
            )
            if r.id == sample_id
        ),
        None,
    )
    condition = store.condition(sample.fingerprint)
    transcript = sample.transcript()
    verdicts = stored_verdicts(store, [sample_id]).get(sample_id, [])
    return {
        "canary": CANARY,
        "id": sample_id,
        "row": row.to_dict() if row is not None else None,
        "superseded": row is None,
        "condition": {
            "label": condition.label if condition else None,
            "fingerprint": sample.fingerprint,
            "condition_id": condition.condition_id if condition else None,
            "family": condition.family if condition else None,
            "factors": dict(condition.factors) if condition else {},
        },
        "model": sample.model,
        "sample_index": sample.sample_index,
        "seed": sample.seed,
        "status": sample.status,
        "error": sample.error,
        "verdicts": verdicts,
        "transcript": transcript.model_dump(mode="json"),
        "blocks": transcript_blocks(transcript, verdicts),
    }
