"""A real HTTP/1.1 server on 127.0.0.1 that imitates the vendors' APIs, with fault injection.

Routes: the first path segment is the *flavour* (``anthropic``, ``openai``, ``gemini``,
``together``, ``openrouter``, ``deepseek``, ``xai``, ``vllm``, ``ollama``); the rest is the vendor's
own path (``/v1/messages``, ``/v1/chat/completions``, ``/v1/responses``,
``/v1beta/models/{m}:generateContent``, ``/chat/completions``...). Requests are validated the way
the vendors do (auth, required fields, tool results matching tool calls) and answered with the
vendor's JSON or SSE, including each OpenAI-compatible service's quirks and unknown extra fields.

Run as a script (``python fake_vendor_server.py --latency 0.2``) it serves until killed and prints
its port on the first line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vendor_rules import (
    PromptCache,
    RefusedError,
    check_anthropic,
    check_compatible,
    check_gemini,
    check_openai,
    stable_prefix,
)

API_KEY = "sk-test-7Hq2VbX9mN4pL8wR3tY6uJ1kZ5cA0dFe"
COMPAT = ("together", "openrouter", "deepseek", "xai", "vllm", "ollama")
EXTRA = {"x_future_field": {"nested": [1, 2, 3]}, "another_unknown": "ignored"}


@dataclass
class Reply:
    """What the fake model says next (the default is ``echo: <last user text>``)."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    stop: str = "end"  # end | max_tokens
    think_tag: bool = False


@dataclass
class Fault:
    """A failure to inject into the next request.

    kinds: ``status`` (status/headers/body), ``delay`` (then answer normally), ``reset``
    (close the socket with RST, no response), ``malformed`` (200 with broken JSON), ``truncated``
    (200, body cut short), ``stream_truncated``, ``stream_error``, ``body_error`` (HTTP 200 whose
    body is an error object, as OpenRouter does).
    """

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


def error_body(flavour: str, status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """Return the vendor's error body for ``status``."""
    if flavour == "anthropic":
        types = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            500: "api_error",
            529: "overloaded_error",
        }
        return {
            "type": "error",
            "error": {"type": code or types.get(status, "api_error"), "message": message},
            "request_id": "req_fake_error",
        }
    if flavour == "gemini":
        statuses = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL",
            503: "UNAVAILABLE",
        }
        return {"error": {"code": status, "message": message, "status": statuses.get(status, "INTERNAL")}}
    if flavour in ("openrouter", "vllm"):
        return {"error": {"message": message, "type": "error", "param": None, "code": status}}
    return {
        "error": {
            "message": message,
            "type": code or "invalid_request_error",
            "param": None,
            "code": code,
        }
    }


