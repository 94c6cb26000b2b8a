"""The vendors' batch APIs: Anthropic Message Batches, the OpenAI Batch API and Gemini batch mode.

A :class:`BatchAPI` wraps a vendor client (:class:`~scenariokit.providers.AnthropicProvider`,
``OpenAIChatProvider``/``OpenAIResponsesProvider``, ``GeminiProvider``) and uses its own code path to build
each request body (the request is fitted to the model's capabilities and carries its prompt-caching marks,
exactly as online) and to read each result (the same decoder as an online response). It submits a list of
``(custom_id, request)`` pairs as one batch, polls a batch's status, and downloads its results. It knows
nothing of studies or stores: ``scenariokit.experiment`` keeps the batch ids and results.

Limits (checked before anything is sent; :meth:`BatchAPI.chunks` cuts a list of requests to fit):

============ ================================== ==============================================
Vendor       Requests per batch                 Bytes per batch
============ ================================== ==============================================
Anthropic    100,000                            256 MB (the JSON body)
OpenAI       50,000                             200 MB (the JSONL input file)
Gemini       (no documented count)              20 MB (inline requests)
============ ================================== ==============================================

Custom ids must match ``[A-Za-z0-9_-]{1,64}`` and be unique within a batch (Anthropic's rule, the strictest).
A result that did not succeed (errored, expired, canceled, or missing from an ended batch) is returned as a
:class:`ProviderError`: a request the vendor refused keeps the vendor's error class; an expired, canceled or
missing one is a :class:`BatchItemError`, which is retryable.
"""

from __future__ import annotations

import json
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from scenariokit.providers._anthropic import AnthropicProvider
from scenariokit.providers._base import HTTPProvider, JSONDict, as_dict, encode_body, load_json
from scenariokit.providers._errors import BadRequestError, ProviderError, ResponseParseError
from scenariokit.providers._gemini import API_VERSION, GeminiProvider
from scenariokit.providers._openai import OpenAIChatProvider, OpenAIResponsesProvider
from scenariokit.providers._transport import HTTPCall
from scenariokit.providers._types import GenerateRequest, ModelResponse

CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What a custom id may be (Anthropic's rule, the strictest of the three vendors)."""

MB = 1024 * 1024


class BatchItemError(ProviderError):
    """A batch request that produced no result: it expired, was canceled, or its batch ended without it."""

    default_fix = "run again to resubmit it (finished samples are kept)"
    retryable = True


@dataclass(frozen=True)
class BatchStatus:
    """A batch's state, as read by a poll."""

    batch_id: str
    """The vendor's id (``msgbatch_...``, ``batch_...``, ``batches/...``)."""

    state: Literal["in_progress", "ended"]
    """``ended`` once the vendor will change nothing more (results can be downloaded)."""

    vendor_status: str
    """The vendor's own status word (``in_progress``, ``finalizing``, ``BATCH_STATE_RUNNING``, ...)."""

    data: Mapping[str, Any] = field(default_factory=dict)
    """The batch object as the vendor sent it (output file ids, results URL, inline results)."""


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one request of a batch: a response, or the error that replaced it."""

    custom_id: str
    """The request's custom id."""

    response: ModelResponse | None
    """The decoded response, when the request succeeded."""

    error: ProviderError | None = None
    """Why there is no response."""


_MALFORMED = (KeyError, TypeError, IndexError, ValueError, AttributeError, ArithmeticError)
"""What reading a result of an unexpected shape raises."""


class BatchAPI(ABC):
    """One vendor's batch API, over a vendor client (see the module notes)."""

    max_requests: int
    """Most requests in one batch."""

    max_bytes: int
    """Most bytes of one batch's payload."""

    def __init__(self, provider: HTTPProvider) -> None:
        self.provider = provider

    @property
    def name(self) -> str:
        """``provider/model`` of the client."""
        return self.provider.name

    def body(self, request: GenerateRequest) -> JSONDict:
        """The vendor request body of ``request``: fitted and encoded as an online call (never streamed)."""
        return self.provider.encode(self.provider.fit(request))

    def item_size(self, custom_id: str, body: JSONDict) -> int:
        """Bytes one request adds to a batch payload."""
        return len(self.line(custom_id, body)) + 1

    @abstractmethod
    def line(self, custom_id: str, body: JSONDict) -> bytes:
        """One request as the vendor's batch payload holds it."""

    def results_limit(self, max_tokens: int) -> int:
        """Most requests per batch whose results fit in one download.

        A batch's results come back as one body, which the transport bounds (``RetryPolicy.max_response_bytes``,
        64 MiB by default); each result may hold up to ``max_tokens`` tokens of output (counted here as 6 bytes
        each, JSON escaping included) and about 4 KB of envelope. Batches are cut so that three quarters of the
        bound suffice.
        """
        budget = int(self.provider.retry_policy.max_response_bytes * 0.75)
        return max(1, budget // (max(1, max_tokens) * 6 + 4096))

    def chunks(
        self, items: Sequence[tuple[str, JSONDict]], *, max_tokens: int = 0
    ) -> Iterator[list[tuple[str, JSONDict]]]:
        """Cut ``items`` into batches within the request and byte limits, in order.

        Args:
            items: ``(custom_id, body)`` pairs.
            max_tokens: The requests' output limit: when given, batches also stay within
                :meth:`results_limit`, so that their results can be downloaded.

        Raises:
            BadRequestError: If one request alone is larger than a batch may be.
        """
        most = min(self.max_requests, self.results_limit(max_tokens)) if max_tokens else self.max_requests
        chunk: list[tuple[str, JSONDict]] = []
        size = 0
        for custom_id, body in items:
            n = self.item_size(custom_id, body)
            if n > self.max_bytes - 1024:
                raise BadRequestError(
                    f"one request is {n:,} bytes, more than a batch may hold ({self.max_bytes:,} bytes)",
                    provider=self.provider.provider,
                    model=self.provider.model,
                    fix="run this study online (without --batch)",
                )
            if chunk and (len(chunk) >= most or size + n > self.max_bytes - 1024):
                yield chunk
                chunk, size = [], 0
            chunk.append((custom_id, body))
            size += n
        if chunk:
            yield chunk

    def _check(self, items: Sequence[tuple[str, JSONDict]]) -> None:
        seen: set[str] = set()
        for custom_id, _ in items:
            if not CUSTOM_ID.match(custom_id):
                raise ValueError(f"batch custom id {custom_id!r} must match [A-Za-z0-9_-]{{1,64}}")
            if custom_id in seen:
                raise ValueError(f"batch custom id {custom_id!r} is given twice in one batch")
            seen.add(custom_id)
        if len(items) > self.max_requests:
            raise ValueError(f"{len(items)} requests in one batch; at most {self.max_requests}")

    async def _call(
        self,
        method: str,
        url: str,
        *,
        body: bytes = b"",
        content_type: str = "application/json",
        parse: Callable[[bytes, httpx.Headers], Any] | None = None,
    ) -> Any:
        headers = {"accept": "application/json"}
        if method != "GET":
            headers["content-type"] = content_type
        headers.update(self.provider.auth_headers())
        headers.update(self.provider.extra_headers)
        call: HTTPCall[Any] = HTTPCall(
            url=url,
            headers=headers,
            body=body,
            parse=parse or self._json,
            classify=self.provider._classify,
            method=method,
        )
        result, _ = await self.provider._transport.execute(call)
        return result

    def _json(self, body: bytes, headers: httpx.Headers) -> JSONDict:
        p = self.provider
        return p._clean(body, load_json(body, provider=p.provider, model=p.model, request_id=None))

    def _decode(self, custom_id: str, data: object) -> BatchResult:
        """A succeeded result's response body, decoded as an online response would be."""
        p = self.provider
        try:
            if not isinstance(data, dict):
                raise TypeError("the result is not a JSON object")
            response = p.decode(p._clean(json.dumps(data).encode(), data), None)
        except (KeyError, TypeError, IndexError, ValueError, ArithmeticError) as exc:
            return BatchResult(
                custom_id,
                None,
                ResponseParseError(
                    f"batch result {custom_id} lacks an expected field ({type(exc).__name__}: {exc})",
                    provider=p.provider,
                    model=p.model,
                ),
            )
        return BatchResult(custom_id, response.model_copy(update={"provider": p.provider}))

    def _vendor_error(self, custom_id: str, status: int, data: object) -> BatchResult:
        p = self.provider
        body = data if isinstance(data, dict) else {}
        try:
            error = p.error_from_body(status, httpx.Headers(), body)
        except _MALFORMED:
            error = BadRequestError(
                f"batch request {custom_id} failed: {json.dumps(body)[:300]}",
                provider=p.provider,
                model=p.model,
            )
        return BatchResult(custom_id, None, error)

    def _malformed(self, custom_id: str, exc: Exception) -> BatchResult:
        p = self.provider
        return BatchResult(
            custom_id,
            None,
            ResponseParseError(
                f"batch result {custom_id} is malformed ({type(exc).__name__}: {exc})",
                provider=p.provider,
                model=p.model,
            ),
        )

    def _read_lines(
        self, lines: bytes, read: Callable[[str, JSONDict], BatchResult], found: dict[str, BatchResult]
    ) -> int:
        """Read each JSONL result line with ``read`` into ``found``; return how many lines could not be read at all.

        One malformed line fails only its own request (or, unreadable, leaves its request without a result),
        never the download: the same results come back at every poll, so the batch would never end.
        """
        unreadable = 0
        for raw in lines.splitlines():
            if not raw.strip():
                continue
            try:
                item = self._json(raw, httpx.Headers())
            except ResponseParseError:
                unreadable += 1
                continue
            cid = str(item.get("custom_id"))
            try:
                found[cid] = read(cid, item)
            except _MALFORMED as exc:
                found[cid] = self._malformed(cid, exc)
        return unreadable

    @staticmethod
    def _unread(unreadable: int) -> str:
        return f"; {unreadable} result line(s) could not be read" if unreadable else ""

    def _no_result(self, custom_id: str, why: str) -> BatchResult:
        p = self.provider
        return BatchResult(
            custom_id,
            None,
            BatchItemError(f"batch request {custom_id}: {why}", provider=p.provider, model=p.model),
        )

    @abstractmethod
    async def submit(self, items: Sequence[tuple[str, JSONDict]]) -> str:
        """Submit one batch of ``(custom_id, body)`` (within the limits); return the vendor's batch id."""

    @abstractmethod
    async def poll(self, batch_id: str) -> BatchStatus:
        """Read a batch's status."""

    @abstractmethod
    async def results(self, status: BatchStatus, custom_ids: Sequence[str]) -> list[BatchResult]:
        """Download an ended batch's results: one per custom id submitted (``custom_ids``, in order)."""


class AnthropicBatchAPI(BatchAPI):
    """Anthropic Message Batches (``/v1/messages/batches``): inline requests, JSONL results."""

    max_requests = 100_000
    max_bytes = 256 * MB

    def line(self, custom_id: str, body: JSONDict) -> bytes:
        """``{"custom_id", "params"}``."""
        return encode_body({"custom_id": custom_id, "params": body})

    async def submit(self, items: Sequence[tuple[str, JSONDict]]) -> str:
        """``POST /v1/messages/batches``."""
        self._check(items)
        payload = b'{"requests":[' + b",".join(self.line(c, b) for c, b in items) + b"]}"
        data = await self._call("POST", f"{self.provider.base_url}/v1/messages/batches", body=payload)
        return str(data["id"])

    async def poll(self, batch_id: str) -> BatchStatus:
        """``GET /v1/messages/batches/{id}``: ended when ``processing_status`` is ``ended``."""
        data = await self._call("GET", f"{self.provider.base_url}/v1/messages/batches/{batch_id}")
        status = str(data.get("processing_status"))
        return BatchStatus(batch_id, "ended" if status == "ended" else "in_progress", status, data)

    async def results(self, status: BatchStatus, custom_ids: Sequence[str]) -> list[BatchResult]:
        """``GET /v1/messages/batches/{id}/results`` (JSONL, unordered).

        The results URL is built from the client's base URL, never taken from the batch object, so the key
        is only ever sent to the configured host.
        """
        url = f"{self.provider.base_url}/v1/messages/batches/{status.batch_id}/results"
        lines = await self._call("GET", url, parse=lambda body, _h: body)

        def read(cid: str, item: JSONDict) -> BatchResult:
            result = item.get("result") or {}
            kind = result.get("type")
            if kind == "succeeded":
                return self._decode(cid, result.get("message"))
            if kind == "errored":
                return self._vendor_error(cid, 400, result.get("error"))
            return self._no_result(cid, f"the batch reports it {kind}")

        found: dict[str, BatchResult] = {}
        why = "the ended batch has no result for it" + self._unread(self._read_lines(lines, read, found))
        return [found.get(c) or self._no_result(c, why) for c in custom_ids]


class OpenAIBatchAPI(BatchAPI):
    """The OpenAI Batch API: a JSONL file uploaded to ``/files``, a batch created on ``/batches``, output files."""

    max_requests = 50_000
    max_bytes = 200 * MB
    TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
    """Statuses after which a batch changes no more."""

    def __init__(self, provider: OpenAIChatProvider) -> None:
        super().__init__(provider)
        self.endpoint = (
            "/v1/responses" if isinstance(provider, OpenAIResponsesProvider) else "/v1/chat/completions"
        )

    def line(self, custom_id: str, body: JSONDict) -> bytes:
        """``{"custom_id", "method", "url", "body"}``."""
        return encode_body({"custom_id": custom_id, "method": "POST", "url": self.endpoint, "body": body})

    async def submit(self, items: Sequence[tuple[str, JSONDict]]) -> str:
        """Upload the JSONL file (``POST /files``, purpose ``batch``), then ``POST /batches``."""
        self._check(items)
        jsonl = b"\n".join(self.line(c, b) for c, b in items) + b"\n"
        boundary = f"scenariokit-{secrets.token_hex(12)}"
        form = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="batch.jsonl"\r\n'
                "Content-Type: application/jsonl\r\n\r\n"
            ).encode()
            + jsonl
            + f"\r\n--{boundary}--\r\n".encode()
        )
        base = self.provider.base_url
        uploaded = await self._call(
            "POST", f"{base}/files", body=form, content_type=f"multipart/form-data; boundary={boundary}"
        )
        batch = await self._call(
            "POST",
            f"{base}/batches",
            body=encode_body(
                {"input_file_id": uploaded["id"], "endpoint": self.endpoint, "completion_window": "24h"}
            ),
        )
        return str(batch["id"])

    async def poll(self, batch_id: str) -> BatchStatus:
        """``GET /batches/{id}``: ended once completed, failed, expired or cancelled."""
        data = await self._call("GET", f"{self.provider.base_url}/batches/{batch_id}")
        status = str(data.get("status"))
        return BatchStatus(batch_id, "ended" if status in self.TERMINAL else "in_progress", status, data)

    async def results(self, status: BatchStatus, custom_ids: Sequence[str]) -> list[BatchResult]:
        """The output and error files (``GET /files/{id}/content``)."""

        def read(cid: str, item: JSONDict) -> BatchResult:
            response = item.get("response") or {}
            code = int(response.get("status_code") or 0)
            if item.get("error"):
                return self._vendor_error(cid, code or 400, {"error": item["error"]})
            if code == 200:
                return self._decode(cid, response.get("body"))
            return self._vendor_error(cid, code or 500, response.get("body"))

        found: dict[str, BatchResult] = {}
        unreadable = 0
        for key in ("output_file_id", "error_file_id"):
            file_id = status.data.get(key)
            if not file_id:
                continue
            url = f"{self.provider.base_url}/files/{file_id}/content"
            lines = await self._call("GET", url, parse=lambda body, _h: body)
            unreadable += self._read_lines(lines, read, found)
        why = f"the batch ended ({status.vendor_status}) without a result for it" + self._unread(unreadable)
        return [found.get(c) or self._no_result(c, why) for c in custom_ids]


