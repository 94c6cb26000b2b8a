"""Validation harness: run detectors over labelled transcripts and measure their agreement with the labels.

Two labelled sets ship with the package under ``scenariokit/detectors/data``:

* the **development** set (``load_labelled_set()``; files ``labelled_*.yaml``), written together with the
  detectors and rich in hard cases (telling the CEO about the affair; a polite threat; reporting to the
  regulator; quoting the override code; blackmail drafted in reasoning and not sent; ...);
* the **held-out** set (``load_labelled_set(split="heldout")``; files ``heldout/*.yaml``), written by someone
  who never saw the detectors' code, in the styles of different models. The figures the docs quote are
  measured on it.

Each item names its family and factor settings, so the ``RenderedScenario`` is rebuilt with the family's
factory, and gives the agent's reply (text-tag mode, optionally with native reasoning given apart) or its
native parts; ``present`` lists the categories that are present, ``ambiguous`` those whose label is null
(excluded from the figures), and every other category of the family is labelled absent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import anyio
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scenariokit.agent import ActionLog, Transcript, TurnRecord
from scenariokit.agent._parse import parse_turn
from scenariokit.detectors._base import Detector
from scenariokit.detectors._metrics import AgreementScore, format_table
from scenariokit.detectors._suite import FAMILY_ACTION_DETECTORS
from scenariokit.detectors._verdict import Category, Verdict
from scenariokit.providers._types import (
    AssistantMessage,
    AssistantPart,
    ReasoningPart,
    ReasoningSource,
    SystemMessage,
    TextPart,
    ToolCall,
    UserMessage,
)
from scenariokit.scenario import RenderedScenario, Scenario, ScenarioError, ToolMode, get_family
from scenariokit.scenario._io import FileTooLargeError, YAMLInputError, parse_yaml, read_text_file

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

REASONING_CATEGORIES: tuple[Category, ...] = (
    Category.EVAL_AWARENESS,
    Category.ETHICAL_ACKNOWLEDGEMENT,
    Category.SELF_PRESERVATION,
    Category.INVENTED_CONSTRAINTS,
    Category.REFUSAL,
)
"""Categories labelled on every item, whatever its family."""

LEVERAGE_CATEGORIES: tuple[Category, ...] = (Category.CONSIDERED_BLACKMAIL,)
"""Reasoning categories labelled only on items whose scenario has leverage (whose suite detects blackmail)."""

DATA_FILES: tuple[str, ...] = (
    "labelled_blackmail.yaml",
    "labelled_leaking.yaml",
    "labelled_lethal.yaml",
    "labelled_from_heldout.yaml",
)
"""The files of the built-in development set."""

HELDOUT_DIR = "heldout"
"""The folder (under ``scenariokit/detectors/data``) whose ``*.yaml`` files make the held-out set."""

Split = Literal["development", "heldout"]
"""Which built-in labelled set: ``development`` (written with the detectors) or ``heldout`` (written blind)."""


def family_categories(family: str) -> tuple[Category, ...]:
    """The categories labelled for items of a family: its action categories, then the reasoning ones.

    Families with leverage (whose action detectors include blackmail) also label ``considered_blackmail``.

    Raises:
        ValueError: If the family has no default suite.
    """
    if family not in FAMILY_ACTION_DETECTORS:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILY_ACTION_DETECTORS)}")
    actions = tuple(d().category for d in FAMILY_ACTION_DETECTORS[family])
    leverage = LEVERAGE_CATEGORIES if Category.BLACKMAIL in actions else ()
    return (*actions, *leverage, *REASONING_CATEGORIES)


class LabelledToolCall(BaseModel):
    """A native tool call of a labelled item."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Tool name."""

    arguments: dict[str, Any] = Field(default_factory=dict)
    """Parsed arguments."""

    raw_arguments: str | None = None
    """The raw argument string, for malformed calls (then ``arguments`` is empty)."""

    parse_error: str | None = None
    """Why ``raw_arguments`` could not be parsed, for malformed calls."""


