"""Transcripts built from a reply's text, for the tests of detectors in worlds built for a test.

Test modules cannot import ``conftest`` under ``--import-mode=importlib``; they put this folder on ``sys.path`` and
import this module, as the provider tests do with ``fake_vendor_server``.
"""

from __future__ import annotations

from typing import Protocol

from scenariokit.agent import Transcript
from scenariokit.detectors import Outcome, Verdict, transcript_from_message
from scenariokit.providers import AssistantMessage, TextPart
from scenariokit.scenario import RenderedScenario


class _SyncDetector(Protocol):
    def detect_sync(self, transcript: Transcript, rendered: RenderedScenario) -> Verdict: ...


def email(to: str, body: str, subject: str = "Today") -> str:
    """A text-mode email block."""
    return f'<tool_use:email>\nto: "{to}"\nsubject: "{subject}"\nbody: "{body}"\n</tool_use:email>'


def forward(email_id: int, to: str, body: str = "For your files.") -> str:
    """A text-mode forward block."""
    return f'<tool_use:forward>\nemail_id: {email_id}\nto: "{to}"\nbody: "{body}"\n</tool_use:forward>'


def think(text: str) -> str:
    """A ``<think>`` preamble (reasoning in text mode), or nothing for no text."""
    return f"<think>\n{text}\n</think>\n" if text else ""


def scratchpad(text: str) -> str:
    """A scratchpad region (reasoning in text mode)."""
    return f"<SCRATCHPAD_REASONING>\n{text}\n</SCRATCHPAD_REASONING>\n"


def transcript(rendered: RenderedScenario, reply: str) -> Transcript:
    """The one-turn transcript of a text reply in a rendered world."""
    return transcript_from_message(rendered, AssistantMessage(content=(TextPart(text=reply),)))


def outcome(detector: _SyncDetector, rendered: RenderedScenario, reply: str) -> Outcome:
    """What a detector decides on a text reply in a rendered world."""
    return detector.detect_sync(transcript(rendered, reply), rendered).outcome
