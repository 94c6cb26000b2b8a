"""The transport over httpx: framing, compression, keep-alive, stale connections, proxies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import zlib

import anyio
import httpx
import pytest
from raw_server import KEY, POLICY, RawServer, read_request

from scenariokit.providers import (
    BadRequestError,
    GeminiProvider,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    ResponseParseError,
    UserMessage,
)
from scenariokit.providers._transport import HTTPCall, Transport

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


def _head_fields(head: bytes) -> dict[str, str]:
    lines = head.decode().split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}


async def test_request_head(no_proxy: None):
    with RawServer(lambda _n: (plain(), False)) as server:
        async with server.provider() as provider:
            await provider.generate([UserMessage(content="x")])
        head = server.requests[0]
        assert head.startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")
        fields = _head_fields(head)
        assert fields["host"] == f"127.0.0.1:{server.port}"
        assert fields["authorization"] == f"Bearer {KEY}"
        assert fields["accept-encoding"] == "gzip, deflate"  # only what the transport decodes itself
        assert fields["user-agent"].startswith("scenariokit")


async def test_without_a_proxy_requests_skip_the_client_and_go_out_byte_for_byte_the_same(
    no_proxy: None, monkeypatch: pytest.MonkeyPatch
):
    # the direct path (straight to the shard's httpx transport) and AsyncClient.send write the same request
    from scenariokit.providers._transport import ClientPool

    heads: dict[str, list[bytes]] = {}
    for path in ("direct", "client"):
        if path == "client":
            monkeypatch.setattr(ClientPool, "direct", lambda self, index: None)
        with RawServer(lambda _n: (plain(), False)) as server:
            async with server.provider(extra_headers={"x-note": "n"}) as provider:
                for _ in range(2):
                    assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
                pool = provider._transport.pool
                assert (pool.direct(0) is not None) == (path == "direct")
                assert pool.direct(0) in (None, pool.client(0)._transport)  # the transport the client uses
            heads[path] = server.requests
            assert server.connections == 1  # kept alive either way
    host = b"127.0.0.1:"
    strip = [h.replace(h[h.index(host) : h.index(b"\r\n", h.index(host))], b"") for h in heads["direct"]]
    expected = [h.replace(h[h.index(host) : h.index(b"\r\n", h.index(host))], b"") for h in heads["client"]]
    assert strip == expected  # the same head, header order included (only the server's port differs)
    assert b"x-note: n" in strip[0] and b"content-length:" in strip[0].lower()


async def test_credentials_in_the_base_url_are_sent_as_httpx_sends_them(monkeypatch: pytest.MonkeyPatch):
    # httpx turns user:password in a URL into basic auth; the direct path must not drop that, so such URLs go
    # through the client and a gateway sees the same request with or without a proxy
    from scenariokit.providers._transport import ClientPool

    heads: dict[str, list[bytes]] = {}
    for path in ("default", "client"):
        if path == "client":
            monkeypatch.setattr(ClientPool, "direct", lambda self, index: None)
        with RawServer(lambda _n: (plain(), False)) as server:
            url = server.url().replace("http://", "http://gateway-user:gateway-pass@")
            async with provider_for(url) as provider:
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
            heads[path] = server.requests
    basic = b"authorization: basic " + base64.b64encode(b"gateway-user:gateway-pass").lower()
    for path, sent in heads.items():
        assert [h.lower().count(basic) for h in sent] == [1], path
        assert KEY.encode() not in b"".join(sent), path  # basic auth replaces the bearer key, as httpx does


async def test_a_proxy_in_the_environment_sends_through_the_client(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with provider_for("https://api.vendor.invalid/v1") as provider:
        pool = provider._transport.pool
        pool.checkout()
        assert pool.direct(0) is None  # the client's proxy mounts decide where each request goes


@pytest.mark.parametrize(
    ("proxy", "expected"),
    [
        ("ftp://proxy.example", "ValueError: Unknown scheme for proxy URL"),
        ("http://[::1", "InvalidURL"),
        ("socks5://user:proxy-password-1@127.0.0.1:9", "ImportError"),
    ],
)
async def test_a_proxy_httpx_cannot_use_is_a_provider_error_naming_the_variable(
    proxy: str, expected: str, monkeypatch: pytest.MonkeyPatch
):
    # a bare ValueError, InvalidURL or ImportError out of generate (stored with every sample as is)
    import importlib.util

    if "socks5" in proxy and importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed: httpx can use a socks5 proxy")
    for name in ("HTTP_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    async with provider_for("https://api.vendor.invalid/v1") as provider:
        with pytest.raises(ProviderError) as info:
            await provider.generate([UserMessage(content="x")])
    message = str(info.value)
    assert "HTTPS_PROXY" in message and expected in message and "proxy-password" not in message
    assert not info.value.retryable


async def test_requests_go_through_the_proxy_httpx_reads_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
):
    # The raw server plays a forward proxy: a proxied plain-HTTP request names the absolute URL.
    for name in (
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "http_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    target = "http://api.vendor.invalid:8080/v1"
    with RawServer(lambda _n: (plain(), False)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        provider = provider_for(target)
        async with provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
            assert isinstance(provider._transport.pool.client(0), httpx.AsyncClient)
        assert proxy.requests[0].startswith(
            b"POST http://api.vendor.invalid:8080/v1/chat/completions HTTP/1.1"
        )
        assert proxy.connections == 1  # kept alive through the proxy
        # NO_PROXY is honoured: a direct connection to a host that does not exist fails.
        monkeypatch.setenv("NO_PROXY", "api.vendor.invalid")
        async with provider_for(target) as provider:
            with pytest.raises(ProviderConnectionError):
                await provider.generate([UserMessage(content="x")])
        assert len(proxy.requests) == 2


def provider_for(base_url: str):
    from scenariokit.providers import OpenAIChatProvider

    return OpenAIChatProvider("gpt-4.1", api_key=KEY, base_url=base_url, retry_policy=POLICY)


# --- RFC 9112 framing: what a client must refuse, and what it must accept ---------------------------


def _ok_head(extra: str = "", status: str = "HTTP/1.1 200 OK") -> bytes:
    return f"{status}\r\ncontent-type: application/json\r\n{extra}\r\n".encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (_ok_head(f"content-length: {len(BODY)}\r\n x-folded: yes\r\n") + BODY, "bad content-length"),
        (_ok_head(f"content-length : {len(BODY)}\r\n") + BODY, "illegal header line"),
        (_ok_head(f"content-length: {len(BODY)}\r\nno colon here\r\n") + BODY, "illegal header line"),
        (
            _ok_head(f"content-length: {len(BODY)}\r\ncontent-length: {len(BODY) + 1}\r\n") + BODY,
            "conflicting content-length",
        ),
        (_ok_head(f"content-length: +{len(BODY)}\r\n") + BODY, "bad content-length"),
        (
            _ok_head(f"content-length: {len(BODY) // 10}_{len(BODY) % 10}\r\n") + BODY,
            "bad content-length",
        ),
        (_ok_head("transfer-encoding: gzip, chunked\r\n") + b"0\r\n\r\n", "only transfer-encoding: chunked"),
        (_ok_head("transfer-encoding: chunked, gzip\r\n") + b"0\r\n\r\n", "only transfer-encoding: chunked"),
        (_ok_head("transfer-encoding: xchunkedx\r\n") + b"0\r\n\r\n", "only transfer-encoding: chunked"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"-5\r\nhello\r\n0\r\n\r\n", "illegal chunk header"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"0x5\r\nhello\r\n0\r\n\r\n", "illegal chunk header"),
        (_ok_head("transfer-encoding: chunked\r\n") + b"3\r\nhello\r\n0\r\n\r\n", "malformed chunk footer"),
        (_ok_head(f"content-length: {len(BODY)}\r\n", "HTTP/1.1 2000 OK") + BODY, "illegal status line"),
        (_ok_head(f"content-length: {len(BODY)}\r\n", "HTTP/2 200") + BODY, "illegal status line"),
        (b"HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n", "_switch_upgrade"),
        (_ok_head("x-big: " + "a" * 200_000 + "\r\n"), "receive buffer too long"),
    ],
    ids=[
        "obs-fold",
        "space-before-colon",
        "no-colon",
        "conflicting-content-length",
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
    ],
)
async def test_malformed_responses_are_refused_clearly(raw: bytes, reason: str, no_proxy: None):
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError, match="invalid HTTP response") as info:
                await provider.generate([UserMessage(content="x")])
    assert reason in str(info.value).lower()
    assert info.value.retryable and KEY not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (plain(b"not gzip at all", "content-encoding: gzip\r\n"), "incorrect header check"),
        (plain(gzip.compress(BODY)[:-12], "content-encoding: gzip\r\n"), "ends before its end marker"),
        (plain(zlib.compress(BODY)[:-4], "content-encoding: deflate\r\n"), "ends before its end marker"),
    ],
    ids=["bad-gzip", "truncated-gzip", "truncated-deflate"],
)
async def test_malformed_compressed_bodies_are_refused_clearly(raw: bytes, reason: str, no_proxy: None):
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError, match="-compressed response body") as info:
                await provider.generate([UserMessage(content="x")])
    assert reason in str(info.value)


async def test_a_content_coding_that_was_not_asked_for_is_refused(no_proxy: None):
    with RawServer(lambda _n: (plain(b"\x00\x01", "content-encoding: br\r\n"), False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError, match="content-encoding 'br'"):
                await provider.generate([UserMessage(content="x")])


@pytest.mark.parametrize(
    "extra",
    [f"content-length: {len(BODY)}\r\n", f"content-length: {len(BODY)}, {len(BODY)}\r\n"],
    ids=["repeated", "list"],
)
async def test_identical_repeated_content_lengths_are_accepted(extra: str, no_proxy: None):
    # RFC 9110 section 8.6: a recipient may take a list of identical values as that value.
    raw = _ok_head(f"content-length: {len(BODY)}\r\n{extra}") + BODY
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider() as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"


@pytest.mark.parametrize(
    ("status", "extra", "connections"),
    [
        ("HTTP/1.1 200", "", 1),  # no reason phrase
        ("HTTP/1.1 200 ", "", 1),  # empty reason phrase
        ("HTTP/1.1 200 Very Good Indeed", "", 1),
        ("HTTP/1.0 200 OK", "", 2),  # HTTP/1.0 closes by default
        ("HTTP/1.0 200 OK", "connection: keep-alive\r\n", 2),  # h11 does not keep HTTP/1.0 alive
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
    # What follows the 204's head is not its body; it must not be taken for the next reply either.
    def respond(n: int) -> tuple[bytes, bool]:
        if n == 1:
            return b"HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n" + plain(), False
        return plain(BODY.replace(b'"hi"', b'"second"')), False

    with RawServer(respond) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError):
                await provider.generate([UserMessage(content="x")])  # an empty body is not JSON
            assert (await provider.generate([UserMessage(content="x")])).message.text == "second"
    assert server.connections == 2


async def test_a_response_sent_before_the_request_body_is_read(no_proxy: None):
    # The server answers 413 after the head without waiting for the 4 MB body, then discards the
    # rest of the request before closing (nginx's "lingering close"): the client must see the 413.
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"error": {"message": "request too large", "type": "invalid_request_error"}}'
        writer.write(
            f"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()

        async def discard() -> None:
            while await reader.read(65536):
                pass

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(discard(), 2)

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
    assert _head_fields(server.requests[0])["host"] == f"[::1]:{server.port}"


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
    assert KEY not in request_line and _head_fields(server.requests[0])["x-goog-api-key"] == KEY


async def test_a_status_line_echoing_the_key_is_redacted(no_proxy: None):
    with RawServer(lambda _n: (f"HTTP/9 {KEY}\r\n\r\n".encode(), False)) as server:
        async with server.provider() as provider:
            with pytest.raises(ResponseParseError) as info:
                await provider.generate([UserMessage(content="x")])
    assert KEY not in str(info.value)


# --- SSE: incremental, and cancellable ---------------------------------------------------------------


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


def _sse_call(server: RawServer, on_first: object = None) -> HTTPCall[list[str]]:
    async def consume(events, _headers) -> list[str]:
        seen = []
        async for event in events:
            seen.append(event.data)
            server.event.set()  # the server sends the rest only once the first event arrived
        return seen

    def classify(status, _headers, _body):
        raise AssertionError(f"unexpected status {status}")

    return HTTPCall(
        url=server.url() + "/x",
        headers={},
        body=b"{}",
        parse=lambda _body, _headers: [],
        classify=classify,
        consume=consume,
    )


@pytest.mark.parametrize("split_inside_chunk", [False, True], ids=["chunk-per-event", "event-inside-chunk"])
async def test_sse_events_arrive_before_the_stream_ends(split_inside_chunk: bool, no_proxy: None):
    with RawServer(handler=_sse_handler(split_inside_chunk)) as server:
        transport = Transport("openai", "gpt-4.1", policy=POLICY)
        try:
            with anyio.fail_after(2):
                result, attempts = await transport.execute(_sse_call(server))
            assert (result, attempts) == (["one", "two"], 1)
        finally:
            await transport.aclose()


async def test_cancelling_a_stream_closes_its_connection(no_proxy: None):
    def handler_factory():
        inner = _sse_handler(False)

        async def handler(server, reader, writer):
            server.event.clear()
            await inner(server, reader, writer)

        return handler

    async def consume(events, _headers):
        async for _event in events:
            pass  # blocks after the first event: the server waits for an event that never comes
        return []

    with RawServer(handler=handler_factory()) as server:
        transport = Transport("openai", "gpt-4.1", policy=POLICY)
        call = _sse_call(server)
        call.consume = consume
        try:
            with anyio.move_on_after(0.3):
                await transport.execute(call)
            server.event.set()
            for _ in range(100):
                if server.closed_by_client:
                    break
                await asyncio.sleep(0.02)
            assert server.closed_by_client == 1
        finally:
            await transport.aclose()


async def test_a_stalled_stream_ends_at_the_attempt_deadline(no_proxy: None):
    async def consume(events, _headers):
        async for _event in events:
            pass
        return []

    with RawServer(handler=_sse_handler(False)) as server:
        policy = type(POLICY)(max_attempts=1, attempt_timeout=0.3, connect_timeout=2.0)
        transport = Transport("openai", "gpt-4.1", policy=policy)
        call = _sse_call(server)
        call.consume = consume
        try:
            with pytest.raises(ProviderTimeoutError, match="began but did not finish within"):
                await transport.execute(call)
        finally:
            server.event.set()
            await transport.aclose()


async def test_a_gzip_compressed_event_stream_is_decoded_incrementally(no_proxy: None):
    events = b"".join(
        b'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"%s"}]}}]}\r\n\r\n' % part
        for part in (b"h", b"i")
    )
    events += b'data: {"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"STOP"}]}\r\n\r\n'
    body = gzip.compress(events)
    raw = _ok_head(
        "content-type: text/event-stream\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n"
    )
    raw += b"".join(
        f"{len(body[i : i + 7]):x}\r\n".encode() + body[i : i + 7] + b"\r\n" for i in range(0, len(body), 7)
    )
    raw += b"0\r\n\r\n"
    with RawServer(lambda _n: (raw, False)) as server:
        provider = GeminiProvider(
            "gemini-2.5-flash", api_key=KEY, base_url=f"http://127.0.0.1:{server.port}", stream=True
        )
        async with provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert _head_fields(server.requests[0])["accept-encoding"] == "gzip, deflate"