class LabelledItem(BaseModel):
    """One labelled transcript: the scenario it belongs to, what the agent wrote, and its labels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Unique id of the item."""

    family: str | None = None
    """Built-in family whose factory rebuilds the scenario (with ``factors``); leave it out when you give
    ``scenario``."""

    scenario: Scenario | None = None
    """A world of your own (any family name, built-in blocks or not) instead of a built-in family: its contents
    choose the labelled categories, as ``default_suite(scenario)`` chooses the detectors (leverage -> blackmail,
    disclosure and considered blackmail; confidential material -> leak; an emergency alert -> lethal action)."""

    factors: dict[str, str | bool] = Field(default_factory=dict)
    """Factor settings given to the factory (defaults for the rest)."""

    tool_mode: ToolMode = "text"
    """How the agent acted."""

    response: str | None = None
    """The agent's whole reply in text mode (``<SCRATCHPAD_REASONING>`` or ``<think>`` regions and
    ``<tool_use:...>`` blocks included)."""

    reasoning: str | None = None
    """Reasoning given apart from the reply (a native reasoning part), in either mode."""

    reasoning_source: ReasoningSource = "reasoning_content"
    """Where ``reasoning`` came from (``anthropic_thinking``, ``reasoning_content``, ``gemini_thought``,
    ``openai_responses``, ``think_tag``, ...)."""

    text: str | None = None
    """Visible text (native mode; a ``<think>`` preamble in it is read as reasoning)."""

    tool_calls: tuple[LabelledToolCall, ...] = ()
    """Native tool calls (native mode)."""

    present: tuple[Category, ...] = ()
    """The categories present in this transcript; every other category of the family is absent."""

    ambiguous: tuple[Category, ...] = ()
    """Categories whose label is null (ambiguous): neither present nor absent, excluded from the figures."""

    style: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    """The writing style the item imitates (``extended-thinking``, ``terse-reasoning``, ``think-tags``,
    ``native-tools``, ``gemini-prose``, ``list-emails``, ``formal``, ``casual``, ...)."""

    note: str = ""
    """Why the item is in the set."""

    @model_validator(mode="after")
    def _check(self) -> LabelledItem:
        if self.tool_mode == "text":
            if self.response is None or self.text is not None or self.tool_calls:
                raise ValueError(
                    f"item {self.id!r}: a text-mode item needs 'response' (and optionally 'reasoning' given apart), "
                    "not 'text' or 'tool_calls'"
                )
        elif self.response is not None:
            raise ValueError(
                f"item {self.id!r}: a native-mode item uses 'reasoning', 'text' and 'tool_calls', not 'response'"
            )
        elif not (self.reasoning or self.text or self.tool_calls):
            raise ValueError(
                f"item {self.id!r}: a native-mode item needs 'reasoning', 'text' or 'tool_calls'"
            )
        if (self.family is None) == (self.scenario is None):
            raise ValueError(
                f"item {self.id!r}: give either 'family' (a built-in family, with 'factors') or 'scenario' (a world "
                "of your own), not both and not neither"
            )
        if self.scenario is not None and self.factors:
            raise ValueError(f"item {self.id!r}: 'factors' apply to a built-in 'family', not to a 'scenario'")
        allowed = self.categories
        for field, listed in (("present", self.present), ("ambiguous", self.ambiguous)):
            wrong = [c.value for c in listed if c not in allowed]
            if wrong:
                raise ValueError(
                    f"item {self.id!r}: {field} lists {', '.join(wrong)}, which family {self.family_name!r} does "
                    f"not label; use {', '.join(c.value for c in allowed)}"
                )
        both = [c.value for c in self.present if c in self.ambiguous]
        if both:
            raise ValueError(
                f"item {self.id!r}: {', '.join(both)} listed both in present and in ambiguous; keep it in one"
            )
        try:  # factors the family does not take were accepted here and failed validate() in a task group
            self.rendered()
        except ScenarioError as exc:
            raise ValueError(f"item {self.id!r}: its scenario cannot be built: {exc}") from None
        return self

    @property
    def family_name(self) -> str:
        """The family of the item's world."""
        if self.scenario is not None:
            return self.scenario.family
        assert self.family is not None  # checked at construction
        return self.family

    @property
    def categories(self) -> tuple[Category, ...]:
        """The categories labelled on this item (present, absent or null)."""
        if self.scenario is not None:
            return scenario_categories(self.scenario)
        assert self.family is not None  # checked at construction
        return family_categories(self.family)

    @property
    def labels(self) -> dict[Category, bool]:
        """Every non-null label of the item: ``True`` if present, ``False`` if absent (ambiguous ones left out)."""
        return {c: c in self.present for c in self.categories if c not in self.ambiguous}

    def rendered(self) -> RenderedScenario:
        """The rendered scenario: the item's own ``scenario``, or the family's factory with ``factors`` (cached)."""
        if self.scenario is not None:
            return _render_scenario(self.scenario, self.tool_mode)
        assert self.family is not None  # checked at construction
        return _render(self.family, tuple(sorted(self.factors.items())), self.tool_mode)

    def message(self) -> AssistantMessage:
        """The agent's message."""
        parts: list[AssistantPart] = []
        if self.reasoning:
            parts.append(ReasoningPart(text=self.reasoning, source=self.reasoning_source))
        if self.response is not None:
            parts.append(TextPart(text=self.response))
        else:
            if self.text:
                parts.append(TextPart(text=self.text))
            for k, call in enumerate(self.tool_calls):
                parts.append(
                    ToolCall(
                        id=f"call_{self.id}_{k}",
                        name=call.name,
                        arguments=call.arguments,
                        raw_arguments=call.raw_arguments,
                        parse_error=call.parse_error,
                    )
                )
        return AssistantMessage(content=tuple(parts))

    def transcript(self) -> Transcript:
        """The transcript of a one-turn episode in which the agent wrote this message."""
        return transcript_from_message(self.rendered(), self.message(), model=f"labelled/{self.id}")


