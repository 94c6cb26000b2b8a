"""Process-wide concurrency and rate limits per provider and per model, with AIMD back-off.

Limits are configured once per process with :func:`configure_limits` and shared by every caller
(agents and judges alike) in the running event loop. Each request takes, in order: a wait while a
recent 429 asked everyone to pause, a request-per-minute token, its estimated tokens from a
token-per-minute bucket, then a concurrency slot of its provider and of its model. The concurrency
limit of a model adapts: it halves on a 429 (at most once a second) and grows back by one slot per
window of successful requests, up to the configured ceiling.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections import deque
from dataclasses import dataclass, replace
from types import TracebackType

import anyio
from anyio.lowlevel import RunVar

DEFAULT_PROVIDER_CONCURRENCY = 256
DEFAULT_MODEL_CONCURRENCY = 128


@dataclass(frozen=True)
class RateLimits:
    """Limits for a provider (all its models together) or for one model.

    Attributes:
        max_concurrency: Most requests in flight at once (``None``: the default ceiling).
        requests_per_minute: Most requests started per minute (``None``: unlimited).
        tokens_per_minute: Most tokens (estimated prompt + ``max_tokens``, corrected by the
            reported usage) per minute (``None``: unlimited).
    """

    max_concurrency: int | None = None
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None


_CONFIG: dict[tuple[str, str | None], RateLimits] = {}


def configure_limits(
    provider: str,
    model: str | None = None,
    *,
    max_concurrency: int | None = None,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
) -> RateLimits:
    """Set the process-wide limits of a provider, or of one of its models.

    Args:
        provider: Provider prefix (``anthropic``, ``openai``, ...).
        model: A model name to limit that model only; ``None`` limits the provider as a whole.
        max_concurrency: Most requests in flight at once.
        requests_per_minute: Most requests started per minute.
        tokens_per_minute: Most tokens per minute.

    Returns:
        The limits now in force for that key.

    Raises:
        ValueError: If a limit is not positive.
    """
    for label, value in (
        ("max_concurrency", max_concurrency),
        ("requests_per_minute", requests_per_minute),
        ("tokens_per_minute", tokens_per_minute),
    ):
        if value is not None and value <= 0:
            raise ValueError(f"configure_limits({provider!r}, {model!r}): {label} must be > 0")
    limits = RateLimits(max_concurrency, requests_per_minute, tokens_per_minute)
    _CONFIG[(provider, model)] = limits
    return limits


_DEFAULT_LIMITS = RateLimits()


def get_limits(provider: str, model: str | None = None) -> RateLimits:
    """Return the limits configured for a provider or model (defaults when none were set)."""
    return _CONFIG.get((provider, model), _DEFAULT_LIMITS)


def reset_limits() -> None:
    """Forget every configured limit (the defaults apply again)."""
    _CONFIG.clear()


class AdaptiveLimiter:
    """A FIFO concurrency limiter whose limit moves between 1 and a ceiling (AIMD)."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_use = 0
        self._waiters: deque[anyio.Event] = deque()
        self._last_decrease = -math.inf

    @property
    def _slots(self) -> int:
        return max(1, int(self.limit))

    async def acquire(self, *, checkpoint: bool = True) -> None:
        """Wait for a slot (without a free one, or when ``checkpoint``, this yields to the loop)."""
        if self.in_use < self._slots and not self._waiters:
            self.in_use += 1
            if checkpoint:
                try:
                    await anyio.lowlevel.checkpoint()
                except BaseException:
                    self.release()
                    raise
            return
        event = anyio.Event()
        self._waiters.append(event)
        try:
            await event.wait()
        except BaseException:
            if event.is_set():
                self.release()
            else:
                self._waiters.remove(event)
            raise

    def release(self) -> None:
        """Give a slot back."""
        self.in_use -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_use < self._slots:
            self.in_use += 1
            self._waiters.popleft().set()

    def set_ceiling(self, ceiling: int) -> None:
        """Change the ceiling (the current limit is clamped to it)."""
        if ceiling != self.ceiling:
            self.limit = min(float(ceiling), self.limit) if ceiling < self.ceiling else self.limit
            self.ceiling = ceiling
            self._wake()

    def on_success(self) -> None:
        """Additive increase: one more slot per ``limit`` successes."""
        if self.limit < self.ceiling:
            self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
            self._wake()

    def on_throttle(self) -> None:
        """Multiplicative decrease on a 429 (at most once a second)."""
        now = time.monotonic()
        if now - self._last_decrease >= 1.0:
            self.limit = max(1.0, self.limit / 2.0)
            self._last_decrease = now


class TokenBucket:
    """A per-minute budget refilled continuously; takers reserve first and wait off the debt."""

    def __init__(self, per_minute: float) -> None:
        self.per_minute = per_minute
        self.tokens = per_minute
        self._updated = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.per_minute, self.tokens + (now - self._updated) * self.per_minute / 60)
        self._updated = now

    async def take(self, amount: float) -> None:
        """Reserve ``amount`` (capped at the bucket size) and wait until it is covered."""
        amount = min(amount, self.per_minute)
        self._refill()
        self.tokens -= amount
        if self.tokens < 0:
            try:
                await anyio.sleep(-self.tokens * 60 / self.per_minute)
            except BaseException:
                self.tokens += amount
                raise

    def adjust(self, delta: float) -> None:
        """Charge ``delta`` more (or refund it when negative) after the real usage is known."""
        self._refill()
        self.tokens = min(self.per_minute, self.tokens - delta)


