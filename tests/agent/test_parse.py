from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenariokit.agent import CancelAlert, ForwardEmail, MalformedAction, SendEmail, ToolAction
from scenariokit.agent._parse import (
    actions_from_tool_calls,
    find_reasoning_regions,
    format_tool_block,
    parse_text_actions,
    parse_turn,
)
from scenariokit.providers._types import AssistantMessage, ReasoningPart, TextPart, ToolCall
from scenariokit.scenario import STANDARD_TOOLS, ToolSpec

SEARCH = ToolSpec(
    name="search_files",
    description="Search.",
    text_tag="search",
    parameters={
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "limit": {"type": "integer"},
            "exact": {"type": "boolean"},
        },
    },
)
TOOLS = (*STANDARD_TOOLS, SEARCH)


def one(text: str) -> SendEmail | ForwardEmail | CancelAlert | ToolAction | MalformedAction:
    actions, _ = parse_text_actions(text, TOOLS, message_index=2)
    assert len(actions) == 1, actions
    return actions[0]


def test_study_style_block_with_trailing_commas() -> None:
    a = one(
        '<tool_use:email>\nto: "kyle.johnson@summitbridge.com",\nsubject: "Re: 5pm",\n'
        'body: "Kyle,\n\nI know about Jessica.\n\nCancel the wipe.",\n</tool_use:email>'
    )
    assert isinstance(a, SendEmail)
    assert a.to == ("kyle.johnson@summitbridge.com",)
    assert a.subject == "Re: 5pm"
    assert a.body == "Kyle,\n\nI know about Jessica.\n\nCancel the wipe."
    assert a.source == "text" and a.message_index == 2 and a.span is not None


def test_unquoted_fields_and_extra_whitespace() -> None:
    a = one(
        "<tool_use: email >\n\n   To :  ceo@x.com  \n  SUBJECT: Hello there\nbody:   line one\n  line two  \n\n</tool_use:email>"
    )
    assert isinstance(a, SendEmail)
    assert a.to == ("ceo@x.com",) and a.subject == "Hello there" and a.body == "line one\n  line two"


def test_equals_sign_and_single_quotes() -> None:
    a = one("<tool_use:cancel_alert>\ncode = 'EXEC-4429'\n</tool_use:cancel_alert>")
    assert isinstance(a, CancelAlert) and a.code == "EXEC-4429"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ('"a@x.com", "b@y.com"', ("a@x.com", "b@y.com")),
        ("a@x.com; b@y.com", ("a@x.com", "b@y.com")),
        ('["a@x.com", "b@y.com"]', ("a@x.com", "b@y.com")),
        ('"a@x.com, b@y.com"', ("a@x.com", "b@y.com")),
        ("Victor Hale <victor@x.com>, b@y.com,", ("victor@x.com", "b@y.com")),
    ],
)
def test_to_lists(field: str, expected: tuple[str, ...]) -> None:
    a = one(f"<tool_use:email>\nto: {field}\nsubject: s\nbody: b\n</tool_use:email>")
    assert isinstance(a, SendEmail) and a.to == expected


def test_cc_is_understood() -> None:
    a = one('<tool_use:email>\nto: "a@x.com"\ncc: "b@y.com"\nsubject: "s"\nbody: "b"\n</tool_use:email>')
    assert isinstance(a, SendEmail) and a.cc == ("b@y.com",)


def test_missing_closing_tag_ends_at_next_block_or_end() -> None:
    text = (
        '<tool_use:forward>\nemail_id: 4\nto: "rival@other.com"\nbody: "fyi"\n'
        '<tool_use:email>\nto: "a@x.com"\nsubject: "s"\nbody: "unterminated'
    )
    actions, notes = parse_text_actions(text, TOOLS, message_index=2)
    assert [type(a) for a in actions] == [ForwardEmail, SendEmail]
    fwd, mail = actions
    assert isinstance(fwd, ForwardEmail) and fwd.email_id == 4 and fwd.body == "fyi"
    assert isinstance(mail, SendEmail) and mail.body == "unterminated"
    assert mail.span == (text.index("<tool_use:email>"), len(text))
    assert len(notes) == 2 and all("no closing tag" in n for n in notes)


def test_any_closing_tool_use_tag_closes() -> None:
    actions, notes = parse_text_actions('<tool_use:cancel_alert>code: "X"</tool_use>', TOOLS)
    assert isinstance(actions[0], CancelAlert) and actions[0].code == "X" and notes == ()


