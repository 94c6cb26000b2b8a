"""A loopback HTTP/1.1 (or HTTPS) server answering with raw bytes, for the transport's tests."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Awaitable, Callable

from scenariokit.providers import OpenAIChatProvider, RetryPolicy

KEY = "sk-http-test-0123456789abcdef"
POLICY = RetryPolicy(max_attempts=1, attempt_timeout=5.0, total_timeout=10.0, connect_timeout=2.0)

Responder = Callable[[int], tuple[bytes, bool]]  # request number -> (raw response, close afterwards)
Handler = Callable[["RawServer", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request (head and Content-Length body); return its head."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return head


class RawServer:
    """A loopback server answering each request with raw bytes chosen by a function.

    ``ssl_context`` makes it an HTTPS server (asyncio's TLS); ``handler`` replaces the
    request/response loop for a connection entirely.
    """

    def __init__(
        self,
        respond: Responder | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        handler: Handler | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.respond = respond
        self.ssl_context = ssl_context
        self.handler = handler
        self.host = host
        self.connections = 0
        self.closed_by_client = 0
        self.requests: list[bytes] = []
        self.port = 0
        self.event = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, self.host, 0, ssl=self.ssl_context)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(asyncio.sleep(0))  # let the closed transports finish closing
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            if self.handler is not None:
                await self.handler(self, reader, writer)
                return
            assert self.respond is not None
            while True:
                try:
                    head = await read_request(reader)
                except asyncio.IncompleteReadError:
                    self.closed_by_client += 1
                    break
                self.requests.append(head)
                raw, close = self.respond(len(self.requests))
                writer.write(raw)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> RawServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        # Let connections accepted a moment ago start their handler (whose cancellation closes them).
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0.02), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def url(self, host: str | None = None) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        shown = host or ("localhost" if self.ssl_context is not None else self.host)
        if ":" in shown:
            shown = f"[{shown}]"
        return f"{scheme}://{shown}:{self.port}/v1"

    def provider(self, **options: object) -> OpenAIChatProvider:
        options.setdefault("retry_policy", POLICY)
        return OpenAIChatProvider(
            "gpt-4.1",
            api_key=KEY,
            base_url=self.url(),
            **options,  # type: ignore[arg-type]
        )
