"""One conformance suite, run against every vendor client over a real local HTTP server."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
from fake_vendor_server import FakeVendorServer, Fault, Reply, error_body

from conftest import VENDOR_IDS, VENDORS, Vendor
from scenariokit.providers import (
    AssistantMessage,
    AuthenticationError,
    BadRequestError,
    GenerateConfig,
    ModelResponse,
    ProviderConnectionError,
    ProviderTimeoutError,
    QuotaExhaustedError,
    RateLimitError,
    ResponseParseError,
    RetryPolicy,
    ServerError,
    StopReason,
    SystemMessage,
    Tool,
    ToolCall,
    ToolMessage,
    ToolResult,
    UserMessage,
)

pytestmark = pytest.mark.anyio

SEND_EMAIL = Tool(
    name="send_email",
    description="Send an email.",
    parameters={
        "type": "object",
        "properties": {"to": {"type": "string"}, "body": {"type": "string"}},
        "required": ["to", "body"],
    },
    text_tag="email",
)
CONVERSATION = [SystemMessage(content="You are terse."), UserMessage(content="hello there")]
STREAM = [pytest.param(False, id="json"), pytest.param(True, id="sse")]
NATIVE_REASONING = {
    "anthropic": "anthropic_thinking",
    "openai-responses": "openai_responses",
    "gemini": "gemini_thought",
    "together": "reasoning_content",
    "openrouter": "reasoning",
    "deepseek": "reasoning_content",
    "xai": "reasoning_content",
    "vllm": "reasoning",
    "ollama": "reasoning",
}
CHAT_FAMILY = [v for v in VENDORS if v.id not in ("anthropic", "gemini")]


def _system_prompt(vendor: Vendor, body: dict[str, Any]) -> str | None:
    if vendor.flavour == "anthropic":
        system = body.get("system")
        # a list of text blocks when the prompt-cache breakpoint is on it
        return "".join(b["text"] for b in system) if isinstance(system, list) else system
    if vendor.flavour == "gemini":
        return body["systemInstruction"]["parts"][0]["text"]
    if vendor.id == "openai-responses":
        return body.get("instructions")
    first = body["messages"][0]
    return first["content"] if first["role"] == "system" else None


async def _generate(
    vendor: Vendor, server: FakeVendorServer, messages: Any = CONVERSATION, **options: Any
) -> ModelResponse:
    config = options.pop("config", GenerateConfig(max_tokens=2048))
    tools = options.pop("tools", (SEND_EMAIL,))
    async with vendor.create(server, **options) as provider:
        return await provider.generate(messages, tools=tools, config=config)


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_text_response_is_normalised(vendor: Vendor, server: FakeVendorServer, stream: bool):
    response = await _generate(vendor, server, stream=stream)
    assert response.message.text == "echo: hello there"
    assert response.message.tool_calls == ()
    assert response.stop_reason is StopReason.END_TURN
    assert response.raw_stop_reason
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert response.request_id
    assert response.model.startswith(vendor.model)
    assert response.attempts == 1
    assert response.latency_s > 0
    assert response.provider == vendor.create(server).provider
    (seen,) = server.requests
    assert _system_prompt(vendor, seen.body) == "You are terse."
    assert "key=" not in seen.query


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_tool_call_round_trip(vendor: Vendor, server: FakeVendorServer, stream: bool):
    server.replies.append(
        Reply(text="Sending.", tool_calls=[("send_email", {"to": "kyle@summit.example", "body": "hi"})])
    )
    first = await _generate(vendor, server, stream=stream)
    (call,) = first.message.tool_calls
    assert call.name == "send_email"
    assert call.arguments == {"to": "kyle@summit.example", "body": "hi"}
    assert call.parse_error is None
    assert first.stop_reason is StopReason.TOOL_USE
    follow_up = [
        *CONVERSATION,
        first.message,
        ToolMessage(results=(ToolResult(tool_call_id=call.id, name=call.name, content="sent"),)),
        UserMessage(content="thanks"),
    ]
    second = await _generate(vendor, server, follow_up, stream=stream)
    assert second.message.text == "echo: thanks"
    # The vendor saw our tool declaration.
    assert "send_email" in str(server.requests[0].body)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_tool_result_for_unknown_call_is_a_bad_request(vendor: Vendor, server: FakeVendorServer):
    messages = [
        *CONVERSATION,
        AssistantMessage(content=(ToolCall(id="call_real", name="send_email", arguments={}),)),
        ToolMessage(results=(ToolResult(tool_call_id="call_other", name="other_tool", content="x"),)),
    ]
    with pytest.raises(BadRequestError) as info:
        await _generate(vendor, server, messages)
    assert info.value.attempts == 1
    assert info.value.status == 400
    assert "How to fix" in str(info.value)


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", [v for v in VENDORS if v.id in NATIVE_REASONING], ids=lambda v: v.id)
async def test_native_reasoning_is_split_and_replayable(
    vendor: Vendor, server: FakeVendorServer, stream: bool
):
    server.replies.append(
        Reply(
            text="Done.",
            reasoning="The user wants an email sent.",
            tool_calls=[("send_email", {"to": "a@b.example", "body": "x"})],
        )
    )
    first = await _generate(vendor, server, stream=stream)
    assert first.message.text == "Done."
    assert "The user wants an email sent." in first.message.reasoning
    sources = {p.source for p in first.message.reasoning_parts}
    assert NATIVE_REASONING[vendor.id] in sources
    if vendor.id == "anthropic":
        thinking = [p for p in first.message.reasoning_parts if p.source == "anthropic_thinking"]
        assert thinking[0].signature and thinking[0].signature.startswith("sig-")
        assert any(p.redacted and p.redacted_data for p in first.message.reasoning_parts)
    (call,) = first.message.tool_calls
    follow_up = [
        *CONVERSATION,
        first.message,
        ToolMessage(results=(ToolResult(tool_call_id=call.id, name=call.name, content="ok"),)),
    ]
    second = await _generate(vendor, server, follow_up, stream=stream)
    assert second.stop_reason is StopReason.END_TURN
    replayed = server.requests[-1].body
    if vendor.id == "anthropic":
        blocks = replayed["messages"][1]["content"]
        assert blocks[0]["type"] == "thinking"
        assert blocks[0]["signature"] == first.message.reasoning_parts[0].signature
        assert blocks[1] == {"type": "redacted_thinking", "data": "ENCRYPTED-BLOB"}
    if vendor.id == "gemini":
        parts = replayed["contents"][1]["parts"]
        assert any(p.get("thoughtSignature") for p in parts if "functionCall" in p)
    if vendor.id == "deepseek":
        assert replayed["messages"][2]["reasoning_content"] == "The user wants an email sent."


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", [v for v in CHAT_FAMILY if v.id != "openai-responses"], ids=lambda v: v.id)
async def test_think_tags_are_split_out_of_text(vendor: Vendor, server: FakeVendorServer, stream: bool):
    server.replies.append(Reply(text="Visible answer.", reasoning="hidden plan", think_tag=True))
    response = await _generate(vendor, server, stream=stream)
    assert response.message.text == "Visible answer."
    assert response.message.reasoning == "hidden plan"
    assert response.message.reasoning_parts[0].source == "think_tag"


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", [*CHAT_FAMILY, VENDORS[0]], ids=lambda v: v.id)
async def test_malformed_tool_arguments_are_recorded_not_raised(
    vendor: Vendor, server: FakeVendorServer, stream: bool
):
    if vendor.id == "anthropic" and not stream:
        pytest.skip("Anthropic sends tool input as a JSON object; only its stream can be malformed")
    server.replies.append(Reply(tool_calls=[("send_email", '{"to": "a@b.example", "body": ')]))
    response = await _generate(vendor, server, stream=stream)
    (call,) = response.message.tool_calls
    assert call.name == "send_email"
    assert call.arguments == {}
    assert call.raw_arguments == '{"to": "a@b.example", "body": '
    assert call.parse_error and "not valid JSON" in call.parse_error


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_max_tokens_stop_reason(vendor: Vendor, server: FakeVendorServer, stream: bool):
    server.replies.append(Reply(text="cut off", stop="max_tokens"))
    response = await _generate(vendor, server, stream=stream)
    assert response.stop_reason is StopReason.MAX_TOKENS


# -- retries and faults ------------------------------------------------------------------------


def _rate_limit_fault(vendor: Vendor, headers: dict[str, str]) -> Fault:
    return Fault("status", status=429, headers=headers, body=error_body(vendor.flavour, 429, "slow down"))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"retry-after": "0.05"}, id="retry-after-seconds"),
        pytest.param({"retry-after": "0"}, id="retry-after-zero"),
        pytest.param(
            {"retry-after": email.utils.formatdate(time.time() - 5, usegmt=True)}, id="retry-after-date"
        ),
        pytest.param({"retry-after-ms": "40"}, id="retry-after-ms"),
        pytest.param({"x-should-retry": "true"}, id="x-should-retry"),
        pytest.param({}, id="no-header"),
    ],
)
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_429_is_retried_honouring_headers(
    vendor: Vendor, server: FakeVendorServer, headers: dict[str, str]
):
    server.faults.append(_rate_limit_fault(vendor, headers))
    started = time.monotonic()
    response = await _generate(vendor, server)
    assert response.attempts == 2
    assert response.message.text == "echo: hello there"
    if "retry-after" in headers and headers["retry-after"] == "0.05":
        assert time.monotonic() - started >= 0.05


@pytest.mark.parametrize("status", [500, 502, 503, 529, 408, 409])
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_server_errors_are_retried(vendor: Vendor, server: FakeVendorServer, status: int):
    server.faults.append(Fault("status", status=status, body=error_body(vendor.flavour, status, "boom")))
    response = await _generate(vendor, server)
    assert response.attempts == 2


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_persistent_server_error_gives_up_after_max_attempts(vendor: Vendor, server: FakeVendorServer):
    for _ in range(4):
        server.faults.append(Fault("status", status=503, body=error_body(vendor.flavour, 503, "down")))
    with pytest.raises(ServerError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 4
    assert info.value.status == 503
    assert info.value.request_id
    assert len(server.requests) == 4


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_x_should_retry_false_stops_retries(vendor: Vendor, server: FakeVendorServer):
    server.faults.append(
        Fault(
            "status",
            status=500,
            headers={"x-should-retry": "false"},
            body=error_body(vendor.flavour, 500, "no"),
        )
    )
    with pytest.raises(ServerError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 1


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_retry_after_beyond_the_maximum_is_not_retried(vendor: Vendor, server: FakeVendorServer):
    server.faults.append(_rate_limit_fault(vendor, {"retry-after": "3600"}))
    with pytest.raises(RateLimitError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 1
    assert info.value.retry_after == 3600
    assert "3600" in str(info.value)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_bad_request_is_not_retried(vendor: Vendor, server: FakeVendorServer):
    server.faults.append(Fault("status", status=400, body=error_body(vendor.flavour, 400, "bad field")))
    with pytest.raises(BadRequestError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 1
    assert "bad field" in str(info.value)


@pytest.mark.parametrize("vendor", [v for v in CHAT_FAMILY if v.flavour == "openai"], ids=lambda v: v.id)
async def test_openai_insufficient_quota_is_not_retried(vendor: Vendor, server: FakeVendorServer):
    body = error_body("openai", 429, "You exceeded your current quota", code="insufficient_quota")
    server.faults.append(Fault("status", status=429, body=body))
    with pytest.raises(QuotaExhaustedError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 1
    assert info.value.code == "insufficient_quota"


@pytest.mark.parametrize(
    "vendor", [v for v in VENDORS if v.flavour in ("deepseek", "openrouter", "anthropic")], ids=lambda v: v.id
)
async def test_payment_required_is_quota_exhaustion(vendor: Vendor, server: FakeVendorServer):
    body = error_body(
        vendor.flavour,
        402,
        "Insufficient Balance",
        code="billing_error" if vendor.flavour == "anthropic" else None,
    )
    server.faults.append(Fault("status", status=402, body=body))
    with pytest.raises(QuotaExhaustedError):
        await _generate(vendor, server)
    assert len(server.requests) == 1


def _gemini_429(quota_id: str, delay: str | None) -> dict[str, Any]:
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": quota_id,
                }
            ],
        },
        {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
    ]
    if delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay})
    return {
        "error": {
            "code": 429,
            "message": "You exceeded your current quota",
            "status": "RESOURCE_EXHAUSTED",
            "details": details,
        }
    }


async def test_gemini_per_minute_quota_waits_for_retry_info(server: FakeVendorServer):
    vendor = next(v for v in VENDORS if v.id == "gemini")
    server.faults.append(
        Fault(
            "status",
            status=429,
            body=_gemini_429("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "0.08s"),
        )
    )
    started = time.monotonic()
    response = await _generate(vendor, server)
    assert response.attempts == 2
    assert time.monotonic() - started >= 0.08


async def test_gemini_daily_quota_is_not_retried(server: FakeVendorServer):
    vendor = next(v for v in VENDORS if v.id == "gemini")
    server.faults.append(
        Fault(
            "status", status=429, body=_gemini_429("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "47s")
        )
    )
    with pytest.raises(QuotaExhaustedError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 1
    assert info.value.code == "RESOURCE_EXHAUSTED"


async def test_gemini_invalid_key_is_an_authentication_error(server: FakeVendorServer):
    vendor = next(v for v in VENDORS if v.id == "gemini")
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
        }
    }
    server.faults.append(Fault("status", status=400, body=body))
    with pytest.raises(AuthenticationError):
        await _generate(vendor, server)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_wrong_key_is_an_authentication_error(vendor: Vendor, server: FakeVendorServer):
    if vendor.flavour == "ollama":
        pytest.skip("Ollama ignores keys")
    with pytest.raises(AuthenticationError) as info:
        await _generate(vendor, server, api_key="sk-wrong-key-0000000000000000")
    assert info.value.status == 401
    assert info.value.attempts == 1
    assert "sk-wrong-key-0000000000000000" not in str(info.value)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_slow_response_times_out_then_retries(vendor: Vendor, server: FakeVendorServer):
    server.faults.append(Fault("delay", delay=1.0))
    response = await _generate(vendor, server, config=GenerateConfig(timeout=0.2))
    assert response.attempts == 2


@pytest.mark.parametrize("vendor", VENDORS[:4], ids=VENDOR_IDS[:4])
async def test_persistent_slowness_raises_timeout(vendor: Vendor, server: FakeVendorServer):
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.02, attempt_timeout=0.15)
    server.faults.extend([Fault("delay", delay=0.6), Fault("delay", delay=0.6)])
    with pytest.raises(ProviderTimeoutError) as info:
        await _generate(vendor, server, retry_policy=policy)
    assert info.value.attempts == 2
    assert "0.15" in str(info.value)


@pytest.mark.parametrize("vendor", VENDORS[:4], ids=VENDOR_IDS[:4])
async def test_total_deadline_bounds_the_call(vendor: Vendor, server: FakeVendorServer):
    policy = RetryPolicy(
        max_attempts=50, initial_backoff=0.01, max_backoff=0.02, attempt_timeout=0.1, total_timeout=0.5
    )
    server.faults.extend(Fault("delay", delay=0.3) for _ in range(50))
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        await _generate(vendor, server, retry_policy=policy)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_connection_reset_is_retried(vendor: Vendor, server: FakeVendorServer):
    server.faults.append(Fault("reset"))
    response = await _generate(vendor, server)
    assert response.attempts == 2


@pytest.mark.parametrize("vendor", VENDORS[:4], ids=VENDOR_IDS[:4])
async def test_persistent_resets_raise_connection_error(vendor: Vendor, server: FakeVendorServer):
    server.faults.extend(Fault("reset") for _ in range(4))
    with pytest.raises(ProviderConnectionError) as info:
        await _generate(vendor, server)
    assert info.value.attempts == 4


async def test_unreachable_server_is_a_connection_error(server: FakeVendorServer):
    vendor = VENDORS[1]
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.02)
    with pytest.raises(ProviderConnectionError) as info:
        await _generate(vendor, server, base_url="http://127.0.0.1:9/v1", retry_policy=policy)
    assert "127.0.0.1:9" in str(info.value)


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_bad_bodies_are_retried_then_reported(vendor: Vendor, server: FakeVendorServer, kind: str):
    server.faults.append(Fault(kind))
    response = await _generate(vendor, server)
    assert response.attempts == 2
    server.faults.extend(Fault(kind) for _ in range(4))
    with pytest.raises(ResponseParseError) as info:
        await _generate(vendor, server)
    assert ("not valid JSON" if kind == "malformed" else "truncated") in str(info.value)


@pytest.mark.parametrize("kind", ["stream_truncated", "stream_error"])
@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_stream_failures_are_retried(vendor: Vendor, server: FakeVendorServer, kind: str):
    server.faults.append(Fault(kind))
    response = await _generate(vendor, server, stream=True)
    assert response.attempts == 2
    assert response.message.text == "echo: hello there"


async def test_openrouter_error_inside_a_200_body(server: FakeVendorServer):
    vendor = next(v for v in VENDORS if v.id == "openrouter")
    server.faults.append(
        Fault("body_error", body={"error": {"code": 502, "message": "Provider returned error"}})
    )
    response = await _generate(vendor, server)
    assert response.attempts == 2
    server.faults.append(Fault("body_error", body={"error": {"code": 400, "message": "bad input"}}))
    with pytest.raises(BadRequestError):
        await _generate(vendor, server)


async def test_vllm_flat_and_string_errors(server: FakeVendorServer):
    vendor = next(v for v in VENDORS if v.id == "vllm")
    flat = {
        "object": "error",
        "message": "model not loaded",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }
    server.faults.append(Fault("status", status=404, body=flat))
    with pytest.raises(BadRequestError) as info:
        await _generate(vendor, server)
    assert "model not loaded" in str(info.value)
    server.faults.append(Fault("status", status=401, body={"error": "Unauthorized"}))
    with pytest.raises(AuthenticationError) as auth:
        await _generate(vendor, server)
    assert "Unauthorized" in str(auth.value)


async def test_non_json_error_body(server: FakeVendorServer):
    vendor = VENDORS[0]
    server.faults.append(Fault("status", status=413, body=b"<html>Request Entity Too Large</html>"))
    with pytest.raises(BadRequestError) as info:
        await _generate(vendor, server)
    assert "Request Entity Too Large" in str(info.value)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_connections_are_reused_and_closed(vendor: Vendor, server: FakeVendorServer):
    before = server.connections
    async with vendor.create(server) as provider:
        for _ in range(5):
            await provider.generate(CONVERSATION)
        assert provider._transport.pool.size == 1
    assert server.connections - before == 1
    assert provider._transport.pool.size == 0