class _BadRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class FakeVendorServer:
    """The fake; use :meth:`start`/:meth:`stop` (or as a context manager)."""

    def __init__(self, *, api_key: str = API_KEY, latency: float = 0.0) -> None:
        self.api_key = api_key
        self.latency = latency
        self.faults: deque[Fault] = deque()
        self.replies: deque[Reply] = deque()
        self.responder: Callable[[str], Reply | None] | None = None
        self.requests: list[Seen] = []
        self.record_requests = True
        self.port = 0
        self.connections = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0
        self.cache = PromptCache()
        self.default_reply: str | None = None  # said when no reply is queued, instead of the echo
        # batch APIs: a batch ends after ``batch_polls`` polls of its status; ``batch_ttl`` seconds after its
        # creation it expires (unprocessed requests expired); ``batch_item_faults`` gives the outcome of the
        # next requests processed (``errored``, ``expired``, ``canceled``) instead of their answer
        self.batches: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.batch_polls = 2
        self.batch_ttl = 24 * 3600.0
        self.batch_item_faults: deque[str] = deque()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeVendorServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-vendor-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FakeVendorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        self.faults.clear()
        self.replies.clear()
        self.responder = None
        self.requests.clear()
        self.latency = 0.0
        self.max_in_flight = 0
        self.cache.clear()
        self.batches.clear()
        self.files.clear()
        self.batch_item_faults.clear()
        self.batch_polls = 2
        self.batch_ttl = 24 * 3600.0

    def base_url(self, flavour: str) -> str:
        root = f"http://127.0.0.1:{self.port}/{flavour}"
        if flavour in ("anthropic", "gemini", "deepseek"):
            return root
        return f"{root}/v1"

    # -- HTTP --------------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    keep = await self._dispatch(method, target, headers, body, writer)
                finally:
                    self.in_flight -= 1
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    def _head(status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} X"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _send(
        self, writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        all_headers = {"content-type": "application/json", "content-length": str(len(body))}
        all_headers.update(headers)
        writer.write(self._head(status, all_headers) + body)
        await writer.drain()

    async def _send_sse(
        self,
        writer: asyncio.StreamWriter,
        chunks: list[str],
        headers: dict[str, str],
        *,
        truncate: bool = False,
    ) -> bool:
        all_headers = {"content-type": "text/event-stream", "transfer-encoding": "chunked"}
        all_headers.update(headers)
        writer.write(self._head(200, all_headers))
        if truncate:
            chunks = chunks[: max(1, len(chunks) // 2)]
        for chunk in chunks:
            data = chunk.encode("utf-8")
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await writer.drain()
        if truncate:
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    def _reset(self, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def _dispatch(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        raw: bytes,
        writer: asyncio.StreamWriter,
    ) -> bool:
        path, _, query = target.partition("?")
        flavour, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if self.record_requests:
            self.requests.append(Seen(method, path, query, headers, body))
        self._counter += 1
        request_id = f"req_fake_{self._counter:06d}"
        base_headers = {"request-id": request_id, "x-request-id": request_id}
        fault = self.faults.popleft() if self.faults else None
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault is not None:
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "reset":
                self._reset(writer)
                return False
            elif fault.kind == "status":
                payload = fault.body
                data = (
                    payload
                    if isinstance(payload, bytes)
                    else json.dumps(
                        payload if payload is not None else error_body(flavour, fault.status, "injected")
                    ).encode()
                )
                await self._send(writer, fault.status, data, {**base_headers, **fault.headers})
                return True
            elif fault.kind == "malformed":
                await self._send(writer, 200, b'{"id": "broken", "choices": [', base_headers)
                return True
            elif fault.kind == "truncated":
                writer.write(
                    self._head(
                        200, {**base_headers, "content-type": "application/json", "content-length": "500"}
                    )
                    + b'{"id": "cut", "content": [{"type": "te'
                )
                await writer.drain()
                self._reset(writer)
                return False
            elif fault.kind == "body_error":
                data = json.dumps(fault.body).encode()
                await self._send(writer, 200, data, base_headers)
                return True
        try:
            self._check_auth(flavour, headers, query)
            batch = self._batch_route(method, flavour, rest, headers, raw, body)
            if batch is not None:
                content, content_type = batch
                await self._send(writer, 200, content, {**base_headers, "content-type": content_type})
                return True
            stream, chunks, data = self._answer(flavour, rest, body, fault)
        except _BadRequestError as exc:
            message = exc.message
            if exc.status == 401 and flavour == "vllm":
                await self._send(writer, 401, b'{"error":"Unauthorized"}', base_headers)
                return True
            payload = json.dumps(error_body(flavour, exc.status, message)).encode()
            await self._send(writer, exc.status, payload, base_headers)
            return True
        if stream:
            truncate = fault is not None and fault.kind == "stream_truncated"
            return await self._send_sse(writer, chunks, base_headers, truncate=truncate)
        payload = json.dumps(data).encode()
        if flavour == "deepseek":
            payload = b"\n\n\n" + payload
        await self._send(writer, 200, payload, base_headers)
        return True

    # -- validation ---------------------------------------------------------------------------------

    def _check_auth(self, flavour: str, headers: dict[str, str], query: str) -> None:
        if "key=" in query:
            raise _BadRequestError(400, "API keys must not be sent in the URL in this fake")
        if flavour == "ollama":
            return
        if flavour == "anthropic":
            got = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
            if "anthropic-version" not in headers:
                raise _BadRequestError(400, "anthropic-version header is required")
        elif flavour == "gemini":
            got = headers.get("x-goog-api-key", "")
        else:
            got = headers.get("authorization", "").removeprefix("Bearer ")
        if got != self.api_key:
            # Like real vendors, echo (part of) the key that was sent: clients must redact it.
            raise _BadRequestError(401, f"Incorrect API key provided: {got}")

    # -- answers ----------------------------------------------------------------------------------

    def _reply_for(self, last_user: str) -> Reply:
        if self.replies:
            return self.replies.popleft()
        if self.responder is not None:  # a reply that depends on the request (e.g. judge vs agent prompts)
            reply = self.responder(last_user)
            if reply is not None:
                return reply
        if self.default_reply is not None:
            return Reply(text=self.default_reply)
        return Reply(text=f"echo: {last_user}")

    def _answer(self, flavour: str, rest: str, body: Any, fault: Fault | None) -> tuple[bool, list[str], Any]:
        if not isinstance(body, dict):
            raise _BadRequestError(400, "body must be a JSON object")
        try:
            return self._route(flavour, rest, body, fault)
        except RefusedError as exc:
            raise _BadRequestError(exc.status, exc.message) from None

    def _route(
        self, flavour: str, rest: str, body: dict[str, Any], fault: Fault | None
    ) -> tuple[bool, list[str], Any]:
        if flavour == "anthropic" and rest == "/v1/messages":
            return self._anthropic(body, fault)
        if flavour == "gemini" and rest.startswith("/v1beta/models/"):
            model, _, action = rest.removeprefix("/v1beta/models/").partition(":")
            return self._gemini(model, action, body, fault)
        if rest in ("/v1/chat/completions", "/chat/completions") and (
            flavour == "openai" or flavour in COMPAT
        ):
            return self._chat(flavour, body, fault)
        if flavour == "openai" and rest == "/v1/responses":
            return self._responses(body, fault)
        raise _BadRequestError(404, f"no route {flavour}{rest}")

    @staticmethod
    def _signature(text: str) -> str:
        return "sig-" + hashlib.sha256(text.encode()).hexdigest()[:16]

    # Anthropic ------------------------------------------------------------------------------------

    def _anthropic(self, body: dict[str, Any], fault: Fault | None) -> tuple[bool, list[str], Any]:
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                raise _BadRequestError(400, f"{name}: Field required")
        check_anthropic(body)
        thinking = body.get("thinking")
        if isinstance(thinking, dict) and thinking.get("type") == "enabled":
            budget = thinking.get("budget_tokens", 0)
            if budget < 1024 or budget >= body["max_tokens"]:
                raise _BadRequestError(400, "thinking.budget_tokens must be >= 1024 and < max_tokens")
        last_user = ""
        previous_tool_ids: set[str] = set()
        for message in body["messages"]:
            role = message.get("role")
            if role not in ("user", "assistant"):
                raise _BadRequestError(400, f"messages: unexpected role {role!r}")
            content = message["content"]
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            if role == "assistant":
                previous_tool_ids = {b["id"] for b in blocks if b.get("type") == "tool_use"}
                for block in blocks:
                    if block.get("type") == "thinking" and not block.get("signature"):
                        raise _BadRequestError(400, "thinking blocks must keep their signature")
            else:
                for block in blocks:
                    if block.get("type") == "tool_result":
                        if block.get("tool_use_id") not in previous_tool_ids:
                            raise _BadRequestError(
                                400, f"tool_result {block.get('tool_use_id')} has no tool_use"
                            )
                    elif block.get("type") == "text":
                        last_user = block["text"]
                previous_tool_ids = set()
        reply = self._reply_for(last_user)
        content: list[dict[str, Any]] = []
        if reply.reasoning:
            content.append(
                {
                    "type": "thinking",
                    "thinking": reply.reasoning,
                    "signature": self._signature(reply.reasoning),
                }
            )
            content.append({"type": "redacted_thinking", "data": "ENCRYPTED-BLOB"})
        if reply.text:
            content.append({"type": "text", "text": reply.text, "citations": None})
        content.append({"type": "future_block_type", "payload": {"x": 1}})
        for index, (name, args) in enumerate(reply.tool_calls):
            content.append({"type": "tool_use", "id": f"toolu_{index:02d}", "name": name, "input": args})
        stop = "max_tokens" if reply.stop == "max_tokens" else "tool_use" if reply.tool_calls else "end_turn"
        cache_read, cache_write = self.cache.anthropic(body)
        usage = {
            "input_tokens": max(0, len(json.dumps(body)) // 4 - cache_read - cache_write),
            "output_tokens": len(reply.text) // 4 + 1,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
            "service_tier": "standard",
        }
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body["model"] + "-20250929",
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
            **EXTRA,
        }
        if not body.get("stream"):
            return False, [], message
        events: list[str] = ["\n\n"]

        def event(name: str, data: dict[str, Any]) -> None:
            events.append(f"event: {name}\ndata: {json.dumps(data)}\n\n")

        event(
            "message_start",
            {
                "type": "message_start",
                "message": {**message, "content": [], "stop_reason": None, "usage": usage},
            },
        )
        event("ping", {"type": "ping"})
        for index, block in enumerate(content):
            if block["type"] == "text":
                event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
                half = len(block["text"]) // 2
                for piece in (block["text"][:half], block["text"][half:]):
                    event(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "text_delta", "text": piece},
                        },
                    )
            elif block["type"] == "thinking":
                event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "thinking", "thinking": ""},
                    },
                )
                event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "thinking_delta", "thinking": block["thinking"]},
                    },
                )
                event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "signature_delta", "signature": block["signature"]},
                    },
                )
            elif block["type"] == "tool_use":
                raw = block["input"] if isinstance(block["input"], str) else json.dumps(block["input"])
                event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": block["id"],
                            "name": block["name"],
                            "input": {},
                        },
                    },
                )
                half = len(raw) // 2
                for piece in (raw[:half], raw[half:]):
                    event(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
            else:
                event(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": block},
                )
            event("content_block_stop", {"type": "content_block_stop", "index": index})
        if fault is not None and fault.kind == "stream_error":
            event(
                "error",
                {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            )
            return True, events, None
        event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
        event("message_stop", {"type": "message_stop"})
        return True, events, None

    # OpenAI chat and compatibles ----------------------------------------------------------------

    def _chat(self, flavour: str, body: dict[str, Any], fault: Fault | None) -> tuple[bool, list[str], Any]:
        for name in ("model", "messages"):
            if name not in body:
                raise _BadRequestError(400, f"'{name}' is a required property")
        if flavour == "openai":
            check_openai(body, responses=False)
        else:
            check_compatible(flavour, body)
        last_user = ""
        pending: set[str] = set()
        for message in body["messages"]:
            role = message.get("role")
            if role == "tool":
                if message.get("tool_call_id") not in pending:
                    raise _BadRequestError(
                        400, "messages with role 'tool' must be a response to a preceding tool_calls"
                    )
                pending.discard(message["tool_call_id"])
                continue
            if pending:
                raise _BadRequestError(400, "an assistant message with tool_calls must be answered")
            if role == "user":
                last_user = message["content"]
            elif role == "assistant":
                for call in message.get("tool_calls") or []:
                    if not isinstance(call["function"]["arguments"], str):
                        raise _BadRequestError(400, "function.arguments must be a string")
                    pending.add(call["id"])
                if flavour == "deepseek" and message.get("tool_calls") and "reasoning_content" not in message:
                    raise _BadRequestError(
                        400, "reasoning_content is required on assistant turns with tool calls"
                    )
            elif role not in ("system", "developer"):
                raise _BadRequestError(400, f"unknown role {role!r}")
        reply = self._reply_for(last_user)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.reasoning:
            if reply.think_tag:
                message["content"] = f"<think>{reply.reasoning}</think>{reply.text}"
            elif flavour == "together":
                message["reasoning"] = reply.reasoning
                message["reasoning_content"] = reply.reasoning
            elif flavour in ("deepseek", "xai"):
                message["reasoning_content"] = reply.reasoning
            elif flavour in ("openrouter", "vllm", "ollama"):
                message["reasoning"] = reply.reasoning
        calls = [
            {
                "id": f"call_{index:02d}",
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
            for index, (name, args) in enumerate(reply.tool_calls)
        ]
        if calls:
            message["tool_calls"] = calls
        if reply.stop == "max_tokens":
            finish = "length"
        elif calls:
            finish = "tool_calls"
        else:
            finish = "eos" if flavour == "together" else "stop"
        prompt_tokens = len(json.dumps(body)) // 4
        cached = 0
        if flavour in ("openai", "deepseek", "xai"):
            cached = self.cache.automatic(
                flavour,
                body["model"],
                stable_prefix(body["messages"], body.get("tools")),
                key=body.get("prompt_cache_key"),
                minimum=64 if flavour == "deepseek" else 1024,
                step=128 if flavour == "openai" else 1,
            )
        usage: dict[str, Any] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(reply.text) // 4 + 1,
            "total_tokens": 0,
            "prompt_tokens_details": {"cached_tokens": min(cached, prompt_tokens)},
            "completion_tokens_details": {"reasoning_tokens": len(reply.reasoning) // 4},
        }
        if flavour == "deepseek":
            usage["prompt_cache_hit_tokens"] = min(cached, prompt_tokens)
            usage["prompt_cache_miss_tokens"] = prompt_tokens - usage["prompt_cache_hit_tokens"]
        if flavour == "openrouter":
            usage["cost"] = 0.0001
        choice: dict[str, Any] = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        if flavour == "vllm":
            choice["stop_reason"] = None
            choice["token_ids"] = None
        if flavour == "openrouter":
            choice["native_finish_reason"] = finish
        data = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1727346182,
            "model": body["model"],
            "choices": [choice],
            "usage": usage,
            "system_fingerprint": "fp_ollama" if flavour == "ollama" else "fp_fake",
            **EXTRA,
        }
        if flavour == "together":
            data["warnings"] = []
        if not body.get("stream"):
            return False, [], data
        chunks: list[str] = []
        if flavour == "deepseek":
            chunks += ["\n\n", ": keep-alive\n\n", ": keep-alive\n\n"]
        if flavour == "openrouter":
            chunks += [": OPENROUTER PROCESSING\n\n"]

        def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> None:
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "model": body["model"],
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
                "usage": None,
                **extra,
            }
            chunks.append(f"data: {json.dumps(payload)}\n\n")

        chunk({"role": "assistant", "content": ""})
        for fieldname in ("reasoning", "reasoning_content"):
            if message.get(fieldname):
                text = message[fieldname]
                chunk({fieldname: text[: len(text) // 2]})
                chunk({fieldname: text[len(text) // 2 :]})
        content = message.get("content") or ""
        for piece in (content[: len(content) // 2], content[len(content) // 2 :]):
            if piece:
                chunk({"content": piece})
        if flavour == "openrouter":
            chunks.append(": OPENROUTER PROCESSING\n\n")
        for index, call in enumerate(calls):
            arguments = call["function"]["arguments"]
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["function"]["name"], "arguments": ""},
                        }
                    ]
                }
            )
            for piece in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]):
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        if fault is not None and fault.kind == "stream_error":
            error = {"message": "The server had an error while processing", "type": "server_error"}
            if flavour == "openrouter":
                error = {"code": 502, "message": "Provider disconnected"}
            chunks.append(f"data: {json.dumps({'error': error})}\n\n")
            return True, chunks, None
        chunk({}, finish)
        usage_chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "choices": [],
            "usage": usage,
        }
        chunks.append(f"data: {json.dumps(usage_chunk)}\n\n")
        chunks.append("data: [DONE]\n\n")
        return True, chunks, None

    # OpenAI Responses ------------------------------------------------------------------------

    def _responses(self, body: dict[str, Any], fault: Fault | None) -> tuple[bool, list[str], Any]:
        if "model" not in body:
            raise _BadRequestError(400, "model is required")
        check_openai(body, responses=True)
        items = body.get("input")
        items = [{"role": "user", "content": items}] if isinstance(items, str) else items or []
        last_user = ""
        calls: set[str] = set()
        for item in items:
            if item.get("type") == "function_call":
                calls.add(item["call_id"])
            elif item.get("type") == "function_call_output":
                if item.get("call_id") not in calls:
                    raise _BadRequestError(
                        400, f"No tool call found for function call output {item.get('call_id')}"
                    )
            elif item.get("type") == "reasoning":
                if "encrypted_content" not in item:
                    raise _BadRequestError(400, "reasoning item without encrypted_content (store=false)")
            elif item.get("role") == "user":
                last_user = item["content"]
        reply = self._reply_for(last_user)
        output: list[dict[str, Any]] = []
        if reply.reasoning:
            output.append(
                {
                    "type": "reasoning",
                    "id": "rs_01",
                    "summary": [{"type": "summary_text", "text": reply.reasoning}],
                    "encrypted_content": "gAAAA-encrypted",
                }
            )
        if reply.text:
            output.append(
                {
                    "type": "message",
                    "id": "msg_01",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
                }
            )
        output.append({"type": "web_search_call_future", "id": "ws_01"})
        for index, (name, args) in enumerate(reply.tool_calls):
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{index:02d}",
                    "call_id": f"call_{index:02d}",
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                    "status": "completed",
                }
            )
        incomplete = reply.stop == "max_tokens"
        data = {
            "id": "resp_fake",
            "object": "response",
            "created_at": 1754925861,
            "status": "incomplete" if incomplete else "completed",
            "model": body["model"],
            "error": None,
            "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
            "output": output,
            "usage": {
                "input_tokens": len(json.dumps(body)) // 4,
                "input_tokens_details": {
                    "cached_tokens": self.cache.automatic(
                        "openai-responses",
                        body["model"],
                        [body.get("tools"), body.get("instructions"), items[:1]],
                        key=body.get("prompt_cache_key"),
                        step=128,
                    )
                },
                "output_tokens": len(reply.text) // 4 + 1,
                "output_tokens_details": {"reasoning_tokens": len(reply.reasoning) // 4},
                "total_tokens": 0,
            },
            **EXTRA,
        }
        if not body.get("stream"):
            return False, [], data
        events: list[str] = []
        sequence = 0

        def event(name: str, payload: dict[str, Any]) -> None:
            nonlocal sequence
            sequence += 1
            events.append(
                f"event: {name}\ndata: {json.dumps({'type': name, 'sequence_number': sequence, **payload})}\n\n"
            )

        event("response.created", {"response": {**data, "status": "in_progress", "output": []}})
        for item in output:
            event("response.output_item.done", {"item": item})
        if fault is not None and fault.kind == "stream_error":
            event("error", {"code": "server_error", "message": "stream failed", "param": None})
            return True, events, None
        final = "response.incomplete" if incomplete else "response.completed"
        event(final, {"response": data})
        return True, events, None

    # Gemini ---------------------------------------------------------------------------------------

    def _gemini(
        self, model: str, action: str, body: dict[str, Any], fault: Fault | None
    ) -> tuple[bool, list[str], Any]:
        contents = body.get("contents")
        if not contents:
            raise _BadRequestError(400, "contents is not specified")
        check_gemini(model, body)
        last_user = ""
        called: set[str] = set()
        for content in contents:
            role = content.get("role")
            if role not in ("user", "model", "tool", "function"):
                raise _BadRequestError(400, f"Please use a valid role: user, model (got {role!r})")
            for part in content.get("parts") or []:
                if "functionCall" in part:
                    called.add(part["functionCall"]["name"])
                elif "functionResponse" in part:
                    if part["functionResponse"]["name"] not in called:
                        raise _BadRequestError(400, "functionResponse without a matching functionCall")
                elif "text" in part and role == "user":
                    last_user = part["text"]
        reply = self._reply_for(last_user)
        parts: list[dict[str, Any]] = []
        if reply.reasoning:
            parts.append({"text": reply.reasoning, "thought": True})
        if reply.text:
            parts.append({"text": reply.text})
        parts.append({"executableCode": {"language": "PYTHON", "code": "print(1)"}})
        for name, args in reply.tool_calls:
            parts.append(
                {
                    "functionCall": {"name": name, "args": args},
                    "thoughtSignature": self._signature(name),
                }
            )
        finish = "MAX_TOKENS" if reply.stop == "max_tokens" else "STOP"
        usage = {
            "promptTokenCount": len(json.dumps(body)) // 4,
            "candidatesTokenCount": len(reply.text) // 4 + 1,
            "thoughtsTokenCount": len(reply.reasoning) // 4,
            "cachedContentTokenCount": self.cache.automatic(
                "gemini",
                model,
                [body.get("tools"), body.get("systemInstruction"), contents[:1]],
                minimum=2048 if "pro" in model else 1024,
            ),
            "totalTokenCount": 0,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1}],
        }
        data = {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
            ],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": "resp-gemini-fake",
            **EXTRA,
        }
        if action == "generateContent":
            return False, [], data
        if action != "streamGenerateContent":
            raise _BadRequestError(404, f"unknown action {action}")
        chunks = []
        for part in parts:
            piece = {"candidates": [{"content": {"role": "model", "parts": [part]}, "index": 0}]}
            if "text" in part and len(part["text"]) > 1:
                half = len(part["text"]) // 2
                for text in (part["text"][:half], part["text"][half:]):
                    sub = {**part, "text": text}
                    chunks.append(
                        "data: "
                        + json.dumps({"candidates": [{"content": {"role": "model", "parts": [sub]}}]})
                        + "\r\n\r\n"
                    )
            else:
                chunks.append(f"data: {json.dumps(piece)}\r\n\r\n")
        if fault is not None and fault.kind == "stream_error":
            chunks.append(json.dumps(error_body("gemini", 503, "The model is overloaded")) + "\n\n")
            return True, chunks, None
        final = {
            "candidates": [{"content": {"role": "model", "parts": []}, "finishReason": finish, "index": 0}],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": "resp-gemini-fake",
        }
        chunks.append(f"data: {json.dumps(final)}\r\n\r\n")
        return True, chunks, None

    # Batch APIs -------------------------------------------------------------------------------------
    #
    # Anthropic Message Batches, the OpenAI Batch API (files + batches) and Gemini batch mode, with the
    # documented limits, custom id rules, statuses and result shapes. Each request of a batch is answered
    # by the same handler as an online request (so every validation applies; a refused request becomes an
    # errored result), when the batch ends: after ``batch_polls`` polls of its status.

    def _batch_route(
        self, method: str, flavour: str, rest: str, headers: dict[str, str], raw: bytes, body: Any
    ) -> tuple[bytes, str] | None:
        if flavour == "anthropic" and rest.startswith("/v1/messages/batches"):
            return self._anthropic_batches(method, rest.removeprefix("/v1/messages/batches"), raw, body)
        if flavour == "openai" and (rest.startswith(("/v1/files", "/v1/batches"))):
            return self._openai_batches(method, rest.removeprefix("/v1"), headers, raw, body)
        if flavour == "gemini" and (
            rest.endswith(":batchGenerateContent") or rest.startswith("/v1beta/batches/")
        ):
            return self._gemini_batches(method, rest, raw, body)
        return None

    def _new_batch(
        self, vendor: str, prefix: str, items: list[tuple[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        self._counter += 1
        batch_id = f"{prefix}{self._counter:06d}{hashlib.sha256(str(time.time()).encode()).hexdigest()[:8]}"
        batch = {
            "vendor": vendor,
            "id": batch_id,
            "created": time.time(),
            "polls": 0,
            "items": items,
            "results": None,
            "canceled": False,
            **extra,
        }
        self.batches[batch_id] = batch
        return batch

    def _batch_get(self, flavour: str, batch_id: str) -> dict[str, Any]:
        batch = self.batches.get(batch_id)
        if batch is None or batch["vendor"] != flavour:
            raise _BadRequestError(404, f"batch {batch_id} not found")
        return batch

    def _advance(self, batch: dict[str, Any]) -> bool:
        """Count a poll; process the batch once it is due (or expired). Whether it has ended."""
        if batch["results"] is not None:
            return True
        batch["polls"] += 1
        expired = time.time() - batch["created"] > self.batch_ttl
        if batch["polls"] > self.batch_polls or expired or batch["canceled"]:
            outcome = "expired" if expired else "canceled" if batch["canceled"] else None
            batch["results"] = [self._process(batch, cid, req, outcome) for cid, req in batch["items"]]
            batch["ended"] = time.time()
            return True
        return False

    def _process(self, batch: dict[str, Any], cid: str, request: Any, outcome: str | None) -> dict[str, Any]:
        outcome = outcome or (self.batch_item_faults.popleft() if self.batch_item_faults else None)
        if outcome is not None:
            return {"custom_id": cid, "outcome": outcome}
        vendor = batch["vendor"]
        try:
            if not isinstance(request, dict):
                raise _BadRequestError(400, "the request must be a JSON object")
            if vendor == "anthropic":
                if request.get("stream"):
                    raise _BadRequestError(400, "stream: batch requests cannot be streamed")
                _, _, data = self._route("anthropic", "/v1/messages", request, None)
                data["usage"]["service_tier"] = "batch"
            elif vendor == "openai":
                if request.get("stream"):
                    raise _BadRequestError(400, "stream: batch requests cannot be streamed")
                _, _, data = self._route("openai", batch["endpoint"], request, None)
            else:
                _, _, data = self._gemini(batch["model"], "generateContent", request, None)
        except RefusedError as exc:
            return {"custom_id": cid, "outcome": "errored", "status": exc.status, "message": exc.message}
        except _BadRequestError as exc:
            return {"custom_id": cid, "outcome": "errored", "status": exc.status, "message": exc.message}
        return {"custom_id": cid, "outcome": "succeeded", "data": data}

    def _counts(self, batch: dict[str, Any]) -> dict[str, int]:
        results = batch["results"] or []
        return {
            k: sum(1 for r in results if r["outcome"] == k)
            for k in ("succeeded", "errored", "canceled", "expired")
        }

    # Anthropic

    def _anthropic_batches(self, method: str, tail: str, raw: bytes, body: Any) -> tuple[bytes, str]:
        if tail == "" and method == "POST":
            if len(raw) > 256 * MB:
                raise _BadRequestError(413, "a batch may be at most 256 MB")
            requests = body.get("requests") if isinstance(body, dict) else None
            if not isinstance(requests, list) or not requests:
                raise _BadRequestError(400, "requests: a non-empty list is required")
            if len(requests) > 100_000:
                raise _BadRequestError(400, "requests: at most 100,000 requests per batch")
            seen: set[str] = set()
            items = []
            for i, r in enumerate(requests):
                cid = r.get("custom_id") if isinstance(r, dict) else None
                if not isinstance(cid, str) or not _CUSTOM_ID.match(cid):
                    raise _BadRequestError(400, f"requests.{i}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$")
                if cid in seen:
                    raise _BadRequestError(400, f"requests.{i}.custom_id: {cid} is not unique in the batch")
                if not isinstance(r.get("params"), dict):
                    raise _BadRequestError(400, f"requests.{i}.params: Field required")
                seen.add(cid)
                items.append((cid, r["params"]))
            batch = self._new_batch("anthropic", "msgbatch_", items)
            return json.dumps(self._anthropic_batch(batch)).encode(), "application/json"
        parts = tail.strip("/").split("/")
        if method != "GET" and not (len(parts) == 2 and parts[1] == "cancel" and method == "POST"):
            raise _BadRequestError(405, f"{method} is not allowed here")
        batch = self._batch_get("anthropic", parts[0])
        if len(parts) == 1:
            self._advance(batch)
            return json.dumps(self._anthropic_batch(batch)).encode(), "application/json"
        if parts[1] == "cancel":
            batch["canceled"] = True
            return json.dumps(self._anthropic_batch(batch)).encode(), "application/json"
        if parts[1] != "results":
            raise _BadRequestError(404, f"no route {tail}")
        if batch["results"] is None:
            raise _BadRequestError(
                400, f"batch {batch['id']} is still in progress: results are available once it ended"
            )
        lines = []
        for r in reversed(batch["results"]):  # unordered, as documented
            if r["outcome"] == "succeeded":
                result: dict[str, Any] = {"type": "succeeded", "message": r["data"]}
            elif r["outcome"] == "errored":
                result = {
                    "type": "errored",
                    "error": error_body("anthropic", r.get("status", 400), r.get("message", "injected")),
                }
            else:
                result = {"type": r["outcome"]}
            lines.append(json.dumps({"custom_id": r["custom_id"], "result": result}))
        return ("\n".join(lines) + "\n").encode(), "application/binary"

    def _anthropic_batch(self, batch: dict[str, Any]) -> dict[str, Any]:
        ended = batch["results"] is not None
        counts = self._counts(batch)
        status = "ended" if ended else "canceling" if batch["canceled"] else "in_progress"
        return {
            "id": batch["id"],
            "type": "message_batch",
            "processing_status": status,
            "request_counts": {"processing": 0 if ended else len(batch["items"]), **counts},
            "created_at": _rfc3339(batch["created"]),
            "expires_at": _rfc3339(batch["created"] + 24 * 3600),
            "ended_at": _rfc3339(batch["ended"]) if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": (
                f"http://127.0.0.1:{self.port}/anthropic/v1/messages/batches/{batch['id']}/results"
                if ended
                else None
            ),
        }

    # OpenAI

    def _openai_batches(
        self, method: str, tail: str, headers: dict[str, str], raw: bytes, body: Any
    ) -> tuple[bytes, str]:
        if tail == "/files" and method == "POST":
            fields = _multipart(headers, raw)
            if fields.get("purpose") != b"batch":
                raise _BadRequestError(400, "purpose: 'batch' is required for batch input files")
            if "file" not in fields:
                raise _BadRequestError(400, "file: Field required")
            if len(fields["file"]) > 200 * MB:
                raise _BadRequestError(400, "file: a batch input file may be at most 200 MB")
            self._counter += 1
            file_id = f"file-{self._counter:06d}"
            self.files[file_id] = fields["file"]
            info = {
                "id": file_id,
                "object": "file",
                "bytes": len(fields["file"]),
                "purpose": "batch",
                "filename": "batch.jsonl",
                "created_at": int(time.time()),
            }
            return json.dumps(info).encode(), "application/json"
        if tail.startswith("/files/") and tail.endswith("/content") and method == "GET":
            file_id = tail.removeprefix("/files/").removesuffix("/content")
            if file_id not in self.files:
                raise _BadRequestError(404, f"No such File object: {file_id}")
            return self.files[file_id], "application/octet-stream"
        if tail == "/batches" and method == "POST":
            if not isinstance(body, dict):
                raise _BadRequestError(400, "body must be a JSON object")
            endpoint = body.get("endpoint")
            if endpoint not in ("/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/completions"):
                raise _BadRequestError(400, f"endpoint: unsupported value {endpoint!r}")
            if body.get("completion_window") != "24h":
                raise _BadRequestError(400, "completion_window: only '24h' is supported")
            content = self.files.get(str(body.get("input_file_id")))
            if content is None:
                raise _BadRequestError(404, f"No such File object: {body.get('input_file_id')}")
            items, errors = [], []
            seen: set[str] = set()
            for line_no, line in enumerate(content.decode().splitlines(), start=1):
                try:
                    item = json.loads(line)
                except ValueError:
                    errors.append(
                        {"code": "invalid_json_line", "line": line_no, "message": "not JSON", "param": None}
                    )
                    continue
                cid = item.get("custom_id")
                if not isinstance(cid, str) or not cid or cid in seen:
                    errors.append(
                        {
                            "code": "duplicate_custom_id" if cid in seen else "missing_custom_id",
                            "line": line_no,
                            "message": "custom_id must be unique",
                            "param": "custom_id",
                        }
                    )
                elif item.get("method") != "POST" or item.get("url") != endpoint:
                    errors.append(
                        {
                            "code": "mismatched_endpoint",
                            "line": line_no,
                            "message": f"url must be {endpoint}",
                            "param": "url",
                        }
                    )
                else:
                    seen.add(cid)
                    items.append((cid, item.get("body")))
            if len(items) > 50_000:
                errors.append(
                    {
                        "code": "too_many_requests",
                        "line": None,
                        "message": "at most 50,000 requests",
                        "param": None,
                    }
                )
            batch = self._new_batch(
                "openai",
                "batch_",
                items,
                endpoint=endpoint,
                input_file_id=body["input_file_id"],
                errors=errors,
            )
            return json.dumps(self._openai_batch(batch)).encode(), "application/json"
        parts = tail.removeprefix("/batches/").split("/")
        if not tail.startswith("/batches/"):
            raise _BadRequestError(404, f"no route {tail}")
        batch = self._batch_get("openai", parts[0])
        if len(parts) == 2 and parts[1] == "cancel" and method == "POST":
            batch["canceled"] = True
        elif len(parts) == 1 and method == "GET":
            if not batch["errors"]:
                self._advance(batch)
        else:
            raise _BadRequestError(405, f"{method} {tail} is not allowed")
        return json.dumps(self._openai_batch(batch)).encode(), "application/json"

    def _openai_batch(self, batch: dict[str, Any]) -> dict[str, Any]:
        created = int(batch["created"])
        data: dict[str, Any] = {
            "id": batch["id"],
            "object": "batch",
            "endpoint": batch["endpoint"],
            "input_file_id": batch["input_file_id"],
            "completion_window": "24h",
            "created_at": created,
            "expires_at": created + 86400,
            "output_file_id": None,
            "error_file_id": None,
            "errors": None,
            "metadata": None,
            "request_counts": {"total": len(batch["items"]), "completed": 0, "failed": 0},
        }
        if batch["errors"]:
            data.update(
                status="failed", failed_at=created, errors={"object": "list", "data": batch["errors"]}
            )
            return data
        if batch["results"] is None:
            data["status"] = (
                "cancelling"
                if batch["canceled"]
                else ["validating", "in_progress", "finalizing"][min(2, batch["polls"])]
            )
            return data
        out, err = [], []
        for r in batch["results"]:
            line: dict[str, Any] = {"id": f"batch_req_{r['custom_id']}", "custom_id": r["custom_id"]}
            if r["outcome"] == "succeeded":
                line.update(
                    response={"status_code": 200, "request_id": "req_fake", "body": r["data"]}, error=None
                )
                out.append(json.dumps(line))
            elif r["outcome"] == "errored":
                status = r.get("status", 400)
                line.update(
                    response={
                        "status_code": status,
                        "request_id": "req_fake",
                        "body": error_body("openai", status, r.get("message", "injected")),
                    },
                    error=None,
                )
                err.append(json.dumps(line))
            # expired and canceled requests have no line: they are missing from the output
        for name, lines in (("output_file_id", out), ("error_file_id", err)):
            if lines:
                self._counter += 1
                file_id = f"file-{self._counter:06d}"
                self.files[file_id] = ("\n".join(lines) + "\n").encode()
                batch.setdefault(name, file_id)
            data[name] = batch.get(name)
        counts = self._counts(batch)
        data["request_counts"] = {
            "total": len(batch["items"]),
            "completed": counts["succeeded"],
            "failed": counts["errored"],
        }
        expired = any(r["outcome"] == "expired" for r in batch["results"])
        data["status"] = "cancelled" if batch["canceled"] else "expired" if expired else "completed"
        data["completed_at"] = int(batch["ended"])
        return data

    # Gemini

    def _gemini_batches(self, method: str, rest: str, raw: bytes, body: Any) -> tuple[bytes, str]:
        if rest.endswith(":batchGenerateContent"):
            if method != "POST":
                raise _BadRequestError(405, "batchGenerateContent takes POST")
            model = rest.removeprefix("/v1beta/models/").removesuffix(":batchGenerateContent")
            if len(raw) > 20 * MB:
                raise _BadRequestError(400, "inline batch requests may be at most 20 MB; use a file")
            try:
                requests = body["batch"]["input_config"]["requests"]["requests"]
            except (KeyError, TypeError):
                raise _BadRequestError(400, "batch.input_config.requests.requests is required") from None
            if not isinstance(requests, list) or not requests:
                raise _BadRequestError(400, "batch.input_config.requests.requests must not be empty")
            items = []
            for i, r in enumerate(requests):
                if not isinstance(r, dict) or not isinstance(r.get("request"), dict):
                    raise _BadRequestError(400, f"requests[{i}].request is required")
                key = (r.get("metadata") or {}).get("key", str(i))
                items.append((str(key), r["request"]))
            batch = self._new_batch(
                "gemini", "batches/", items, model=model, display=body["batch"].get("display_name", "")
            )
            return json.dumps(self._gemini_batch(batch)).encode(), "application/json"
        if method != "GET":
            raise _BadRequestError(405, f"{method} is not allowed here")
        batch = self._batch_get("gemini", rest.removeprefix("/v1beta/"))
        self._advance(batch)
        return json.dumps(self._gemini_batch(batch)).encode(), "application/json"

    def _gemini_batch(self, batch: dict[str, Any]) -> dict[str, Any]:
        ended = batch["results"] is not None
        results = batch["results"] or []
        expired = any(r["outcome"] == "expired" for r in results)
        state = (
            ("BATCH_STATE_EXPIRED" if expired else "BATCH_STATE_SUCCEEDED")
            if ended
            else ("BATCH_STATE_PENDING" if batch["polls"] == 0 else "BATCH_STATE_RUNNING")
        )
        meta = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": f"models/{batch['model']}",
            "displayName": batch["display"],
            "name": batch["id"],
            "createTime": _rfc3339(batch["created"]),
            "state": state,
            "batchStats": {
                "requestCount": str(len(batch["items"])),
                "pendingRequestCount": "0" if ended else str(len(batch["items"])),
            },
        }
        data: dict[str, Any] = {"name": batch["id"], "metadata": meta}
        if ended and not expired:
            inlined = []
            for r in results:
                if r["outcome"] == "succeeded":
                    inlined.append({"response": r["data"], "metadata": {"key": r["custom_id"]}})
                elif r["outcome"] == "errored":
                    err = error_body("gemini", r.get("status", 400), r.get("message", "injected"))["error"]
                    inlined.append({"error": err, "metadata": {"key": r["custom_id"]}})
                else:  # a request canceled or past its deadline: the google.rpc codes
                    code, status = (
                        (499, "CANCELLED") if r["outcome"] == "canceled" else (504, "DEADLINE_EXCEEDED")
                    )
                    err = {"code": code, "message": f"the request was {r['outcome']}", "status": status}
                    inlined.append({"error": err, "metadata": {"key": r["custom_id"]}})
            data.update(
                done=True,
                response={
                    "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
                    "inlinedResponses": {"inlinedResponses": inlined},
                },
            )
        elif ended:
            data.update(done=True, error={"code": 4, "message": "the batch expired before it finished"})
        return data


_CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MB = 1024 * 1024


def _rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _multipart(headers: dict[str, str], raw: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body (strict: a boundary is required)."""
    ctype = headers.get("content-type", "")
    match = re.search(r"boundary=([^;]+)", ctype)
    if not ctype.startswith("multipart/form-data") or match is None:
        raise _BadRequestError(400, "files must be uploaded as multipart/form-data with a boundary")
    boundary = b"--" + match.group(1).strip('"').encode()
    fields: dict[str, bytes] = {}
    for part in raw.split(boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name is None:
            raise _BadRequestError(400, "a multipart part has no name")
        fields[name.group(1).decode()] = content.removesuffix(b"\r\n")
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--reply-file", help="answer every request with this file's text instead of the echo")
    args = parser.parse_args()
    server = FakeVendorServer(latency=args.latency)
    server.record_requests = False
    if args.reply_file:
        with open(args.reply_file, encoding="utf-8") as handle:
            server.default_reply = handle.read()
    server.start()
    print(server.port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(
            f"fake server: {server._counter} requests, {server.connections} connections, "
            f"at most {server.max_in_flight} in flight",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
