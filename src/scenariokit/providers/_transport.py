"""The HTTP policy shared by every vendor: sharded connection pools, retries, timeouts, limits."""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import functools
import importlib.metadata
import logging
import math
import os
import random
import re
import ssl
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar, Union

import anyio
import anyio.lowlevel
import httpx

from scenariokit.providers import _limits
from scenariokit.providers._errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    QuotaExhaustedError,
    RateLimitError,
    ResponseParseError,
    ResponseTooLargeError,
    ServerError,
    TLSCertificateError,
)
from scenariokit.providers._secret import Secret, mask_url_credentials, redact
from scenariokit.providers._sse import SSEEvent, iter_sse

logger = logging.getLogger("scenariokit.providers")

T = TypeVar("T")

CONNECTIONS_PER_SHARD = 2
"""Connections per ``httpx.AsyncClient`` shard (see :class:`ClientPool` for the measurement)."""

MiB = 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"
"""The content codings asked for: the ones decoded here under the decompressed-size bound."""

try:
    USER_AGENT = f"scenariokit/{importlib.metadata.version('scenariokit')}"
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    USER_AGENT = "scenariokit"


VerifyTypes: TypeAlias = Union[bool, str, "os.PathLike[str]", ssl.SSLContext]
"""What ``verify=`` accepts: ``True``, ``False``, a CA bundle file or directory, or an SSL context."""


@functools.lru_cache(maxsize=16)
def _default_ssl_context(cert_file: str, cert_dir: str) -> ssl.SSLContext:
    # httpx.create_ssl_context reads SSL_CERT_FILE, then SSL_CERT_DIR, else certifi's bundle; the
    # cache key is those two variables, so changing them takes effect for the next provider.
    context = httpx.create_ssl_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


@functools.lru_cache(maxsize=16)
def _path_ssl_context(path: str) -> ssl.SSLContext:
    if os.path.isdir(path):
        context = ssl.create_default_context(capath=path)
    else:
        context = ssl.create_default_context(cafile=path)
    context.set_alpn_protocols(["http/1.1"])
    return context