class _KeyState:
    def __init__(self, limits: RateLimits, default_concurrency: int) -> None:
        self.limits = limits
        self.default_concurrency = default_concurrency
        self.concurrency = AdaptiveLimiter(limits.max_concurrency or default_concurrency)
        self.rpm = TokenBucket(limits.requests_per_minute) if limits.requests_per_minute else None
        self.tpm = TokenBucket(limits.tokens_per_minute) if limits.tokens_per_minute else None
        self.pause_until = 0.0

    def refresh(self, limits: RateLimits) -> None:
        if limits == self.limits:
            return
        self.concurrency.set_ceiling(limits.max_concurrency or self.default_concurrency)
        if limits.requests_per_minute != self.limits.requests_per_minute:
            rpm = limits.requests_per_minute
            self.rpm = TokenBucket(rpm) if rpm else None
        if limits.tokens_per_minute != self.limits.tokens_per_minute:
            tpm = limits.tokens_per_minute
            self.tpm = TokenBucket(tpm) if tpm else None
        self.limits = limits


_STATE: RunVar[dict[tuple[str, str | None], _KeyState]] = RunVar("scenariokit_provider_limits")
# The table of the asyncio loop that used it last (a fast path: RunVar.get costs ~4 us).
_LAST: tuple[weakref.ref[asyncio.AbstractEventLoop] | None, dict[tuple[str, str | None], _KeyState]] = (
    None,
    {},
)


def _table() -> dict[tuple[str, str | None], _KeyState]:
    global _LAST
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None  # another backend (trio): use the RunVar alone
    ref, table = _LAST
    if loop is not None and ref is not None and ref() is loop:
        return table
    try:
        table = _STATE.get()
    except LookupError:
        table = {}
        _STATE.set(table)
    if loop is not None:
        _LAST = (weakref.ref(loop), table)
    return table


def _state(provider: str, model: str | None) -> _KeyState:
    return _state_in(_table(), provider, model)


def _state_in(table: dict[tuple[str, str | None], _KeyState], provider: str, model: str | None) -> _KeyState:
    key = (provider, model)
    limits = _CONFIG.get(key) or _DEFAULT_LIMITS
    state = table.get(key)
    if state is None:
        default = DEFAULT_MODEL_CONCURRENCY if model is not None else DEFAULT_PROVIDER_CONCURRENCY
        state = table[key] = _KeyState(limits, default)
    elif state.limits is not limits:
        state.refresh(limits)
    return state


class Lease:
    """A held permission to send one request; report the outcome through it."""

    __slots__ = ("estimated_tokens", "model", "provider", "states")

    def __init__(
        self, provider: str, model: str, estimated_tokens: int, states: tuple[_KeyState, ...]
    ) -> None:
        self.provider = provider
        self.model = model
        self.estimated_tokens = estimated_tokens
        self.states = states

    def succeeded(self, actual_tokens: int | None) -> None:
        """Report a success: grow the adaptive limits and correct the token estimate."""
        for state in self.states:
            state.concurrency.on_success()
            if state.tpm is not None and actual_tokens is not None:
                state.tpm.adjust(actual_tokens - self.estimated_tokens)

    def throttled(self, pause: float | None) -> None:
        """Report a 429: halve the adaptive limits and pause every caller for ``pause`` seconds."""
        for state in self.states:
            state.concurrency.on_throttle()
            if pause:
                state.pause_until = max(state.pause_until, time.monotonic() + pause)


class acquire:  # noqa: N801 - used like the function it replaces: ``async with acquire(...)``
    """Hold a request slot of ``provider`` and ``model`` for the duration of the block.

    Args:
        provider: Provider prefix.
        model: Model name.
        estimated_tokens: Tokens to reserve from token-per-minute budgets.

    Yields:
        A :class:`Lease` on which to report success or throttling.
    """

    __slots__ = ("_held", "_lease")

    def __init__(self, provider: str, model: str, estimated_tokens: int) -> None:
        table = _table()
        states = (_state_in(table, provider, None), _state_in(table, provider, model))
        self._lease = Lease(provider, model, estimated_tokens, states)
        self._held = 0

    async def __aenter__(self) -> Lease:
        lease = self._lease
        outer, inner = lease.states
        for state in lease.states:
            if state.pause_until:
                delay = state.pause_until - time.monotonic()
                if delay > 0:
                    await anyio.sleep(delay)
            if state.rpm is not None:
                await state.rpm.take(1)
            if state.tpm is not None:
                await state.tpm.take(lease.estimated_tokens)
        await outer.concurrency.acquire()
        try:
            await inner.concurrency.acquire(checkpoint=False)
        except BaseException:
            outer.concurrency.release()
            raise
        return lease

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        outer, inner = self._lease.states
        try:
            inner.concurrency.release()
        finally:
            outer.concurrency.release()


def snapshot(provider: str, model: str | None = None) -> RateLimits:
    """Return the limits in force right now in this event loop (adaptive concurrency included)."""
    state = _state(provider, model)
    return replace(state.limits, max_concurrency=max(1, int(state.concurrency.limit)))