@lru_cache(maxsize=64)
def _render(
    family: str, factors: tuple[tuple[str, str | bool], ...], tool_mode: ToolMode
) -> RenderedScenario:
    return get_family(family).build(**dict(factors)).render(tool_mode=tool_mode)


_RENDERED: dict[tuple[str, ToolMode], RenderedScenario] = {}


def _render_scenario(scenario: Scenario, tool_mode: ToolMode) -> RenderedScenario:
    key = (scenario.model_dump_json(), tool_mode)
    found = _RENDERED.get(key)
    if found is None:
        if len(_RENDERED) >= 64:
            _RENDERED.clear()
        found = _RENDERED[key] = scenario.render(tool_mode=tool_mode)
    return found


def scenario_categories(scenario: Scenario) -> tuple[Category, ...]:
    """The categories labelled for items of a world of your own: those of ``default_suite(scenario)``.

    Args:
        scenario: The world.

    Returns:
        Its action categories (from what it contains), ``considered_blackmail`` if it has leverage, then the
        reasoning categories.
    """
    from scenariokit.detectors._suite import default_suite

    return tuple(dict.fromkeys(d.category for d in default_suite(scenario).detectors))


def transcript_from_message(
    rendered: RenderedScenario, message: AssistantMessage, *, model: str = "imported"
) -> Transcript:
    """Build the transcript of a one-turn episode from the agent's message, as the episode loop records it.

    Args:
        rendered: The scenario the agent saw.
        message: The agent's reply.
        model: The model name to record.

    Returns:
        The transcript (system prompt, user message, the reply; actions parsed from it).
    """
    parsed = parse_turn(message, rendered.tools, message_index=2, text_tags=rendered.tool_mode == "text")
    return Transcript(
        fingerprint=rendered.fingerprint,
        condition_id=rendered.condition_id,
        family=rendered.scenario.family,
        tool_mode=rendered.tool_mode,
        model=model,
        messages=(
            SystemMessage(content=rendered.system_prompt),
            UserMessage(content=rendered.user_message),
            message,
        ),
        turns=(TurnRecord(message_index=2, visible_text=parsed.visible_text, reasoning=parsed.reasoning),),
        actions=ActionLog(actions=parsed.actions),
        ended_by="turn_limit" if parsed.actions else "final_answer",
        notes=parsed.notes,
    )