def ssl_context_for(verify: VerifyTypes = True) -> ssl.SSLContext:
    """Return the TLS context for a provider's ``verify`` setting (like httpx's ``verify=``).

    Args:
        verify: ``True`` (the default) verifies against the CA bundle named by ``SSL_CERT_FILE``,
            else the directory named by ``SSL_CERT_DIR``, else certifi's bundle, exactly as httpx
            does; a path verifies against that CA bundle file (PEM) or hashed directory; an
            :class:`ssl.SSLContext` is used as given; ``False`` turns verification off (never do
            this against a real vendor: the API key would go to whoever answers).

    Returns:
        A client-side SSL context (shared between providers with the same setting).

    Raises:
        ValueError: The CA bundle cannot be read.
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True:
        cert_file = os.environ.get("SSL_CERT_FILE", "")
        cert_dir = os.environ.get("SSL_CERT_DIR", "")
        try:
            return _default_ssl_context(cert_file, cert_dir)
        except (OSError, ssl.SSLError) as exc:
            where = f"SSL_CERT_FILE={cert_file!r}" if cert_file else f"SSL_CERT_DIR={cert_dir!r}"
            raise ValueError(f"cannot load the CA certificates named by {where}: {exc}") from None
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["http/1.1"])
        return context
    path = os.fspath(verify)
    try:
        return _path_ssl_context(path)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load CA certificates from verify={path!r}: {exc}") from None


@dataclass(frozen=True)
class RetryPolicy:
    """How a provider retries, times out and bounds requests.

    Attributes:
        max_attempts: Most HTTP attempts per call (the first one included).
        initial_backoff: Base of the exponential backoff, in seconds.
        max_backoff: Cap of the exponential backoff, in seconds (full jitter draws in [0, cap]).
        max_retry_after: Longest ``retry-after`` honoured; a server asking for more is not retried.
        attempt_timeout: Seconds allowed for one attempt, from sending the request to the last
            byte of the response (overridden by ``GenerateConfig.timeout``). It is a deadline for
            the whole attempt, not a per-read timeout, so a server that drips a byte at a time
            still ends the attempt on time.
        total_timeout: Seconds allowed for the whole call, waits and retries included.
        connect_timeout: Seconds allowed to open a connection.
        max_response_bytes: Most bytes of one response body as received (before
            decompression; a whole stream when streaming). A longer body ends the attempt with
            :class:`ResponseTooLargeError`, which is not retried.
        max_decoded_bytes: Most bytes of one response body after decompression (``gzip`` or
            ``deflate``). Decompression stops as soon as it passes this, so a "gzip bomb" never
            expands in memory; it ends with :class:`ResponseTooLargeError`, not retried.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    attempt_timeout: float = 600.0
    total_timeout: float = 1800.0
    connect_timeout: float = 10.0
    max_response_bytes: int = 64 * MiB
    max_decoded_bytes: int = 64 * MiB

    def __post_init__(self) -> None:
        for name in ("max_response_bytes", "max_decoded_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"RetryPolicy.{name} must be a positive number of bytes, got {value!r}")

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Return the full-jitter delay before retry number ``retry_number`` (0 for the first)."""
        cap = min(self.max_backoff, self.initial_backoff * (2.0 ** min(retry_number, 30)))
        return (rng or random).uniform(0.0, cap)


def parse_retry_after(headers: httpx.Headers | dict[str, str], now: float | None = None) -> float | None:
    """Read the delay a server asked for from ``retry-after-ms`` or ``retry-after``.

    ``retry-after`` may be seconds (integer or decimal) or an HTTP-date.

    Args:
        headers: Response headers.
        now: Current POSIX time (for HTTP-dates); defaults to ``time.time()``.

    Returns:
        The delay in seconds (>= 0), or ``None`` when no usable header is present.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    value = lower.get("retry-after-ms")
    if value is not None:
        try:
            ms = float(value)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms) and ms >= 0:
            return ms / 1000.0
    value = lower.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def parse_duration(value: str) -> float | None:
    """Parse a protobuf Duration string such as ``"47s"`` or ``"45.837906927s"``."""
    text = value.strip()
    if not text.endswith("s"):
        return None
    try:
        seconds = float(text[:-1])
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def error_class_for_status(status: int) -> type[ProviderError]:
    """Return the exception class for an HTTP error status (before vendor-specific refinement)."""
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 402:
        return QuotaExhaustedError
    if status == 404:
        return NotFoundError
    if status == 408:
        return ProviderTimeoutError
    if status == 429:
        return RateLimitError
    if status == 409 or status >= 500:
        return ServerError
    return BadRequestError


