"""Shared machinery of the HTTP providers: keys, base URLs, the request/response cycle."""

from __future__ import annotations

import json
import math
import os
import re
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import pydantic_core

from scenariokit.providers._errors import (
    BadRequestError,
    MissingAPIKeyError,
    ProviderError,
    ResponseParseError,
)
from scenariokit.providers._models import (
    Adjustment,
    AdjustmentLog,
    ModelCapabilities,
    adjust_config,
    capabilities_for,
)
from scenariokit.providers._protocol import ClosesOnExit
from scenariokit.providers._secret import Secret, SecretScan, known_scan, redact
from scenariokit.providers._sse import SSEEvent
from scenariokit.providers._transport import (
    HTTPCall,
    RetryPolicy,
    Transport,
    VerifyTypes,
    error_class_for_status,
)
from scenariokit.providers._types import (
    GenerateConfig,
    GenerateRequest,
    Message,
    ModelResponse,
    SystemMessage,
    Tool,
    UserMessage,
)

if TYPE_CHECKING:
    pass

JSONDict = dict[str, Any]

_EFFORT_BUDGET = {"minimal": 1024, "low": 1024, "medium": 4096, "high": 16384}


def effort_budget(config: GenerateConfig) -> int | None:
    """Return the reasoning token budget implied by a config (``None``: no reasoning asked)."""
    if config.reasoning_budget_tokens is not None:
        return config.reasoning_budget_tokens
    if config.reasoning_effort is None:
        return None
    if config.reasoning_effort == "none":
        return 0
    return _EFFORT_BUDGET[config.reasoning_effort]


def resolve_key(
    api_key: str | Secret | None,
    env_vars: Sequence[str],
    *,
    provider: str,
    model: str,
    required: bool = True,
) -> Secret | None:
    """Return the API key from the argument or the first set environment variable.

    Args:
        api_key: Explicit key (wins when given).
        env_vars: Environment variables to read, in order of preference.
        provider: Provider prefix, for the error message.
        model: Model name, for the error message.
        required: Raise when no key is found (``False`` for local servers).

    Returns:
        The key wrapped in a :class:`Secret`, or ``None`` when not required and not found.

    Raises:
        MissingAPIKeyError: When a required key is missing; the message names the variable.
        ProviderError: When the key holds a character no HTTP header can carry (a line break inside it, a
            control or non-ASCII character): the message names where the key came from and the position.
    """
    if isinstance(api_key, Secret):
        return _header_safe(api_key, "the api_key argument", provider=provider, model=model)
    if api_key:
        return _header_safe(Secret(api_key), "the api_key argument", provider=provider, model=model)
    for var in env_vars:
        value = os.environ.get(var, "").strip()
        if value:
            return _header_safe(
                Secret(value), f"the environment variable {var}", provider=provider, model=model
            )
    if not required:
        return None
    names = " or ".join(env_vars)
    raise MissingAPIKeyError(
        f"no API key: the environment variable {names} is not set",
        provider=provider,
        model=model,
        fix=f"export {env_vars[0]}=<your key> (or pass api_key=... to the provider)",
    )


def _header_safe(key: Secret, source: str, *, provider: str, model: str) -> Secret:
    """``key``, or a ``ProviderError`` naming ``source`` if a character of it cannot go in an HTTP header.

    Such a key failed every request: a line break as a connection error retried five times (its message
    said to check the network), a non-ASCII character as a bare ``UnicodeEncodeError``.
    """
    value = key.reveal()
    bad = next((i for i, ch in enumerate(value) if not " " <= ch <= "~"), None)
    if bad is None:
        return key
    kind = "a line break" if value[bad] in "\r\n" else f"the character U+{ord(value[bad]):04X}"
    raise ProviderError(
        f"the API key from {source} holds {kind} at position {bad + 1} of {len(value)}, which no HTTP header "
        "can carry",
        provider=provider,
        model=model,
        fix="set the key again, copied whole and alone (a key is printable ASCII without line breaks)",
    )


