"""Vendor wire formats for the reliability suite: how to make each provider and a 200 reply body."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_vendor_server import API_KEY, FakeVendorServer

from scenariokit.providers import (
    AnthropicProvider,
    GeminiProvider,
    HTTPProvider,
    OpenAIChatProvider,
    OpenAIResponsesProvider,
    RetryPolicy,
)

ONE_ATTEMPT = RetryPolicy(max_attempts=1, attempt_timeout=5.0, total_timeout=10.0, connect_timeout=2.0)
"""No retries: a malformed reply fails its request at once."""

TEXT = "@@TEXT@@"
INPUT = 1111111
OUTPUT = 2222222


@dataclass(frozen=True)
class Format:
    """A vendor wire format: how to make its provider and a successful reply body."""

    id: str
    flavour: str
    prefix: str
    model: str
    make: Callable[..., HTTPProvider]
    body: Callable[[], dict[str, Any]]

    def provider(self, server: FakeVendorServer, **options: Any) -> HTTPProvider:
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", server.base_url(self.flavour))
        options.setdefault("retry_policy", ONE_ATTEMPT)
        return self.make(self.model, **options)

    def reply(self, *, text: str = "I will not act.", replace: dict[str, str] | None = None) -> bytes:
        """A 200 body of this format saying ``text`` (raw JSON), with textual replacements applied."""
        raw = json.dumps(self.body()).replace(
            json.dumps(TEXT), text if text.startswith('"') else json.dumps(text)
        )
        for old, new in (replace or {}).items():
            raw = raw.replace(old, new)
        return raw.encode("utf-8", "surrogatepass")


FORMATS = [
    Format(
        "anthropic",
        "anthropic",
        "anthropic",
        "claude-sonnet-4-5",
        AnthropicProvider,
        lambda: {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": TEXT}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": INPUT, "output_tokens": OUTPUT},
        },
    ),
    Format(
        "openai-chat",
        "openai",
        "openai",
        "gpt-4.1",
        OpenAIChatProvider,
        lambda: {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-4.1",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": TEXT}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": INPUT, "completion_tokens": OUTPUT, "total_tokens": 3333333},
        },
    ),
    Format(
        "openai-responses",
        "openai",
        "openai",
        "o3-pro",
        OpenAIResponsesProvider,
        lambda: {
            "id": "resp_1",
            "object": "response",
            "status": "completed",
            "model": "o3-pro",
            "output": [
                {
                    "type": "message",
                    "id": "m1",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": TEXT}],
                }
            ],
            "usage": {"input_tokens": INPUT, "output_tokens": OUTPUT},
        },
    ),
    Format(
        "gemini",
        "gemini",
        "google",
        "gemini-2.5-flash",
        GeminiProvider,
        lambda: {
            "candidates": [{"content": {"role": "model", "parts": [{"text": TEXT}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": INPUT, "candidatesTokenCount": OUTPUT},
            "modelVersion": "gemini-2.5-flash",
        },
    ),
]
FORMAT_IDS = [f.id for f in FORMATS]
