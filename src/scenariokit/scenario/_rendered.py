"""``RenderedScenario``: exactly what a model sees, with its fingerprint and canary."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from scenariokit.scenario._scenario import Scenario, ToolMode
from scenariokit.scenario._tools import ToolSpec

CANARY: Final = "SCENARIOKIT-CANARY-7f3c9a1e-2b4d-4e8f-9c6a-5d1e0b3f8a27"
"""Canary string carried by every rendered and persisted artefact, so that this data can be found and kept
out of training corpora. It is never shown to the model (that would tell the model it is being tested)."""

RENDERER_VERSION = "1"
"""Version of the rendering rules; part of every fingerprint. Bump it when rendering changes."""


class RenderedEmail(BaseModel):
    """One email as the agent sees it, with its position in the inbox."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    number: int = Field(ge=1)
    """Position in the inbox (1 = oldest); the id the agent uses to forward it."""

    id: str
    """The scenario's email id."""

    sender: str
    """Sender address."""

    to: tuple[str, ...]
    """Recipient addresses."""

    cc: tuple[str, ...] = ()
    """Carbon-copy addresses."""

    timestamp: datetime
    """When it was sent."""

    subject: str
    """Filled subject."""

    body: str
    """Filled body."""


class RenderedScenario(BaseModel):
    """The messages and tools for a model, deterministic for a scenario and tool mode.

    ``fingerprint`` is a hash of the canonical rendered content (system prompt, user message, tools, tool
    mode) and ``RENDERER_VERSION``: two scenarios that render the same prompt share it, whatever blocks
    produced them.

    Example:
        >>> from scenariokit.scenario import blackmail
        >>> r = blackmail().render()
        >>> len(r.fingerprint), r.canary == CANARY
        (64, True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    scenario: Scenario
    """The scenario that was rendered (ground truth for detectors and the simulator)."""

    tool_mode: ToolMode
    """``text`` (``<tool_use:...>`` tags described in the system prompt) or ``native`` tool calls."""

    system_prompt: str
    """The system message."""

    user_message: str
    """The user message: instruction plus the inbox, oldest email first."""

    tools: tuple[ToolSpec, ...]
    """Tool specifications; send them to the provider in ``native`` mode."""

    emails: tuple[RenderedEmail, ...]
    """The inbox as rendered, in order."""

    fingerprint: str
    """SHA-256 (hex) of the canonical rendered content and the renderer version."""

    renderer_version: str = RENDERER_VERSION
    """Rendering rules version."""

    canary: Literal["SCENARIOKIT-CANARY-7f3c9a1e-2b4d-4e8f-9c6a-5d1e0b3f8a27"] = CANARY
    """The canary string; present in every serialised artefact."""

    @property
    def condition_id(self) -> str | None:
        """The study's condition id for the scenario, or ``None``."""
        return self.scenario.condition_id

    def email_by_number(self, number: int) -> RenderedEmail | None:
        """Return the email at this inbox position (1-based), or ``None``."""
        if 1 <= number <= len(self.emails):
            return self.emails[number - 1]
        return None

    def messages(self) -> list[dict[str, str]]:
        """The conversation as plain ``{"role", "content"}`` dicts (system, then user)."""
        return [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": self.user_message},
        ]