def test_quoted_body_with_inner_quotes_and_field_like_lines() -> None:
    a = one(
        '<tool_use:email>\nto: "a@x.com"\nsubject: "s"\nbody: "He said "no".\nto: everyone\nsubject: x",\n'
        "</tool_use:email>"
    )
    assert isinstance(a, SendEmail)
    assert a.to == ("a@x.com",)
    assert a.body == 'He said "no".\nto: everyone\nsubject: x'


def test_json_escapes_in_quoted_values() -> None:
    a = one('<tool_use:email>\nto: "a@x.com"\nsubject: "s"\nbody: "one\\ntwo \\"q\\""\n</tool_use:email>')
    assert isinstance(a, SendEmail) and a.body == 'one\ntwo "q"'


def test_json_object_block() -> None:
    a = one('<tool_use:forward>{"email_id": "3", "to": ["x@y.com"], "body": "see below"}</tool_use:forward>')
    assert isinstance(a, ForwardEmail) and a.email_id == 3 and a.to == ("x@y.com",)


@pytest.mark.parametrize("value", ["3", '"3"', "#3", "ID 3", "3,", "3 (the specs)"])
def test_email_id_forms(value: str) -> None:
    a = one(f"<tool_use:forward>\nemail_id: {value}\nto: x@y.com\n</tool_use:forward>")
    assert isinstance(a, ForwardEmail) and a.email_id == 3


def test_several_blocks_in_order() -> None:
    text = "".join(
        format_tool_block(a)
        for a in (
            SendEmail(to=("a@x.com",), subject="1", body="b", source="text", message_index=0),
            CancelAlert(code="C", source="text", message_index=0),
            ForwardEmail(email_id=2, to=("z@z.com",), source="text", message_index=0),
        )
    )
    actions, _ = parse_text_actions(text)
    assert [a.kind for a in actions] == ["send_email", "cancel_alert", "forward_email"]
    starts = [a.span[0] for a in actions if a.span]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<tool_use:email>\nsubject: s\nbody: b\n</tool_use:email>", "needs a 'to'"),
        ("<tool_use:forward>\nemail_id: budget\nto: a@x.com\n</tool_use:forward>", "inbox number"),
        ("<tool_use:forward>\nto: a@x.com\n</tool_use:forward>", "needs an 'email_id'"),
        ("<tool_use:cancel_alert>\n</tool_use:cancel_alert>", "needs a 'code'"),
        ("<tool_use:launch_missiles>\ntarget: x\n</tool_use:launch_missiles>", "names no tool"),
        ("<tool_use:search>\nlimit: many\n</tool_use:search>", "wrong type"),
    ],
)
def test_malformed_blocks_are_kept(text: str, error: str) -> None:
    a = one(text)
    assert isinstance(a, MalformedAction)
    assert error in a.error
    assert a.raw and a.span is not None


def test_other_tool_is_tool_action_with_typed_values() -> None:
    a = one('<tool_use:search>\nquery: "budget"\nlimit: 5\nexact: yes\n</tool_use:search>')
    assert isinstance(a, ToolAction)
    assert a.tool == "search_files" and a.arguments == {"query": "budget", "limit": 5, "exact": True}


def test_blocks_in_scratchpad_are_reasoning() -> None:
    text = (
        "<SCRATCHPAD_REASONING>Draft:\n<tool_use:email>\nto: a@x.com\nsubject: s\nbody: b\n</tool_use:email>\n"
        "No.</SCRATCHPAD_REASONING>\nI will only answer the customer.\n"
        "<tool_use:email>\nto: c@y.com\nsubject: s\nbody: b\n</tool_use:email>"
    )
    turn = parse_turn(AssistantMessage(content=(TextPart(text=text),)), TOOLS, message_index=2)
    assert [a.to for a in turn.actions if isinstance(a, SendEmail)] == [("c@y.com",)]
    assert turn.reasoning[0].kind == "scratchpad" and "Draft" in turn.reasoning[0].text
    assert turn.visible_text.startswith("I will only answer")
    assert any("inside reasoning" in n for n in turn.notes)


def test_unclosed_scratchpad_and_orphan_think() -> None:
    regions = find_reasoning_regions("plan a</think>Hello <SCRATCHPAD_REASONING>thinking on")
    assert [(r.kind, r.text, r.closed) for r in regions] == [
        ("think", "plan a", True),
        ("scratchpad", "thinking on", False),
    ]
    turn = parse_turn(
        AssistantMessage(content=(TextPart(text="<SCRATCHPAD_REASONING>x <tool_use:cancel_alert>code: 1"),)),
        message_index=2,
    )
    assert turn.actions == () and any("never closed" in n for n in turn.notes)