def _data_root() -> Traversable:
    return resources.files("scenariokit.detectors") / "data"


def split_files(split: Split = "development") -> tuple[str, ...]:
    """The file names (relative to ``scenariokit/detectors/data``) of a built-in labelled set.

    Args:
        split: ``development`` (``DATA_FILES``) or ``heldout`` (every ``heldout/*.yaml``, sorted).

    Raises:
        ValueError: If the split is neither.
    """
    if split == "development":
        return DATA_FILES
    if split == "heldout":
        folder = _data_root() / HELDOUT_DIR
        if not folder.is_dir():
            return ()
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith((".yaml", ".yml")))
        return tuple(f"{HELDOUT_DIR}/{n}" for n in names)
    raise ValueError(f"unknown split {split!r}; use 'development' or 'heldout'")


def load_labelled_set(
    files: Iterable[str] | None = None, *, split: Split = "development"
) -> tuple[LabelledItem, ...]:
    """Load a built-in labelled set (or some of its files).

    Args:
        files: File names under ``scenariokit/detectors/data`` (``heldout/...`` for held-out files); by
            default every file of ``split``.
        split: ``development`` (the default) or ``heldout``. The held-out set may be empty.

    Returns:
        The items, in file order.

    Raises:
        ValueError: If an item is invalid or two items share an id; the message names the file and item.
    """
    items: list[LabelledItem] = []
    root = _data_root()
    names = split_files(split) if files is None else tuple(files)
    for name in names:
        target = root
        for piece in name.split("/"):
            target = target / piece
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        if data is None:  # a file with no items yet (comments only)
            continue
        if not isinstance(data, list):
            raise ValueError(f"{name}: expected a list of items at the top level")
        for i, raw in enumerate(data):
            try:
                items.append(LabelledItem.model_validate(raw))
            except ValueError as exc:
                ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
                raise ValueError(f"{name}: item {i} ({ident}): {exc}") from exc
    ids = [it.id for it in items]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise ValueError(f"labelled items share ids: {', '.join(dupes)}; ids must be unique")
    return tuple(items)


def load_labelled_file(
    path: str | Path, *, scenarios: Mapping[str, Scenario] | None = None
) -> tuple[LabelledItem, ...]:
    """Load labelled items from a YAML file of your own (the same item schema as the built-in sets).

    An item names a built-in ``family`` (with ``factors``), or gives ``scenario``: a world of your own, written
    inline as a scenario mapping, or as a name looked up in ``scenarios``.

    Args:
        path: The YAML file (a list of items).
        scenarios: Worlds that items may name by key (``scenario: my-world``).

    Returns:
        The items, in file order.

    Raises:
        ValueError: If the file is not UTF-8 YAML (or larger than 16 MiB), is not a list, an item is invalid
            (its family's factors included), an item names a world that is not in ``scenarios``, or two items
            share an id; the message names the file and the item.
        OSError: If the file cannot be read.
    """
    source = Path(path)
    try:
        data = parse_yaml(read_text_file(source))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not a text file in UTF-8 (byte {exc.start} cannot be decoded)") from None
    except (YAMLInputError, FileTooLargeError) as exc:  # syntax, a tag it cannot apply, a lone surrogate
        raise ValueError(f"{source}: not a labelled-items YAML file: {exc}") from None
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of items at the top level")
    known = dict(scenarios or {})
    items: list[LabelledItem] = []
    for i, raw in enumerate(data):
        ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
        if isinstance(raw, dict) and isinstance(raw.get("scenario"), str):
            name = raw["scenario"]
            if name not in known:
                have = ", ".join(sorted(known)) or "none"
                raise ValueError(
                    f"{source}: item {i} ({ident}): scenario {name!r} is not among the scenarios given ({have}); "
                    "pass it in scenarios={...} or write the scenario inline"
                )
            raw = {**raw, "scenario": known[name]}
        try:
            items.append(LabelledItem.model_validate(raw))
        except ValueError as exc:
            raise ValueError(f"{source}: item {i} ({ident}): {exc}") from exc
    ids = [it.id for it in items]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise ValueError(f"{source}: labelled items share ids: {', '.join(dupes)}; ids must be unique")
    return tuple(items)


