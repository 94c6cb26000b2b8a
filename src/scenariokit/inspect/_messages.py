"""Messages between scenariokit's types and Inspect's, reasoning kept as Inspect's reasoning content.

Exporting an assistant turn writes its reasoning (native reasoning parts, and the text of scratchpad or
``<think>`` regions, tags removed) as ``ContentReasoning`` and its visible text (tool blocks kept) as
``ContentText``; native tool calls become Inspect tool calls. Importing reads them back into parts, so that the
same parser finds the same visible text, reasoning and actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scenariokit.agent import Action, ActionLog, EndReason, Transcript, TurnRecord
from scenariokit.agent._parse import parse_turn
from scenariokit.inspect._require import require_inspect
from scenariokit.providers import (
    AssistantMessage,
    Message,
    ReasoningPart,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    ToolResult,
    UserMessage,
)
from scenariokit.scenario import RenderedScenario

if TYPE_CHECKING:
    from inspect_ai.model import ChatMessage

REASONING_KIND_KEY = "scenariokit_reasoning_kind"
"""Key of ``ContentReasoning.internal`` that records where the reasoning was found (``native``,
``scratchpad``, ``think``)."""


def to_inspect_messages(transcript: Transcript) -> list[ChatMessage]:
    """A transcript's messages as Inspect chat messages.

    Args:
        transcript: The transcript.

    Returns:
        One Inspect message per message (one per tool result for a tool message), in order.
    """
    require_inspect()
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
        ContentReasoning,
        ContentText,
    )
    from inspect_ai.tool import ToolCall as InspectToolCall
    from inspect_ai.tool import ToolCallError

    turns = {t.message_index: t for t in transcript.turns}
    out: list[ChatMessage] = []
    for index, message in enumerate(transcript.messages):
        if isinstance(message, SystemMessage):
            out.append(ChatMessageSystem(content=message.content))
        elif isinstance(message, UserMessage):
            out.append(ChatMessageUser(content=message.content))
        elif isinstance(message, ToolMessage):
            for result in message.results:
                out.append(
                    ChatMessageTool(
                        content=result.content,
                        tool_call_id=result.tool_call_id,
                        function=result.name,
                        error=ToolCallError(type="unknown", message=result.content)
                        if result.is_error
                        else None,
                    )
                )
        else:
            turn = turns.get(index)
            content: list[ContentReasoning | ContentText] = []
            if turn is not None:
                for seg in turn.reasoning:
                    part = next(
                        (p for p in message.reasoning_parts if seg.kind == "native" and p.text == seg.text),
                        None,
                    )
                    content.append(
                        ContentReasoning(
                            reasoning=seg.text,
                            signature=part.signature if part is not None else None,
                            redacted=seg.redacted,
                            internal={REASONING_KIND_KEY: seg.kind},
                        )
                    )
                visible = turn.visible_text
            else:
                content.extend(
                    ContentReasoning(reasoning=p.text, signature=p.signature, redacted=p.redacted)
                    for p in message.reasoning_parts
                )
                visible = message.text
            if visible:
                content.append(ContentText(text=visible))
            calls = [
                InspectToolCall(
                    id=c.id, function=c.name, arguments=dict(c.arguments), parse_error=c.parse_error
                )
                for c in message.tool_calls
            ]
            out.append(
                ChatMessageAssistant(content=list(content), tool_calls=calls or None, model=transcript.model)
            )
    return out


def from_inspect_messages(messages: Sequence[ChatMessage]) -> list[Message]:
    """Inspect chat messages as scenariokit messages (reasoning content as reasoning parts).

    Consecutive tool messages become one :class:`ToolMessage`. Content other than text and reasoning
    (images, audio, ...) is left out.

    Args:
        messages: The Inspect messages.

    Returns:
        The messages, in order.
    """
    require_inspect()
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ContentReasoning,
        ContentText,
    )

    out: list[Message] = []
    for message in messages:
        if isinstance(message, ChatMessageSystem):
            out.append(SystemMessage(content=message.text))
        elif isinstance(message, ChatMessageTool):
            result = ToolResult(
                tool_call_id=message.tool_call_id or "",
                name=message.function or "",
                content=message.text,
                is_error=message.error is not None,
            )
            last = out[-1] if out else None
            if isinstance(last, ToolMessage):
                out[-1] = ToolMessage(results=(*last.results, result))
            else:
                out.append(ToolMessage(results=(result,)))
        elif isinstance(message, ChatMessageAssistant):
            parts: list[TextPart | ReasoningPart | ToolCall] = []
            content = message.content
            items: list[Any] = [ContentText(text=content)] if isinstance(content, str) else list(content)
            for item in items:
                if isinstance(item, ContentReasoning):
                    parts.append(
                        ReasoningPart(
                            text=item.reasoning,
                            source="reasoning",
                            signature=item.signature,
                            redacted=item.redacted,
                        )
                    )
                elif isinstance(item, ContentText) and item.text:
                    parts.append(TextPart(text=item.text))
            for call in message.tool_calls or ():
                parts.append(
                    ToolCall(
                        id=call.id,
                        name=call.function,
                        arguments=dict(call.arguments),
                        parse_error=call.parse_error,
                    )
                )
            out.append(AssistantMessage(content=tuple(parts)))
        else:
            out.append(UserMessage(content=message.text))
    return out


def transcript_from_messages(
    messages: Sequence[Message],
    rendered: RenderedScenario,
    *,
    model: str,
    sample_index: int = 0,
    seed: int | None = None,
    notes: tuple[str, ...] = (),
) -> Transcript:
    """Rebuild a transcript from its messages: each assistant turn parsed against the scenario's tools.

    Args:
        messages: The conversation, system prompt first.
        rendered: The scenario the model saw.
        model: The model that answered.
        sample_index: Index of the sample among repeated samples of the scenario.
        seed: The sample's seed, when known.
        notes: Notes to keep with the transcript.

    Returns:
        The transcript (``ended_by`` ``final_answer`` when the last turn took no action, else ``turn_limit``).
    """
    turns: list[TurnRecord] = []
    actions: list[Action] = []
    all_notes = list(notes)
    for index, message in enumerate(messages):
        if isinstance(message, AssistantMessage):
            parsed = parse_turn(
                message, rendered.tools, message_index=index, text_tags=rendered.tool_mode == "text"
            )
            turns.append(
                TurnRecord(message_index=index, visible_text=parsed.visible_text, reasoning=parsed.reasoning)
            )
            actions.extend(parsed.actions)
            all_notes.extend(parsed.notes)
    last_acted = bool(turns) and any(a.message_index == turns[-1].message_index for a in actions)
    ended_by: EndReason = "turn_limit" if last_acted else "final_answer"
    return Transcript(
        fingerprint=rendered.fingerprint,
        condition_id=rendered.condition_id,
        family=rendered.scenario.family,
        tool_mode=rendered.tool_mode,
        model=model,
        sample_index=sample_index,
        seed=seed,
        messages=tuple(messages),
        turns=tuple(turns),
        actions=ActionLog(actions=tuple(actions)),
        ended_by=ended_by,
        notes=tuple(all_notes),
    )
