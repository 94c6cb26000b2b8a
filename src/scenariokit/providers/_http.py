"""A lean HTTP/1.1 client over anyio byte streams, for the provider transport's hot path.

httpx spends about 1.3-1.8 ms of CPU per request in this library's workload (many concurrent slow
POSTs of ~10 KB): request and URL objects, cookie handling, h11's validation, several layers of
async iterators, and an idle-connection check that rebuilds a dict of socket attributes each time.
This module does only what the provider calls need: a POST with a JSON body on a keep-alive
connection, the response read in one piece (``Content-Length``, chunked, or until close, with
``gzip``/``deflate`` decoding) or as lines for SSE. It costs about a quarter of httpx's CPU.

What it does not do is left to httpx: :class:`scenariokit.providers._transport.ClientPool` keeps
using ``httpx.AsyncClient`` when a proxy is configured in the environment.

Cancellation safety: a connection goes back to the idle list only after a response was read to
its end on a connection that may be kept alive; anything else (an error, a timeout, a cancelled
task, a stream abandoned half-way) closes it.
"""

from __future__ import annotations

import codecs
import functools
import importlib.metadata
import re
import select
import socket
import ssl
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
import anyio.abc
import httpx

try:
    _USER_AGENT = f"user-agent: scenariokit/{importlib.metadata.version('scenariokit')}"
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    _USER_AGENT = "user-agent: scenariokit"
_MAX_HEAD = 64 * 1024
_RECEIVE = 65536
_BAD_HEADER = re.compile(r"[\r\n\0]")
_FRAMING = frozenset(("connection", "content-encoding", "content-length", "transfer-encoding"))
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class HTTPError(Exception):
    """Base of this module's errors (the transport maps them to provider errors)."""


class ConnectError(HTTPError):
    """The connection could not be opened."""


class ConnectTimeoutError(HTTPError):
    """The connection was not opened within the connect timeout."""


class ReadError(HTTPError):
    """The connection failed or ended early; ``got_headers`` says whether a response had begun."""

    def __init__(self, message: str, *, got_headers: bool) -> None:
        super().__init__(message)
        self.got_headers = got_headers


class LocalProtocolError(HTTPError):
    """The request cannot be sent as given (an invalid header name or value)."""


@dataclass(frozen=True)
class Target:
    """Where a URL points: the connection key and the request target."""

    scheme: str
    host: str
    port: int
    authority: str
    path: str

    @property
    def key(self) -> tuple[str, str, int]:
        """Connections are shared between requests with the same key."""
        return self.scheme, self.host, self.port


