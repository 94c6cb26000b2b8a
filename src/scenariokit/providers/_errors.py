"""The exception hierarchy of the provider layer.

Every error says what went wrong, where (provider, model, HTTP status, request id) and how to fix it,
and never contains an API key: the message, request id and code are cleared of every configured secret and
of its fragments of 8 characters or more (``scenariokit.providers._secret.redact_known``).
"""

from __future__ import annotations

from scenariokit.providers._secret import redact_known


class ProviderError(Exception):
    """Base class of every error raised while talking to a model provider.

    Attributes:
        provider: Provider prefix (``anthropic``, ``openai``, ...).
        model: Model name as given to the provider.
        status: HTTP status code, when the error came from an HTTP response.
        request_id: The vendor's request id, when it sent one (quote it to the vendor's support).
        code: The vendor's own error code or type (``rate_limit_error``, ``insufficient_quota``, ...).
        retry_after: Seconds the vendor asked us to wait before retrying, when it said so.
        attempts: How many HTTP attempts were made before giving up.
    """

    default_fix = "see the message above; retrying later may help"
    retryable = False

    def __init__(
        self,
        what: str,
        *,
        provider: str = "",
        model: str = "",
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        fix: str | None = None,
        attempts: int = 0,
    ) -> None:
        # what, request id and code may come from a response, and an endpoint may echo the key it was sent; a
        # request id or code that is not a string (a list or an object in a malformed error body) is made one
        # before it is cleared, or a key inside it would pass unredacted
        self.what = redact_known(what)
        self.provider = provider
        self.model = model
        self.status = status
        self.request_id = redact_known(str(request_id)) if request_id else None
        self.code = redact_known(str(code)) if code else None
        self.retry_after = retry_after
        self.fix = fix if fix is not None else self.default_fix
        self.attempts = attempts
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.provider}/{self.model}" if self.provider else (self.model or "provider")
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code:
            details.append(f"code {self.code!r}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        if self.attempts > 1:
            details.append(f"after {self.attempts} attempts")
        if self.retry_after is not None:
            details.append(f"server asked to wait {self.retry_after:g} s")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{where}: {self.what}{suffix}. How to fix: {self.fix}"

    def with_attempts(self, attempts: int) -> ProviderError:
        """Return this error with the attempt count set (used by the retry loop)."""
        self.attempts = attempts
        self.args = (self._format(),)
        return self


class MissingAPIKeyError(ProviderError):
    """No API key was given and the vendor's environment variable is not set."""

    default_fix = "set the environment variable named above, or pass api_key=... explicitly"


class AuthenticationError(ProviderError):
    """The vendor rejected the API key (HTTP 401) or the key lacks permission (HTTP 403)."""

    default_fix = (
        "check that the API key is valid, belongs to the right organisation/project and has "
        "access to this model"
    )


class PermissionDeniedError(AuthenticationError):
    """The key is valid but not allowed to do this (HTTP 403)."""


class BadRequestError(ProviderError):
    """The vendor rejected the request as invalid (HTTP 400, 404, 413, 422): not retried."""

    default_fix = (
        "check the model name, the message sequence (tool results must answer the preceding "
        "tool calls) and the generation settings against the vendor's documentation"
    )


class NotFoundError(BadRequestError):
    """The model or endpoint does not exist (HTTP 404)."""

    default_fix = "check the model name and the base URL"


class RateLimitError(ProviderError):
    """The vendor throttled the request (HTTP 429) and retries did not get through in time."""

    default_fix = (
        "lower the concurrency or the requests/tokens per minute with configure_limits(), or "
        "raise the retry deadline"
    )
    retryable = True


class QuotaExhaustedError(ProviderError):
    """The account's quota, credit or daily limit is used up: retrying will not help."""

    default_fix = "add credit or raise the quota in the vendor's console, or wait for the daily reset"


class ServerError(ProviderError):
    """The vendor failed (HTTP 5xx, Anthropic 529 overloaded) and retries were exhausted."""

    default_fix = "retry later; check the vendor's status page"
    retryable = True


class ProviderTimeoutError(ProviderError):
    """A request took longer than the per-attempt or total timeout."""

    default_fix = (
        "raise GenerateConfig.timeout or the RetryPolicy timeouts, lower max_tokens, or enable "
        "streaming for long reasoning outputs"
    )
    retryable = True


class ProviderConnectionError(ProviderError):
    """The connection failed or was reset before a complete response arrived."""

    default_fix = "check the base URL, the network and any proxy; retry later"
    retryable = True


class TLSCertificateError(ProviderConnectionError):
    """The server's TLS certificate failed verification (untrusted, expired or for another host).

    Not retried: the same certificate would fail again.
    """

    default_fix = (
        "check the base URL's host name; behind a TLS-inspecting proxy, point SSL_CERT_FILE (or "
        "SSL_CERT_DIR) at your organisation's CA bundle, or pass verify='/path/to/ca.pem' (or an "
        "ssl.SSLContext) to the provider"
    )
    retryable = False


class ResponseParseError(ProviderError):
    """The response body was malformed JSON, truncated, or lacked required fields."""

    default_fix = "retry; if it persists the base URL may point at something that is not this vendor's API"
    retryable = True


class ResponseTooLargeError(ResponseParseError):
    """A response body passed ``RetryPolicy.max_response_bytes`` or, decompressed, ``max_decoded_bytes``.

    Not retried: the same request would most likely bring the same oversized reply (and its cost).
    """

    default_fix = (
        "raise RetryPolicy(max_response_bytes=..., max_decoded_bytes=...) if the endpoint really "
        "sends replies this large; otherwise check the base URL and max_tokens"
    )
    retryable = False


class RecordingMissError(ProviderError):
    """A replay provider has no recorded response for this request."""

    default_fix = (
        "record it first by running with RecordingProvider (or create_provider(..., record_to=DIR)) "
        "against the real provider, or pass fallback=<provider> to pass misses through"
    )


class UnknownProviderError(LookupError):
    """A ``provider/model`` name used a provider prefix that nobody registered."""
