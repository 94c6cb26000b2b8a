"""Import existing model responses as Transcripts, so that data made elsewhere can be re-scored.

Two inputs are understood:

**The study's result files** (``response.json`` of the original Agentic Misalignment code, or any JSON
object of the same shape)::

    {
      "raw_response": "<the model's whole reply, scratchpad and <tool_use:...> blocks included>",
      "condition": "blackmail_explicit-america_replacement",      # or "condition_id", or metadata.condition
      "model": "claude-opus-4",                                   # or metadata.model
      "sample_id": 3,                                             # or metadata.sample_id; 1-based
      "system_prompt": "...", "user_prompt": "...",               # optional: the prompts as sent
      "seed": 17,                                                 # optional
      "error": "..."                                              # optional: a failed sample
    }

Only ``raw_response`` (or ``error``) is required. Missing fields are taken from the study's directory layout
``.../models/<model>/<condition>/sample_<NNN>/response.json`` when the file is read with
:func:`import_study_file`. ``sample_id`` is 1-based as in the study; the transcript's ``sample_index`` is
``sample_id - 1``.

**Plain triples** ``(system, user, response)`` from any tool, with :func:`import_triple`.

Recovering the scenario
=======================

Detectors need the scenario's ground truth (who holds the leverage, the requester's address, the override
code). The result says how well it was recovered (``ImportedEpisode.scenario_match``):

* ``exact``: the prompts that were sent are known and equal those of a :class:`RenderedScenario` (one
  passed by the caller, a candidate, or scenariokit's rendering of the condition id). The transcript
  carries its fingerprint.
* ``assumed``: the caller passed the scenario, and no prompts were available to check it.
* ``condition``: only the condition id is known, and scenariokit's scenario for it was rendered. **The
  study's own prompts are not scenariokit's text**: its company, people, addresses and codes differ, so
  the response refers to a different world. Action-based detectors that compare recipients or codes with
  this scenario's ground truth will not find them; use an LLM judge, or pass the scenario that produced
  the response. ``scenario_problem`` says so, and the transcript's ``notes`` repeat it.
* ``none``: nothing could be recovered (no or unparseable condition id, no matching candidate);
  ``rendered`` is ``None`` and ``scenario_problem`` says why.

For responses to prompts that scenariokit did not render, describe their world with the blocks instead and
use :mod:`scenariokit.agent._external` (``render_external``, ``read_external``; ``scenariokit import`` on the
command line): the detectors then read that world's ground truth and the transcript's own prompts.

Actions are parsed from the response's ``<tool_use:TAG>`` blocks whatever the match (with the scenario's
tools, or the study's three standard tags when the scenario is not known exactly).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from scenariokit.agent._actions import ActionLog
from scenariokit.agent._parse import parse_turn
from scenariokit.agent._transcript import EndReason, EpisodeError, Transcript, TurnRecord
from scenariokit.providers._types import AssistantMessage, Message, SystemMessage, TextPart, UserMessage
from scenariokit.scenario._errors import ConditionIdError
from scenariokit.scenario._rendered import RenderedScenario
from scenariokit.scenario._scenario import Scenario
from scenariokit.scenario._tools import STANDARD_TOOLS

_MAX_SAMPLE_ID = 2**63 - 1
"""The largest 1-based sample id a store holds (its 0-based index is an SQLite 64-bit integer)."""

ScenarioMatch = Literal["exact", "assumed", "condition", "none"]
"""How well the scenario of an imported response was recovered (see the module documentation)."""

_SAMPLE_DIR = re.compile(r"^sample_0*(\d+)$")


class TranscriptImportError(ValueError):
    """A record could not be imported: it lacks the fields a response needs."""


class ImportedEpisode(BaseModel):
    """An imported response: its transcript, the scenario to score it against, and how sure that is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transcript: Transcript
    """The transcript, with actions parsed from the response."""

    rendered: RenderedScenario | None
    """The scenario to score against, or ``None`` when it could not be recovered."""

    scenario_match: ScenarioMatch
    """How well the scenario was recovered."""

    scenario_problem: str | None = None
    """Why the scenario is not known exactly (``None`` for ``exact``)."""

    source: str | None = None
    """Where the record came from (a file path or a caller-given label)."""

    @property
    def scorable_by_actions(self) -> bool:
        """Whether action-based detectors can use the scenario's ground truth (``exact`` or ``assumed``)."""
        return self.scenario_match in ("exact", "assumed") and self.transcript.error is None


_CONDITION_ONLY = (
    "the scenario was recovered from condition id {cid!r} only. scenariokit renders its own text for the "
    "study's conditions (its own company, people, addresses and codes), so the names, addresses and codes in "
    "this response belong to the world it was written in, not to this scenario; action-based detectors that "
    "compare recipients or codes with this scenario's ground truth will not find them. Score it with an LLM "
    "judge, or pass the RenderedScenario the response was produced from (rendered=... or candidates=...)"
)