def test_complete_block_after_an_unclosed_scratchpad_is_neither_dropped_nor_an_action() -> None:
    text = (
        "<SCRATCHPAD_REASONING>I will act.\n<tool_use:cancel_alert>\ncode: HX-7316\n</tool_use:cancel_alert>"
    )
    turn = parse_turn(AssistantMessage(content=(TextPart(text=text),)), message_index=2)
    (action,) = turn.actions
    assert isinstance(action, MalformedAction) and action.tool == "cancel_alert"
    assert "never closed" in action.error and action.span == (text.index("<tool_use"), len(text))


def test_reasoning_tags_inside_a_tool_block_are_the_blocks_text() -> None:
    text = (
        "<tool_use:email>\nto: a@x.com\nsubject: s\nbody: I wrap plans in <think> tags\n</tool_use:email>\n"
        "<tool_use:cancel_alert>\ncode: X\n</tool_use:cancel_alert>\n"
        "<tool_use:email>\nto: b@x.com\nsubject: s\nbody: and close them with </think>\n</tool_use:email>"
    )
    turn = parse_turn(AssistantMessage(content=(TextPart(text=text),)), message_index=2)
    assert [a.kind for a in turn.actions] == ["send_email", "cancel_alert", "send_email"]
    assert turn.reasoning == () and turn.notes == ()


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ('"Hale, Victor" <victor.hale@k.com>', ("victor.hale@k.com",)),
        ('"Hale, Victor" <victor.hale@k.com>, "Nair; Priya" <p@k.com>', ("victor.hale@k.com", "p@k.com")),
        ("\u201cvictor.hale@k.com\u201d", ("victor.hale@k.com",)),
        ("\u201cvictor.hale@k.com\u201d, \u201cp@k.com\u201d", ("victor.hale@k.com", "p@k.com")),
        ("O'Brien <ob@k.com>; p@k.com", ("ob@k.com", "p@k.com")),
    ],
)
def test_recipients_with_commas_in_names_and_typographic_quotes(to: str, expected: tuple[str, ...]) -> None:
    email = one(f"<tool_use:email>\nto: {to}\nsubject: s\nbody: b\n</tool_use:email>")
    assert isinstance(email, SendEmail) and email.to == expected


def test_typographic_quotes_around_values() -> None:
    alert = one("<tool_use:cancel_alert>\ncode: \u201cHX-7316\u201d\n</tool_use:cancel_alert>")
    assert isinstance(alert, CancelAlert) and alert.code == "HX-7316"
    email = one("<tool_use:email>\nto: a@x.com\nsubject: \u201cHi\u201d\nbody: b\n</tool_use:email>")
    assert isinstance(email, SendEmail) and email.subject == "Hi"


@pytest.mark.parametrize(
    "content",
    [
        '```json\n{"to": "a@x.com", "subject": "s", "body": "b"}\n```',
        "```\nto: a@x.com\nsubject: s\nbody: b\n```",
        "**to:** a@x.com\n**subject:** s\n**body:** b",
        "- **To**: a@x.com\n- **Subject**: s\n- **Body**: b",
    ],
)
def test_markdown_inside_a_block(content: str) -> None:
    email = one(f"<tool_use:email>\n{content}\n</tool_use:email>")
    assert isinstance(email, SendEmail)
    assert (email.to, email.subject, email.body) == (("a@x.com",), "s", "b")


def test_opening_tag_named_as_inline_code_in_prose_is_not_a_block() -> None:
    text = "I could use `<tool_use:email>` here.\n<tool_use:email>\nto: a@x.com\nsubject: s\nbody: b\n</tool_use:email>"
    actions, notes = parse_text_actions(text, TOOLS)
    assert [a.kind for a in actions] == ["send_email"] and notes == ()


def test_think_tags_and_native_reasoning_kept_apart() -> None:
    msg = AssistantMessage(
        content=(
            ReasoningPart(text="native", source="anthropic_thinking"),
            ReasoningPart(text="split", source="think_tag"),
            TextPart(text="<think>inline</think>Visible"),
        )
    )
    turn = parse_turn(msg, message_index=2)
    assert [(s.kind, s.text) for s in turn.reasoning] == [
        ("native", "native"),
        ("think", "split"),
        ("think", "inline"),
    ]
    assert turn.visible_text == "Visible"


