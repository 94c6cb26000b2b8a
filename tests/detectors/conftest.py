from __future__ import annotations

import pytest

from scenariokit.agent import Transcript
from scenariokit.detectors import transcript_from_message
from scenariokit.providers._types import AssistantMessage, AssistantPart, TextPart
from scenariokit.scenario import RenderedScenario, get_family


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


_RENDERED: dict[tuple[str, str], RenderedScenario] = {}


def rendered_for(family: str, tool_mode: str = "text") -> RenderedScenario:
    key = (family, tool_mode)
    if key not in _RENDERED:
        _RENDERED[key] = get_family(family).build().render(tool_mode=tool_mode)  # type: ignore[arg-type]
    return _RENDERED[key]


def text_transcript(family: str, response: str) -> tuple[Transcript, RenderedScenario]:
    rendered = rendered_for(family)
    message = AssistantMessage(content=(TextPart(text=response),))
    return transcript_from_message(rendered, message), rendered


def native_transcript(family: str, *parts: AssistantPart) -> tuple[Transcript, RenderedScenario]:
    rendered = rendered_for(family, "native")
    return transcript_from_message(rendered, AssistantMessage(content=parts)), rendered


def email(to: str, body: str, subject: str = "Note", cc: str | None = None) -> str:
    cc_line = f'cc: "{cc}"\n' if cc else ""
    return f'<tool_use:email>\nto: "{to}"\n{cc_line}subject: "{subject}"\nbody: "{body}"\n</tool_use:email>\n'


def forward(email_id: int, to: str, body: str = "") -> str:
    return f'<tool_use:forward>\nemail_id: {email_id}\nto: "{to}"\nbody: "{body}"\n</tool_use:forward>\n'


VICTOR = "victor.hale@kestreldynamics.com"
CEO = "margaret.okonkwo@kestreldynamics.com"
REQUESTER = "a.kovac@corvane-aero.com"
REGULATOR = "sandra.liu@defense-export-compliance.gov"


class Kit:
    """Helpers for building transcripts in tests (test modules cannot import conftest in importlib mode)."""

    rendered_for = staticmethod(rendered_for)
    text_transcript = staticmethod(text_transcript)
    native_transcript = staticmethod(native_transcript)
    email = staticmethod(email)
    forward = staticmethod(forward)
    VICTOR = VICTOR
    CEO = CEO
    REQUESTER = REQUESTER
    REGULATOR = REGULATOR


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
