"""A hostile server: huge heads, endless and gzip-bomb bodies, slow drips, conflicting framing.

Every case runs against a real socket on 127.0.0.1 and must end with a clear provider error (or the
right reply), within the response bounds of the retry policy, holding memory of the order of those
bounds (measured with ``tracemalloc``, which also sees the server thread's allocations) and never
taking one request's reply for another's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable, Iterator

import anyio
import pytest
from raw_server import KEY, RawServer, read_request

from scenariokit.providers import (
    ProviderTimeoutError,
    ResponseParseError,
    ResponseTooLargeError,
    RetryPolicy,
    UserMessage,
)

pytestmark = pytest.mark.anyio
MiB = 1024 * 1024
LIMIT = 1 * MiB
BOUNDED = RetryPolicy(
    max_attempts=3,
    initial_backoff=0.01,
    max_backoff=0.02,
    attempt_timeout=10.0,
    connect_timeout=2.0,
    max_response_bytes=LIMIT,
    max_decoded_bytes=LIMIT,
)
BLOCK = b"x" * 65536


def reply(text: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "model": "gpt-4.1",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        }
    ).encode()


def plain(body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


def chunked(body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n{extra}\r\n"
    return head.encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


@contextlib.contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Yield a list that holds, after the block, the peak of traced memory during it (bytes)."""
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result.append(peak)