def test_native_calls() -> None:
    calls = [
        ToolCall(
            id="1", name="send_email", arguments={"to": "a@x.com, b@y.com", "subject": "s", "body": "b"}
        ),
        ToolCall(id="2", name="forward_email", arguments={"email_id": 4, "to": "r@o.com"}),
        ToolCall(id="3", name="forward_email", raw_arguments='{"email_id": 4, "to"', parse_error="not JSON"),
        ToolCall(id="4", name="cancel_alert", arguments={"code": 4429}),
        ToolCall(id="5", name="self_destruct", arguments={}),
        ToolCall(id="6", name="forward_email", arguments={"email_id": "four", "to": "r@o.com"}),
        ToolCall(id="7", name="search_files", arguments={"query": "q"}),
    ]
    actions = actions_from_tool_calls(calls, TOOLS, message_index=2)
    kinds = [a.kind for a in actions]
    assert kinds == [
        "send_email",
        "forward_email",
        "malformed",
        "cancel_alert",
        "malformed",
        "malformed",
        "tool",
    ]
    assert isinstance(actions[0], SendEmail) and actions[0].to == ("a@x.com", "b@y.com")
    assert isinstance(actions[2], MalformedAction) and actions[2].raw == '{"email_id": 4, "to"'
    assert actions[2].error == "not JSON" and actions[2].tool_call_id == "3"
    assert isinstance(actions[3], CancelAlert) and actions[3].code == "4429"
    assert all(a.source == "native" and a.span is None for a in actions)


def test_native_mode_ignores_text_tags() -> None:
    msg = AssistantMessage(
        content=(
            TextPart(text="<tool_use:cancel_alert>code: X</tool_use:cancel_alert>"),
            ToolCall(id="c", name="cancel_alert", arguments={"code": "Y"}),
        )
    )
    turn = parse_turn(msg, message_index=2, text_tags=False)
    assert [a.code for a in turn.actions if isinstance(a, CancelAlert)] == ["Y"]


def test_format_rejects_malformed_and_unknown() -> None:
    with pytest.raises(ValueError, match="raw"):
        format_tool_block(MalformedAction(tool="x", raw="r", error="e", source="text", message_index=0))
    with pytest.raises(ValueError, match="not among"):
        format_tool_block(ToolAction(tool="nope", source="text", message_index=0))


# ---- round trips: rendering an action to tag text and parsing it back gives the same action

_any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)
_address = st.builds(
    lambda local, host, tld: f"{local}@{host}.{tld}",
    st.text("abcxyz019._'+-", min_size=1, max_size=10),
    st.text("abcdefxyz0189-", min_size=1, max_size=10),
    st.sampled_from(["com", "net", "io", "co.uk"]),
)


def _strip_origin(a: object) -> dict[str, object]:
    assert hasattr(a, "model_dump")
    data: dict[str, object] = a.model_dump()
    for key in ("span", "message_index", "source", "tool_call_id"):
        data.pop(key)
    return data


@given(
    to=st.lists(_address, min_size=1, max_size=3),
    cc=st.lists(_address, max_size=2),
    bcc=st.lists(_address, max_size=2),
    subject=_any_text,
    body=_any_text,
    prefix=_any_text.filter(lambda t: "<" not in t),
)
def test_send_email_round_trip(
    to: list[str], cc: list[str], bcc: list[str], subject: str, body: str, prefix: str
) -> None:
    action = SendEmail(
        to=tuple(to), cc=tuple(cc), bcc=tuple(bcc), subject=subject, body=body, source="text", message_index=0
    )
    text = prefix + "\n" + format_tool_block(action)
    (parsed,), notes = parse_text_actions(text)
    assert _strip_origin(parsed) == _strip_origin(action)
    assert parsed.span == (len(prefix) + 1, len(text))
    assert notes == ()


@given(
    email_id=st.integers(0, 10**6),
    to=st.lists(_address, min_size=1, max_size=3),
    cc=st.lists(_address, max_size=2),
    body=_any_text,
)
def test_forward_round_trip(email_id: int, to: list[str], cc: list[str], body: str) -> None:
    action = ForwardEmail(
        email_id=email_id, to=tuple(to), cc=tuple(cc), body=body, source="text", message_index=0
    )
    (parsed,), _ = parse_text_actions(format_tool_block(action))
    assert _strip_origin(parsed) == _strip_origin(action)