class ClientPool:
    """Connections sharded over several ``httpx.AsyncClient`` s of a few (2) connections each.

    httpcore's connection pool spends time quadratic in the requests waiting inside it (it scans
    every connection for every pending request on each state change): on this library's workload
    (2,000 study-sized POSTs, 100 in flight, 200 ms latency) one ``AsyncClient`` with 100
    connections costs about 7 ms of CPU per request, clients of 20 connections 2.1 ms, and clients
    of 1 to 5 connections 1.1-1.2 ms (see ``docs/how-to/performance.md``). So each shard holds at most
    ``per_shard`` connections, and a request is only handed to a shard that has a free one
    (callers hold a concurrency slot before asking, so no request waits inside a shard). Shards
    are created lazily, as many as the requests in flight need, and belong to the event loop that
    created them.

    Everything else is httpx's own configuration: proxies from the environment (``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), the TLS context (``verify``), the connect
    timeout and keep-alive. Requests use HTTP/1.1.

    Each shard's ``AsyncClient`` runs on an ``httpx.AsyncHTTPTransport`` made here with the same
    settings the client would give its own. When no proxy is configured (the environment names none
    when the shard is made), a request goes straight to that transport (:meth:`direct`), with the
    headers and timeout the client would have added: the client's per-request work on top (its cookie
    jar, which reads every response's headers into ``http.cookiejar`` objects, the auth and redirect
    steps, a log line) cost about 0.05 ms of CPU per request, and vendor APIs authenticate by key,
    not by cookie. With a proxy, requests go through ``AsyncClient.send`` and its proxy mounts.
    """

    def __init__(
        self,
        *,
        per_shard: int | None = None,
        connect_timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.per_shard = per_shard or CONNECTIONS_PER_SHARD
        self.connect_timeout = connect_timeout
        self.ssl_context = ssl_context if ssl_context is not None else ssl_context_for(True)
        self._clients: list[httpx.AsyncClient] = []
        self._direct: list[httpx.AsyncHTTPTransport | None] = []
        self._load: list[int] = []
        self._token: object | None = None
        self.timeout = httpx.Timeout(None, connect=self.connect_timeout)
        """The timeouts of every request (httpx's own: only the connect timeout; see the attempt deadline)."""

    def _new_client(self) -> tuple[httpx.AsyncClient, httpx.AsyncHTTPTransport | None]:
        limits = httpx.Limits(max_connections=self.per_shard, max_keepalive_connections=self.per_shard)
        transport = None
        if not _environment_proxies():
            # what AsyncClient(verify=..., limits=..., trust_env=True) makes as its default transport (a
            # client given a transport mounts no proxies from the environment: only made when there are none)
            transport = httpx.AsyncHTTPTransport(verify=self.ssl_context, trust_env=True, limits=limits)
        try:
            client = httpx.AsyncClient(
                transport=transport,
                timeout=self.timeout,
                limits=limits,
                verify=self.ssl_context,
                trust_env=True,
                follow_redirects=False,
                headers={"accept-encoding": ACCEPT_ENCODING, "user-agent": USER_AGENT},
            )
        except (ValueError, ImportError, httpx.InvalidURL) as exc:
            if transport is not None:
                raise
            # httpx mounts the environment's proxies here: one it cannot use was a bare ValueError (an unknown
            # scheme), InvalidURL or ImportError (socks5:// without socksio) stored with every sample
            names = [n for n in os.environ if n.lower() in ("http_proxy", "https_proxy", "all_proxy")]
            detail = mask_url_credentials(" ".join(f"{type(exc).__name__}: {exc}".split()))
            raise ProxySettingError(
                f"the proxy set in the environment ({', '.join(sorted(names)) or 'the system settings'}) "
                f"cannot be used: {detail}"
            ) from None
        return client, transport

    def checkout(self) -> int:
        """Pick (or create) the least-loaded shard and count one more request on it."""
        try:
            token: object = asyncio.get_running_loop()  # what anyio's token is on asyncio, but cheaper
        except RuntimeError:
            token = anyio.lowlevel.current_token()
        if self._token is not token:
            if self._clients:
                raise RuntimeError(
                    "this provider's connections belong to another event loop; call "
                    "`await provider.aclose()` in that loop first or create a new provider"
                )
            self._token = token
        loads = self._load
        best = -1
        lowest = self.per_shard
        for index, load in enumerate(loads):
            if load < lowest:
                best, lowest = index, load
                if load == 0:
                    break
        if best < 0:
            client, direct = self._new_client()
            self._clients.append(client)
            self._direct.append(direct)
            loads.append(0)
            best = len(self._clients) - 1
        loads[best] += 1
        return best

    def client(self, index: int) -> httpx.AsyncClient:
        """Return shard number ``index``."""
        return self._clients[index]

    def direct(self, index: int) -> httpx.AsyncHTTPTransport | None:
        """Shard ``index``'s transport, when its requests may skip the client (no proxy); else ``None``."""
        return self._direct[index]

    def checkin(self, index: int) -> None:
        """Count one request fewer on shard ``index``."""
        self._load[index] -= 1

    @property
    def size(self) -> int:
        """Number of shards created so far."""
        return len(self._clients)

    async def aclose(self) -> None:
        """Close every shard; the pool can be used again afterwards."""
        clients, self._clients, self._load, self._token = self._clients, [], [], None
        self._direct = []
        for client in clients:
            await client.aclose()


@dataclass
class HTTPCall(Generic[T]):
    """One vendor request, with how to read its success and error responses.

    Attributes:
        url: Full URL (never containing a secret).
        headers: Request headers (may contain the key; never logged).
        body: JSON body bytes.
        parse: Turns a successful non-streaming body into the result.
        classify: Turns an error response (status, headers, body) into a :class:`ProviderError`.
        consume: When set, the request is streamed and this reads the SSE events into the result.
        estimated_tokens: Tokens to reserve from token-per-minute limits.
        timeout: Per-attempt timeout override.
        usage_tokens: Reads the total tokens used from a result, to correct the estimate.
        method: The HTTP method (``GET`` for the batch APIs' polls and downloads; the body is then not sent).
    """

    url: str
    headers: dict[str, str]
    body: bytes
    parse: Callable[[bytes, httpx.Headers], T]
    classify: Callable[[int, httpx.Headers, bytes], ProviderError]
    consume: Callable[[AsyncIterator[SSEEvent], httpx.Headers], Awaitable[T]] | None = None
    estimated_tokens: int = 0
    timeout: float | None = None
    usage_tokens: Callable[[T], int | None] = field(default=lambda _result: None)
    method: str = "POST"


class Transport:
    """Executes :class:`HTTPCall` s for one provider instance under the shared policy."""

    def __init__(
        self,
        provider: str,
        model: str,
        *,
        policy: RetryPolicy,
        secrets: tuple[Secret | None, ...] = (),
        rng: random.Random | None = None,
        verify: VerifyTypes = True,
    ) -> None:
        self.provider = provider
        self.model = model
        self.policy = policy
        self.secrets = secrets
        self.pool = ClientPool(connect_timeout=policy.connect_timeout, ssl_context=ssl_context_for(verify))
        self._rng = rng or random.Random()
        self._urls: dict[str, httpx.URL] = {}
        self._headers: dict[tuple[tuple[str, str], ...], httpx.Headers] = {}
        self._timeout = self.pool.timeout.as_dict()

    def _merged_headers(self, client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Headers:
        """The client's headers updated with a call's, as ``client.build_request`` merges them (cached)."""
        key = tuple(headers.items())
        merged = self._headers.get(key)
        if merged is None:
            if len(self._headers) >= 64:
                self._headers.clear()
            merged = httpx.Headers(client.headers)
            merged.update(headers)
            self._headers[key] = merged
        return merged

    def redact(self, text: str) -> str:
        """Remove this provider's secrets, and the ``user:password@`` of URLs, from ``text``."""
        return mask_url_credentials(redact(text, self.secrets))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.pool.aclose()

    async def execute(self, call: HTTPCall[T]) -> tuple[T, int]:
        """Run ``call`` with limits, timeouts and retries.

        Args:
            call: The request and its readers.

        Returns:
            ``(result, attempts)``.

        Raises:
            ProviderError: The last error once retrying stops (a subclass saying which kind).
        """
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderTimeoutError(
                    f"total timeout of {policy.total_timeout:g} s reached before attempt {attempt}",
                    provider=self.provider,
                    model=self.model,
                    attempts=attempt - 1,
                )
            attempt_timeout = min(call.timeout or policy.attempt_timeout, remaining)
            should_retry_header: str | None = None
            header_delay: float | None = None
            async with _limits.acquire(self.provider, self.model, call.estimated_tokens) as lease:
                try:
                    result = await self._attempt(call, attempt_timeout)
                except _HTTPStatusError as failure:
                    error = failure.error
                    should_retry_header = failure.headers.get("x-should-retry")
                    header_delay = parse_retry_after(failure.headers)
                except ProviderError as exc:
                    error = exc
                else:
                    lease.succeeded(call.usage_tokens(result))
                    return result, attempt
                delay_hint = header_delay if header_delay is not None else error.retry_after
                if isinstance(error, RateLimitError):
                    lease.throttled(delay_hint)
            error.retry_after = delay_hint
            retry, reason = self._should_retry(error, should_retry_header, attempt)
            delay = 0.0
            if retry:
                delay = delay_hint if delay_hint is not None else policy.backoff(attempt - 1, self._rng)
                if time.monotonic() + delay >= deadline:
                    retry, reason = False, f"waiting {delay:.2f} s would pass the total timeout"
            if not retry:
                logger.warning(
                    "%s/%s: giving up after attempt %d/%d (%s): %s",
                    self.provider,
                    self.model,
                    attempt,
                    policy.max_attempts,
                    reason,
                    error.what,
                )
                raise error.with_attempts(attempt)
            logger.info(
                "%s/%s: attempt %d/%d failed with %s (status %s, request id %s); retrying in %.2f s (%s)",
                self.provider,
                self.model,
                attempt,
                policy.max_attempts,
                type(error).__name__,
                error.status,
                error.request_id,
                delay,
                reason,
            )
            await anyio.sleep(delay)

    def _should_retry(self, error: ProviderError, header: str | None, attempt: int) -> tuple[bool, str]:
        if isinstance(error, QuotaExhaustedError):
            return False, "quota exhausted: retrying cannot help"
        if attempt >= self.policy.max_attempts:
            return False, f"all {self.policy.max_attempts} attempts used"
        if error.retry_after is not None and error.retry_after > self.policy.max_retry_after:
            return False, (
                f"server asked to wait {error.retry_after:g} s, more than max_retry_after="
                f"{self.policy.max_retry_after:g} s"
            )
        if header is not None:
            if header.strip().lower() == "true":
                return True, "x-should-retry: true"
            if header.strip().lower() == "false":
                return False, "x-should-retry: false"
        if error.retryable:
            return True, f"{type(error).__name__} is transient"
        return False, f"{type(error).__name__} is not retryable"

    async def _attempt(self, call: HTTPCall[T], timeout: float) -> T:
        try:
            index = self.pool.checkout()
        except ProxySettingError as exc:
            raise ProviderError(
                str(exc),
                provider=self.provider,
                model=self.model,
                fix="set HTTP_PROXY/HTTPS_PROXY/ALL_PROXY to a proxy URL such as http://proxy.example:3128 "
                "(socks5:// needs pip install 'httpx[socks]'), or unset them",
            ) from None
        got_headers = False
        try:
            with anyio.fail_after(timeout):
                client = self.pool.client(index)
                url = self._urls.get(call.url)
                if url is None:
                    if len(self._urls) >= 256:
                        self._urls.clear()
                    url = self._urls[call.url] = httpx.URL(call.url)  # parsed once per URL
                content = call.body if call.method != "GET" else None
                # a proxy (the client picks its transport), or credentials in the URL (the client sends them as
                # basic auth): through the client; otherwise straight to its transport
                direct = None if url.userinfo else self.pool.direct(index)
                if direct is None:
                    request = client.build_request(call.method, url, content=content, headers=call.headers)
                    response = await client.send(request, stream=True)
                else:  # the request client.build_request makes, sent as client.send would without a proxy
                    request = httpx.Request(
                        call.method,
                        url,
                        content=content,
                        headers=self._merged_headers(client, call.headers),
                        extensions={"timeout": self._timeout},
                    )
                    response = await direct.handle_async_request(request)
                    response.request = request
                got_headers = True
                try:
                    if response.status_code >= 300:
                        body = await self._read_body(response)
                        raise _HTTPStatusError(
                            call.classify(response.status_code, response.headers, body),
                            response.headers,
                        )
                    if call.consume is not None:
                        lines = _lines(self._decoded_chunks(response), _charset(response.headers))
                        return await call.consume(iter_sse(lines), response.headers)
                    return call.parse(await self._read_body(response), response.headers)
                finally:
                    try:
                        await _retire_if_unsafe(response)
                    finally:
                        await response.aclose()
        except TimeoutError:
            raise self._attempt_timeout(timeout, got_headers) from None
        except httpx.TimeoutException as exc:
            raise ProviderTimeoutError(
                f"transport timeout ({type(exc).__name__})",
                provider=self.provider,
                model=self.model,
            ) from None
        except httpx.RemoteProtocolError as exc:
            raise self._protocol_error(str(exc) or type(exc).__name__, got_headers) from None
        except (httpx.ReadError, httpx.WriteError) as exc:
            raise self._read_error(str(exc) or type(exc).__name__, got_headers) from None
        except httpx.ConnectError as exc:
            cause: BaseException | None = exc
            while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
                cause = cause.__cause__ or cause.__context__
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = cause.verify_message or cause.reason or str(cause)
                raise self._certificate_error(
                    call, f"TLS certificate verification failed: {reason}"
                ) from None
            raise self._connect_error(call, type(exc).__name__, str(exc) or type(exc).__name__) from None
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise self._connect_error(call, type(exc).__name__, str(exc) or type(exc).__name__) from None
        except (ssl.SSLError, OSError) as exc:
            # httpcore lets a TLS alert received while reading (a server refusing the handshake
            # under TLS 1.3) through unmapped.
            raise self._read_error(f"{type(exc).__name__}: {exc}", got_headers) from None
        finally:
            self.pool.checkin(index)

    async def _decoded_chunks(self, response: httpx.Response) -> AsyncIterator[bytes]:
        """Yield the body decompressed, within the policy's size bounds."""
        policy = self.policy
        limit = policy.max_response_bytes
        length = response.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise self._too_large(
                f"the response announces {int(length):,} bytes (content-length), more than",
                "max_response_bytes",
                limit,
            )
        encoding = response.headers.get("content-encoding", "").strip().lower()
        decoder = _decoder_for(encoding)
        if decoder is None:
            raise ResponseParseError(
                f"the response uses content-encoding {self.redact(encoding)[:40]!r}, which was not asked "
                f"for (accept-encoding: {ACCEPT_ENCODING})",
                provider=self.provider,
                model=self.model,
            )
        received = 0
        room = policy.max_decoded_bytes
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                raise self._too_large("the response body is longer than", "max_response_bytes", limit)
            if isinstance(decoder, _Identity):
                room -= len(chunk)
                if room < 0:  # only when max_decoded_bytes < max_response_bytes
                    raise self._too_large(
                        "the response body is longer than", "max_decoded_bytes", policy.max_decoded_bytes
                    )
                yield chunk
                continue
            try:
                for data in decoder.feed(chunk):
                    room -= len(data)
                    if room < 0:
                        raise self._too_large(
                            f"the {encoding}-compressed body expands past",
                            "max_decoded_bytes",
                            policy.max_decoded_bytes,
                        )
                    if data:
                        yield data
            except zlib.error as exc:
                raise self._bad_encoding(encoding, str(exc)) from None
        if isinstance(decoder, _Decompressor):
            try:
                decoder.finish()
            except zlib.error as exc:
                raise self._bad_encoding(encoding, str(exc)) from None

    async def _read_body(self, response: httpx.Response) -> bytes:
        """Read the whole body, decompressed, within the policy's size bounds."""
        parts = [chunk async for chunk in self._decoded_chunks(response)]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _too_large(self, what: str, name: str, limit: int) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"response too large: {what} {name}={limit:,} bytes; the connection was closed",
            provider=self.provider,
            model=self.model,
            fix=(
                f"if the endpoint really sends replies this large, raise RetryPolicy({name}=...); "
                "otherwise check the base URL (it may not point at this vendor's API) and max_tokens"
            ),
        )

    def _bad_encoding(self, encoding: str, text: str) -> ResponseParseError:
        return ResponseParseError(
            f"invalid {encoding}-compressed response body ({self.redact(text)})",
            provider=self.provider,
            model=self.model,
        )

    def _attempt_timeout(self, timeout: float, got_headers: bool) -> ProviderTimeoutError:
        if got_headers:
            what = (
                f"the response began but did not finish within the attempt timeout of {timeout:g} s "
                "(a slow or endless body)"
            )
        else:
            what = f"no response within the attempt timeout of {timeout:g} s"
        return ProviderTimeoutError(what, provider=self.provider, model=self.model)

    def _protocol_error(self, text: str, got_headers: bool) -> ProviderError:
        lowered = text.lower()
        if "disconnected without sending a response" in lowered or "peer closed connection" in lowered:
            return self._read_error(text, got_headers)
        return ResponseParseError(
            f"invalid HTTP response ({self.redact(text)[:200]}); the connection was closed",
            provider=self.provider,
            model=self.model,
        )

    def _read_error(self, text: str, got_headers: bool) -> ProviderError:
        text = self.redact(text)
        if got_headers:
            return ResponseParseError(
                f"response body truncated: the connection ended early ({text})",
                provider=self.provider,
                model=self.model,
            )
        return ProviderConnectionError(
            f"connection failed before a response arrived ({text})",
            provider=self.provider,
            model=self.model,
        )

    def _certificate_error(self, call: HTTPCall[T], text: str) -> TLSCertificateError:
        return TLSCertificateError(
            f"connection to {self.redact(call.url)} refused: {self.redact(text)}",
            provider=self.provider,
            model=self.model,
        )

    def _connect_error(self, call: HTTPCall[T], kind: str, text: str) -> ProviderConnectionError:
        return ProviderConnectionError(
            f"connection to {self.redact(call.url)} failed ({kind}: {self.redact(text)})",
            provider=self.provider,
            model=self.model,
        )


class _HTTPStatusError(Exception):
    """Carries a classified error response together with its headers out of an attempt."""

    def __init__(self, error: ProviderError, headers: httpx.Headers) -> None:
        super().__init__(str(error))
        self.error = error
        self.headers = headers


class ProxySettingError(Exception):
    """The environment names a proxy that httpx cannot use (``Transport`` makes it a ``ProviderError``)."""


def _environment_proxies() -> bool:
    """Whether the environment names a proxy that httpx (``trust_env``) would mount for some URL."""
    proxies = urllib.request.getproxies()  # what httpx reads (and, on Windows and macOS, the system's)
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


# --- Connection hygiene ----------------------------------------------------------------------------


def _unread_bytes(response: httpx.Response) -> bool:
    """Whether bytes beyond the end of ``response`` already sit in the connection's buffers.

    httpcore would hand them to the next request on this connection as the start of its response
    (a desynchronised connection stores one request's reply as another's). They sit in h11's
    receive buffer (arrived in the same read as the body's end) or, over TLS, in the TLS layer's
    buffer of records read from the socket but not yet decrypted; neither shows as a readable
    socket, which is all httpcore checks before reusing a connection. This looks through
    httpcore's private attributes; when they are not there (another httpcore version, HTTP/2) it
    finds nothing.
    """
    # httpx's BoundAsyncStream -> AsyncResponseStream -> httpcore's PoolByteStream ->
    # HTTP11ConnectionByteStream, whose connection holds the h11 state machine.
    stream: object = response.stream
    state = None
    for _ in range(6):
        state = getattr(getattr(stream, "_connection", None), "_h11_state", None)
        if state is not None:
            break
        stream = getattr(stream, "_stream", None) or getattr(stream, "_httpcore_stream", None)
        if stream is None:
            break
    if state is not None:
        try:
            data, _closed = state.trailing_data
        except (AttributeError, ValueError, TypeError):
            data = b""
        if data:
            return True
    layer: object = response.extensions.get("network_stream")
    for _ in range(3):  # httpcore's AnyIOStream -> anyio's TLSStream
        read_bio = getattr(layer, "_read_bio", None)
        if read_bio is not None:
            return bool(getattr(read_bio, "pending", 0))
        layer = getattr(layer, "_stream", None)
        if layer is None:
            break
    return False


async def _retire_if_unsafe(response: httpx.Response) -> None:
    """Close the connection under a fully read response that must not carry another request.

    That is a response framed by both ``Transfer-Encoding`` and ``Content-Length`` (RFC 9112
    section 6.3: possibly an attempt at response splitting; the body is read by the former) or
    one followed by unread bytes. Closing the network stream (an httpcore extension) makes the
    pool see the connection as expired and drop it instead of reusing it.
    """
    headers = response.headers
    conflicting = "transfer-encoding" in headers and "content-length" in headers
    if not conflicting and not _unread_bytes(response):
        return
    network = response.extensions.get("network_stream")
    if network is not None:
        await network.aclose()


# --- Bounded decompression and SSE lines -----------------------------------------------------------


_STEP = 1024 * 1024
"""Most bytes one decompression step produces: what a small compressed chunk can expand to at once."""


class _Identity:
    """Marker for a body without content coding."""


_IDENTITY = _Identity()


class _Decompressor:
    """A ``gzip`` or ``deflate`` body, decoded in bounded steps.

    ``gzip`` may have several members (RFC 1952 allows it); ``deflate`` is zlib-wrapped as the
    standard says, or raw as some servers send it (httpx accepts both).
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding != "deflate"
        self._obj = self._new()
        self._first = True
        self._fed = False

    def _new(self, raw: bool = False) -> Any:
        if self._gzip:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield what ``data`` decodes to, at most :data:`_STEP` bytes at a time.

        Raises:
            zlib.error: The data is not valid for the coding.
        """
        if not data:
            return
        self._fed = True
        if self._first and not self._gzip:
            self._first = False
            try:
                out = self._obj.decompress(data, _STEP)
            except zlib.error:
                self._obj = self._new(raw=True)
                out = self._obj.decompress(data, _STEP)
        else:
            out = self._obj.decompress(data, _STEP)
        while True:
            yield out
            obj = self._obj
            if obj.unconsumed_tail:
                out = obj.decompress(obj.unconsumed_tail, _STEP)
            elif self._gzip and obj.eof and obj.unused_data:
                self._obj = self._new()
                out = self._obj.decompress(obj.unused_data, _STEP)
            else:
                return

    def finish(self) -> None:
        """Check that the stream ended at its end marker.

        Raises:
            zlib.error: The body ends before the end of the compressed stream.
        """
        if self._fed and not self._obj.eof:
            raise zlib.error(f"the {self.encoding} stream ends before its end marker")


def _decoder_for(encoding: str) -> _Identity | _Decompressor | None:
    """The decoder for a ``content-encoding`` value, or ``None`` for one that was not asked for."""
    if encoding in ("", "identity"):
        return _IDENTITY
    if encoding in ("gzip", "x-gzip"):
        return _Decompressor("gzip")
    if encoding == "deflate":
        return _Decompressor("deflate")
    return None


_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def _charset(headers: httpx.Headers) -> str:
    match = _CHARSET.search(headers.get("content-type", ""))
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"


async def _lines(chunks: AsyncIterator[bytes], charset: str) -> AsyncIterator[str]:
    """Yield the lines of a body (without terminators), decoded incrementally like httpx."""
    decoder = codecs.getincrementaldecoder(charset)(errors="replace")
    pending = ""
    async for chunk in chunks:
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
