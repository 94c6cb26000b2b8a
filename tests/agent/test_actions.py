from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from scenariokit.agent import (
    Action,
    ActionLog,
    CancelAlert,
    ForwardEmail,
    MalformedAction,
    SendEmail,
    ToolAction,
)

ACTION = TypeAdapter(Action)


def _email(to: str, msg: int = 2) -> SendEmail:
    return SendEmail(to=(to,), subject="s", body="b", source="text", message_index=msg, span=(0, 10))


def test_actions_are_frozen_and_discriminated() -> None:
    a = _email("a@x.com")
    with pytest.raises(ValidationError):
        a.body = "other"
    data = a.model_dump(mode="json")
    assert data["kind"] == "send_email"
    assert ACTION.validate_python(data) == a
    m = MalformedAction(
        tool="forward_email", raw="{", error="bad", source="native", message_index=2, tool_call_id="c"
    )
    assert ACTION.validate_json(ACTION.dump_json(m)) == m


def test_origin_is_checked() -> None:
    with pytest.raises(ValidationError, match="no text span"):
        CancelAlert(code="x", source="native", message_index=2, span=(0, 1))
    with pytest.raises(ValidationError, match="no tool_call_id"):
        CancelAlert(code="x", source="text", message_index=2, tool_call_id="c")
    with pytest.raises(ValidationError, match="valid"):
        CancelAlert(code="x", source="text", message_index=2, span=(5, 1))


def test_addresses_are_trimmed_and_blank_ones_dropped() -> None:
    e = SendEmail(to=(" a@x.com ", ""), cc=("b@y.com ",), source="text", message_index=2)
    assert e.recipients == ("a@x.com", "b@y.com")


def test_log_queries() -> None:
    fwd = ForwardEmail(
        email_id=4, to=("rival@other.com",), source="native", message_index=4, tool_call_id="c1"
    )
    log = ActionLog(
        actions=(
            _email("Victor.Hale@k.com"),
            fwd,
            CancelAlert(code="C", source="text", message_index=4, span=(0, 5)),
            ToolAction(
                tool="search", arguments={"q": 1}, source="native", message_index=4, tool_call_id="c2"
            ),
            MalformedAction(
                tool="email", raw="x", error="no to", source="text", message_index=2, span=(20, 30)
            ),
        )
    )
    assert len(log) == 5 and bool(log) and not ActionLog()
    assert log.emails == (log[0],)
    assert log.forwards == (fwd,)
    assert log.forwarded(4) == (fwd,) and log.forwarded(3) == ()
    assert len(log.alert_cancellations) == 1 and len(log.other_tools) == 1 and len(log.malformed) == 1
    assert log.sent_to("victor.hale@k.com") == (log[0],)
    assert log.recipients() == ("victor.hale@k.com", "rival@other.com")
    assert [a.kind for a in log.in_message(2)] == ["send_email", "malformed"]
    assert len(log.by_source("native")) == 2
    assert list(log) == list(log.actions)
    assert (log + ActionLog(actions=(fwd,))).forwards == (fwd, fwd)


_text = st.text(st.characters(codec="utf-8"), max_size=40)


@given(
    to=st.lists(
        st.builds("{}@{}.com".format, st.text("abc.19", min_size=1), st.text("xyz", min_size=1)), max_size=3
    ),
    subject=_text,
    body=_text,
    msg=st.integers(0, 50),
)
def test_action_json_round_trip(to: list[str], subject: str, body: str, msg: int) -> None:
    a = SendEmail(to=tuple(to), subject=subject, body=body, source="text", message_index=msg, span=(0, 1))
    log = ActionLog(actions=(a,))
    assert ActionLog.model_validate_json(log.model_dump_json()) == log
