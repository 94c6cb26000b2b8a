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

Response parsing follows RFC 9112 strictly where a lenient reading could desynchronise a reused
connection: a malformed status line or header line, obsolete line folding, whitespace before a
header's colon, a duplicate or non-numeric ``Content-Length``, a transfer coding other than a lone
``chunked`` and a malformed chunk size are all refused (:class:`ProtocolError`); a response framed
by both ``Transfer-Encoding`` and ``Content-Length`` is read by the former and its connection is
not reused.
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
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
import anyio.abc
import anyio.streams.tls
import httpx

try:
    _USER_AGENT = f"user-agent: scenariokit/{importlib.metadata.version('scenariokit')}"
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    _USER_AGENT = "user-agent: scenariokit"
_MAX_HEAD = 64 * 1024
_RECEIVE = 65536
_BAD_HEADER = re.compile(r"[\r\n\0]")
_MAX_TRAILERS = 64 * 1024
_LARGE_BODY = 262144
_FRAMING = frozenset(("connection", "content-encoding", "content-length", "transfer-encoding"))
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_STATUS_LINE = re.compile(r"HTTP/1\.([0-9]) ([0-9]{3})(?:[ \t].*)?", re.DOTALL)
_DIGITS = re.compile(r"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_SEND_ERRORS = (
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
    OSError,
    ssl.SSLError,
)


class HTTPError(Exception):
    """Base of this module's errors (the transport maps them to provider errors)."""


class ConnectError(HTTPError):
    """The connection could not be opened."""


class ConnectTimeoutError(HTTPError):
    """The connection was not opened within the connect timeout."""


class CertificateError(ConnectError):
    """The server's TLS certificate failed verification (untrusted, expired, wrong host name)."""


class ReadError(HTTPError):
    """The connection failed or ended early; ``got_headers`` says whether a response had begun.

    ``eof`` is true when the server closed the connection cleanly (no reset, no TLS error).
    """

    def __init__(self, message: str, *, got_headers: bool, eof: bool = False) -> None:
        super().__init__(message)
        self.got_headers = got_headers
        self.eof = eof


class ProtocolError(HTTPError):
    """The server's response is not valid HTTP/1.1 (bad framing, headers or compressed body)."""


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
    __slots__ = ("buffer", "sock", "stream", "tls_pending")

    def __init__(self, stream: anyio.abc.ByteStream, sock: Any) -> None:
        self.stream = stream
        self.sock = sock
        self.buffer = bytearray()
        # TLS records already read from the socket but not yet decrypted sit in anyio's memory BIO,
        # where a ``select`` on the socket cannot see them.
        self.tls_pending: Any = getattr(stream, "_read_bio", None)

    def is_usable(self) -> bool:
        """Whether an idle connection is still open with nothing unread (one ``select`` call).

        A readable idle connection has either reached EOF or holds bytes nobody asked for: either
        way it cannot carry a new request.
        """
        if self.buffer:
            return False
        if self.tls_pending is not None and self.tls_pending.pending:
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
            raise ReadError("the server closed the connection", got_headers=got_headers, eof=True) from None
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


@dataclass(frozen=True)
class _Head:
    """A parsed response head: status, fields and how the body is framed."""

    status: int
    fields: list[tuple[str, str]]
    encoding: str
    chunked: bool
    length: int | None
    keep_alive: bool