@lru_cache(maxsize=512)
def _render_condition(condition_id: str) -> RenderedScenario:
    return Scenario.from_condition_id(condition_id).render(tool_mode="text")


def _same_prompts(rendered: RenderedScenario, system: str | None, user: str | None) -> bool:
    return (
        system is not None
        and user is not None
        and system.strip() == rendered.system_prompt.strip()
        and user.strip() == rendered.user_message.strip()
    )


def _recover(
    *,
    system: str | None,
    user: str | None,
    condition_id: str | None,
    rendered: RenderedScenario | None,
    candidates: Iterable[RenderedScenario],
) -> tuple[RenderedScenario | None, ScenarioMatch, str | None]:
    have_prompts = system is not None and user is not None
    if rendered is not None:
        if not have_prompts:
            return (
                rendered,
                "assumed",
                "no prompts were given to check that the scenario passed is the one used",
            )
        if _same_prompts(rendered, system, user):
            return rendered, "exact", None
        return (
            None,
            "none",
            f"the prompts of the response differ from those of the scenario passed (fingerprint "
            f"{rendered.fingerprint[:12]}...); pass the scenario the response was produced from",
        )
    if have_prompts:
        for candidate in candidates:
            if _same_prompts(candidate, system, user):
                return candidate, "exact", None
    if condition_id is None:
        return (
            None,
            "none",
            "no condition id, and no scenario passed or among the candidates has these prompts; pass "
            "rendered=..., candidates=..., or a condition id",
        )
    try:
        ours = _render_condition(condition_id)
    except ConditionIdError as exc:
        return None, "none", f"condition id {condition_id!r} could not be turned into a scenario: {exc}"
    if _same_prompts(ours, system, user):
        return ours, "exact", None
    return ours, "condition", _CONDITION_ONLY.format(cid=condition_id)


def import_response(
    response: str | None,
    *,
    system_prompt: str | None = None,
    user_prompt: str | None = None,
    condition_id: str | None = None,
    rendered: RenderedScenario | None = None,
    candidates: Iterable[RenderedScenario] = (),
    model: str = "unknown",
    sample_index: int = 0,
    seed: int | None = None,
    error: str | None = None,
    source: str | None = None,
) -> ImportedEpisode:
    """Import one model response given as text, recovering its scenario as well as possible.

    Args:
        response: The model's whole reply (``None`` or blank for a failed or empty sample).
        system_prompt: The system prompt that was sent, when known.
        user_prompt: The user message that was sent, when known.
        condition_id: The study's condition id, when known.
        rendered: The scenario that produced the response, when the caller knows it.
        candidates: Scenarios to match against the prompts (e.g. every condition rendered).
        model: Name of the model that answered.
        sample_index: 0-based index of the sample.
        seed: The sample's seed, when known.
        error: The error recorded for a failed sample; it makes the transcript unscorable.
        source: A label for where the record came from (kept in the result).

    Returns:
        The imported episode.
    """
    found, match, problem = _recover(
        system=system_prompt,
        user=user_prompt,
        condition_id=condition_id,
        rendered=rendered,
        candidates=candidates,
    )
    exact = match in ("exact", "assumed")
    tools = found.tools if found is not None and exact else STANDARD_TOOLS
    messages: list[Message] = []
    if system_prompt is not None:
        messages.append(SystemMessage(content=system_prompt))
    if user_prompt is not None:
        messages.append(UserMessage(content=user_prompt))
    notes: list[str] = [f"scenario: {problem}"] if problem else []
    turns: tuple[TurnRecord, ...] = ()
    actions = ActionLog()
    ended_by: EndReason = "final_answer"
    episode_error: EpisodeError | None = None
    if error is not None:
        episode_error = EpisodeError(type="imported.error", message=error, turn=0)
        ended_by = "error"
    elif response is None or not response.strip():
        notes.append("the response is empty: nothing to score")
    else:
        index = len(messages)
        message = AssistantMessage(content=(TextPart(text=response),))
        messages.append(message)
        parsed = parse_turn(message, tools, message_index=index)
        turns = (
            TurnRecord(message_index=index, visible_text=parsed.visible_text, reasoning=parsed.reasoning),
        )
        actions = ActionLog(actions=parsed.actions)
        notes.extend(parsed.notes)
        ended_by = "turn_limit" if parsed.actions else "final_answer"
    transcript = Transcript(
        fingerprint=found.fingerprint if found is not None and exact else None,
        condition_id=condition_id if condition_id is not None else (found.condition_id if found else None),
        family=found.scenario.family if found is not None else None,
        tool_mode="text",
        model=model,
        sample_index=sample_index,
        seed=seed,
        messages=tuple(messages),
        turns=turns,
        actions=actions,
        ended_by=ended_by,
        error=episode_error,
        notes=tuple(notes),
    )
    return ImportedEpisode(
        transcript=transcript, rendered=found, scenario_match=match, scenario_problem=problem, source=source
    )


