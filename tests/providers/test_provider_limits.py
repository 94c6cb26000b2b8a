"""Process-wide concurrency and rate limits, AIMD back-off, sharded pools, cancellation."""

from __future__ import annotations

import time

import anyio
import pytest
from fake_vendor_server import FakeVendorServer, Fault, error_body

from conftest import VENDORS
from scenariokit.providers import UserMessage, configure_limits, get_limits
from scenariokit.providers._limits import AdaptiveLimiter, TokenBucket, snapshot

pytestmark = pytest.mark.anyio
OPENAI = next(v for v in VENDORS if v.id == "openai")
MESSAGES = [UserMessage(content="x")]


async def test_concurrency_limit_is_shared_by_every_caller(server: FakeVendorServer):
    configure_limits("openai", max_concurrency=3)
    server.latency = 0.05
    agent, judge = OPENAI.create(server), OPENAI.create(server)
    async with agent, judge, anyio.create_task_group() as tg:
        for index in range(12):
            tg.start_soon(agent.generate if index % 2 else judge.generate, MESSAGES)
    assert server.max_in_flight == 3
    assert len(server.requests) == 12


async def test_per_model_limit(server: FakeVendorServer):
    configure_limits("openai", "gpt-4.1", max_concurrency=2)
    server.latency = 0.05
    async with OPENAI.create(server) as provider, anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(provider.generate, MESSAGES)
    assert server.max_in_flight == 2


async def test_connections_are_sharded_two_per_client(server: FakeVendorServer):
    server.latency = 0.1
    opened = server.connections
    async with OPENAI.create(server) as provider:
        async with anyio.create_task_group() as tg:
            for _ in range(25):
                tg.start_soon(provider.generate, MESSAGES)
        pool = provider._transport.pool
        assert pool.size == 13  # as many httpx clients as 25 requests in flight need
        assert max(pool._load) == 0
        for index in range(pool.size):
            assert pool.client(index)._transport._pool._max_connections == 2
    assert server.max_in_flight == 25
    assert server.connections - opened == 25


async def test_cancellation_releases_slots_and_connections(server: FakeVendorServer):
    configure_limits("openai", max_concurrency=2)
    server.latency = 0.5
    async with OPENAI.create(server) as provider:
        with anyio.move_on_after(0.1):
            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(provider.generate, MESSAGES)
        pool = provider._transport.pool
        assert sum(pool._load) == 0
        server.latency = 0.0
        response = await provider.generate(MESSAGES)
        assert response.attempts == 1
    assert snapshot("openai").max_concurrency == 2


async def test_429_halves_the_adaptive_limit_and_pauses_callers(server: FakeVendorServer):
    configure_limits("openai", "gpt-4.1", max_concurrency=16)
    server.faults.append(
        Fault("status", status=429, headers={"retry-after": "0.2"}, body=error_body("openai", 429, "slow"))
    )
    async with OPENAI.create(server) as provider:
        started = time.monotonic()
        await provider.generate(MESSAGES)
        assert snapshot("openai", "gpt-4.1").max_concurrency == 8
        # A second caller started now waits out the shared pause too.
        await provider.generate(MESSAGES)
    assert time.monotonic() - started >= 0.2


async def test_adaptive_limiter_aimd():
    limiter = AdaptiveLimiter(8)
    limiter.on_throttle()
    assert limiter.limit == 4
    limiter.on_throttle()  # within a second: no second halving
    assert limiter.limit == 4
    for _ in range(4):
        limiter.on_success()
    assert limiter.limit == pytest.approx(5.0, abs=0.2)
    limiter.set_ceiling(2)
    assert limiter.limit == 2


async def test_adaptive_limiter_is_fifo_and_bounded():
    limiter = AdaptiveLimiter(2)
    order: list[int] = []
    active = 0
    peak = 0

    async def worker(index: int) -> None:
        nonlocal active, peak
        await limiter.acquire()
        order.append(index)
        active += 1
        peak = max(peak, active)
        await anyio.sleep(0.01)
        active -= 1
        limiter.release()

    async with anyio.create_task_group() as tg:
        for index in range(8):
            tg.start_soon(worker, index)
            await anyio.sleep(0)
    assert peak == 2
    assert order == list(range(8))
    assert limiter.in_use == 0


async def test_token_bucket_waits_off_its_debt():
    bucket = TokenBucket(per_minute=6000)  # 100 per second
    started = time.monotonic()
    await bucket.take(6000)
    assert time.monotonic() - started < 0.05
    await bucket.take(20)
    assert time.monotonic() - started >= 0.18
    bucket.adjust(-6000)
    assert bucket.tokens == 6000


async def test_requests_per_minute_limit_spaces_requests(server: FakeVendorServer):
    configure_limits("openai", requests_per_minute=600)  # 10 per second after the first 600
    async with OPENAI.create(server) as provider:
        started = time.monotonic()
        await provider.generate(MESSAGES)
    assert time.monotonic() - started < 1.0
    assert get_limits("openai").requests_per_minute == 600


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="max_concurrency must be > 0"):
        configure_limits("openai", max_concurrency=0)
