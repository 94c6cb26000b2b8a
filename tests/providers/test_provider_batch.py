"""The batch APIs against the fake vendor server, which enforces the vendors' documented batch rules."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Reply
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FAST_POLICY
from scenariokit.providers import (
    AnthropicBatchAPI,
    AnthropicProvider,
    BadRequestError,
    BatchAPI,
    BatchItemError,
    BatchStatus,
    GeminiProvider,
    GenerateRequest,
    NotFoundError,
    OpenAIChatProvider,
    OpenAIResponsesProvider,
    ProviderError,
    UserMessage,
    batch_api_for,
    create_compatible,
)

pytestmark = pytest.mark.anyio

ANTHROPIC_HEADERS = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}


def _api(server: FakeVendorServer, vendor: str) -> BatchAPI:
    options: dict[str, Any] = {"api_key": API_KEY, "retry_policy": FAST_POLICY}
    if vendor == "anthropic":
        provider: Any = AnthropicProvider(
            "claude-sonnet-4-5", base_url=server.base_url("anthropic"), **options
        )
    elif vendor == "openai":
        provider = OpenAIChatProvider("gpt-4.1", base_url=server.base_url("openai"), **options)
    elif vendor == "responses":
        provider = OpenAIResponsesProvider("gpt-4.1", base_url=server.base_url("openai"), **options)
    else:
        provider = GeminiProvider("gemini-2.5-pro", base_url=server.base_url("gemini"), **options)
    return batch_api_for(provider)


def _items(api: BatchAPI, n: int) -> list[tuple[str, Any]]:
    return [
        (f"req-{i}", api.body(GenerateRequest(messages=(UserMessage(content=f"question {i}"),))))
        for i in range(n)
    ]


async def _until_ended(api: BatchAPI, batch_id: str) -> list[str]:
    seen = []
    for _ in range(20):
        status = await api.poll(batch_id)
        seen.append(status.vendor_status)
        if status.state == "ended":
            return seen
    raise AssertionError(f"batch never ended: {seen}")


@pytest.mark.parametrize("vendor", ["anthropic", "openai", "responses", "gemini"])
async def test_a_batch_moves_through_the_vendor_statuses_and_every_result_comes_back(
    server: FakeVendorServer, vendor: str
) -> None:
    api = _api(server, vendor)
    items = _items(api, 3)
    batch_id = await api.submit(items)
    statuses = await _until_ended(api, batch_id)
    expected = {
        "anthropic": ["in_progress", "in_progress", "ended"],
        "openai": ["in_progress", "finalizing", "completed"],
        "responses": ["in_progress", "finalizing", "completed"],
        "gemini": ["BATCH_STATE_RUNNING", "BATCH_STATE_RUNNING", "BATCH_STATE_SUCCEEDED"],
    }[vendor]
    assert statuses == expected
    results = await api.results(await api.poll(batch_id), [c for c, _ in items])
    assert [r.custom_id for r in results] == ["req-0", "req-1", "req-2"]
    assert [r.response.message.text for r in results if r.response] == [
        "echo: question 0",
        "echo: question 1",
        "echo: question 2",
    ]
    await api.provider.aclose()


@pytest.mark.parametrize("vendor", ["anthropic", "openai", "gemini"])
async def test_errored_expired_and_canceled_items_come_back_as_errors_with_the_reason(
    server: FakeVendorServer, vendor: str
) -> None:
    api = _api(server, vendor)
    server.batch_item_faults.extend(["errored", "canceled"])
    items = _items(api, 3)
    batch_id = await api.submit(items)
    await _until_ended(api, batch_id)
    results = await api.results(await api.poll(batch_id), [c for c, _ in items])
    assert isinstance(results[0].error, BadRequestError) and not results[0].error.retryable
    assert isinstance(results[1].error, BatchItemError) and results[1].error.retryable
    assert results[2].response is not None
    await api.provider.aclose()


@pytest.mark.parametrize("vendor", ["anthropic", "openai", "gemini"])
async def test_a_batch_past_its_expiry_returns_its_requests_expired(
    server: FakeVendorServer, vendor: str
) -> None:
    api = _api(server, vendor)
    server.batch_ttl = 0.0
    items = _items(api, 2)
    batch_id = await api.submit(items)
    await _until_ended(api, batch_id)
    results = await api.results(await api.poll(batch_id), [c for c, _ in items])
    assert all(isinstance(r.error, BatchItemError) for r in results)
    assert all("expired" in str(r.error).lower() or "without a result" in str(r.error) for r in results)
    await api.provider.aclose()


async def test_a_refused_request_in_a_batch_is_an_errored_result_not_a_refused_batch(
    server: FakeVendorServer,
) -> None:
    api = _api(server, "anthropic")
    good = _items(api, 1)[0]
    bad = ("bad", {**good[1], "thinking": {"type": "enabled", "budget_tokens": 10}})
    batch_id = await api.submit([good, bad])
    await _until_ended(api, batch_id)
    results = await api.results(await api.poll(batch_id), ["req-0", "bad"])
    assert results[0].response is not None
    assert isinstance(results[1].error, BadRequestError) and "budget_tokens" in str(results[1].error)
    await api.provider.aclose()


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([], "non-empty"),
        ([{"custom_id": "has space", "params": {}}], "custom_id"),
        ([{"custom_id": "x" * 65, "params": {}}], "custom_id"),
        ([{"custom_id": "a", "params": {}}, {"custom_id": "a", "params": {}}], "not unique"),
        ([{"custom_id": "a"}], "params"),
    ],
)
def test_the_fake_refuses_anthropic_batches_the_api_refuses(
    server: FakeVendorServer, requests: list[Any], message: str
) -> None:
    url = f"{server.base_url('anthropic')}/v1/messages/batches"
    response = httpx.post(url, json={"requests": requests}, headers=ANTHROPIC_HEADERS)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_the_fake_refuses_results_before_the_end_and_unknown_batches(server: FakeVendorServer) -> None:
    base = f"{server.base_url('anthropic')}/v1/messages/batches"
    created = httpx.post(
        base, json={"requests": [{"custom_id": "a", "params": {}}]}, headers=ANTHROPIC_HEADERS
    )
    batch = created.json()
    assert batch["processing_status"] == "in_progress" and batch["results_url"] is None
    assert batch["request_counts"] == {
        "processing": 1,
        "succeeded": 0,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    early = httpx.get(f"{base}/{batch['id']}/results", headers=ANTHROPIC_HEADERS)
    assert early.status_code == 400 and "in progress" in early.json()["error"]["message"]
    assert httpx.get(f"{base}/msgbatch_nope", headers=ANTHROPIC_HEADERS).status_code == 404


def test_the_fake_refuses_openai_uploads_and_batches_the_api_refuses(server: FakeVendorServer) -> None:
    base = server.base_url("openai")
    auth = {"authorization": f"Bearer {API_KEY}"}
    wrong = httpx.post(
        f"{base}/files", files={"file": ("b.jsonl", b"{}\n")}, data={"purpose": "fine-tune"}, headers=auth
    )
    assert wrong.status_code == 400 and "purpose" in wrong.json()["error"]["message"]
    line = b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {}}\n'
    uploaded = httpx.post(
        f"{base}/files", files={"file": ("b.jsonl", line)}, data={"purpose": "batch"}, headers=auth
    )
    file_id = uploaded.json()["id"]
    window = httpx.post(
        f"{base}/batches",
        json={"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "1h"},
        headers=auth,
    )
    assert window.status_code == 400 and "completion_window" in window.json()["error"]["message"]
    mismatch = httpx.post(
        f"{base}/batches",
        json={"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"},
        headers=auth,
    ).json()
    assert mismatch["status"] == "failed" and mismatch["errors"]["data"][0]["code"] == "mismatched_endpoint"


async def test_a_vanished_batch_is_a_not_found_error(server: FakeVendorServer) -> None:
    api = _api(server, "openai")
    with pytest.raises(NotFoundError):
        await api.poll("batch_missing")
    await api.provider.aclose()


def test_services_without_a_batch_api_are_refused_by_name(server: FakeVendorServer) -> None:
    provider = create_compatible("together", "meta-llama/Llama-4-Maverick", api_key=API_KEY)
    with pytest.raises(ValueError, match=r"together/.*no batch API.*anthropic/, openai/ and gemini/"):
        batch_api_for(provider)


class _Small(AnthropicBatchAPI):
    max_requests = 3
    max_bytes = 4096


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=900), max_size=25))
def test_chunks_keep_order_and_stay_within_the_limits(sizes: list[int]) -> None:
    api = _Small(AnthropicProvider("claude-sonnet-4-5", api_key=API_KEY, base_url="http://127.0.0.1:9"))
    items = [(f"r{i}", {"pad": "x" * n}) for i, n in enumerate(sizes)]
    chunks = list(api.chunks(items))
    assert [c for chunk in chunks for c in chunk] == items
    for chunk in chunks:
        assert 1 <= len(chunk) <= 3
        assert sum(api.item_size(c, b) for c, b in chunk) <= 4096 - 1024


def test_a_request_larger_than_a_batch_is_refused_before_sending() -> None:
    api = _Small(AnthropicProvider("claude-sonnet-4-5", api_key=API_KEY, base_url="http://127.0.0.1:9"))
    with pytest.raises(BadRequestError, match="more than a batch may hold"):
        list(api.chunks([("big", {"pad": "x" * 5000})]))


async def test_a_tool_turn_reply_from_a_batch_is_decoded_like_an_online_one(server: FakeVendorServer) -> None:
    api = _api(server, "anthropic")
    server.replies.append(Reply(text="calling", tool_calls=[("send_email", {"to": "a@b.c"})]))
    items = _items(api, 1)
    batch_id = await api.submit(items)
    await _until_ended(api, batch_id)
    (result,) = await api.results(await api.poll(batch_id), ["req-0"])
    assert result.response is not None and result.response.message.tool_calls[0].name == "send_email"
    assert result.response.stop_reason == "tool_use"
    await api.provider.aclose()


def test_batches_are_cut_so_that_their_results_fit_in_one_download() -> None:
    api = batch_api_for(
        AnthropicProvider("claude-sonnet-4-5", api_key=API_KEY, base_url="http://127.0.0.1:9")
    )
    limit = api.results_limit(4096)
    assert limit * (4096 * 6 + 4096) <= api.provider.retry_policy.max_response_bytes
    items = [(f"r{i}", {"n": i}) for i in range(limit + 5)]
    assert [len(c) for c in api.chunks(items, max_tokens=4096)] == [limit, 5]
    assert [len(c) for c in api.chunks(items)] == [
        limit + 5
    ]  # without an output limit: the vendor's limits only


_GOOD_ANTHROPIC = {
    "custom_id": "a",
    "result": {
        "type": "succeeded",
        "message": {
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    },
}
_GOOD_OPENAI = {
    "custom_id": "a",
    "response": {
        "status_code": 200,
        "body": {"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]},
    },
}


@pytest.mark.parametrize(
    ("vendor", "bad"),
    [
        ("anthropic", "not json {"),
        (
            "anthropic",
            '{"custom_id": "b", "result": {"type": "succeeded", "message": {"content": "\\ud800"}}}',
        ),
        ("anthropic", "[1, 2]"),
        ("anthropic", '{"custom_id": "b", "result": [1]}'),
        ("openai", "not json {"),
        ("openai", '{"custom_id": "b", "response": [1]}'),
        ("openai", '{"custom_id": "b", "response": {"status_code": "abc"}}'),
        ("openai", '{"custom_id": "b", "response": {"status_code": 1e999}}'),
    ],
)
async def test_one_malformed_result_line_fails_only_its_request(vendor: str, bad: str) -> None:
    # a line that could not be read failed the whole download (ResponseParseError, retried: the batch was polled
    # again and again, and the same results came back every time) or raised AttributeError/ValueError out of it
    from raw_server import RawServer

    good = json.dumps(_GOOD_ANTHROPIC if vendor == "anthropic" else _GOOD_OPENAI)
    body = f"{good}\n{bad}\n".encode()
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/jsonl\r\ncontent-length: {len(body)}\r\n\r\n"
    with RawServer(lambda n: (head.encode() + body, False)) as server:
        options: dict[str, Any] = {"api_key": API_KEY, "retry_policy": FAST_POLICY}
        if vendor == "anthropic":
            provider: Any = AnthropicProvider("claude-sonnet-4-5", base_url=server.url(), **options)
            status = BatchStatus("msgbatch_1", "ended", "ended", {})
        else:
            provider = OpenAIChatProvider("gpt-4.1", base_url=server.url(), **options)
            status = BatchStatus("batch_1", "ended", "completed", {"output_file_id": "file_1"})
        try:
            results = await batch_api_for(provider).results(status, ["a", "b"])
        finally:
            await provider.aclose()
    assert [r.custom_id for r in results] == ["a", "b"]
    assert results[0].response is not None and results[0].response.message.text == "hi"
    assert results[1].response is None and isinstance(results[1].error, ProviderError)
    assert "could not be read" in str(results[1].error) or "malformed" in str(results[1].error)


@pytest.mark.parametrize("operation", [{"metadata": [1]}, {"metadata": "running", "done": True}])
async def test_a_gemini_batch_operation_of_odd_shape_is_read_not_raised(operation: dict[str, Any]) -> None:
    # a metadata field that was not an object raised AttributeError out of the poll, and so out of the run
    from raw_server import RawServer

    body = json.dumps(operation).encode()
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    with RawServer(lambda n: (head.encode() + body, False)) as server:
        provider = GeminiProvider(
            "gemini-2.5-flash", api_key=API_KEY, base_url=server.url(), retry_policy=FAST_POLICY
        )
        try:
            status = await batch_api_for(provider).poll("batches/1")
        finally:
            await provider.aclose()
    assert status.state == ("ended" if operation.get("done") else "in_progress")
