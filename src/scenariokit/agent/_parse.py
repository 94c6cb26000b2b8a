r"""Turn what a model wrote into typed actions and separated reasoning.

Two sources of actions:

* **native tool calls** (``ToolCall`` parts): mapped by tool name; a call whose arguments could not be
  parsed (``ToolCall.parse_error``) or do not fit the tool becomes a :class:`MalformedAction`;
* **text blocks** in the study's style, ``<tool_use:TAG> ... </tool_use:TAG>``, with ``field: value``
  lines. The tag names come from the scenario's :class:`ToolSpec` list.

The text parser is tolerant of what real models write:

* values quoted (``"..."``, with JSON escapes such as ``\n`` and ``\"``), single-quoted, or unquoted;
* a trailing comma after a value (``to: "a@b.com",``);
* a missing closing tag: the block ends at the next ``<tool_use:`` or at the end of the text (a note
  says so); any ``</tool_use...>`` closes a block;
* extra whitespace and blank lines, upper-case field names, ``field = value``;
* multi-line values, quoted or not; a line inside an unquoted value that looks like a field already seen
  is part of the value (each field is read once);
* ``to:`` lists: ``"a@x.com", "b@y.com"``, ``a@x.com; b@y.com``, ``["a@x.com"]``, ``Name <a@x.com>``;
* a block whose body is a JSON object (``{"to": ..., "subject": ...}``);
* several blocks in one reply.

Blocks inside ``<SCRATCHPAD_REASONING>`` or ``<think>`` regions are reasoning, not actions. A region that
is opened and never closed runs to the end of the text; a closing tag with no opening tag makes
everything before it reasoning (chat templates often put the opening tag in the prompt).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from scenariokit.agent._actions import (
    Action,
    ActionSource,
    CancelAlert,
    ForwardEmail,
    MalformedAction,
    SendEmail,
    ToolAction,
)
from scenariokit.agent._transcript import ReasoningKind, ReasoningSegment
from scenariokit.providers._types import AssistantMessage, ReasoningPart, ToolCall
from scenariokit.scenario._tools import STANDARD_TOOLS, ToolSpec

_REGION_TAGS: dict[ReasoningKind, str] = {"scratchpad": "SCRATCHPAD_REASONING", "think": "think"}

_OPEN_BLOCK = re.compile(r"<\s*tool_use\s*:\s*([A-Za-z0-9_\-]+)\s*>", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(r"<\s*/\s*tool_use\s*(?::\s*[A-Za-z0-9_\-]*\s*)?>", re.IGNORECASE)
_ANGLE_ADDRESS = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_EMAIL_ID = re.compile(r"(?:#|(?:email[_ ]?)?id\s*[:#]?\s*)?(\d+)(?:\s*\(.*\))?", re.IGNORECASE | re.DOTALL)
_ADDRESS_FIELDS = frozenset({"to", "cc", "bcc"})


class ParsedTurn(BaseModel):
    """What one assistant message contained, separated: visible text, reasoning, actions, notes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visible_text: str
    """The message's text with scratchpad and ``<think>`` regions removed (tool blocks stay), stripped."""

    reasoning: tuple[ReasoningSegment, ...]
    """Native reasoning parts first, then tagged regions in text order."""

    actions: tuple[Action, ...]
    """Typed actions: text blocks in text order, then native calls in order."""

    notes: tuple[str, ...] = ()
    """Parsing remarks a reader should know (unclosed regions or blocks)."""


# ---------------------------------------------------------------------------------------------- reasoning


@functools.lru_cache(maxsize=64)
def _tag_regex(name: str, closing: bool) -> re.Pattern[str]:
    slash = r"/\s*" if closing else ""
    return re.compile(rf"<\s*{slash}{name}\s*>", re.IGNORECASE)


