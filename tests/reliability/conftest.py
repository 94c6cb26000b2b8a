"""Fixtures of the reliability suite: the fake vendor server (formats in ``reliability_formats``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "providers"))
sys.path.append(str(Path(__file__).parent))

from fake_vendor_server import FakeVendorServer

from scenariokit.providers import reset_limits


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeVendorServer]:
    server = FakeVendorServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(fake_server: FakeVendorServer) -> Iterator[FakeVendorServer]:
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture(autouse=True)
def _clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "TOGETHER_API_KEY",
        "OPENROUTER_API_KEY",
        "DEEPSEEK_API_KEY",
        "XAI_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_BASE_URL",
        "GOOGLE_GEMINI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    reset_limits()
    yield
    reset_limits()