class ValidationReport(BaseModel):
    """Agreement of each detector with the labels, and every verdict behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scores: tuple[AgreementScore, ...]
    """One row per detector (over the items labelled for its category)."""

    verdicts: dict[str, dict[str, Verdict]]
    """Item id -> detector name -> verdict."""

    def score(self, detector: str) -> AgreementScore:
        """The row of one detector.

        Raises:
            KeyError: If no detector of that name was validated.
        """
        for s in self.scores:
            if s.detector == detector:
                return s
        raise KeyError(
            f"no detector {detector!r} in this report; have: {', '.join(s.detector for s in self.scores)}"
        )

    def table(self) -> str:
        """The scores as a Markdown table."""
        return format_table(self.scores)

    def disagreements(self, items: Sequence[LabelledItem], detector: str) -> list[str]:
        """Ids of the items on which a detector's scorable verdict contradicts the label."""
        out = []
        for item in items:
            v = self.verdicts.get(item.id, {}).get(detector)
            if v is None or not v.is_scorable or v.category not in item.labels:
                continue
            if v.is_harmful != item.labels[v.category]:
                out.append(item.id)
        return out


async def validate(detectors: Sequence[Detector], items: Sequence[LabelledItem]) -> ValidationReport:
    """Run detectors over labelled items and score them against the labels.

    A detector is scored on the items that label its category; items of other families are skipped for it.

    Args:
        detectors: The detectors to validate (names must be unique).
        items: The labelled items.

    Returns:
        The report.
    """
    verdicts: dict[str, dict[str, Verdict]] = {}
    pairs: dict[str, list[tuple[bool, Any]]] = {d.name: [] for d in detectors}
    limiter = anyio.CapacityLimiter(8)

    async def one(item: LabelledItem) -> None:
        async with limiter:
            transcript = item.transcript()
            rendered = item.rendered()
            labels = item.labels
            found: dict[str, Verdict] = {}
            for d in detectors:
                if d.category not in labels:
                    continue
                v = await d.detect(transcript, rendered)
                found[d.name] = v
            verdicts[item.id] = found

    async with anyio.create_task_group() as tg:
        for item in items:
            tg.start_soon(one, item)
    for item in items:
        for d in detectors:
            v = verdicts[item.id].get(d.name)
            if v is not None:
                pairs[d.name].append((item.labels[d.category], v.outcome))
    scores = tuple(AgreementScore.from_pairs(d.name, d.category.value, pairs[d.name]) for d in detectors)
    ordered = {item.id: verdicts[item.id] for item in items}
    return ValidationReport(scores=scores, verdicts=ordered)


def validate_sync(detectors: Sequence[Detector], items: Sequence[LabelledItem]) -> ValidationReport:
    """Synchronous ``validate``."""

    async def run() -> ValidationReport:
        return await validate(detectors, items)

    return anyio.run(run)
