"""The HTTP policy shared by every vendor: sharded connection pools, retries, timeouts, limits."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import math
import os
import random
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar, Union

import anyio
import anyio.lowlevel
import httpx

from scenariokit.providers import _http, _limits
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
    ServerError,
    TLSCertificateError,
)
from scenariokit.providers._secret import Secret, redact
from scenariokit.providers._sse import SSEEvent, iter_sse

logger = logging.getLogger("scenariokit.providers")

T = TypeVar("T")

CONNECTIONS_PER_SHARD = 5


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
    """How a provider retries and times out requests.

    Attributes:
        max_attempts: Most HTTP attempts per call (the first one included).
        initial_backoff: Base of the exponential backoff, in seconds.
        max_backoff: Cap of the exponential backoff, in seconds (full jitter draws in [0, cap]).
        max_retry_after: Longest ``retry-after`` honoured; a server asking for more is not retried.
        attempt_timeout: Seconds allowed for one attempt (overridden by ``GenerateConfig.timeout``).
        total_timeout: Seconds allowed for the whole call, waits and retries included.
        connect_timeout: Seconds allowed to open a connection.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    attempt_timeout: float = 600.0
    total_timeout: float = 1800.0
    connect_timeout: float = 10.0

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


def _proxy_configured() -> bool:
    """Whether the environment configures an HTTP proxy (httpx then handles the routing)."""
    proxies = urllib.request.getproxies_environment()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class ClientPool:
    """Connections sharded over several clients of a few (5) connections each.

    Each shard is a lean keep-alive pool (:class:`scenariokit.providers._http.ConnectionPool`), or
    an ``httpx.AsyncClient`` when the environment configures a proxy (``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``ALL_PROXY``: httpx applies them and ``NO_PROXY``). httpx's pool spends time
    quadratic in the number of waiting requests, so each shard holds at most ``per_shard``
    connections and a request is only handed to a shard that has a free one (callers hold a
    concurrency slot before asking, so no request waits inside a shard). Shards are created lazily
    and belong to the event loop that created them.
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
        self._clients: list[_http.ConnectionPool | httpx.AsyncClient] = []
        self._load: list[int] = []
        self._token: object | None = None
        self._use_httpx = False

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
            self._use_httpx = _proxy_configured()
        loads = self._load
        best = -1
        lowest = self.per_shard
        for index, load in enumerate(loads):
            if load < lowest:
                best, lowest = index, load
                if load == 0:
                    break
        if best < 0:
            client: _http.ConnectionPool | httpx.AsyncClient
            if self._use_httpx:
                timeout = httpx.Timeout(None, connect=self.connect_timeout)
                limits = httpx.Limits(
                    max_connections=self.per_shard, max_keepalive_connections=self.per_shard
                )
                client = httpx.AsyncClient(timeout=timeout, limits=limits, verify=self.ssl_context)
            else:
                client = _http.ConnectionPool(
                    connect_timeout=self.connect_timeout, ssl_context=self.ssl_context
                )
            self._clients.append(client)
            loads.append(0)
            best = len(self._clients) - 1
        loads[best] += 1
        return best

    def client(self, index: int) -> _http.ConnectionPool | httpx.AsyncClient:
        """Return shard number ``index``."""
        return self._clients[index]

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

    def redact(self, text: str) -> str:
        """Remove this provider's secrets from ``text``."""
        return redact(text, self.secrets)

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
        index = self.pool.checkout()
        try:
            client = self.pool.client(index)
            if isinstance(client, _http.ConnectionPool):
                return await self._attempt_lean(client, call, timeout)
            return await self._attempt_httpx(client, call, timeout)
        finally:
            self.pool.checkin(index)

    async def _attempt_lean(self, client: _http.ConnectionPool, call: HTTPCall[T], timeout: float) -> T:
        try:
            with anyio.fail_after(timeout):
                response = await client.post(call.url, call.headers, call.body)
                try:
                    if response.status_code >= 300:
                        body = await response.aread()
                        raise _HTTPStatusError(
                            call.classify(response.status_code, response.headers, body),
                            response.headers,
                        )
                    if call.consume is not None:
                        return await call.consume(iter_sse(response.aiter_lines()), response.headers)
                    body = await response.aread()
                    return call.parse(body, response.headers)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise self._attempt_timeout(timeout) from None
        except _http.ConnectTimeoutError as exc:
            raise ProviderTimeoutError(
                f"transport timeout (ConnectTimeout: {exc})",
                provider=self.provider,
                model=self.model,
            ) from None
        except _http.ReadError as exc:
            raise self._read_error(str(exc), exc.got_headers) from None
        except _http.ProtocolError as exc:
            raise ResponseParseError(
                f"invalid HTTP response ({self.redact(str(exc))}); the connection was closed",
                provider=self.provider,
                model=self.model,
            ) from None
        except _http.CertificateError as exc:
            raise self._certificate_error(call, str(exc)) from None
        except (_http.ConnectError, _http.LocalProtocolError) as exc:
            raise self._connect_error(call, type(exc).__name__, str(exc)) from None

    async def _attempt_httpx(self, client: httpx.AsyncClient, call: HTTPCall[T], timeout: float) -> T:
        got_headers = False
        try:
            with anyio.fail_after(timeout):
                request = client.build_request("POST", call.url, content=call.body, headers=call.headers)
                response = await client.send(request, stream=True)
                got_headers = True
                try:
                    if response.status_code >= 300:
                        body = await response.aread()
                        raise _HTTPStatusError(
                            call.classify(response.status_code, response.headers, body),
                            response.headers,
                        )
                    if call.consume is not None:
                        return await call.consume(iter_sse(response.aiter_lines()), response.headers)
                    body = await response.aread()
                    return call.parse(body, response.headers)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise self._attempt_timeout(timeout) from None
        except httpx.TimeoutException as exc:
            raise ProviderTimeoutError(
                f"transport timeout ({type(exc).__name__})",
                provider=self.provider,
                model=self.model,
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
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
        except httpx.TransportError as exc:
            raise self._connect_error(call, type(exc).__name__, str(exc) or type(exc).__name__) from None

    def _attempt_timeout(self, timeout: float) -> ProviderTimeoutError:
        return ProviderTimeoutError(
            f"no complete response within the attempt timeout of {timeout:g} s",
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