def resolve_base_url(
    base_url: str | None, env_vars: Sequence[str], default: str, *, provider: str = "", model: str = ""
) -> str:
    """Return the base URL from the argument, the first set environment variable, or the default.

    Raises:
        ProviderError: If the URL is not ``http://`` or ``https://`` with a host (it failed every request as
            a connection error, retried five times). The message shows the URL with any ``user:password@``
            masked (credentials in the URL are kept: httpx sends them as basic auth, for gateways).
    """
    source = "the base_url argument"
    url = base_url
    if not url:
        source = "the default"
        url = default
        for var in env_vars:
            value = os.environ.get(var, "").strip()
            if value:
                url, source = value, f"the environment variable {var}"
                break
    url = url.rstrip("/")
    shown = _CREDENTIALS.sub(r"\1***@", url)  # no scheme: "user:pass@host" is all one "path"
    try:
        parts = urllib.parse.urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        raise ProviderError(
            f"the base URL {shown!r} (from {source}) is not an http:// or https:// URL with a host",
            provider=provider,
            model=model,
            fix="give a URL such as https://api.example.com/v1 (with its scheme)",
        )
    return url


_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@\s]*@")
"""A URL's user name and password (``user:pass@``), with or without a scheme before them."""


MAX_TOKEN_COUNT = 2**40
"""The largest token count a response may report (about 10^12, far above any real request); a larger one, a
negative one or one that is not a finite number makes the response malformed (the sample fails with that
reason instead of overflowing the store's 64-bit integers)."""


def load_json(body: bytes, *, provider: str, model: str, request_id: str | None) -> JSONDict:
    """Parse a JSON object body (leading blank lines tolerated) or raise ResponseParseError.

    Strict about what Python's ``json`` lets through: a lone surrogate escape (a backslash, ``ud800``), which no
    UTF-8 text can hold, makes the body malformed here rather than failing later when the reply is stored.
    """
    try:
        value = pydantic_core.from_json(body)
    except ValueError as exc:
        snippet = body[:120].decode("utf-8", "replace")
        raise ResponseParseError(
            f"response body is not valid JSON ({exc}); it starts with {snippet!r}",
            provider=provider,
            model=model,
            request_id=request_id,
        ) from None
    if not isinstance(value, dict):
        raise ResponseParseError(
            f"response body is JSON but not an object (got {type(value).__name__})",
            provider=provider,
            model=model,
            request_id=request_id,
        )
    return value


def as_int(value: object) -> int:
    """Read a token count that may be missing, ``null`` or a float.

    Raises:
        ValueError: If the count is negative, not finite, or above ``MAX_TOKEN_COUNT``.
    """
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"token count {value!r} is not a finite number")
        if value < 0 or value > MAX_TOKEN_COUNT:
            raise ValueError(f"token count {value!r} is out of range (0 to {MAX_TOKEN_COUNT:,})")
        return int(value)
    return 0


