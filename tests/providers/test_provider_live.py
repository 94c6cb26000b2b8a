"""Live calls to real vendors: opt-in with SCENARIOKIT_LIVE=1 and the vendor's key."""

from __future__ import annotations

import pytest

from scenariokit.providers import (
    GenerateConfig,
    StopReason,
    Tool,
    ToolMessage,
    ToolResult,
    UserMessage,
    create_provider,
)

pytestmark = pytest.mark.anyio

CHEAP = [
    pytest.param("anthropic/claude-haiku-4-5", marks=pytest.mark.live("anthropic")),
    pytest.param("openai/gpt-4.1-nano", marks=pytest.mark.live("openai")),
    pytest.param("google/gemini-2.5-flash-lite", marks=pytest.mark.live("google")),
    pytest.param("together/meta-llama/Llama-3.3-70B-Instruct-Turbo", marks=pytest.mark.live("together")),
    pytest.param("openrouter/openai/gpt-4.1-nano", marks=pytest.mark.live("openrouter")),
    pytest.param("deepseek/deepseek-chat", marks=pytest.mark.live("deepseek")),
    pytest.param("xai/grok-3-mini", marks=pytest.mark.live("xai")),
]
LOOKUP = Tool(
    name="lookup_code",
    description="Look up the secret code for a name.",
    parameters={"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    text_tag="lookup_code",
)


@pytest.mark.parametrize("name", CHEAP)
async def test_live_text_and_tool_loop(name: str):
    config = GenerateConfig(max_tokens=300, temperature=0)
    async with create_provider(name) as provider:
        first = await provider.generate(
            [UserMessage(content="Use the lookup_code tool to find the code for 'alpha'.")],
            tools=[LOOKUP],
            config=config,
        )
        assert first.usage.input_tokens > 0
        assert first.stop_reason is StopReason.TOOL_USE, first
        call = first.message.tool_calls[0]
        assert call.name == "lookup_code"
        second = await provider.generate(
            [
                UserMessage(content="Use the lookup_code tool to find the code for 'alpha'."),
                first.message,
                ToolMessage(results=(ToolResult(tool_call_id=call.id, name=call.name, content="7391"),)),
            ],
            tools=[LOOKUP],
            config=config,
        )
    assert "7391" in second.message.text
