"""External transcripts: responses to prompts that this library did not render, scored against a world you describe.

The user describes the world with the scenario blocks (company, personas, leverage, opportunity, the emails
that carry the evidence): that is the **ground truth** the detectors read. The system prompt and user message
come **verbatim** from the transcript: that is the **text** the detectors read (and the judge is shown).
:func:`render_external` joins the two into a :class:`~scenariokit.scenario.RenderedScenario` whose prompts are
the transcript's and whose fingerprint hashes both the verbatim prompts and the world, so two worlds described
for the same text are never confused.

Two input layouts are read, one sample at a time; a sample that cannot be read is reported with its reason
(:class:`ExternalFailure`) and the others go on:

* **generic JSONL** (:func:`read_jsonl`): one :class:`ExternalRecord` per line;
* **the original study's layout** (:func:`read_study_folder`): ``prompts/<condition>/system_prompt.txt``,
  ``user_prompt.txt``, ``email_content.txt`` per condition, and
  ``models/<model>/<condition>/sample_<NNN>/response.json`` per sample, with the raw reply in ``raw_response``.

Forwarded emails are read by number against the world's inbox: list the world's emails in the order the
transcript's inbox shows them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenariokit.agent._actions import ActionLog
from scenariokit.agent._parse import parse_turn
from scenariokit.agent._transcript import EndReason, EpisodeError, Transcript, TurnRecord
from scenariokit.providers._types import (
    AssistantMessage,
    AssistantPart,
    ReasoningPart,
    SystemMessage,
    TextPart,
    UserMessage,
)
from scenariokit.scenario._rendered import RENDERER_VERSION, RenderedScenario
from scenariokit.scenario._scenario import Scenario, ToolMode
from scenariokit.scenario._tools import STANDARD_TOOLS

MAX_SAMPLE_INDEX = 2**63 - 2
"""The largest sample index a store holds (SQLite's integers are 64-bit; a study's 1-based id is one more)."""

ImportFormat = Literal["jsonl", "study"]
"""The layouts :func:`read_external` understands."""

ExternalLabel = Literal["harmful", "benign", "ambiguous"]
"""A label that came with an external transcript (a person's, or the original study's classifier's)."""


def _strict_json(text: str) -> Any:
    r"""``json.loads``, refusing a lone surrogate escape (``\ud800``): half of a character, which no store holds.

    Raises:
        ValueError: If the text is not JSON, is nested past Python's recursion limit, or holds such an escape (the
            message says which).
    """
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(
            "nested too deeply to read: lists or objects inside each other thousands deep"
        ) from None
    if "\\u" in text and re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "a string holds a lone surrogate escape (a \\ud800-\\udfff escape not paired with another), "
                "which is half of a character"
            ) from None
    return data


class ExternalRecord(BaseModel):
    """One line of a generic JSONL file of external transcripts.

    Only ``system_prompt``, ``user_prompt`` and one of ``response`` or ``error`` are required. Reasoning is
    given apart in ``reasoning`` (plain text, never wrapped in tags); it is stored as the reply's reasoning, so
    the reasoning detectors read it and the action detectors do not.

    Example:
        >>> r = ExternalRecord(system_prompt="You are Atlas.", user_prompt="Inbox: ...", response="Done.")
        >>> r.model, r.sample_index is None
        ('unknown', True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    system_prompt: str
    """The system message exactly as the model received it."""

    user_prompt: str
    """The user message exactly as the model received it (instruction and inbox)."""

    response: str | None = None
    """The model's visible reply, with its ``<tool_use:...>`` blocks if it acted through text tags."""

    reasoning: str | None = None
    """The model's reasoning or thinking, kept apart from ``response`` (no ``<think>`` tags needed)."""

    error: str | None = None
    """Why the sample failed where it was produced (the sample is stored as failed: unscorable)."""

    model: str = Field(default="unknown", min_length=1)
    """The model that answered (e.g. ``anthropic/claude-opus-4``)."""

    condition: str | None = None
    """A label for the condition (default: ``imported-`` and the first characters of its fingerprint)."""

    sample_index: int | None = Field(default=None, ge=0, le=MAX_SAMPLE_INDEX)
    """0-based index of the sample within its (condition, model); default: its order in the file."""

    label: ExternalLabel | None = None
    """A label that came with the transcript, stored as a human-review verdict so that reports show how
    the detectors agree with it."""

    labeller: str | None = None
    """Who gave ``label`` (stored as the review verdict's version; default ``imported``)."""

    metadata: dict[str, Any] = Field(default_factory=dict)
    """Anything else about the record (kept in the transcript's notes as JSON)."""

    @model_validator(mode="after")
    def _has_reply(self) -> ExternalRecord:
        if self.response is None and self.reasoning is None and self.error is None:
            raise ValueError(
                "the record has no 'response', 'reasoning' or 'error'; give the model's reply in 'response' "
                "(and its reasoning in 'reasoning'), or why it failed in 'error'"
            )
        if self.labeller is not None and self.label is None:
            raise ValueError("'labeller' is given without 'label'; add the label or drop 'labeller'")
        return self


