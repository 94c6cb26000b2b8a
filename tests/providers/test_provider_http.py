"""The lean HTTP/1.1 transport: framing, compression, keep-alive, stale connections, proxies."""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl

import anyio
import httpx
import pytest
from raw_server import KEY, RawServer, read_request

from scenariokit.providers import (
    BadRequestError,
    GeminiProvider,
    ProviderConnectionError,
    ResponseParseError,
    UserMessage,
    _http,
)

pytestmark = pytest.mark.anyio
BODY = json.dumps(
    {
        "id": "chatcmpl-1",
        "model": "gpt-4.1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
).encode()


def plain(body: bytes = BODY, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def chunked(body: bytes, extra: str = "") -> bytes:
    parts = [body[:10], body[10:]]
    data = (
        b"".join(f"{len(p):x};ext=1\r\n".encode() + p + b"\r\n" for p in parts) + b"0\r\nx-trailer: 1\r\n\r\n"
    )
    return f"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n{extra}\r\n".encode() + data


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return


@pytest.mark.parametrize(
    "raw",
    [
        plain(),
        chunked(BODY),
        chunked(gzip.compress(BODY), "content-encoding: gzip\r\n"),
        plain(gzip.compress(BODY), "content-encoding: gzip\r\n"),
        b"HTTP/1.1 100 Continue\r\n\r\n" + plain(),
        # RFC 9112 section 2.2: a recipient may take a bare LF as a line end (some small servers send them)
        plain().replace(b"\r\n", b"\n"),
        chunked(BODY).replace(b"\r\n", b"\n"),
        b"HTTP/1.1 100 Continue\n\n" + plain().replace(b"\r\n", b"\n", 2),
        chunked(gzip.compress(BODY), "content-encoding: gzip\r\n").replace(b"\r\n", b"\n", 3),
    ],
    ids=[
        "length",
        "chunked",
        "chunked-gzip",
        "gzip",
        "interim-100",
        "lf",
        "lf-chunked",
        "lf-mixed",
        "lf-head",
    ],
)
async def test_bodies_are_framed_and_decoded(raw: bytes, no_proxy: None):
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            for _ in range(3):
                response = await provider.generate([UserMessage(content="x")])
                assert response.message.text == "hi"
        assert server.connections == 1


async def test_body_until_close_is_read_and_the_connection_not_reused(no_proxy: None):
    raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + BODY
    with RawServer(lambda _n: (raw, True)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
        assert server.connections == 2


async def test_connection_close_header_is_honoured(no_proxy: None):
    with RawServer(lambda _n: (plain(extra="connection: close\r\n"), False)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).attempts == 1
        assert server.connections == 2


async def test_an_idle_connection_closed_by_the_server_is_not_reused(no_proxy: None):
    # The server closes after each response without saying so (an idle timeout on its side).
    with RawServer(lambda _n: (plain(), True)) as server:
        async with server.provider() as provider:
            await provider.generate([UserMessage(content="x")])
            await asyncio.sleep(0.05)
            response = await provider.generate([UserMessage(content="x")])
            assert response.attempts == 1
        assert server.connections == 2


async def test_header_injection_is_refused_without_leaking_the_key(no_proxy: None):
    with RawServer(lambda _n: (plain(), False)) as server:
        provider = server.provider(extra_headers={"x-note": f"a\r\nx-evil: {KEY}"})
        async with provider:
            with pytest.raises(ProviderConnectionError) as info:
                await provider.generate([UserMessage(content="x")])
        assert KEY not in str(info.value)
        assert server.requests == []


async def test_request_head(no_proxy: None):
    with RawServer(lambda _n: (plain(), False)) as server:
        async with server.provider() as provider:
            await provider.generate([UserMessage(content="x")])
        head = server.requests[0].decode()
        assert head.startswith("POST /v1/chat/completions HTTP/1.1\r\n")
        assert f"host: 127.0.0.1:{server.port}\r\n" in head
        assert f"authorization: Bearer {KEY}\r\n" in head
        assert "accept-encoding: gzip, deflate\r\n" in head
        assert "user-agent: scenariokit" in head


async def test_a_configured_proxy_is_left_to_httpx(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with RawServer(lambda _n: (plain(), False)) as server:
        async with server.provider() as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
            assert isinstance(provider._transport.pool.client(0), httpx.AsyncClient)


def test_urls_are_split_once():
    target = _http.parse_url("https://example.com/v1beta/models/gemini-2.5-flash:generateContent?alt=sse")
    assert (target.host, target.port, target.authority) == ("example.com", 443, "example.com")
    assert target.path == "/v1beta/models/gemini-2.5-flash:generateContent?alt=sse"
    assert _http.parse_url("http://[::1]:8080/a b").authority == "[::1]:8080"
    assert _http.parse_url("http://[::1]:8080/a b").path == "/a%20b"


# --- RFC 9112 framing: what a client must refuse, and what it must accept ---------------------------


def _ok_head(extra: str = "", status: str = "HTTP/1.1 200 OK") -> bytes:
    return f"{status}\r\ncontent-type: application/json\r\n{extra}\r\n".encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (_ok_head(f"content-length: {len(BODY)}\r\n x-folded: yes\r\n") + BODY, "obsolete line folding"),
        (_ok_head(f"content-length : {len(BODY)}\r\n") + BODY, "malformed response header line"),
        (_ok_head(f"content-length: {len(BODY)}\r\nno colon here\r\n") + BODY, "malformed response header"),
        (
            _ok_head(f"content-length: {len(BODY)}\r\ncontent-length: {len(BODY)}\r\n") + BODY,
            "content-length",
        ),
        (_ok_head(f"content-length: {len(BODY)}, {len(BODY)}\r\n") + BODY, "invalid content-length"),
        (_ok_head(f"content-length: +{len(BODY)}\r\n") + BODY, "invalid content-length"),
        (
            _ok_head(f"content-length: {len(BODY) // 10}_{len(BODY) % 10}\r\n") + BODY,
            "invalid content-length",
        ),
        (_ok_head("transfer-encoding: gzip, chunked\r\n") + b"0\r\n\r\n", "unsupported transfer-encoding"),
        (_ok_head("transfer-encoding: chunked, gzip\r\n") + b"0\r\n\r\n", "unsupported transfer-encoding"),
        (_ok_head("transfer-encoding: xchunkedx\r\n") + b"0\r\n\r\n", "unsupported transfer-encoding"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"-5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"0x5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"3\r\nhello\r\n0\r\n\r\n", "malformed chunked body"),
        (
            _ok_head(f"content-length: {len(BODY)}\r\n", "HTTP/1.1 2000 OK") + BODY,
            "invalid response status line",
        ),
        (_ok_head(f"content-length: {len(BODY)}\r\n", "HTTP/2 200") + BODY, "invalid response status line"),
        (b"HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n", "101"),
        (_ok_head("x-big: " + "a" * 70000 + "\r\n"), "response head longer than"),
        (plain(b"not gzip at all", "content-encoding: gzip\r\n"), "invalid compressed body"),
        (plain(gzip.compress(BODY)[:-12], "content-encoding: gzip\r\n"), "ends before its end marker"),
    ],
    ids=[
        "obs-fold",
        "space-before-colon",
        "no-colon",
        "duplicate-content-length",
        "content-length-list",
        "content-length-plus",
        "content-length-underscore",
        "te-chunked-not-alone",
        "te-chunked-not-last",
        "te-substring",
        "chunk-size-negative",
        "chunk-size-0x",
        "chunk-longer-than-size",
        "status-four-digits",
        "http2-status-line",
        "101",
        "head-too-large",
        "bad-gzip",
        "truncated-gzip",
    ],
)
async def test_malformed_responses_are_refused_clearly(raw: bytes, reason: str, no_proxy: None):
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError, match="invalid HTTP response") as info:
                await provider.generate([UserMessage(content="x")])
    assert reason in str(info.value)
    assert KEY not in str(info.value)


@pytest.mark.parametrize(
    ("status", "extra", "connections"),
    [
        ("HTTP/1.1 200", "", 1),  # no reason phrase
        ("HTTP/1.1 200 ", "", 1),  # empty reason phrase
        ("HTTP/1.1 200 Very Good Indeed", "", 1),
        ("HTTP/1.0 200 OK", "", 2),  # HTTP/1.0 closes by default
        ("HTTP/1.0 200 OK", "connection: keep-alive\r\n", 1),
        ("HTTP/1.1 200 OK", "connection: keep-alive, close\r\n", 2),
        ("HTTP/1.1 200 OK", "connection: closed-captions\r\n", 1),  # not the token "close"
    ],
)
async def test_status_lines_and_connection_tokens(status: str, extra: str, connections: int, no_proxy: None):
    raw = _ok_head(f"content-length: {len(BODY)}\r\n{extra}", status) + BODY
    with RawServer(lambda _n: (raw, connections > 1)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert server.connections == connections


async def test_transfer_encoding_wins_over_content_length_and_the_connection_is_dropped(no_proxy: None):
    raw = chunked(BODY, "content-length: 5\r\n")
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert server.connections == 2


async def test_bytes_beyond_content_length_are_not_taken_for_the_next_response(no_proxy: None):
    with RawServer(lambda _n: (plain() + b"HTTP/1.1 500 Stray\r\n\r\n", False)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert server.connections == 2


async def test_chunked_trailers_and_extensions_are_skipped(no_proxy: None):
    data = b'4;name="a;b"\r\n' + BODY[:4] + b"\r\n" + f"{len(BODY) - 4:X}\r\n".encode() + BODY[4:] + b"\r\n"
    raw = _ok_head("transfer-encoding: chunked\r\n") + data + b"0;last\r\nx-a: 1\r\nx-b: 2\r\n\r\n"
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert server.connections == 1


async def test_gzip_with_several_members_is_decoded_whole(no_proxy: None):
    body = gzip.compress(BODY[:20]) + gzip.compress(BODY[20:])
    with RawServer(lambda _n: (plain(body, "content-encoding: gzip\r\n"), False)) as server:
        async with server.provider() as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"


async def test_a_204_has_no_body_even_with_framing_headers(no_proxy: None):
    raw = b"HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n" + plain()
    with RawServer(lambda _n: (raw, False)) as server:
        pool = _http.ConnectionPool(connect_timeout=2, ssl_context=ssl.create_default_context())
        try:
            response = await pool.post(server.url() + "/x", {}, b"{}")
            assert response.status_code == 204 and await response.aread() == b""
            await response.aclose()
        finally:
            await pool.aclose()


async def test_a_response_sent_before_the_request_body_is_read(no_proxy: None):
    # The server answers 413 after the head and never reads the 4 MB body: the client must see
    # the 413 instead of blocking in send until the attempt times out.
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"error": {"message": "request too large", "type": "invalid_request_error"}}'
        writer.write(
            f"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        await asyncio.sleep(3)

    with RawServer(handler=handler) as server:
        async with server.provider() as provider:
            with anyio.fail_after(2):
                with pytest.raises(BadRequestError) as info:
                    await provider.generate([UserMessage(content="x" * 4_000_000)])
    assert info.value.status == 413 and "too large" in str(info.value)


async def test_a_small_request_answered_and_closed_early_still_yields_the_response(no_proxy: None):
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()

    with RawServer(handler=handler) as server:
        async with server.provider() as provider:
            with pytest.raises(BadRequestError) as info:
                await provider.generate([UserMessage(content="x" * 200_000)])
    assert info.value.status == 413


async def test_ipv6_literal_host_header(no_proxy: None):
    with RawServer(lambda _n: (plain(), False), host="::1") as server:
        async with server.provider() as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert f"host: [::1]:{server.port}\r\n".encode() in server.requests[0]


async def test_gemini_stream_url_keeps_its_query_and_the_key_stays_in_a_header(no_proxy: None):
    stream = b'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}\r\n\r\n'
    raw = _ok_head("content-type: text/event-stream\r\ntransfer-encoding: chunked\r\n")
    raw += f"{len(stream):x}\r\n".encode() + stream + b"\r\n0\r\n\r\n"
    with RawServer(lambda _n: (raw, False)) as server:
        provider = GeminiProvider(
            "gemini-2.5-flash", api_key=KEY, base_url=f"http://127.0.0.1:{server.port}", stream=True
        )
        async with provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    request_line = server.requests[0].split(b"\r\n", 1)[0].decode()
    assert request_line == "POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse HTTP/1.1"
    assert KEY not in request_line and f"x-goog-api-key: {KEY}".encode() in server.requests[0]


async def test_a_status_line_echoing_the_key_is_redacted(no_proxy: None):
    with RawServer(lambda _n: (f"HTTP/9 {KEY}\r\n\r\n".encode(), False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError) as info:
                await provider.generate([UserMessage(content="x")])
    assert KEY not in str(info.value)


# --- SSE over the lean client: incremental, and cancellable ------------------------------------------


def _sse_handler(split_inside_chunk: bool):
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(_ok_head("content-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"))
        first, second = b"data: one\n\n", b"data: two\n\n"
        if split_inside_chunk:
            # One chunk holding both events, the second sent only once the client saw the first.
            writer.write(f"{len(first) + len(second):x}\r\n".encode() + first)
        else:
            writer.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        await writer.drain()
        loop = asyncio.get_running_loop()
        seen = await loop.run_in_executor(None, server.event.wait, 3)
        if not seen:
            return
        if split_inside_chunk:
            writer.write(second + b"\r\n0\r\n\r\n")
        else:
            writer.write(f"{len(second):x}\r\n".encode() + second + b"\r\n0\r\n\r\n")
        await writer.drain()
        if await reader.read() == b"":
            server.closed_by_client += 1

    return handler


@pytest.mark.parametrize("split_inside_chunk", [False, True], ids=["chunk-per-event", "event-inside-chunk"])
async def test_sse_events_arrive_before_the_stream_ends(split_inside_chunk: bool, no_proxy: None):
    with RawServer(handler=_sse_handler(split_inside_chunk)) as server:
        pool = _http.ConnectionPool(connect_timeout=2, ssl_context=ssl.create_default_context())
        try:
            with anyio.fail_after(2):
                response = await pool.post(server.url() + "/x", {}, b"{}")
                lines = response.aiter_lines()
                assert await lines.__anext__() == "data: one"
                server.event.set()
                rest = [line async for line in lines]
                assert rest == ["", "data: two", ""]
                await response.aclose()
                assert pool._all  # read to the end: kept alive
        finally:
            await pool.aclose()


async def test_cancelling_a_stream_closes_its_connection(no_proxy: None):
    with RawServer(handler=_sse_handler(False)) as server:
        pool = _http.ConnectionPool(connect_timeout=2, ssl_context=ssl.create_default_context())
        try:
            with anyio.move_on_after(0.3):
                response = await pool.post(server.url() + "/x", {}, b"{}")
                try:
                    async for _line in response.aiter_lines():
                        pass  # blocks after the first event: the server waits for the event
                finally:
                    await response.aclose()
            assert not pool._all
            server.event.set()
            for _ in range(100):
                if server.closed_by_client:
                    break
                await asyncio.sleep(0.02)
            assert server.closed_by_client == 1
        finally:
            await pool.aclose()


@pytest.mark.parametrize(
    ("raw", "head", "body"),
    [
        (b"HTTP/1.1 200 OK\r\na: 1\r\n\r\nbody", b"HTTP/1.1 200 OK\r\na: 1\r", b"body"),
        (b"HTTP/1.1 200 OK\na: 1\n\nbody", b"HTTP/1.1 200 OK\na: 1", b"body"),
        (b"HTTP/1.1 200 OK\r\na: 1\n\r\n\n\n", b"HTTP/1.1 200 OK\r\na: 1", b"\n\n"),
        (b"HTTP/1.1 200 OK\r\na: 1\r\n", None, None),
    ],
)
def test_the_head_ends_at_the_first_empty_line(raw: bytes, head: bytes | None, body: bytes | None):
    found = _http._head_end(bytearray(raw))
    if head is None:
        assert found is None
    else:
        assert found is not None and (raw[: found[0]], raw[found[1] :]) == (head, body)