class Response:
    """A response whose head has been read; read the body with :meth:`aread` or :meth:`aiter_lines`.

    Always :meth:`aclose` it (the connection returns to its pool only when the body was read).
    """

    def __init__(self, pool: ConnectionPool, connection: _Connection, head: _Head) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self.status_code = head.status
        self.headers = httpx.Headers(head.fields)
        self._keep_alive = head.keep_alive
        self._done = False
        encoding = head.encoding
        self._decoder: _GzipDecoder | _DeflateDecoder | None = None
        if encoding in ("gzip", "x-gzip"):
            self._decoder = _GzipDecoder()
        elif encoding == "deflate":
            self._decoder = _DeflateDecoder()
        self._chunked = head.chunked
        self._remaining = head.length
        if not self._chunked and self._remaining is None:
            self._keep_alive = False  # the body runs to the end of the connection

    async def _raw_chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        assert connection is not None
        buffer = connection.buffer
        if self._chunked:
            while True:
                while (end := buffer.find(b"\n")) < 0:
                    if len(buffer) > _MAX_HEAD:
                        raise ProtocolError("chunk header too long")
                    await connection.receive(True)
                size_text = bytes(buffer[:end]).rstrip(b"\r").split(b";", 1)[0].strip(b" \t")
                if not _CHUNK_SIZE.fullmatch(size_text):
                    raise ProtocolError(f"invalid chunk size {size_text[:20]!r}")
                size = int(size_text, 16)
                del buffer[: end + 1]
                if size == 0:
                    # Trailers (ignored) end with an empty line.
                    seen = 0
                    while True:
                        while (end := buffer.find(b"\n")) < 0:
                            if len(buffer) > _MAX_TRAILERS:
                                raise ProtocolError("trailers too long")
                            await connection.receive(True)
                        seen += end + 1
                        if seen > _MAX_TRAILERS:
                            raise ProtocolError("trailers too long")
                        empty = end == 0 or (end == 1 and buffer[0] == 0x0D)  # LF or CRLF alone
                        del buffer[: end + 1]
                        if empty:
                            return
                # Chunk data is passed on as it arrives (an SSE event must not wait for the rest
                # of a large chunk, and a large chunk is never held whole in memory).
                while size:
                    if not buffer:
                        await connection.receive(True)
                    take = min(len(buffer), size)
                    chunk = bytes(buffer[:take])
                    del buffer[:take]
                    size -= take
                    yield chunk
                while len(buffer) < 2 and buffer[:1] != b"\n":
                    await connection.receive(True)
                ending = 1 if buffer[:1] == b"\n" else 2
                if bytes(buffer[:ending]) not in (b"\r\n", b"\n"):
                    raise ProtocolError("malformed chunked body (chunk data longer than its size)")
                del buffer[:ending]
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
                except ReadError as exc:
                    if exc.eof:
                        return  # a clean close ends a body without framing; a reset does not
                    raise

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
        assert self._decoder is not None
        try:
            return self._decoder.decompress(chunk)
        except zlib.error as exc:
            raise ProtocolError(f"invalid compressed body ({exc})") from None

    def _decode_flush(self) -> bytes:
        assert self._decoder is not None
        try:
            return self._decoder.flush()
        except zlib.error as exc:
            raise ProtocolError(f"invalid compressed body ({exc})") from None

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


