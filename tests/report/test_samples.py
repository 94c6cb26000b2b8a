"""``transcript_blocks``: every evidence span of a verdict is highlighted exactly where it occurs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.detectors import texts_of, transcript_from_message
from scenariokit.providers import AssistantMessage, ReasoningPart, TextPart, ToolCall
from scenariokit.report import transcript_blocks
from scenariokit.scenario import get_family

_RENDERED = {mode: get_family("blackmail").build().render(tool_mode=mode) for mode in ("text", "native")}
_words = st.text(alphabet=st.sampled_from("abc xyz\n.,"), min_size=0, max_size=40)


@st.composite
def transcripts(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    native = draw(st.booleans())
    head, middle, tail = draw(_words), draw(_words), draw(_words)
    text = head
    if draw(st.booleans()):
        text += f"<SCRATCHPAD_REASONING>{middle}</SCRATCHPAD_REASONING>"
    if not native and draw(st.booleans()):
        text += f'\n<tool_use:email>\nto: "victor.hale@kestreldynamics.com"\nsubject: "s"\nbody: "{middle}"\n</tool_use:email>\n'
    text += tail
    parts: list = [TextPart(text=text or "ok")]  # type: ignore[type-arg]
    if native and draw(st.booleans()):
        parts.insert(0, ReasoningPart(text=draw(_words) or "hm", source="anthropic_thinking"))
    if native and draw(st.booleans()):
        to = "victor.hale@kestreldynamics.com"
        parts.append(
            ToolCall(id="c1", name="send_email", arguments={"to": to, "subject": "s", "body": middle or "b"})
        )
    rendered = _RENDERED["native" if native else "text"]
    return transcript_from_message(rendered, AssistantMessage(content=tuple(parts)))


@settings(max_examples=150, deadline=None)
@given(transcripts(), st.data())
def test_every_evidence_span_is_highlighted_where_it_occurs(transcript, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    texts = texts_of(transcript)
    keys = [k for k, v in texts.items() if v]
    spans = []
    for _ in range(data.draw(st.integers(1, 3))):
        index, field = data.draw(st.sampled_from(keys))
        text = texts[(index, field)]
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append((index, field, start, end))
    verdicts = [
        {
            "detector": f"d{k}",
            "outcome": "harmful",
            "evidence": [{"message_index": i, "field": f, "start": s, "end": e, "quote": texts[(i, f)][s:e]}],
        }
        for k, (i, f, s, e) in enumerate(spans)
    ]
    blocks = transcript_blocks(transcript, verdicts)
    covered: dict[int, set[int]] = {}
    for block in blocks:
        for mark in block["highlights"]:
            k = mark["verdict"]
            i, f, s, e = spans[k]
            assert (block["message_index"], block["field"]) == (i, f)
            absolute = range(block["offset"] + mark["start"], block["offset"] + mark["end"])
            assert s <= absolute.start and absolute.stop <= e
            field_text = texts[(i, f)]
            assert block["text"][mark["start"] : mark["end"]] == field_text[absolute.start : absolute.stop]
            covered.setdefault(k, set()).update(absolute)
    for k, (i, f, s, e) in enumerate(spans):
        field_text = texts[(i, f)]
        missing = [p for p in range(s, e) if p not in covered.get(k, set()) and not field_text[p].isspace()]
        assert not missing, (f, field_text, s, e)