@functools.lru_cache(maxsize=512)
def parse_url(url: str) -> Target:
    """Split an ``http(s)`` URL into connection key and request target (cached per URL)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConnectError(f"unsupported URL scheme {parts.scheme!r} (expected http or https)")
    host = parts.hostname
    if not host:
        raise ConnectError("the URL has no host")
    default = 443 if scheme == "https" else 80
    try:
        port = parts.port or default
    except ValueError as exc:
        raise ConnectError(f"invalid port in URL ({exc})") from None
    shown = f"[{host}]" if ":" in host else host
    authority = shown if port == default else f"{shown}:{port}"
    path = quote(parts.path or "/", safe="/:@!$&'()*+,;=%-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/:@!$&'()*+,;=%-._~?")
    return Target(scheme, host, port, authority, path)


def encode_head(target: Target, headers: dict[str, str], length: int) -> bytes:
    """Return the request line and headers of a POST with a body of ``length`` bytes."""
    lines = [f"POST {target.path} HTTP/1.1", f"host: {target.authority}"]
    if "accept-encoding" not in headers:
        lines.append("accept-encoding: gzip, deflate")
    if "user-agent" not in headers:
        lines.append(_USER_AGENT)
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise LocalProtocolError(f"invalid request header name {name!r}")
        if _BAD_HEADER.search(value):
            raise LocalProtocolError(f"invalid value of request header {name!r}: it contains CR, LF or NUL")
        lines.append(f"{name}: {value}")
    lines.append(f"content-length: {length}\r\n\r\n")
    try:
        return "\r\n".join(lines).encode("ascii")
    except UnicodeEncodeError:
        raise LocalProtocolError("request headers must be ASCII") from None


class _Connection:
    __slots__ = ("buffer", "sock", "stream")

    def __init__(self, stream: anyio.abc.ByteStream, sock: Any) -> None:
        self.stream = stream
        self.sock = sock
        self.buffer = bytearray()

    def is_usable(self) -> bool:
        """Whether an idle connection is still open with nothing unread (one ``select`` call).

        A readable idle connection has either reached EOF or holds bytes nobody asked for: either
        way it cannot carry a new request.
        """
        if self.buffer:
            return False
        if self.sock is None:
            return True
        try:
            fileno = self.sock.fileno()
            if fileno < 0:
                return False
            readable, _, _ = select.select([fileno], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    async def receive(self, got_headers: bool) -> None:
        try:
            chunk = await self.stream.receive(_RECEIVE)
        except anyio.EndOfStream:
            raise ReadError("the server closed the connection", got_headers=got_headers) from None
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError, ssl.SSLError) as exc:
            raise ReadError(_describe(exc), got_headers=got_headers) from None
        self.buffer += chunk

    async def aclose(self) -> None:
        await anyio.aclose_forcefully(self.stream)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc.__cause__, OSError) and not text:
        text = str(exc.__cause__)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Response:
    """A response whose head has been read; read the body with :meth:`aread` or :meth:`aiter_lines`.

    Always :meth:`aclose` it (the connection returns to its pool only when the body was read).
    """

    def __init__(
        self,
        pool: ConnectionPool,
        connection: _Connection,
        status_code: int,
        headers: httpx.Headers,
        keep_alive: bool,
        framing: dict[str, str],
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self.status_code = status_code
        self.headers = headers
        self._keep_alive = keep_alive
        self._done = False
        encoding = framing.get("content-encoding", "").lower()
        self._decoder: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._decoder = _DeflateDecoder()
        self._chunked = "chunked" in framing.get("transfer-encoding", "").lower()
        length = framing.get("content-length")
        self._remaining: int | None = None
        if status_code in (204, 304):
            self._remaining = 0
        elif not self._chunked and length is not None:
            try:
                self._remaining = int(length)
            except ValueError:
                raise ReadError(f"invalid content-length {length!r}", got_headers=True) from None
            if self._remaining < 0:
                raise ReadError(f"invalid content-length {length!r}", got_headers=True)
        elif not self._chunked:
            self._keep_alive = False  # the body runs to the end of the connection

    async def _raw_chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        assert connection is not None
        buffer = connection.buffer
        if self._chunked:
            while True:
                while (end := buffer.find(b"\r\n")) < 0:
                    if len(buffer) > _MAX_HEAD:
                        raise ReadError("chunk header too long", got_headers=True)
                    await connection.receive(True)
                size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ReadError(f"invalid chunk size {size_text[:20]!r}", got_headers=True) from None
                del buffer[: end + 2]
                if size == 0:
                    # Trailers (ignored) end with an empty line.
                    while True:
                        while (end := buffer.find(b"\r\n")) < 0:
                            if len(buffer) > _MAX_HEAD:
                                raise ReadError("trailers too long", got_headers=True)
                            await connection.receive(True)
                        line = bytes(buffer[:end])
                        del buffer[: end + 2]
                        if not line:
                            return
                while len(buffer) < size + 2:
                    await connection.receive(True)
                if buffer[size : size + 2] != b"\r\n":
                    raise ReadError("malformed chunked body", got_headers=True)
                chunk = bytes(buffer[:size])
                del buffer[: size + 2]
                yield chunk
        elif self._remaining is not None:
            while self._remaining > 0:
                if not buffer:
                    await connection.receive(True)
                take = min(len(buffer), self._remaining)
                chunk = bytes(buffer[:take])
                del buffer[:take]
                self._remaining -= take
                yield chunk
        else:
            while True:
                if buffer:
                    chunk = bytes(buffer)
                    buffer.clear()
                    yield chunk
                try:
                    await connection.receive(True)
                except ReadError:
                    return

    async def _chunks(self) -> AsyncIterator[bytes]:
        decoder = self._decoder
        async for chunk in self._raw_chunks():
            data = chunk if decoder is None else self._decode(chunk)
            if data:
                yield data
        if decoder is not None:
            data = self._decode_flush()
            if data:
                yield data
        self._done = True

    def _decode(self, chunk: bytes) -> bytes:
        try:
            data: bytes = self._decoder.decompress(chunk)
        except zlib.error as exc:
            raise ReadError(f"invalid compressed body ({exc})", got_headers=True) from None
        return data

    def _decode_flush(self) -> bytes:
        try:
            data: bytes = self._decoder.flush()
        except zlib.error as exc:
            raise ReadError(f"invalid compressed body ({exc})", got_headers=True) from None
        return data

    async def aread(self) -> bytes:
        """Read the whole body."""
        connection = self._connection
        assert connection is not None
        remaining = self._remaining
        if self._decoder is None and remaining is not None:
            # Fast path: a plain body of known length.
            buffer = connection.buffer
            while len(buffer) < remaining:
                await connection.receive(True)
            body = bytes(buffer[:remaining])
            del buffer[:remaining]
            self._remaining = 0
            self._done = True
            return body
        return b"".join([chunk async for chunk in self._chunks()])

    async def aiter_lines(self) -> AsyncIterator[str]:
        """Yield the body's lines (without terminators), decoded as UTF-8 like ``httpx``."""
        decoder = codecs.getincrementaldecoder(_charset(self.headers))(errors="replace")
        pending = ""
        async for chunk in self._chunks():
            text = pending + decoder.decode(chunk)
            if not text:
                continue
            # A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
            held = text.endswith("\r")
            if held:
                text = text[:-1]
            lines = text.splitlines()
            if text and text[-1] not in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
                pending = lines.pop() if lines else ""
            else:
                pending = ""
            if held:
                pending += "\r"
            for line in lines:
                yield line
        text = pending + decoder.decode(b"", final=True)
        for line in text.splitlines():
            yield line

    async def aclose(self) -> None:
        """Give the connection back (body read, keep-alive allowed) or close it."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._done and self._keep_alive and not connection.buffer:
            self._pool.release(connection)
        else:
            await self._pool.discard(connection)


def _charset(headers: httpx.Headers) -> str:
    content_type = headers.get("content-type", "")
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"


class _DeflateDecoder:
    """``deflate`` is zlib-wrapped by the standard, raw deflate by some servers (as httpx accepts)."""

    def __init__(self) -> None:
        self._first = True
        self._obj = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._obj.decompress(data)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._obj.decompress(data)

    def flush(self) -> bytes:
        return self._obj.flush()


class ConnectionPool:
    """Keep-alive connections to any number of hosts; the caller bounds how many are in use.

    Attributes:
        connect_timeout: Seconds allowed to open a connection (TLS handshake included).
        ssl_context: Context for ``https`` URLs.
    """

    def __init__(self, *, connect_timeout: float, ssl_context: ssl.SSLContext) -> None:
        self.connect_timeout = connect_timeout
        self.ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._keys: dict[int, tuple[str, str, int]] = {}
        self._all: set[_Connection] = set()
        self.opened = 0

    async def _connect(self, target: Target) -> _Connection:
        tls = target.scheme == "https"
        with anyio.move_on_after(self.connect_timeout) as scope:
            try:
                if tls:
                    stream: anyio.abc.ByteStream = await anyio.connect_tcp(
                        target.host,
                        target.port,
                        ssl_context=self.ssl_context,
                        tls_hostname=target.host,
                        tls_standard_compatible=False,
                    )
                else:
                    stream = await anyio.connect_tcp(target.host, target.port)
            except (OSError, anyio.BrokenResourceError, ssl.SSLError) as exc:
                raise ConnectError(_describe(exc)) from None
        if scope.cancelled_caught:
            raise ConnectTimeoutError(f"no connection within {self.connect_timeout:g} s")
        try:
            sock = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, anyio.TypedAttributeLookupError):
            sock = None
        connection = _Connection(stream, sock)
        self._all.add(connection)
        self._keys[id(connection)] = target.key
        self.opened += 1
        return connection

    async def _get(self, target: Target) -> _Connection:
        idle = self._idle.get(target.key)
        while idle:
            connection = idle.pop()
            if connection.is_usable():
                return connection
            await self.discard(connection)
        return await self._connect(target)

    def release(self, connection: _Connection) -> None:
        """Put a connection whose response was fully read back in the idle list."""
        key = self._keys.get(id(connection))
        if key is None:  # the pool was closed meanwhile
            return
        self._idle.setdefault(key, []).append(connection)

    async def discard(self, connection: _Connection) -> None:
        """Close a connection and forget it."""
        self._all.discard(connection)
        self._keys.pop(id(connection), None)
        await connection.aclose()

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Response:
        """Send a POST and read the response head; the caller must :meth:`Response.aclose` it.

        Raises:
            ConnectError, ConnectTimeoutError: The connection could not be opened.
            ReadError: The connection failed or ended before the response head was read.
            LocalProtocolError: A header cannot be sent.
        """
        target = parse_url(url)
        head = encode_head(target, headers, len(body))
        connection = await self._get(target)
        try:
            try:
                await connection.stream.send(head + body if len(body) < 262144 else head)
                if len(body) >= 262144:
                    await connection.stream.send(body)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError, ssl.SSLError) as exc:
                raise ReadError(_describe(exc), got_headers=False) from None
            while True:
                status, fields, framing, keep_alive = await self._read_head(connection)
                if 100 <= status < 200:
                    continue  # interim responses (100 Continue, 103 Early Hints)
                return Response(self, connection, status, httpx.Headers(fields), keep_alive, framing)
        except BaseException:
            await self.discard(connection)
            raise

    @staticmethod
    async def _read_head(connection: _Connection) -> tuple[int, list[tuple[str, str]], dict[str, str], bool]:
        buffer = connection.buffer
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > _MAX_HEAD:
                raise ReadError("response head too long", got_headers=False)
            await connection.receive(False)
        text = bytes(buffer[:end]).decode("latin-1")
        del buffer[: end + 4]
        lines = text.split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise ReadError(f"invalid response status line {lines[0][:60]!r}", got_headers=False)
        fields: list[tuple[str, str]] = []
        framing: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                continue
            name = name.strip().lower()
            value = value.strip()
            fields.append((name, value))
            if name in _FRAMING:
                framing[name] = f"{framing[name]}, {value}" if name in framing else value
        connection_header = framing.get("connection", "").lower()
        if version == "HTTP/1.1":
            keep_alive = "close" not in connection_header
        else:
            keep_alive = "keep-alive" in connection_header
        return int(code), fields, framing, keep_alive

    async def aclose(self) -> None:
        """Close every connection."""
        connections, self._all, self._idle, self._keys = self._all, set(), {}, {}
        for connection in connections:
            await connection.aclose()
