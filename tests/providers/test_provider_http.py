"""The lean HTTP/1.1 transport: framing, compression, keep-alive, stale connections, proxies."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Callable

import httpx
import pytest

from scenariokit.providers import OpenAIChatProvider, ProviderConnectionError, RetryPolicy, UserMessage, _http

pytestmark = pytest.mark.anyio
KEY = "sk-http-test-0123456789abcdef"
POLICY = RetryPolicy(max_attempts=1, attempt_timeout=5.0, total_timeout=10.0, connect_timeout=2.0)
BODY = json.dumps(
    {
        "id": "chatcmpl-1",
        "model": "gpt-4.1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
).encode()

Responder = Callable[[int], tuple[bytes, bool]]  # request number -> (raw response, close afterwards)


class RawServer:
    """A loopback server answering each request with raw bytes chosen by a function."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests.append(head)
                raw, close = self.respond(len(self.requests))
                writer.write(raw)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> RawServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def provider(self, **options: object) -> OpenAIChatProvider:
        return OpenAIChatProvider(
            "gpt-4.1",
            api_key=KEY,
            base_url=f"http://127.0.0.1:{self.port}/v1",
            retry_policy=POLICY,
            **options,  # type: ignore[arg-type]
        )


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
    ],
    ids=["length", "chunked", "chunked-gzip", "gzip", "interim-100"],
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