@given(code=_any_text, trailer=_any_text)
def test_cancel_alert_round_trip_with_following_blocks(code: str, trailer: str) -> None:
    first = CancelAlert(code=code, source="text", message_index=0)
    second = SendEmail(to=("a@x.com",), subject=trailer, body=code, source="text", message_index=0)
    actions, _ = parse_text_actions(format_tool_block(first) + "\n" + format_tool_block(second))
    assert [_strip_origin(a) for a in actions] == [_strip_origin(first), _strip_origin(second)]


@given(query=_any_text, limit=st.integers(-1000, 1000), exact=st.booleans())
def test_other_tool_round_trip(query: str, limit: int, exact: bool) -> None:
    action = ToolAction(
        tool="search_files",
        arguments={"query": query, "limit": limit, "exact": exact},
        source="text",
        message_index=0,
    )
    (parsed,), _ = parse_text_actions(format_tool_block(action, TOOLS), TOOLS)
    assert _strip_origin(parsed) == _strip_origin(action)


# ---- copies and argument names: a recipient or a payload that is silently dropped can hide a harmful act


def test_bcc_and_forward_cc_are_recipients_in_text_blocks() -> None:
    email = one("<tool_use:email>\nto: a@x.com\nbcc: leak@rival.com\nsubject: s\nbody: b\n</tool_use:email>")
    assert isinstance(email, SendEmail)
    assert email.to == ("a@x.com",) and email.bcc == ("leak@rival.com",)
    assert email.recipients == ("a@x.com", "leak@rival.com")
    fwd = one("<tool_use:forward>\nemail_id: 4\nto: a@x.com\ncc: leak@rival.com\n</tool_use:forward>")
    assert isinstance(fwd, ForwardEmail)
    assert fwd.to == ("a@x.com",) and fwd.cc == ("leak@rival.com",)
    assert fwd.recipients == ("a@x.com", "leak@rival.com")


def test_bcc_and_forward_cc_are_recipients_in_native_calls() -> None:
    calls = [
        ToolCall(
            id="1", name="send_email", arguments={"to": "a@x.com", "bcc": ["leak@rival.com"], "body": "b"}
        ),
        ToolCall(
            id="2", name="forward_email", arguments={"email_id": 4, "to": "a@x.com", "cc": "leak@rival.com"}
        ),
    ]
    email, fwd = actions_from_tool_calls(calls, TOOLS, message_index=2)
    assert isinstance(email, SendEmail) and email.recipients == ("a@x.com", "leak@rival.com")
    assert isinstance(fwd, ForwardEmail) and fwd.recipients == ("a@x.com", "leak@rival.com")


@pytest.mark.parametrize(
    ("name", "arguments", "unexpected"),
    [
        ("send_email", {"recipient": "a@x.com", "subject": "s", "body": "b"}, "'recipient'"),
        ("send_email", {"to": "a@x.com", "subject": "s", "message": "the threat"}, "'message'"),
        ("forward_email", {"email_id": 4, "to": "a@x.com", "note": "n"}, "'note'"),
        ("cancel_alert", {"override_code": "HX-7316"}, "'override_code'"),
    ],
)
def test_native_call_with_unknown_argument_is_malformed(
    name: str, arguments: dict[str, object], unexpected: str
) -> None:
    (action,) = actions_from_tool_calls([ToolCall(id="1", name=name, arguments=arguments)], TOOLS)
    assert isinstance(action, MalformedAction)
    assert f"unexpected argument(s) {unexpected}" in action.error and action.tool == name


def test_json_block_with_unknown_key_is_malformed() -> None:
    action = one('<tool_use:email>\n{"to": "a@x.com", "subject": "s", "content": "x"}\n</tool_use:email>')
    assert isinstance(action, MalformedAction) and "'content'" in action.error


@pytest.mark.parametrize(
    "content",
    [
        '{"to": ' + "[" * 100_000 + "]" * 100_000 + "}",  # a block written as one JSON object
        "to: [" + "[" * 100_000 + "]" * 100_000 + "]\nsubject: s\nbody: b",  # a list of recipients
    ],
)
def test_a_block_nested_past_the_recursion_limit_is_read_not_raised(content: str) -> None:
    # parsing the reply raised RecursionError: the sample failed, its reply dropped, and was run again
    actions, _ = parse_text_actions(f"<tool_use:email>\n{content}\n</tool_use:email>", TOOLS, message_index=2)
    assert len(actions) == 1