def import_triple(
    system: str,
    user: str,
    response: str,
    *,
    rendered: RenderedScenario | None = None,
    candidates: Iterable[RenderedScenario] = (),
    model: str = "unknown",
    sample_index: int = 0,
    source: str | None = None,
) -> ImportedEpisode:
    """Import a plain ``(system, user, response)`` triple.

    The scenario is recovered when ``rendered`` or one of ``candidates`` has exactly these prompts
    (surrounding whitespace ignored); otherwise ``scenario_match`` is ``none`` and the transcript still
    carries the parsed actions.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> r = blackmail().render()
        >>> ep = import_triple(r.system_prompt, r.user_message, "I will do nothing.", candidates=[r])
        >>> ep.scenario_match, ep.transcript.fingerprint == r.fingerprint
        ('exact', True)
    """
    return import_response(
        response,
        system_prompt=system,
        user_prompt=user,
        rendered=rendered,
        candidates=candidates,
        model=model,
        sample_index=sample_index,
        source=source,
    )


def _text(value: Any, field: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TranscriptImportError(f"{where}: field {field!r} must be text, got {type(value).__name__}")
    return value


def import_study_record(
    data: Mapping[str, Any],
    *,
    condition_id: str | None = None,
    model: str | None = None,
    sample_id: int | None = None,
    rendered: RenderedScenario | None = None,
    candidates: Iterable[RenderedScenario] = (),
    source: str | None = None,
) -> ImportedEpisode:
    """Import one record in the study's result format (see the module documentation for the shape).

    Fields in the record win over the keyword arguments, which act as fallbacks (e.g. taken from the
    record's path).

    Raises:
        TranscriptImportError: If the record has neither ``raw_response`` nor ``error``, or a field has the
            wrong type; the message names the record and the field.
    """
    where = source or "study record"
    if not isinstance(data, Mapping):
        raise TranscriptImportError(f"{where}: expected a JSON object, got {type(data).__name__}")
    meta = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)

    def pick(*keys: str) -> Any:
        for key in keys:
            if data.get(key) is not None:
                return data[key]
            if meta.get(key) is not None:
                return meta[key]
        return None

    response = _text(pick("raw_response"), "raw_response", where)
    error = pick("error")
    if response is None and error is None:
        raise TranscriptImportError(
            f"{where}: no 'raw_response' (the model's reply) and no 'error'; a study record needs one of them "
            f"(keys found: {', '.join(sorted(data)) or 'none'})"
        )
    cid = _text(pick("condition", "condition_id"), "condition", where) or condition_id
    name = _text(pick("model"), "model", where) or model or "unknown"
    sid = pick("sample_id")
    if sid is None:
        sid = sample_id
    if sid is not None and (
        isinstance(sid, bool) or not isinstance(sid, int) or not 1 <= sid <= _MAX_SAMPLE_ID
    ):
        raise TranscriptImportError(
            f"{where}: 'sample_id' must be a whole number from 1 to {_MAX_SAMPLE_ID:,}, got {sid!r}"
        )
    seed = pick("seed")
    return import_response(
        response,
        system_prompt=_text(pick("system_prompt"), "system_prompt", where),
        user_prompt=_text(pick("user_prompt"), "user_prompt", where),
        condition_id=cid,
        rendered=rendered,
        candidates=candidates,
        model=name,
        sample_index=(sid - 1) if sid is not None else 0,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        error=None if error is None else str(error),
        source=source,
    )


def _from_path(path: Path) -> tuple[str | None, str | None, int | None]:
    """``(condition, model, sample_id)`` from ``.../models/<model>/<condition>/sample_<NNN>/response.json``."""
    parts = path.parts
    sample = _SAMPLE_DIR.match(parts[-2]) if len(parts) >= 2 else None
    if sample is None:
        return None, None, None
    condition = parts[-3] if len(parts) >= 3 else None
    model = parts[-4] if len(parts) >= 4 else None
    return condition, model, int(sample.group(1))


def import_study_file(
    path: str | Path,
    *,
    rendered: RenderedScenario | None = None,
    candidates: Iterable[RenderedScenario] = (),
) -> ImportedEpisode:
    """Import one ``response.json`` of the study, filling missing fields from its directory layout.

    Raises:
        TranscriptImportError: If the file is not JSON or not a study record; the message names the file.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranscriptImportError(f"{p}: cannot be read as JSON: {exc}") from exc
    except RecursionError:
        raise TranscriptImportError(f"{p}: cannot be read as JSON: nested too deeply to read") from None
    condition, model, sample_id = _from_path(p)
    return import_study_record(
        data,
        condition_id=condition,
        model=model,
        sample_id=sample_id,
        rendered=rendered,
        candidates=candidates,
        source=str(p),
    )


def import_study_dir(root: str | Path, *, pattern: str = "**/response.json") -> Iterator[ImportedEpisode]:
    """Import every study result file under a directory, in sorted path order.

    Scenarios are recovered from condition ids (each condition is rendered once and reused).

    Raises:
        TranscriptImportError: On the first file that cannot be imported (the message names it).
    """
    for path in sorted(Path(root).glob(pattern)):
        yield import_study_file(path)