class GeminiBatchAPI(BatchAPI):
    """Gemini batch mode (``models/{model}:batchGenerateContent``): inline requests and inline responses."""

    max_requests = 100_000
    max_bytes = 20 * MB
    TERMINAL = frozenset(
        {"BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"}
    )
    """States after which a batch changes no more."""

    def line(self, custom_id: str, body: JSONDict) -> bytes:
        """``{"request", "metadata": {"key"}}``."""
        return encode_body({"request": body, "metadata": {"key": custom_id}})

    async def submit(self, items: Sequence[tuple[str, JSONDict]]) -> str:
        """``POST /v1beta/models/{model}:batchGenerateContent``; the batch id is the operation's name."""
        self._check(items)
        p = self.provider
        requests = b"[" + b",".join(self.line(c, b) for c, b in items) + b"]"
        payload = (
            b'{"batch":{"display_name":"scenariokit","input_config":{"requests":{"requests":'
            + requests
            + b"}}}}"
        )
        data = await self._call(
            "POST", f"{p.base_url}/{API_VERSION}/models/{p.model}:batchGenerateContent", body=payload
        )
        return str(data["name"])

    async def poll(self, batch_id: str) -> BatchStatus:
        """``GET /v1beta/{batches/...}``: ended when ``done`` or in a final ``metadata.state``."""
        data = await self._call("GET", f"{self.provider.base_url}/{API_VERSION}/{batch_id}")
        state = str(as_dict(data.get("metadata")).get("state"))
        ended = bool(data.get("done")) or state in self.TERMINAL
        return BatchStatus(batch_id, "ended" if ended else "in_progress", state, data)

    async def results(self, status: BatchStatus, custom_ids: Sequence[str]) -> list[BatchResult]:
        """The inline responses of the operation (by ``metadata.key``, else in request order)."""
        inlined = as_dict(as_dict(as_dict(status.data).get("response")).get("inlinedResponses")).get(
            "inlinedResponses"
        )
        if not isinstance(inlined, list):
            inlined = []
        found: dict[str, BatchResult] = {}
        for position, item in enumerate(inlined):
            cid = custom_ids[position] if position < len(custom_ids) else ""
            try:
                key = (item.get("metadata") or {}).get("key")
                cid = str(key) if key else cid
                if "error" in item:
                    error = item["error"] or {}
                    if error.get("status") in ("CANCELLED", "DEADLINE_EXCEEDED"):
                        found[cid] = self._no_result(cid, f"the batch reports it {error['status'].lower()}")
                    else:
                        found[cid] = self._vendor_error(cid, int(error.get("code") or 500), {"error": error})
                else:
                    found[cid] = self._decode(cid, item.get("response"))
            except _MALFORMED as exc:  # one malformed response fails its own request, not the batch
                found[cid] = self._malformed(cid, exc)
        why = f"the batch ended ({status.vendor_status}) without a result for it"
        return [found.get(c) or self._no_result(c, why) for c in custom_ids]


def batch_api_for(provider: object) -> BatchAPI:
    """The batch API of a vendor client.

    Raises:
        ValueError: If the provider has no batch API here (OpenAI-compatible services, the simulator,
            recordings): the message names the ones that have.
    """
    if isinstance(provider, AnthropicProvider):
        return AnthropicBatchAPI(provider)
    if isinstance(provider, GeminiProvider):
        return GeminiBatchAPI(provider)
    if isinstance(provider, OpenAIChatProvider) and provider.provider == "openai":
        return OpenAIBatchAPI(provider)
    name = getattr(provider, "name", type(provider).__name__)
    raise ValueError(
        f"{name} has no batch API here; batch mode works with anthropic/, openai/ and gemini/ models: run this "
        "model without --batch (or leave batch: false in the design)"
    )
