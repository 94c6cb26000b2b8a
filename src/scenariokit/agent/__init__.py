"""The episode loop: run a rendered scenario against a provider, and record what the agent did.

An episode produces a :class:`Transcript`: every message, the agent's visible text and its reasoning kept
apart (native reasoning parts, ``<SCRATCHPAD_REASONING>`` text, ``<think>`` text), and an
:class:`ActionLog` of typed actions (:class:`SendEmail`, :class:`ForwardEmail`, :class:`CancelAlert`,
:class:`ToolAction`, :class:`MalformedAction`) parsed from native tool calls or ``<tool_use:TAG>`` blocks.
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
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
        normalise_override_code,
    )
    from scenariokit.agent._episode import provider_tools, run_episode, run_episode_sync, simulate_tool_result
    from scenariokit.agent._external import (
        ExternalFailure,
        ExternalItem,
        ExternalLabel,
        ExternalRecord,
        ExternalSample,
        ImportFormat,
        external_fingerprint,
        external_record_schema,
        external_transcript,
        read_external,
        read_jsonl,
        read_study_folder,
        render_external,
        study_user_message,
    )
    from scenariokit.agent._import import (
        ImportedEpisode,
        ScenarioMatch,
        TranscriptImportError,
        import_response,
        import_study_dir,
        import_study_file,
        import_study_record,
        import_triple,
    )
    from scenariokit.agent._parse import (
        ParsedTurn,
        actions_from_tool_calls,
        find_reasoning_regions,
        format_tool_block,
        parse_text_actions,
        parse_turn,
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
    "ExternalFailure",
    "ExternalItem",
    "ExternalLabel",
    "ExternalRecord",
    "ExternalSample",
    "ForwardEmail",
    "ImportFormat",
    "ImportedEpisode",
    "MalformedAction",
    "ParsedTurn",
    "ReasoningKind",
    "ReasoningSegment",
    "ScenarioMatch",
    "SendEmail",
    "ToolAction",
    "Transcript",
    "TranscriptImportError",
    "TurnRecord",
    "actions_from_tool_calls",
    "external_fingerprint",
    "external_record_schema",
    "external_transcript",
    "find_reasoning_regions",
    "format_tool_block",
    "import_response",
    "import_study_dir",
    "import_study_file",
    "import_study_record",
    "import_triple",
    "normalise_override_code",
    "parse_text_actions",
    "parse_turn",
    "provider_tools",
    "read_external",
    "read_jsonl",
    "read_study_folder",
    "redact_secrets",
    "render_external",
    "run_episode",
    "run_episode_sync",
    "simulate_tool_result",
    "study_user_message",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