def streaming(
    write_head: bytes, body: Callable[[asyncio.StreamWriter], Awaitable[None]]
) -> Callable[[RawServer, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """A handler answering each request with ``write_head`` and then whatever ``body`` writes."""

    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                server.requests.append(await read_request(reader))
            except asyncio.IncompleteReadError:
                return
            writer.write(write_head)
            await writer.drain()
            await body(writer)

    return handler


async def endless(writer: asyncio.StreamWriter, block: bytes = BLOCK) -> None:
    """Write ``block`` until the client goes away."""
    while True:
        writer.write(block)
        await writer.drain()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """256 MiB of zeros, gzip-compressed to about a quarter of a megabyte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MiB)
    parts = [compressor.compress(zeros) for _ in range(256)]
    parts.append(compressor.flush())
    return b"".join(parts)


# --- Huge heads --------------------------------------------------------------------------------------


async def test_an_endless_response_head_is_refused_with_bounded_memory():
    async def header_lines(writer: asyncio.StreamWriter) -> None:
        await endless(writer, b"x-filler: " + b"a" * 1000 + b"\r\n")

    with RawServer(handler=streaming(b"HTTP/1.1 200 OK\r\n", header_lines)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with peak_memory() as peak, pytest.raises(ResponseParseError) as info:
                await provider.generate([UserMessage(content="x")])
    assert "invalid HTTP response" in str(info.value) and "receive buffer too long" in str(info.value).lower()
    assert info.value.attempts == 3  # a malformed response may be a glitch: retried
    assert peak[0] < 4 * MiB


async def test_a_single_huge_header_line_is_refused():
    head = b"HTTP/1.1 200 OK\r\nx-huge: " + b"b" * (8 * MiB) + b"\r\ncontent-length: 2\r\n\r\n{}"
    with RawServer(lambda _n: (head, False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with peak_memory() as peak, pytest.raises(ResponseParseError, match="invalid HTTP response"):
                await provider.generate([UserMessage(content="x")])
    # The server's own copy of the 8 MiB head is traced too; the client holds a small part of it.
    assert peak[0] < 8 * MiB + 8 * MiB


async def test_endless_interim_responses_end_at_the_attempt_deadline():
    async def interim(writer: asyncio.StreamWriter) -> None:
        await endless(writer, b"HTTP/1.1 100 Continue\r\n\r\n")

    policy = RetryPolicy(max_attempts=1, attempt_timeout=0.5)
    with RawServer(handler=streaming(b"", interim)) as server:
        async with server.provider(retry_policy=policy) as provider:
            with peak_memory() as peak, pytest.raises(ProviderTimeoutError, match="no response within"):
                await provider.generate([UserMessage(content="x")])
    assert peak[0] < 4 * MiB


async def test_an_endless_chunk_size_line_is_refused():
    async def digits(writer: asyncio.StreamWriter) -> None:
        await endless(writer, b"f" * 4096)

    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    with RawServer(handler=streaming(head, digits)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with peak_memory() as peak, pytest.raises(ResponseParseError, match="invalid HTTP response"):
                await provider.generate([UserMessage(content="x")])
    assert peak[0] < 4 * MiB


# --- Endless and oversized bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n",  # until the connection closes
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n",
    ],
    ids=["until-close", "chunked", "event-stream"],
)
async def test_an_endless_body_ends_at_max_response_bytes_and_is_not_retried(head: bytes):
    block = BLOCK if b"chunked" not in head else f"{len(BLOCK):x}\r\n".encode() + BLOCK + b"\r\n"
    if b"event-stream" in head:
        delta = {"id": "c", "choices": [{"index": 0, "delta": {"content": "y" * 1000}}]}
        block = b"data: " + json.dumps(delta).encode() + b"\n\n"

    async def body(writer: asyncio.StreamWriter) -> None:
        await endless(writer, block)

    with RawServer(handler=streaming(head, body)) as server:
        stream = b"event-stream" in head
        async with server.provider(retry_policy=BOUNDED, stream=stream) as provider:
            with peak_memory() as peak, pytest.raises(ResponseTooLargeError) as info:
                await provider.generate([UserMessage(content="x")])
    error = info.value
    assert "max_response_bytes=1,048,576" in str(error) and "RetryPolicy(" in error.fix
    assert error.attempts == 1 and not error.retryable and len(server.requests) == 1
    assert KEY not in str(error)
    assert peak[0] < 4 * LIMIT


async def test_an_announced_content_length_over_the_limit_is_refused_before_reading():
    async def never(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n"
    with RawServer(handler=streaming(head, never)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            started = time.monotonic()
            with pytest.raises(ResponseTooLargeError, match="announces 10,000,000,000 bytes"):
                await provider.generate([UserMessage(content="x")])
    assert time.monotonic() - started < 2


async def test_an_oversized_error_body_is_refused_too():
    body = b'{"error": {"message": "' + b"z" * (2 * LIMIT) + b'"}}'
    raw = f"HTTP/1.1 500 Oops\r\ncontent-length: {len(body)}\r\n\r\n".encode() + body
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with pytest.raises(ResponseTooLargeError):
                await provider.generate([UserMessage(content="x")])
    assert len(server.requests) == 1


async def test_a_body_just_under_the_limits_is_read():
    text = "w" * (LIMIT - 1000)
    with RawServer(lambda _n: (plain(reply(text)), False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == text


# --- Decompression bombs ------------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_gzip_bomb_stops_at_max_decoded_bytes_with_bounded_memory(gzip_bomb: bytes, framing: str):
    assert len(gzip_bomb) < LIMIT  # small on the wire: only the decoded bound can stop it
    make = plain if framing == "length" else chunked
    raw = make(gzip_bomb, "content-encoding: gzip\r\n")
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with peak_memory() as peak, pytest.raises(ResponseTooLargeError) as info:
                await provider.generate([UserMessage(content="x")])
    assert "gzip-compressed body expands past max_decoded_bytes" in str(info.value)
    assert "max_decoded_bytes=1,048,576" in str(info.value)
    assert info.value.attempts == 1
    # The server's copy of the compressed bomb is traced as well.
    assert peak[0] < 4 * LIMIT + 2 * len(raw)


async def test_a_deflate_bomb_in_an_event_stream_stops_too(gzip_bomb: bytes):
    compressor = zlib.compressobj(9)
    bomb = b"".join(compressor.compress(b"data: " + bytes(MiB)) for _ in range(64)) + compressor.flush()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: deflate\r\n"
    raw = head + f"content-length: {len(bomb)}\r\n\r\n".encode() + bomb
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=BOUNDED, stream=True) as provider:
            with peak_memory() as peak, pytest.raises(ResponseTooLargeError, match="deflate-compressed"):
                await provider.generate([UserMessage(content="x")])
    # A line that never ends is held while it grows (with a copy as each piece is appended).
    assert peak[0] < 6 * LIMIT + 2 * len(raw)


async def test_many_bombs_at_once_cost_the_bound_per_request_in_flight(gzip_bomb: bytes):
    raw = plain(gzip_bomb, "content-encoding: gzip\r\n")
    errors: list[BaseException] = []
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:

            async def one() -> None:
                try:
                    await provider.generate([UserMessage(content="x")])
                except ResponseTooLargeError as exc:
                    errors.append(exc)

            with peak_memory() as peak:
                async with anyio.create_task_group() as group:
                    for _ in range(8):
                        group.start_soon(one)
    assert len(errors) == 8
    assert peak[0] < 8 * 3 * LIMIT + 2 * len(raw)


async def test_the_default_bounds_stop_a_bomb(gzip_bomb: bytes):
    raw = plain(gzip_bomb, "content-encoding: gzip\r\n")
    policy = RetryPolicy(max_attempts=1, attempt_timeout=30.0)
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=policy) as provider:
            with pytest.raises(ResponseTooLargeError, match="max_decoded_bytes=67,108,864"):
                await provider.generate([UserMessage(content="x")])


# --- Slow drips: the attempt deadline covers the whole response ------------------------------------------


async def test_a_slow_drip_body_ends_at_the_attempt_deadline_and_is_retried():
    body = reply("drip")
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"

    async def drip(writer: asyncio.StreamWriter) -> None:
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)  # each read arrives well within any per-read timeout

    policy = RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.02, attempt_timeout=0.5)
    with RawServer(handler=streaming(head.encode(), drip)) as server:
        async with server.provider(retry_policy=policy) as provider:
            started = time.monotonic()
            with pytest.raises(ProviderTimeoutError) as info:
                await provider.generate([UserMessage(content="x")])
            elapsed = time.monotonic() - started
    assert "began but did not finish within the attempt timeout of 0.5 s" in str(info.value)
    assert info.value.attempts == 2 and info.value.retryable
    assert 0.9 < elapsed < 3.0


async def test_a_slow_drip_head_ends_at_the_attempt_deadline():
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        for byte in b"HTTP/1.1 200 OK\r\nx-slow: " + b"s" * 1000:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)

    policy = RetryPolicy(max_attempts=1, attempt_timeout=0.5)
    with RawServer(handler=handler) as server:
        async with server.provider(retry_policy=policy) as provider:
            with pytest.raises(ProviderTimeoutError, match="no response within the attempt timeout of 0.5 s"):
                await provider.generate([UserMessage(content="x")])


async def test_an_endless_trickle_of_stream_events_ends_at_the_deadline():
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"

    async def keep_alive(writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(b": still thinking\n\n")
            await writer.drain()
            await asyncio.sleep(0.02)

    policy = RetryPolicy(max_attempts=1, attempt_timeout=0.5)
    with RawServer(handler=streaming(head, keep_alive)) as server:
        async with server.provider(retry_policy=policy, stream=True) as provider:
            with pytest.raises(ProviderTimeoutError, match="began but did not finish"):
                await provider.generate([UserMessage(content="x")])


# --- Conflicting framing: never one request's reply for another's --------------------------------------


SMUGGLED = plain(reply("SMUGGLED"))


@pytest.mark.parametrize(
    "first",
    [
        plain(reply("reply 1")) + SMUGGLED,
        chunked(reply("reply 1")) + SMUGGLED,
        # Content-Length says the body ends early (where a smuggled response would begin);
        # Transfer-Encoding, which wins, says otherwise.
        chunked(reply("reply 1"), "content-length: 10\r\n"),
        b"HTTP/1.1 204 No Content\r\ncontent-length: 300\r\n\r\n" + SMUGGLED,
    ],
    ids=["after-content-length", "after-chunked", "te-and-cl", "after-204"],
)
async def test_a_smuggled_response_is_never_taken_for_the_next_reply(first: bytes):
    def respond(n: int) -> tuple[bytes, bool]:
        return (first, False) if n == 1 else (plain(reply(f"reply {n}")), False)

    with RawServer(respond) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            texts = []
            for _ in range(3):
                try:
                    texts.append((await provider.generate([UserMessage(content="x")])).message.text)
                except ResponseParseError:
                    texts.append("error")  # the 204 has no JSON body
    assert "SMUGGLED" not in texts
    assert texts[1:] == [f"reply {n}" for n in range(len(server.requests) - 1, len(server.requests) + 1)]
    assert server.connections == 2  # the tainted connection was dropped, the clean one kept


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (plain(reply("x"), "content-length: 7\r\n"), "conflicting content-length"),
        (chunked(reply("x"), "transfer-encoding: identity\r\n"), "transfer-encoding"),
        (b"HTTP/1.1 200 OK\r\ncontent-length: -5\r\n\r\n", "bad content-length"),
    ],
    ids=["two-lengths", "two-transfer-encodings", "negative-length"],
)
async def test_contradictory_framing_is_refused(raw: bytes, reason: str):
    with RawServer(lambda _n: (raw, False)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with pytest.raises(ResponseParseError, match="invalid HTTP response") as info:
                await provider.generate([UserMessage(content="x")])
    assert reason in str(info.value).lower()


async def test_a_body_shorter_than_its_content_length_is_a_retryable_truncation():
    body = reply("cut")
    raw = f"HTTP/1.1 200 OK\r\ncontent-length: {len(body) + 100}\r\n\r\n".encode() + body
    with RawServer(lambda _n: (raw, True)) as server:
        async with server.provider(retry_policy=BOUNDED) as provider:
            with pytest.raises(ResponseParseError, match="truncated") as info:
                await provider.generate([UserMessage(content="x")])
    assert info.value.retryable and info.value.attempts == 3
