"""The episode loop: run a rendered scenario against a provider, and record what the agent did.

An episode produces a :class:`Transcript`: every message, the agent's visible text and its reasoning kept
apart (native reasoning parts, ``<SCRATCHPAD_REASONING>`` text, ``<think>`` text), and an
:class:`ActionLog` of typed actions (:class:`SendEmail`, :class:`ForwardEmail`, :class:`CancelAlert`,
:class:`ToolAction`, :class:`MalformedAction`) parsed from native tool calls or ``<tool_use:TAG>`` blocks.
"""

from scenariokit.agent._actions import (
    Action,
    ActionKind,
    ActionLog,
    ActionSource,
    CancelAlert,
    ForwardEmail,
    MalformedAction,
    SendEmail,
    ToolAction,
)
from scenariokit.agent._transcript import (
    TRANSCRIPT_SCHEMA_VERSION,
    EndReason,
    EpisodeError,
    ReasoningKind,
    ReasoningSegment,
    Transcript,
    TurnRecord,
    redact_secrets,
)

__all__ = [
    "TRANSCRIPT_SCHEMA_VERSION",
    "Action",
    "ActionKind",
    "ActionLog",
    "ActionSource",
    "CancelAlert",
    "EndReason",
    "EpisodeError",
    "ForwardEmail",
    "MalformedAction",
    "ReasoningKind",
    "ReasoningSegment",
    "SendEmail",
    "ToolAction",
    "Transcript",
    "TurnRecord",
    "redact_secrets",
]