def redact_json(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` (parsed JSON) with every secret and its 8+ character fragments removed from its strings."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [redact_json(v, secrets) for v in value]
    if isinstance(value, dict):
        return {redact(str(k), secrets): redact_json(v, secrets) for k, v in value.items()}
    return value


def as_dict(value: object) -> JSONDict:
    """Return ``value`` if it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_object(value: object, where: str) -> JSONDict:
    """``value`` if it is a JSON object, ``{}`` if it is missing (``null``).

    Raises:
        TypeError: If it is of another type (naming ``where``): a reply whose content is not what the vendor
            sends is malformed, not empty.
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise TypeError(f"{where} is not an object (got {type(value).__name__})")


def as_list(value: object, where: str) -> list[Any]:
    """``value`` if it is a JSON array, ``[]`` if it is missing (``null``).

    Raises:
        TypeError: If it is of another type (naming ``where``).
    """
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise TypeError(f"{where} is not a list (got {type(value).__name__})")


def encode_body(body: Any) -> bytes:
    """Compact UTF-8 JSON of a request body.

    pydantic-core's encoder writes the same bytes as ``json.dumps(body, ensure_ascii=False,
    separators=(",", ":"))`` for the bodies vendors take (floats may be spelled ``1e-7`` for ``1e-07``),
    about 7x faster on a study-sized prompt. A body it cannot encode goes through ``json``, whose error
    then names the problem.
    """
    try:
        return pydantic_core.to_json(body)
    except pydantic_core.PydanticSerializationError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class HTTPProvider(ClosesOnExit, ABC):
    """Base class of the vendor clients: builds a call, runs it under the shared policy, decodes.

    Subclasses define how to encode a :class:`GenerateRequest`, decode a response body or stream,
    and classify error responses.

    Every subclass takes ``verify=`` (as httpx does): ``True`` (default) checks TLS certificates
    against ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else certifi's bundle; a path names a CA bundle
    file or directory (a corporate CA, a local test server); an :class:`ssl.SSLContext` is used as
    given; ``False`` turns verification off and is only for local servers.

    Every subclass also takes ``capabilities=``: what the model accepts (default: its row of the model
    capability table, see :func:`~scenariokit.providers.capabilities_for`). Each request is fitted to it
    before it is sent (:func:`~scenariokit.providers.adjust_config`); each kind of change is logged once
    per provider instance.
    """

    prefix: ClassVar[str]

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: Secret | None,
        retry_policy: RetryPolicy | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        provider_name: str | None = None,
        verify: VerifyTypes = True,
        capabilities: ModelCapabilities | None = None,
    ) -> None:
        if not model:
            raise ValueError(f"{self.prefix}: a model name is required, e.g. '{self.prefix}/<model>'")
        self.model = model
        self.provider = provider_name or self.prefix
        self.base_url = base_url
        self._api_key = api_key
        self.stream = stream
        self.extra_headers = dict(extra_headers or {})
        self.retry_policy = retry_policy or RetryPolicy()
        self.capabilities = capabilities or capabilities_for(f"{self.provider}/{model}")
        self.adjustments = AdjustmentLog()
        self._transport = Transport(
            self.provider, model, policy=self.retry_policy, secrets=(api_key,), verify=verify
        )

    @property
    def name(self) -> str:
        """``provider/model``."""
        return f"{self.provider}/{self.model}"

    def __repr__(self) -> str:
        key = "set" if self._api_key is not None else "none"
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r}, api_key={key})"

    async def aclose(self) -> None:
        """Close the connection pool (the provider may be used again afterwards)."""
        await self._transport.aclose()

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Generate the next assistant turn.

        Args:
            messages: The conversation so far.
            tools: Tools the model may call.
            config: Generation settings.
            sample_index: Index of a repeated sample (ignored by the vendor; used by recordings).

        Returns:
            The normalised response.

        Raises:
            ProviderError: A subclass saying what failed, where and how to fix it.
        """
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        return await self.generate_request(request)

    async def generate_request(self, request: GenerateRequest) -> ModelResponse:
        """Generate the next assistant turn for a :class:`GenerateRequest`."""
        started = time.perf_counter()
        call = self.build_call(request)
        response, attempts = await self._transport.execute(call)
        return response.model_copy(
            update={
                "latency_s": time.perf_counter() - started,
                "attempts": attempts,
                "provider": self.provider,
            }
        )

    def fit(self, request: GenerateRequest) -> GenerateRequest:
        """Return ``request`` fitted to the model's capabilities (changes logged once).

        Raises:
            BadRequestError: If the request has tools and the model takes none (nothing is sent).
        """
        caps = self.capabilities
        if request.tools and not caps.tools:
            raise BadRequestError(
                f"{self.name} ({caps.family}) does not support native tool calls",
                provider=self.provider,
                model=self.model,
                fix="use tool_mode: text in the design (tools described in the prompt), or another model",
            )
        config, changes = adjust_config(request.config, caps, model=self.name)
        messages = request.messages
        if not caps.system_prompt and any(isinstance(m, SystemMessage) for m in messages):
            changes += (
                Adjustment(
                    "system_prompt", f"{self.name} ({caps.family}): the system prompt sent as a user turn"
                ),
            )
            messages = tuple(
                UserMessage(content=m.content) if isinstance(m, SystemMessage) else m for m in messages
            )
        self.adjustments.report(changes)
        if config is request.config and messages is request.messages:
            return request
        return request.model_copy(update={"config": config, "messages": messages})

    def build_call(self, request: GenerateRequest) -> HTTPCall[ModelResponse]:
        """Return the HTTP call for ``request``, fitted to the model (no I/O)."""
        request = self.fit(request)
        body = self.encode(request)
        stream = self.stream
        if stream:
            body = self.stream_body(body)
        raw = encode_body(body)
        headers = {"content-type": "application/json", "accept": "application/json"}
        headers.update(self.auth_headers())
        headers.update(self.extra_headers)
        return HTTPCall(
            url=self.url(stream=stream),
            headers=headers,
            body=raw,
            parse=self._parse,
            classify=self._classify,
            consume=self._consume if stream else None,
            estimated_tokens=len(raw) // 4 + request.config.max_tokens,
            timeout=request.config.timeout,
            usage_tokens=lambda r: r.usage.input_tokens + r.usage.output_tokens,
        )

    def _request_id(self, headers: httpx.Headers, scan: SecretScan | None = None) -> str | None:
        """The vendor request id of a response, cleared of secrets (an endpoint may echo the key in it)."""
        rid = self.request_id_from(headers)
        if rid:
            scan = known_scan() if scan is None else scan
            if scan.found_in(rid):
                return redact(rid, scan.values)
        return rid

    def _clean(self, body: bytes, data: JSONDict, scan: SecretScan | None = None) -> JSONDict:
        """``data`` with the configured secrets removed from its strings, when the body holds any.

        A body with a JSON unicode escape (which may spell a secret's characters) is cleared string by string.
        """
        scan = known_scan() if scan is None else scan
        if not scan:
            return data
        text = body.decode("utf-8", "replace")
        if "\\u" in text or scan.found_in(text):
            cleaned: JSONDict = redact_json(data, scan.values)
            return cleaned
        return data

    def _parse(self, body: bytes, headers: httpx.Headers) -> ModelResponse:
        scan = known_scan()
        request_id = self._request_id(headers, scan)
        data = self._clean(
            body, load_json(body, provider=self.provider, model=self.model, request_id=request_id), scan
        )
        if "error" in data and data.get("error"):
            # Some services (OpenRouter) report failures inside an HTTP 200 body.
            raise self._error_from_body(200, headers, data)
        try:
            return self.decode(data, request_id)
        except (KeyError, TypeError, IndexError) as exc:
            raise ResponseParseError(
                f"response JSON lacks an expected field ({type(exc).__name__}: {exc})",
                provider=self.provider,
                model=self.model,
                request_id=request_id,
            ) from None
        except (ValueError, ArithmeticError) as exc:
            raise ResponseParseError(
                f"response JSON is malformed ({type(exc).__name__}: {exc})",
                provider=self.provider,
                model=self.model,
                request_id=request_id,
            ) from None

    async def _consume(self, events: AsyncIterator[SSEEvent], headers: httpx.Headers) -> ModelResponse:
        request_id = self._request_id(headers)
        try:
            return self._clean_assembled(await self.decode_stream(events, headers, request_id))
        except (KeyError, TypeError, IndexError) as exc:
            raise ResponseParseError(
                f"stream event lacks an expected field ({type(exc).__name__}: {exc})",
                provider=self.provider,
                model=self.model,
                request_id=request_id,
            ) from None
        except (ValueError, ArithmeticError) as exc:
            raise ResponseParseError(
                f"stream is malformed ({type(exc).__name__}: {exc})",
                provider=self.provider,
                model=self.model,
                request_id=request_id,
            ) from None

    @staticmethod
    def _clean_assembled(response: ModelResponse) -> ModelResponse:
        """A streamed response with the configured secrets removed from its assembled texts.

        Each event is cleared on its own (:meth:`event_json`), but a model streams a few characters per delta: a key
        echoed token by token has no 8-character fragment in any one event, only in the text they make together.
        """
        scan = known_scan()
        if not scan or not scan.found_in(response.model_dump_json()):
            return response
        return ModelResponse.model_validate(redact_json(response.model_dump(mode="json"), scan.values))

    def event_json(self, event: SSEEvent, request_id: str | None) -> JSONDict:
        """Parse the data of one SSE event as a JSON object (cleared of configured secrets)."""
        raw = event.data.encode("utf-8", "surrogatepass")
        return self._clean(
            raw, load_json(raw, provider=self.provider, model=self.model, request_id=request_id)
        )

    def _classify(self, status: int, headers: httpx.Headers, body: bytes) -> ProviderError:
        try:
            data: object = json.loads(body) if body.strip() else {}
        except (ValueError, RecursionError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        if not data:
            text = self._transport.redact(body[:200].decode("utf-8", "replace").strip())
            cls = error_class_for_status(status)
            return cls(
                f"HTTP {status} with a non-JSON body: {text!r}" if text else f"HTTP {status}",
                provider=self.provider,
                model=self.model,
                status=status,
                request_id=self.request_id_from(headers),
            )
        return self._error_from_body(status, headers, data)

    def _error_from_body(self, status: int, headers: httpx.Headers, data: JSONDict) -> ProviderError:
        """The error of an error body, even one of a shape :meth:`error_from_body` cannot read.

        A field of another type (a list for a request id, a number for Gemini's ``details``) gives the error of the
        HTTP status (a ``ResponseParseError`` for a 200) saying so, not a ``TypeError`` out of the client.
        """
        try:
            return self.error_from_body(status, headers, data)
        except (KeyError, TypeError, IndexError, AttributeError, ValueError, ArithmeticError) as exc:
            text = json.dumps(data, ensure_ascii=False, default=str)[:300]
            cls = error_class_for_status(status) if status >= 400 else ResponseParseError
            return self.make_error(
                cls,
                f"error body of an unexpected shape ({type(exc).__name__}: {exc}): {text}",
                status=status,
                headers=headers,
            )

    def make_error(
        self,
        cls: type[ProviderError],
        message: str,
        *,
        status: int | None,
        headers: httpx.Headers | None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> ProviderError:
        """Build an error with this provider's context and secrets removed from the message."""
        rid = request_id or (self.request_id_from(headers) if headers is not None else None)
        return cls(
            self._transport.redact(message),
            provider=self.provider,
            model=self.model,
            status=status,
            request_id=rid,
            code=self._transport.redact(code) if code else None,
            retry_after=retry_after,
        )

    def stream_body(self, body: JSONDict) -> JSONDict:
        """Return the request body with streaming switched on."""
        return {**body, "stream": True}

    @abstractmethod
    def url(self, *, stream: bool) -> str:
        """Return the endpoint URL."""

    @abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Return the authentication (and version) headers."""

    @abstractmethod
    def request_id_from(self, headers: httpx.Headers) -> str | None:
        """Return the vendor request id from response headers."""

    @abstractmethod
    def encode(self, request: GenerateRequest) -> JSONDict:
        """Return the vendor request body for ``request``."""

    @abstractmethod
    def decode(self, data: JSONDict, request_id: str | None) -> ModelResponse:
        """Return the normalised response for a vendor response body."""

    @abstractmethod
    async def decode_stream(
        self, events: AsyncIterator[SSEEvent], headers: httpx.Headers, request_id: str | None
    ) -> ModelResponse:
        """Return the normalised response assembled from a vendor SSE stream."""

    @abstractmethod
    def error_from_body(self, status: int, headers: httpx.Headers, data: JSONDict) -> ProviderError:
        """Return the error for a vendor error body."""
