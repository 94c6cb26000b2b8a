"""API keys never appear in reprs, logs or exception texts, for every vendor."""

from __future__ import annotations

import logging
import pickle

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Fault, error_body

from conftest import VENDOR_IDS, VENDORS, Vendor
from scenariokit.providers import (
    AnthropicProvider,
    MissingAPIKeyError,
    ProviderError,
    Secret,
    UserMessage,
    create_compatible,
    create_provider,
)
from scenariokit.providers._secret import redact

pytestmark = pytest.mark.anyio

KEY_ENV = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openai-responses": "OPENAI_API_KEY",
    "gemini": "GOOGLE_API_KEY",
    "together": "TOGETHER_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "vllm": "VLLM_API_KEY",
}
BASE_ENV = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
    "openai-responses": "OPENAI_BASE_URL",
    "gemini": "GOOGLE_GEMINI_BASE_URL",
    "together": "TOGETHER_BASE_URL",
    "openrouter": "OPENROUTER_BASE_URL",
    "deepseek": "DEEPSEEK_BASE_URL",
    "xai": "XAI_BASE_URL",
    "vllm": "VLLM_BASE_URL",
    "ollama": "OLLAMA_BASE_URL",
}
PREFIX = {"openai-responses": "openai", "gemini": "google"}


def _assert_no_key(text: str) -> None:
    assert API_KEY not in text
    assert API_KEY[:12] not in text
    assert API_KEY[-12:] not in text


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_key_never_in_logs_reprs_or_errors(
    vendor: Vendor, server: FakeVendorServer, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    echo = error_body(vendor.flavour, 401, f"Incorrect API key provided: {API_KEY}")
    server.faults.extend(
        [
            Fault("status", status=429, headers={"retry-after": "0"}),
            Fault("reset"),
            Fault("status", status=500, body=error_body(vendor.flavour, 500, f"oops {API_KEY}")),
        ]
    )
    async with vendor.create(server) as provider:
        _assert_no_key(repr(provider))
        _assert_no_key(repr(vars(provider)))
        response = await provider.generate([UserMessage(content="hi")])
        assert response.attempts == 4
        _assert_no_key(response.model_dump_json())
        server.faults.append(Fault("status", status=401, body=echo))
        with pytest.raises(ProviderError) as info:
            await provider.generate([UserMessage(content="hi")])
    _assert_no_key(str(info.value))
    _assert_no_key(repr(info.value))
    _assert_no_key(repr(info.value.__dict__))
    assert info.value.__cause__ is None
    assert caplog.records, "retries should have been logged"
    for record in caplog.records:
        _assert_no_key(record.getMessage())
    _assert_no_key(caplog.text)


@pytest.mark.parametrize(
    "vendor", [v for v in VENDORS if v.id in KEY_ENV and v.id != "vllm"], ids=lambda v: v.id
)
def test_missing_key_names_the_variable(vendor: Vendor):
    with pytest.raises(MissingAPIKeyError) as info:
        create_provider(f"{PREFIX.get(vendor.id, vendor.id)}/{vendor.model}")
    assert KEY_ENV[vendor.id] in str(info.value)
    assert "export" in str(info.value)


@pytest.mark.parametrize("vendor", VENDORS, ids=VENDOR_IDS)
async def test_keys_and_base_urls_come_from_the_environment(
    vendor: Vendor, server: FakeVendorServer, monkeypatch: pytest.MonkeyPatch
):
    if vendor.id in KEY_ENV:
        monkeypatch.setenv(KEY_ENV[vendor.id], API_KEY)
    monkeypatch.setenv(BASE_ENV[vendor.id], server.base_url(vendor.flavour))
    options = {"api": "responses"} if vendor.id == "openai-responses" else {}
    async with create_provider(f"{PREFIX.get(vendor.id, vendor.id)}/{vendor.model}", **options) as p:
        response = await p.generate([UserMessage(content="from env")])
    assert response.message.text == "echo: from env"
    seen = server.requests[-1]
    assert "key" not in seen.query
    if vendor.id == "gemini":
        assert seen.headers["x-goog-api-key"] == API_KEY


async def test_gemini_api_key_variable_is_a_fallback(
    server: FakeVendorServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.base_url("gemini"))
    async with create_provider("google/gemini-2.5-flash") as provider:
        assert (await provider.generate([UserMessage(content="x")])).message.text == "echo: x"


async def test_anthropic_auth_token_uses_bearer(server: FakeVendorServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", API_KEY)
    monkeypatch.setenv("ANTHROPIC_VERSION", "2026-10-21")
    provider = AnthropicProvider("claude-sonnet-4-5", base_url=server.base_url("anthropic"))
    async with provider:
        await provider.generate([UserMessage(content="x")])
    seen = server.requests[-1]
    assert seen.headers["authorization"] == f"Bearer {API_KEY}"
    assert "x-api-key" not in seen.headers
    assert seen.headers["anthropic-version"] == "2026-10-21"


def test_local_servers_need_no_key():
    assert create_compatible("vllm", "m").base_url == "http://localhost:8000/v1"
    assert create_compatible("ollama", "m").base_url == "http://localhost:11434/v1"


def test_ollama_host_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OLLAMA_HOST", "10.1.2.3:9999")
    assert create_compatible("ollama", "m").base_url == "http://10.1.2.3:9999/v1"


def test_secret_wrapper_hides_its_value():
    secret = Secret("sk-verysecretvalue-1234567890")
    assert "verysecret" not in repr(secret)
    assert "verysecret" not in str(secret)
    assert "verysecret" not in f"{secret}"
    assert "verysecret" not in repr([secret])
    assert secret.reveal() == "sk-verysecretvalue-1234567890"
    assert secret == Secret("sk-verysecretvalue-1234567890")
    assert secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(ValueError, match="non-empty"):
        Secret("  ")


def test_redact_removes_full_and_partial_echoes():
    secret = Secret(API_KEY)
    text = f"full {API_KEY} start {API_KEY[:14]}... end ...{API_KEY[-13:]}"
    cleaned = redact(text, [secret, None])
    _assert_no_key(cleaned)
    assert cleaned.startswith("full ***")