def external_record_schema() -> dict[str, Any]:
    """The JSON Schema of one line of the generic JSONL format (:class:`ExternalRecord`)."""
    return ExternalRecord.model_json_schema()


def external_fingerprint(rendered_world: RenderedScenario, system_prompt: str, user_message: str) -> str:
    """The fingerprint of an external condition: the verbatim prompts, the tool mode and the world.

    Args:
        rendered_world: The world as this library renders it (its scenario and tools count).
        system_prompt: The transcript's system prompt.
        user_message: The transcript's user message.

    Returns:
        A SHA-256 hex digest.
    """
    canonical = json.dumps(
        {
            "external": True,
            "renderer_version": RENDERER_VERSION,
            "tool_mode": rendered_world.tool_mode,
            "system": system_prompt,
            "user": user_message,
            "world": rendered_world.scenario.model_dump(mode="json"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def render_external(
    world: Scenario | RenderedScenario, system_prompt: str, user_message: str, *, tool_mode: ToolMode = "text"
) -> RenderedScenario:
    """The rendered scenario of an external transcript: the world's ground truth with the transcript's prompts.

    Args:
        world: The world described with the blocks (rendered or not).
        system_prompt: The system prompt exactly as the model received it.
        user_message: The user message exactly as the model received it.
        tool_mode: How the model acted (``text``: ``<tool_use:...>`` blocks in its reply).
            A world whose agent declares no tools gets the study's three (``email``, ``forward``,
            ``cancel_alert``).

    Returns:
        A rendered scenario whose ``scenario`` and ``emails`` are the world's and whose prompts are the
        transcript's, with a fingerprint of both (:func:`external_fingerprint`).

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> r = render_external(blackmail(), "You are Atlas.", "Here is your inbox.")
        >>> r.system_prompt, r.scenario.family, r.fingerprint != blackmail().render().fingerprint
        ('You are Atlas.', 'blackmail', True)
    """
    scenario = world.scenario if isinstance(world, RenderedScenario) else world
    if not scenario.agent.tools:
        scenario = scenario.model_copy(
            update={"agent": scenario.agent.model_copy(update={"tools": STANDARD_TOOLS})}
        )
    base = scenario.render(tool_mode=tool_mode)
    return RenderedScenario.model_validate(
        {
            **base.model_dump(),
            "system_prompt": system_prompt,
            "user_message": user_message,
            "fingerprint": external_fingerprint(base, system_prompt, user_message),
        }
    )


def external_transcript(
    rendered: RenderedScenario,
    *,
    response: str | None,
    reasoning: str | None = None,
    model: str = "unknown",
    sample_index: int = 0,
    error: str | None = None,
    notes: tuple[str, ...] = (),
) -> Transcript:
    """The one-turn transcript of an external reply, with its actions parsed against the world's tools.

    Args:
        rendered: The external condition (:func:`render_external`).
        response: The visible reply (``None`` or blank: nothing written).
        reasoning: The reasoning, kept apart as a reasoning part of the reply.
        model: The model that answered.
        sample_index: 0-based sample index.
        error: Why the sample failed; the transcript then ends with an error (unscorable).
        notes: Notes to keep with the transcript.

    Returns:
        The transcript (system prompt, user message, the reply).
    """
    messages: list[SystemMessage | UserMessage | AssistantMessage] = [
        SystemMessage(content=rendered.system_prompt),
        UserMessage(content=rendered.user_message),
    ]
    base: dict[str, Any] = {
        "fingerprint": rendered.fingerprint,
        "condition_id": rendered.condition_id,
        "family": rendered.scenario.family,
        "tool_mode": rendered.tool_mode,
        "model": model,
        "sample_index": sample_index,
    }
    if error is not None:
        return Transcript(
            **base,
            messages=tuple(messages),
            ended_by="error",
            error=EpisodeError(type="imported.error", message=error, turn=0),
            notes=notes,
        )
    parts: list[AssistantPart] = []
    if reasoning is not None and reasoning.strip():
        parts.append(ReasoningPart(text=reasoning, source="reasoning"))
    if response is not None and response.strip():
        parts.append(TextPart(text=response))
    if not parts:
        return Transcript(
            **base, messages=tuple(messages), notes=(*notes, "the reply is empty: nothing to score")
        )
    message = AssistantMessage(content=tuple(parts))
    messages.append(message)
    parsed = parse_turn(message, rendered.tools, message_index=2, text_tags=rendered.tool_mode == "text")
    ended_by: EndReason = "turn_limit" if parsed.actions else "final_answer"
    return Transcript(
        **base,
        messages=tuple(messages),
        turns=(TurnRecord(message_index=2, visible_text=parsed.visible_text, reasoning=parsed.reasoning),),
        actions=ActionLog(actions=parsed.actions),
        ended_by=ended_by,
        notes=(*notes, *parsed.notes),
    )


@dataclass(frozen=True)
class ExternalSample:
    """One external sample read from a source, ready to score and store."""

    rendered: RenderedScenario
    """Its condition: the world with the transcript's prompts."""

    label: str
    """The condition's label."""

    transcript: Transcript
    """The transcript (failed, with its reason, when the sample could not be read)."""

    source: str
    """Where it came from (``file:line`` or the ``response.json`` path)."""

    human_label: ExternalLabel | None = None
    """A label that came with it."""

    labeller: str = "imported"
    """Who gave ``human_label``."""


@dataclass(frozen=True)
class ExternalFailure:
    """A part of the source that could not be imported at all (no condition to attach it to)."""

    source: str
    """Where (``file:line``, or a path)."""

    reason: str
    """What was wrong and how to fix it."""


ExternalItem = ExternalSample | ExternalFailure
"""What the readers yield, one per sample or unreadable part, in source order."""


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class _Conditions:
    """Rendered external conditions by prompt pair, with their labels made unique, and sample counters."""

    def __init__(self, world: RenderedScenario) -> None:
        self.world = world
        self._by_prompts: dict[tuple[str, str], RenderedScenario] = {}
        self._labels: dict[str, str] = {}
        self._used: set[str] = set()
        self._next: dict[tuple[str, str], int] = {}

    def get(self, system: str, user: str, label: str | None) -> tuple[RenderedScenario, str]:
        rendered = self._by_prompts.get((system, user))
        if rendered is None:
            rendered = self._by_prompts[(system, user)] = render_external(
                self.world, system, user, tool_mode=self.world.tool_mode
            )
        fp = rendered.fingerprint
        if fp not in self._labels:
            name = label or f"imported-{fp[:8]}"
            if name in self._used:
                name = f"{name}#{fp[:8]}"
            self._used.add(name)
            self._labels[fp] = name
        return rendered, self._labels[fp]

    def index(self, fingerprint: str, model: str, given: int | None) -> int:
        key = (fingerprint, model)
        if given is not None:
            self._next[key] = max(self._next.get(key, 0), given + 1)
            return given
        n = self._next.get(key, 0)
        self._next[key] = n + 1
        return n


def read_jsonl(path: str | Path, world: Scenario | RenderedScenario) -> Iterator[ExternalItem]:
    """Read a generic JSONL file of external transcripts (one :class:`ExternalRecord` per line).

    A line that is not JSON or not a valid record is yielded as an :class:`ExternalFailure` saying which line
    and field; a record with ``error`` is a failed sample; blank lines are skipped.

    Args:
        path: The ``.jsonl`` file.
        world: The world the transcripts belong to.

    Yields:
        One item per non-blank line, in file order.

    Raises:
        OSError: If the file cannot be opened.
    """
    rendered_world = world if isinstance(world, RenderedScenario) else world.render(tool_mode="text")
    yield from _read_jsonl(Path(path), _Conditions(rendered_world))


def _read_jsonl(p: Path, conditions: _Conditions) -> Iterator[ExternalItem]:
    with p.open(encoding="utf-8", errors="strict") as handle:
        number = 0
        while True:
            number += 1
            where = f"{p}:{number}"
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                yield ExternalFailure(
                    where, f"the file is not UTF-8 from here on ({exc.reason}); save it as UTF-8"
                )
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                data = _strict_json(line)
            except ValueError as exc:
                yield ExternalFailure(where, f"the line is not JSON ({exc}); write one JSON object per line")
                continue
            if not isinstance(data, dict):
                yield ExternalFailure(where, f"expected a JSON object, got {type(data).__name__}")
                continue
            try:
                record = ExternalRecord.model_validate(data)
            except ValidationError as exc:
                yield ExternalFailure(where, f"not a valid record: {_one_line(exc)} (see the JSONL schema)")
                continue
            rendered, label = conditions.get(record.system_prompt, record.user_prompt, record.condition)
            index = conditions.index(rendered.fingerprint, record.model, record.sample_index)
            notes = (f"metadata: {json.dumps(record.metadata, sort_keys=True)}",) if record.metadata else ()
            transcript = external_transcript(
                rendered,
                response=record.response,
                reasoning=record.reasoning,
                model=record.model,
                sample_index=index,
                error=record.error,
                notes=(f"imported from {where}", *notes),
            )
            yield ExternalSample(
                rendered,
                label,
                transcript,
                where,
                human_label=record.label,
                labeller=record.labeller or "imported",
            )


_SAMPLE_DIR = re.compile(r"^sample_0*(\d+)$")
STUDY_PROMPT_FILES = ("system_prompt.txt", "user_prompt.txt", "email_content.txt")
"""The files of one condition in the study's ``prompts/<condition>/`` folder (``email_content.txt`` optional)."""


def study_user_message(user_prompt: str, email_content: str | None) -> str:
    """The user message of a study condition: the instruction, a blank line, then the emails.

    When ``user_prompt.txt`` already ends with the emails, it is used alone.
    """
    if (
        email_content is None
        or not email_content.strip()
        or user_prompt.rstrip().endswith(email_content.strip())
    ):
        return user_prompt
    return f"{user_prompt.rstrip()}\n\n{email_content.strip()}\n"


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def read_study_folder(root: str | Path, world: Scenario | RenderedScenario) -> Iterator[ExternalItem]:
    """Read a results folder in the original study's layout.

    ``ROOT/prompts/<condition>/{system_prompt,user_prompt,email_content}.txt`` give each condition's prompts;
    ``ROOT/models/<model>/<condition>/sample_<NNN>/response.json`` give the samples (``raw_response``: the
    whole reply; or ``error``). A sample whose ``response.json`` cannot be read, or has neither, is a failed
    sample with the reason; a sample whose condition has no readable prompts is an :class:`ExternalFailure`.

    Args:
        root: The results folder (the one holding ``prompts/`` and ``models/``).
        world: The world the transcripts belong to.

    Yields:
        One item per ``response.json`` (and per unreadable condition), in sorted path order.
    """
    base = Path(root)
    rendered_world = world if isinstance(world, RenderedScenario) else world.render(tool_mode="text")
    conditions = _Conditions(rendered_world)
    prompts: dict[str, tuple[str, str] | str] = {}

    def prompts_of(condition: str) -> tuple[str, str] | str:
        if condition not in prompts:
            folder = base / "prompts" / condition
            try:
                system = _read_text(folder / "system_prompt.txt")
                user = _read_text(folder / "user_prompt.txt")
                email_path = folder / "email_content.txt"
                emails = _read_text(email_path) if email_path.exists() else None
                prompts[condition] = (system, study_user_message(user, emails))
            except (OSError, UnicodeDecodeError) as exc:
                prompts[condition] = (
                    f"the prompts of condition {condition!r} cannot be read ({exc}); the study layout needs "
                    f"{folder}/system_prompt.txt and user_prompt.txt (email_content.txt optional)"
                )
        return prompts[condition]

    files = sorted((base / "models").glob("*/*/*/response.json"))
    if not files:
        yield ExternalFailure(
            str(base),
            f"no models/<model>/<condition>/sample_<NNN>/response.json under {base}; is it the study's results "
            "folder (the one holding prompts/ and models/)?",
        )
        return
    for path in files:
        sample = _SAMPLE_DIR.match(path.parent.name)
        condition, model = path.parent.parent.name, path.parent.parent.parent.name
        if sample is None or not 1 <= int(sample.group(1)) <= MAX_SAMPLE_INDEX + 1:
            yield ExternalFailure(
                str(path),
                f"the sample folder is not named sample_<N> with N from 1 to {MAX_SAMPLE_INDEX + 1:,}; rename it",
            )
            continue
        found = prompts_of(condition)
        if isinstance(found, str):
            yield ExternalFailure(str(path), found)
            continue
        rendered, label = conditions.get(found[0], found[1], condition)
        index = int(sample.group(1)) - 1
        notes = (f"imported from {path}",)
        response = reasoning = error = None
        try:
            data = _strict_json(_read_text(path))
            if not isinstance(data, dict):
                raise ValueError(f"expected a JSON object, got {type(data).__name__}")
            raw, failed = data.get("raw_response"), data.get("error")
            if raw is not None and not isinstance(raw, str):
                raise ValueError(f"'raw_response' must be text, got {type(raw).__name__}")
            if raw is None and failed is None:
                raise ValueError(
                    f"no 'raw_response' (the model's reply) and no 'error' (keys found: {', '.join(sorted(data)) or 'none'})"
                )
            response, error = raw, None if failed is None or raw is not None else str(failed)
            thinking = data.get("reasoning")
            reasoning = thinking if isinstance(thinking, str) else None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            error = f"response.json cannot be imported: {exc}"
        transcript = external_transcript(
            rendered,
            response=response,
            reasoning=reasoning,
            model=model,
            sample_index=index,
            error=error,
            notes=notes,
        )
        yield ExternalSample(rendered, label, transcript, str(path))


def read_external(
    source: str | Path, world: Scenario | RenderedScenario, *, format: ImportFormat | None = None
) -> Iterator[ExternalItem]:
    """Read external transcripts from a JSONL file, a folder of them, or a study results folder.

    Args:
        source: A ``.jsonl`` file, a folder of ``*.jsonl`` files, or the study's results folder.
        world: The world the transcripts belong to.
        format: ``jsonl`` or ``study``; by default a file is JSONL, and a folder is the study's layout when
            it has ``models/`` and JSONL files otherwise.

    Yields:
        One item per sample or unreadable part.

    Raises:
        FileNotFoundError: If ``source`` does not exist.
        ValueError: If the format does not fit the source (e.g. ``study`` for a file).
    """
    src = Path(source)
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist; give a .jsonl file or a folder of transcripts")
    if format is None:
        format = "study" if src.is_dir() and (src / "models").is_dir() else "jsonl"
    if format == "study":
        if not src.is_dir():
            raise ValueError(
                f"{src} is a file; --format study reads the study's results folder (prompts/ and models/)"
            )
        yield from read_study_folder(src, world)
        return
    files = sorted(src.glob("*.jsonl")) if src.is_dir() else [src]
    if not files:
        raise ValueError(
            f"{src} has no *.jsonl files; give a .jsonl file, or --format study for the study's layout"
        )
    conditions = _Conditions(world if isinstance(world, RenderedScenario) else world.render(tool_mode="text"))
    for f in files:
        yield from _read_jsonl(f, conditions)
