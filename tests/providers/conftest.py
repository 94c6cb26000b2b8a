"""Fixtures of the provider tests: the fake vendor server, vendor cases, live-test gating."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_vendor_server import API_KEY, FakeVendorServer

from scenariokit.providers import (
    AnthropicProvider,
    GeminiProvider,
    HTTPProvider,
    OpenAIChatProvider,
    OpenAIResponsesProvider,
    RetryPolicy,
    create_compatible,
    reset_limits,
)

FAST_POLICY = RetryPolicy(
    max_attempts=4,
    initial_backoff=0.01,
    max_backoff=0.05,
    attempt_timeout=2.0,
    total_timeout=10.0,
    connect_timeout=2.0,
)


@dataclass(frozen=True)
class Vendor:
    """A client configuration to run against the fake server."""

    id: str
    flavour: str
    make: Callable[..., HTTPProvider]
    model: str

    def create(self, server: FakeVendorServer, **options: Any) -> HTTPProvider:
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", server.base_url(self.flavour))
        options.setdefault("retry_policy", FAST_POLICY)
        return self.make(self.model, **options)


def _compat(prefix: str) -> Callable[..., HTTPProvider]:
    def make(model: str, **options: Any) -> HTTPProvider:
        return create_compatible(prefix, model, **options)

    return make


VENDORS = [
    Vendor("anthropic", "anthropic", AnthropicProvider, "claude-sonnet-4-5"),
    Vendor("openai", "openai", OpenAIChatProvider, "gpt-4.1"),
    Vendor("openai-responses", "openai", OpenAIResponsesProvider, "o3-pro"),
    Vendor("gemini", "gemini", GeminiProvider, "gemini-2.5-flash"),
    Vendor("together", "together", _compat("together"), "deepseek-ai/DeepSeek-R1"),
    Vendor("openrouter", "openrouter", _compat("openrouter"), "deepseek/deepseek-r1"),
    Vendor("deepseek", "deepseek", _compat("deepseek"), "deepseek-reasoner"),
    Vendor("xai", "xai", _compat("xai"), "grok-3-mini"),
    Vendor("vllm", "vllm", _compat("vllm"), "Qwen/Qwen3-8B"),
    Vendor("ollama", "ollama", _compat("ollama"), "qwen3:8b"),
]
VENDOR_IDS = [v.id for v in VENDORS]

# Environment variables that could leak a developer's real configuration into the tests.
_VENDOR_ENV = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_VERSION",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "TOGETHER_API_KEY",
    "TOGETHER_BASE_URL",
    "OPENROUTER_API_KEY",
    "OPENROUTER_BASE_URL",
    "DEEPSEEK_API_KEY",
    "DEEPSEEK_BASE_URL",
    "XAI_API_KEY",
    "XAI_BASE_URL",
    "VLLM_API_KEY",
    "VLLM_BASE_URL",
    "OLLAMA_HOST",
    "OLLAMA_BASE_URL",
    "SCENARIOKIT_RECORDINGS_DIR",
)


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
def _clean_state(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("live") is None:
        for name in _VENDOR_ENV:
            monkeypatch.delenv(name, raising=False)
    reset_limits()
    yield
    reset_limits()


LIVE_KEYS = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
    "together": ("TOGETHER_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "xai": ("XAI_API_KEY",),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``live`` tests unless SCENARIOKIT_LIVE=1 and the vendor's key is set."""
    live_enabled = os.environ.get("SCENARIOKIT_LIVE") == "1"
    here = Path(__file__).parent
    for item in items:
        if here not in Path(str(item.path)).parents:
            continue
        marker = item.get_closest_marker("live")
        if marker is None:
            continue
        if not live_enabled:
            item.add_marker(pytest.mark.skip(reason="live test: set SCENARIOKIT_LIVE=1 to run"))
            continue
        vendor = marker.kwargs.get("vendor") or (marker.args[0] if marker.args else None)
        names = LIVE_KEYS.get(str(vendor), ())
        if names and not any(os.environ.get(n) for n in names):
            item.add_marker(pytest.mark.skip(reason=f"live test: set {' or '.join(names)} to run"))