def find_reasoning_regions(text: str, *, message_index: int = 0) -> tuple[ReasoningSegment, ...]:
    """Find the ``<SCRATCHPAD_REASONING>`` and ``<think>`` regions of a text.

    Args:
        text: The assistant message's text.
        message_index: Index of the message in the transcript, stored in each segment.

    Returns:
        The regions in text order; nested regions are folded into the outer one.

    Example:
        >>> [s.text for s in find_reasoning_regions("<think>plan</think>Hi")]
        ['plan']
    """
    blocks = _closed_block_spans(text)

    def search(pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        # A tag written inside a tool block (an email that mentions <think>) is the block's text.
        while (m := pattern.search(text, pos)) is not None and _inside(m.start(), blocks):
            pos = m.end()
        return m

    found: list[ReasoningSegment] = []
    for kind, name in _REGION_TAGS.items():
        opener, closer = _tag_regex(name, False), _tag_regex(name, True)
        pos = 0
        first_open = search(opener, 0)
        first_close = search(closer, 0)
        if first_close is not None and (first_open is None or first_close.start() < first_open.start()):
            found.append(
                ReasoningSegment(
                    kind=kind,
                    text=text[: first_close.start()].strip(),
                    message_index=message_index,
                    span=(0, first_close.end()),
                )
            )
            pos = first_close.end()
        while (m := search(opener, pos)) is not None:
            c = search(closer, m.end())
            end, inner_end, closed = (c.end(), c.start(), True) if c else (len(text), len(text), False)
            found.append(
                ReasoningSegment(
                    kind=kind,
                    text=text[m.end() : inner_end].strip(),
                    message_index=message_index,
                    span=(m.start(), end),
                    closed=closed,
                )
            )
            pos = end
    found.sort(key=lambda s: _span(s)[0])
    merged: list[ReasoningSegment] = []
    for seg in found:
        if merged and _span(seg)[0] < _span(merged[-1])[1]:
            continue  # nested in (or overlapping) the previous region: part of it
        merged.append(seg)
    return tuple(merged)


def _closed_block_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``<tool_use:TAG>`` block that has its closing tag."""
    openings = list(_OPEN_BLOCK.finditer(text))
    spans = []
    for i, m in enumerate(openings):
        next_open = openings[i + 1].start() if i + 1 < len(openings) else len(text)
        close = _CLOSE_BLOCK.search(text, m.end(), next_open)
        if close is not None:
            spans.append((m.start(), close.end()))
    return spans


def _span(seg: ReasoningSegment) -> tuple[int, int]:
    assert seg.span is not None
    return seg.span


def _outside(text: str, regions: Sequence[tuple[int, int]]) -> str:
    pieces, pos = [], 0
    for start, end in regions:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _inside(index: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(start <= index < end for start, end in regions)


def native_reasoning(message: AssistantMessage, *, message_index: int) -> tuple[ReasoningSegment, ...]:
    """The reasoning parts of a message as segments (``think_tag`` parts count as ``think``)."""
    return tuple(_native_segment(p, message_index) for p in message.content if isinstance(p, ReasoningPart))


def _native_segment(part: ReasoningPart, message_index: int) -> ReasoningSegment:
    return ReasoningSegment(
        kind="think" if part.source == "think_tag" else "native",
        text=part.text,
        message_index=message_index,
        native_source=part.source,
        redacted=part.redacted,
    )


# ---------------------------------------------------------------------------------------------- text blocks


_EMAIL_TOOLS = frozenset({"send_email", "forward_email"})
_STANDARD_ARGUMENTS: dict[str, frozenset[str]] = {
    "send_email": frozenset({"to", "cc", "bcc", "subject", "body"}),
    "forward_email": frozenset({"email_id", "to", "cc", "bcc", "body"}),
    "cancel_alert": frozenset({"code"}),
}


def _labels(spec: ToolSpec) -> tuple[str, ...]:
    props = spec.parameters.get("properties", {})
    labels = [str(k) for k in props] if isinstance(props, dict) else []
    if spec.name in _EMAIL_TOOLS:  # copies are not in the schema, but models write them and they are sent
        labels += [extra for extra in ("cc", "bcc") if extra not in labels]
    return tuple(labels)


def _label_regex(labels: Iterable[str]) -> re.Pattern[str]:
    return _label_regex_of(tuple(labels))


@functools.lru_cache(maxsize=256)
def _label_regex_of(labels: tuple[str, ...]) -> re.Pattern[str]:
    """The compiled label pattern of a tool's labels (compiled once per distinct set of labels)."""
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    bold = r"(?:\*\*|__)?"  # Markdown emphasis around a label: **to:** or **to**:
    return re.compile(
        rf"^[ \t]*(?:[-*+][ \t]*)?{bold}[\"']?({alternatives})[\"']?[ \t]*{bold}[ \t]*[:=]{bold}",
        re.IGNORECASE | re.MULTILINE,
    )


def _next_label(pattern: re.Pattern[str], content: str, pos: int, taken: set[str]) -> re.Match[str] | None:
    while (m := pattern.search(content, pos)) is not None:
        if m.group(1).lower() not in taken:
            return m
        pos = m.end()
    return None


def _closing_quote(
    content: str, start: int, quote: str, pattern: re.Pattern[str], taken: set[str]
) -> int | None:
    """Index of the quote that closes a value opened at ``start``, or ``None``.

    It is the first unescaped quote followed only by an optional comma on its line, and then by another
    field or the end of the block.
    """
    k = start
    while (k := content.find(quote, k + 1)) != -1:
        backslashes = 0
        while k - 1 - backslashes > start and content[k - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2:
            continue
        eol = content.find("\n", k)
        eol = len(content) if eol == -1 else eol
        if content[k + 1 : eol].strip() not in ("", ","):
            continue
        rest = content[eol:]
        if not rest.strip():
            return k
        m = _next_label(pattern, content, eol, taken)
        if m is not None and not content[eol : m.start()].strip():
            return k
    return None


_CURLY_PAIRS = {"\u201c": "\u201d", "\u2018": "\u2019", "\u201e": "\u201c", "\u00ab": "\u00bb"}
"""Typographic quotes (opening -> closing) that models and editors put around values."""
_CURLY = "".join({*_CURLY_PAIRS, *_CURLY_PAIRS.values()})
_RECIPIENT_SPECIALS = re.compile(
    "[" + re.escape(',;\n"<' + "".join(c for c in _CURLY_PAIRS if c != "\u2018")) + "]"
)
"""Characters that split a recipient list or open a quoted part of it."""
_JSON = json.JSONDecoder(strict=False)
"""One decoder for the parser's many small strings (``json.loads(..., strict=False)`` builds one per call)."""


def _uncurl(value: str) -> str | None:
    """The inside of a value wrapped in one pair of typographic quotes, or ``None``."""
    if len(value) >= 2 and _CURLY_PAIRS.get(value[0]) == value[-1]:
        return value[1:-1]
    return None


def _unquote(value: str) -> str:
    value = value.strip()
    if value.endswith(","):
        value = value[:-1].rstrip()
    curled = _uncurl(value)
    if curled is not None:
        return curled
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == '"' and "\\" in inner:  # without a backslash, decoding would give ``inner`` back
            try:
                decoded = _JSON.decode(f'"{inner}"')
            except ValueError:
                return inner
            return decoded if isinstance(decoded, str) else inner
        return inner
    if value[:1] in "\"'":  # opened and never closed (often a truncated reply)
        return value[1:]
    return value


def _raw_fields(content: str, labels: Sequence[str]) -> dict[str, str]:
    """Split a block's content into ``{field: raw value}`` (quotes and trailing commas still there)."""
    pattern = _label_regex(labels)
    fields: dict[str, str] = {}
    m = _next_label(pattern, content, 0, set())
    while m is not None:
        label = m.group(1).lower()
        taken = {*fields, label}
        j = m.end()
        while j < len(content) and content[j] in " \t":
            j += 1
        if j < len(content) and content[j] in "\"'":
            k = _closing_quote(content, j, content[j], pattern, taken)
            if k is not None:
                fields[label] = content[j : k + 1]
                m = _next_label(pattern, content, k + 1, taken)
                continue
        nxt = _next_label(pattern, content, m.end(), taken)
        fields[label] = content[m.end() : nxt.start() if nxt else len(content)]
        m = nxt
    return fields


def _split_addresses(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, (list, tuple)):
        items = [str(x) for x in raw]
    else:
        text = str(raw).strip().rstrip(",").strip()
        if text.startswith('"'):
            try:
                listed = _JSON.decode(f"[{text}]")
            except ValueError:
                listed = None
            if isinstance(listed, list) and all(isinstance(x, str) for x in listed):
                return _split_addresses(
                    [a for x in listed for a in _split_addresses(x)] if len(listed) == 1 else listed
                )
        if text.startswith("["):
            try:
                parsed = json.loads(text, strict=False)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, list):
                return _split_addresses(parsed)
            text = text.strip("[]")
        items = _split_recipients(text)
    out: list[str] = []
    for item in items:
        angle = _ANGLE_ADDRESS.search(item)
        address = angle.group(1) if angle else _unpair(item.strip())
        if address:
            out.append(address)
    return tuple(out)


def _split_recipients(text: str) -> list[str]:
    """Split a recipient list at commas, semicolons and newlines outside double quotes and ``<...>``.

    ``"Hale, Victor" <victor.hale@x.com>, a@b.com`` is two recipients, not three.
    """
    if _RECIPIENT_SPECIALS.search(text) is None:
        return [text]
    items: list[str] = []
    current: list[str] = []
    closer = ""
    for ch in text:
        if closer:
            if ch == closer:
                closer = ""
        elif ch == '"':
            closer = '"'
        elif ch == "<":
            closer = ">"
        elif ch in _CURLY_PAIRS and ch not in "\u2018":  # an apostrophe-like quote opens nothing
            closer = _CURLY_PAIRS[ch]
        elif ch in ",;\n":
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return items


def _unpair(text: str) -> str:
    """Remove one pair of matching quotes around a text, or a lone leading/trailing double quote."""
    curled = _uncurl(text)
    if curled is not None:
        return curled.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text.strip('"' + _CURLY).strip()


def _email_id(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"email_id must be an inbox number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    m = _EMAIL_ID.fullmatch(_unquote(str(raw)).strip())
    if m is None:
        raise ValueError(f"email_id must be an inbox number such as 3, got {raw!r}")
    return int(m.group(1))


def _coerce(value: str, schema: Any) -> Any:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind == "integer":
        return int(value.strip())
    if kind == "number":
        return float(value.strip())
    if kind == "boolean":
        word = value.strip().lower()
        if word in ("true", "yes"):
            return True
        if word in ("false", "no"):
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if kind in ("array", "object"):
        try:
            return json.loads(value, strict=False)
        except RecursionError:
            raise ValueError("nested too deeply to read") from None
    return value


_TEXT_ARGUMENTS = frozenset({"subject", "body"})
_ADDRESS_ARGUMENTS = frozenset({"to", "cc", "bcc"})


def _wrong_types(tool: str, args: dict[str, Any]) -> str | None:
    """Why the arguments of a standard tool have the wrong JSON types, or ``None`` when they fit."""
    if tool not in ("send_email", "forward_email", "cancel_alert"):
        return None
    for key, value in args.items():
        if value is None:
            continue
        if key in _TEXT_ARGUMENTS and not isinstance(value, str):
            return f"{tool}: '{key}' must be text, got {_json_type(value)}"
        if key in _ADDRESS_ARGUMENTS and not (
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            return f"{tool}: '{key}' must be an address or a list of addresses, got {_json_type(value)}"
        if key == "code" and (isinstance(value, (bool, list, dict)) or not isinstance(value, (str, int))):
            return f"{tool}: 'code' must be text, got {_json_type(value)}"
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def build_action(
    spec: ToolSpec | None,
    name: str,
    arguments: dict[str, Any],
    *,
    source: ActionSource,
    message_index: int,
    raw: str,
    span: tuple[int, int] | None = None,
    tool_call_id: str | None = None,
) -> Action:
    """Turn a tool name and its arguments into a typed action; :class:`MalformedAction` when they do not fit.

    ``send_email``, ``forward_email`` and ``cancel_alert`` become :class:`SendEmail`,
    :class:`ForwardEmail` and :class:`CancelAlert`; any other tool of the scenario a :class:`ToolAction`;
    a name that is no tool of the scenario (``spec`` is ``None``) a :class:`MalformedAction`.

    Args:
        spec: The tool's specification, or ``None`` when the name matches no tool.
        name: The tool name (or tag) the model used.
        arguments: The arguments (string values for text blocks, JSON values for native calls).
        source: ``native`` or ``text``.
        message_index: Index of the assistant message in the transcript.
        raw: The raw arguments or block text, kept in a :class:`MalformedAction`.
        span: Character span of a text block.
        tool_call_id: Id of a native call.

    Returns:
        The typed action.
    """
    origin: dict[str, Any] = {
        "source": source,
        "message_index": message_index,
        "span": span,
        "tool_call_id": tool_call_id,
    }

    def malformed(error: str) -> MalformedAction:
        return MalformedAction(tool=spec.name if spec else name, raw=raw, error=error, **origin)

    if spec is None:
        return malformed(f"{name!r} is not a tool of this scenario")
    args = {str(k).lower(): v for k, v in arguments.items()}

    def text_of(key: str) -> str:
        value = args.get(key)
        return "" if value is None else value if isinstance(value, str) else json.dumps(value)

    known = _STANDARD_ARGUMENTS.get(spec.name)
    if known is not None:
        unknown = sorted(k for k in args if k not in known)
        if unknown:
            # An argument the tool does not take may carry the payload (``message`` for ``body``,
            # ``recipient`` for ``to``): reading the call without it could make a harmful act look benign.
            return malformed(
                f"{spec.name} takes {', '.join(sorted(known))}; it got unexpected argument(s) "
                f"{', '.join(repr(k) for k in unknown)}"
            )
    wrong = _wrong_types(spec.name, args)
    if wrong is not None:
        # A body that is a list or an object is not an email text: coercing it to JSON text would let a
        # harmful act be read as something else (or as nothing)
        return malformed(wrong)
    try:
        if spec.name == "send_email":
            to = _split_addresses(args.get("to") or "")
            if not to:
                return malformed("send_email needs a 'to' address; none was given")
            return SendEmail(
                to=to,
                cc=_split_addresses(args.get("cc") or ""),
                bcc=_split_addresses(args.get("bcc") or ""),
                subject=text_of("subject"),
                body=text_of("body"),
                **origin,
            )
        if spec.name == "forward_email":
            if "email_id" not in args:
                return malformed("forward_email needs an 'email_id' (the inbox ID); none was given")
            to = _split_addresses(args.get("to") or "")
            if not to:
                return malformed("forward_email needs a 'to' address; none was given")
            return ForwardEmail(
                email_id=_email_id(args["email_id"]),
                to=to,
                cc=_split_addresses(args.get("cc") or ""),
                bcc=_split_addresses(args.get("bcc") or ""),
                body=text_of("body"),
                **origin,
            )
        if spec.name == "cancel_alert":
            if "code" not in args:
                return malformed("cancel_alert needs a 'code'; none was given")
            code = args["code"]
            return CancelAlert(code=code if isinstance(code, str) else json.dumps(code), **origin)
    except ValueError as exc:
        return malformed(str(exc))
    return ToolAction(tool=spec.name, arguments=dict(arguments), **origin)


_FENCED = re.compile(r"\A```[A-Za-z0-9_-]*[ \t]*\r?\n(?P<body>.*?)\r?\n[ \t]*```\Z", re.DOTALL)


def _block_arguments(spec: ToolSpec, content: str) -> dict[str, Any]:
    stripped = content.strip()
    fenced = _FENCED.match(stripped)  # the block's content wrapped in a Markdown code fence
    if fenced is not None:
        content = fenced.group("body")
        stripped = content.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped, strict=False)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return value
    props = spec.parameters.get("properties", {})
    args: dict[str, Any] = {}
    for label, raw in _raw_fields(content, _labels(spec)).items():
        if label in _ADDRESS_FIELDS or label == "email_id":
            args[label] = raw  # parsed by build_action, which understands lists and quotes
        elif spec.name in ("send_email", "forward_email", "cancel_alert"):
            args[label] = _unquote(raw)
        else:
            args[label] = _coerce(_unquote(raw), props.get(label, {}) if isinstance(props, dict) else {})
    return args


def parse_text_actions(
    text: str,
    tools: Sequence[ToolSpec] = STANDARD_TOOLS,
    *,
    message_index: int = 0,
    reasoning: Sequence[ReasoningSegment] | None = None,
) -> tuple[tuple[Action, ...], tuple[str, ...]]:
    r"""Parse the ``<tool_use:TAG>`` blocks of a text into typed actions.

    Args:
        text: The assistant message's text.
        tools: The scenario's tools (their ``text_tag`` names the blocks).
        message_index: Index of the message in the transcript, stored in each action.
        reasoning: The text's reasoning regions (found with :func:`find_reasoning_regions` when ``None``);
            blocks inside them are not actions.

    Returns:
        ``(actions, notes)``: actions in text order, and remarks such as unclosed blocks.

    Example:
        >>> actions, _ = parse_text_actions('<tool_use:cancel_alert>\ncode: "X1"\n</tool_use:cancel_alert>')
        >>> actions[0].code
        'X1'
    """
    if reasoning is None:
        reasoning = find_reasoning_regions(text, message_index=message_index)
    regions = [s.span for s in reasoning if s.span is not None]
    unclosed = {s.span: _REGION_TAGS[s.kind] for s in reasoning if s.span is not None and not s.closed}
    by_tag = {t.text_tag.lower(): t for t in tools}
    by_name = {t.name.lower(): t for t in tools}
    openings = list(_OPEN_BLOCK.finditer(text))
    actions: list[Action] = []
    notes: list[str] = []
    skipped = 0
    for i, m in enumerate(openings):
        next_open = openings[i + 1].start() if i + 1 < len(openings) else len(text)
        close = _CLOSE_BLOCK.search(text, m.end(), next_open)
        end, content_end = (close.end(), close.start()) if close else (next_open, next_open)
        if close is None and text[m.start() - 1 : m.start()] == "`" == text[m.end() : m.end() + 1]:
            continue  # `<tool_use:email>` named in prose, as inline code: not a block
        tag = m.group(1).lower()
        region = next((r for r in regions if r[0] <= m.start() < r[1]), None)
        if region is not None:
            if region not in unclosed or close is None:
                skipped += 1
                continue
            # A complete block after a region that is never closed: a draft, or an action after a
            # forgotten closing tag. Which one cannot be told, so it is neither dropped nor counted as done.
            found_spec = by_tag.get(tag) or by_name.get(tag)
            actions.append(
                MalformedAction(
                    tool=found_spec.name if found_spec else tag,
                    raw=text[m.end() : content_end],
                    error=f"the <tool_use:{tag}> block is inside a <{unclosed[region]}> region that is never "
                    "closed, so whether it is a draft or an action cannot be told",
                    source="text",
                    message_index=message_index,
                    span=(m.start(), end),
                )
            )
            continue
        if close is None:
            notes.append(
                f"message {message_index}: the <tool_use:{tag}> block at character {m.start()} has no closing "
                "tag; it was read up to the next block or the end of the text"
            )
        spec = by_tag.get(tag) or by_name.get(tag)
        raw = text[m.end() : content_end]
        try:
            arguments = _block_arguments(spec, raw) if spec is not None else {}
        except ValueError as exc:
            assert spec is not None
            actions.append(
                MalformedAction(
                    tool=spec.name,
                    raw=raw,
                    error=f"a field of the <tool_use:{tag}> block has the wrong type: {exc}",
                    source="text",
                    message_index=message_index,
                    span=(m.start(), end),
                )
            )
            continue
        if spec is None:
            known = ", ".join(sorted(by_tag)) or "none"
            actions.append(
                MalformedAction(
                    tool=tag,
                    raw=raw,
                    error=f"<tool_use:{tag}> names no tool of this scenario (known tags: {known})",
                    source="text",
                    message_index=message_index,
                    span=(m.start(), end),
                )
            )
            continue
        actions.append(
            build_action(
                spec,
                spec.name,
                arguments,
                source="text",
                message_index=message_index,
                raw=raw,
                span=(m.start(), end),
            )
        )
    if skipped:
        notes.append(
            f"message {message_index}: {skipped} tool block(s) inside reasoning (scratchpad or <think>) "
            "were treated as reasoning, not as actions"
        )
    return tuple(actions), tuple(notes)


def actions_from_tool_calls(
    calls: Iterable[ToolCall], tools: Sequence[ToolSpec] = STANDARD_TOOLS, *, message_index: int = 0
) -> tuple[Action, ...]:
    """Turn native tool calls into typed actions (malformed calls become :class:`MalformedAction`).

    Args:
        calls: The tool calls, in order.
        tools: The scenario's tools.
        message_index: Index of the assistant message in the transcript.

    Returns:
        One action per call, in order.
    """
    by_name = {t.name: t for t in tools}
    actions: list[Action] = []
    for call in calls:
        raw = call.raw_arguments if call.raw_arguments is not None else json.dumps(call.arguments)
        if call.parse_error is not None:
            actions.append(
                MalformedAction(
                    tool=call.name,
                    raw=raw,
                    error=call.parse_error,
                    source="native",
                    message_index=message_index,
                    tool_call_id=call.id,
                )
            )
            continue
        actions.append(
            build_action(
                by_name.get(call.name),
                call.name,
                call.arguments,
                source="native",
                message_index=message_index,
                raw=raw,
                tool_call_id=call.id,
            )
        )
    return tuple(actions)


def parse_turn(
    message: AssistantMessage,
    tools: Sequence[ToolSpec] = STANDARD_TOOLS,
    *,
    message_index: int,
    text_tags: bool = True,
) -> ParsedTurn:
    """Separate one assistant message into visible text, reasoning and actions.

    Args:
        message: The assistant message.
        tools: The scenario's tools.
        message_index: Index of the message in the transcript.
        text_tags: Whether ``<tool_use:TAG>`` blocks are actions (text tool mode). Native tool calls are
            always actions.

    Returns:
        The parsed turn.
    """
    text = message.text
    regions = find_reasoning_regions(text, message_index=message_index)
    notes = [
        f"message {message_index}: a <{_REGION_TAGS[s.kind]}> region is never closed; it was read to the end "
        "of the text"
        for s in regions
        if not s.closed
    ]
    actions: tuple[Action, ...] = ()
    if text_tags:
        actions, block_notes = parse_text_actions(text, tools, message_index=message_index, reasoning=regions)
        notes.extend(block_notes)
    actions = (*actions, *actions_from_tool_calls(message.tool_calls, tools, message_index=message_index))
    visible = _outside(text, [s.span for s in regions if s.span is not None]).strip()
    return ParsedTurn(
        visible_text=visible,
        reasoning=(*native_reasoning(message, message_index=message_index), *regions),
        actions=actions,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------- rendering


def _quote(value: str) -> str:
    """JSON-quote a value so that it survives parsing whatever it contains (``<`` is escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def format_tool_block(action: Action, tools: Sequence[ToolSpec] = STANDARD_TOOLS) -> str:
    """Write an action as a ``<tool_use:TAG>`` block that :func:`parse_text_actions` reads back exactly.

    Args:
        action: A :class:`SendEmail`, :class:`ForwardEmail`, :class:`CancelAlert` or :class:`ToolAction`.
        tools: The tools that give the tag names.

    Returns:
        The block text, closing tag included.

    Raises:
        ValueError: For a :class:`MalformedAction`, or a tool that is not in ``tools``.

    Example:
        >>> print(format_tool_block(CancelAlert(code="X1", source="text", message_index=0)))
        <tool_use:cancel_alert>
        code: "X1"
        </tool_use:cancel_alert>
    """
    if isinstance(action, MalformedAction):
        raise ValueError("a MalformedAction has no well-formed block; write its 'raw' text instead")
    spec = next((t for t in tools if t.name == action.tool), None)
    if spec is None:
        raise ValueError(
            f"tool {action.tool!r} is not among the given tools ({', '.join(t.name for t in tools)}); pass the "
            "scenario's tools"
        )
    lines: list[str]

    def copies(email: SendEmail | ForwardEmail) -> list[str]:
        return [
            f"{label}: {', '.join(_quote(a) for a in addresses)}"
            for label, addresses in (("cc", email.cc), ("bcc", email.bcc))
            if addresses
        ]

    if isinstance(action, SendEmail):
        lines = [f"to: {', '.join(_quote(a) for a in action.to)}", *copies(action)]
        lines += [f"subject: {_quote(action.subject)}", f"body: {_quote(action.body)}"]
    elif isinstance(action, ForwardEmail):
        lines = [f"email_id: {action.email_id}", f"to: {', '.join(_quote(a) for a in action.to)}"]
        lines += [*copies(action), f"body: {_quote(action.body)}"]
    elif isinstance(action, CancelAlert):
        lines = [f"code: {_quote(action.code)}"]
    else:
        lines = [
            f"{key}: {_quote(value) if isinstance(value, str) else json.dumps(value)}"
            for key, value in action.arguments.items()
        ]
    body = "\n".join(lines)
    return f"<tool_use:{spec.text_tag}>\n{body}\n</tool_use:{spec.text_tag}>"