class _GzipDecoder:
    """``gzip`` with any number of members (RFC 1952 allows several; each one is decoded)."""

    def __init__(self) -> None:
        self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._fed = False

    def decompress(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._fed = True
        out = self._obj.decompress(data)
        while self._obj.eof and self._obj.unused_data:
            rest = self._obj.unused_data
            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out += self._obj.decompress(rest)
        return out

    def flush(self) -> bytes:
        out = self._obj.flush()
        if self._fed and not self._obj.eof:
            raise zlib.error("the gzip stream ends before its end marker")
        return out


class _DeflateDecoder:
    """``deflate`` is zlib-wrapped by the standard, raw deflate by some servers (as httpx accepts)."""

    def __init__(self) -> None:
        self._first = True
        self._fed = False
        self._obj = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._fed = True
        if self._first:
            self._first = False
            try:
                return self._obj.decompress(data)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._obj.decompress(data)

    def flush(self) -> bytes:
        out = self._obj.flush()
        if self._fed and not self._obj.eof:
            raise zlib.error("the deflate stream ends before its end marker")
        return out


def _head_end(buffer: bytearray) -> tuple[int, int] | None:
    """Where the head in ``buffer`` ends: (end of its last line, start of the body), or ``None`` yet.

    The head ends at the first empty line; lines end in CRLF or a bare LF (RFC 9112 section 2.2).
    """
    crlf = buffer.find(b"\n\r\n")
    lf = buffer.find(b"\n\n")
    if crlf < 0 and lf < 0:
        return None
    if lf < 0 or 0 <= crlf < lf:
        return crlf, crlf + 3
    return lf, lf + 2


def _parse_head(text: str) -> _Head:
    """Parse a response head (status line and fields, without the final empty line).

    Lines end in CRLF or, as RFC 9112 section 2.2 allows a recipient to accept, in a bare LF.
    """
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    match = _STATUS_LINE.fullmatch(lines[0])
    if match is None:
        raise ProtocolError(f"invalid response status line {lines[0][:60]!r}")
    minor, status = match.group(1), int(match.group(2))
    fields: list[tuple[str, str]] = []
    framing: dict[str, list[str]] = {}
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            raise ProtocolError("obsolete line folding in a response header (RFC 9112 section 5.2)")
        name, sep, value = line.partition(":")
        if not sep or not _TOKEN.match(name):
            # Includes whitespace between the name and the colon (RFC 9112 section 5.1).
            raise ProtocolError(f"malformed response header line {line[:40]!r}")
        name = name.lower()
        value = value.strip(" \t")
        fields.append((name, value))
        if name in _FRAMING:
            framing.setdefault(name, []).append(value)
    tokens = {t.strip().lower() for v in framing.get("connection", ()) for t in v.split(",")}
    keep_alive = "close" not in tokens if minor != "0" else "keep-alive" in tokens
    encoding = ", ".join(framing.get("content-encoding", ())).strip().lower()
    if status < 200 or status in (204, 304):
        return _Head(status, fields, encoding, False, 0, keep_alive)
    chunked = False
    length: int | None = None
    transfer = framing.get("transfer-encoding")
    lengths = framing.get("content-length")
    if transfer is not None:
        codings = [c.strip().lower() for v in transfer for c in v.split(",") if c.strip()]
        if codings != ["chunked"]:
            raise ProtocolError(
                f"unsupported transfer-encoding {', '.join(transfer)[:60]!r} (only 'chunked' is accepted)"
            )
        chunked = True
        if lengths is not None or minor == "0":
            # RFC 9112 section 6.3: Transfer-Encoding wins; such a message may be an attempt at
            # response splitting, so the connection is not reused.
            keep_alive = False
    elif lengths is not None:
        if len(lengths) != 1 or not _DIGITS.fullmatch(lengths[0]):
            raise ProtocolError(f"invalid content-length {', '.join(lengths)[:60]!r}")
        length = int(lengths[0])
    return _Head(status, fields, encoding, chunked, length, keep_alive)


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
        where = f"{target.authority}"
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
            except ssl.SSLCertVerificationError as exc:
                reason = exc.verify_message or exc.reason or str(exc)
                raise CertificateError(f"TLS certificate verification failed for {where}: {reason}") from None
            except anyio.EndOfStream:
                raise ConnectError(
                    f"the server closed the connection during the TLS handshake with {where}"
                ) from None
            except (OSError, anyio.BrokenResourceError, ssl.SSLError) as exc:
                raise ConnectError(_describe(exc)) from None
        if scope.cancelled_caught:
            raise ConnectTimeoutError(f"no connection within {self.connect_timeout:g} s")
        if tls:
            alpn = stream.extra(anyio.streams.tls.TLSAttribute.alpn_protocol, None)
            if alpn not in (None, "http/1.1"):
                await anyio.aclose_forcefully(stream)
                raise ConnectError(
                    f"the server chose {alpn!r} by ALPN; this client speaks HTTP/1.1 only "
                    "(offer ['http/1.1'] in the SSL context's ALPN protocols)"
                )
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

        A response that arrives before the whole body was sent (a 413, say) is returned, and its
        connection is not reused.

        Raises:
            ConnectError, ConnectTimeoutError: The connection could not be opened.
            CertificateError: The server's TLS certificate failed verification.
            ReadError: The connection failed or ended before the response head was read.
            ProtocolError: The response head is not valid HTTP/1.1.
            LocalProtocolError: A header cannot be sent.
        """
        target = parse_url(url)
        head = encode_head(target, headers, len(body))
        connection = await self._get(target)
        try:
            if len(body) >= _LARGE_BODY:
                return await self._post_large(connection, head, body)
            try:
                await connection.stream.send(head + body)
            except _SEND_ERRORS as exc:
                # The server may have answered (and closed) before reading the whole request.
                early = await self._early_response(connection)
                if early is None:
                    raise ReadError(_describe(exc), got_headers=False) from None
                return early
            return Response(self, connection, await self._read_final_head(connection))
        except BaseException:
            await self.discard(connection)
            raise

    async def _early_response(self, connection: _Connection) -> Response | None:
        """Read a response already sent by a server that stopped reading the request."""
        with anyio.move_on_after(min(self.connect_timeout, 5.0)):
            try:
                parsed = await self._read_final_head(connection)
            except HTTPError:
                return None
            return Response(self, connection, replace(parsed, keep_alive=False))
        return None

    async def _post_large(self, connection: _Connection, head: bytes, body: bytes) -> Response:
        """Send a large body while watching for a response that does not wait for it."""
        sent = False
        failure: BaseException | None = None

        async def send() -> None:
            nonlocal sent, failure
            try:
                await connection.stream.send(head)
                await connection.stream.send(body)
                sent = True
            except _SEND_ERRORS as exc:
                failure = exc

        async with anyio.create_task_group() as group:
            group.start_soon(send)
            try:
                parsed = await self._read_final_head(connection)
            except ReadError:
                group.cancel_scope.cancel()
                if failure is not None:
                    raise ReadError(_describe(failure), got_headers=False) from None
                raise
            if not sent:
                group.cancel_scope.cancel()
                parsed = replace(parsed, keep_alive=False)
        return Response(self, connection, parsed)

    @staticmethod
    async def _read_final_head(connection: _Connection) -> _Head:
        buffer = connection.buffer
        while True:
            while (found := _head_end(buffer)) is None:
                if len(buffer) > _MAX_HEAD:
                    break
                await connection.receive(False)
            if found is None or found[0] > _MAX_HEAD:
                raise ProtocolError(f"response head longer than {_MAX_HEAD // 1024} KiB")
            end, after = found
            text = bytes(buffer[:end]).decode("latin-1")
            del buffer[:after]
            parsed = _parse_head(text)
            if parsed.status == 101:
                raise ProtocolError("unexpected 101 Switching Protocols (no upgrade was asked for)")
            if parsed.status >= 200:
                return parsed
            # Interim responses (100 Continue, 103 Early Hints) are skipped.

    async def aclose(self) -> None:
        """Close every connection."""
        connections, self._all, self._idle, self._keys = self._all, set(), {}, {}
        for connection in connections:
            await connection.aclose()
