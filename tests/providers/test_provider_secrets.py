"""API keys never appear in reprs, logs or exception texts, for every vendor."""

from __future__ import annotations

import logging
import pickle

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Fault, error_body
from hypothesis import given
from hypothesis import strategies as st

from conftest import VENDOR_IDS, VENDORS, Vendor
from scenariokit.providers import (
    AnthropicProvider,
    MissingAPIKeyError,
    ProviderError,
    RetryPolicy,
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


# The scan before it looked for pieces first (kept here as the oracle): every fragment of 8 characters, searched
# one after another.
def _reference_contains(text: str, values: list[str]) -> bool:
    for value in values:
        if len(value) < 8:
            if value in text:
                return True
        elif any(value[k : k + 8] in text for k in range(len(value) - 7)):
            return True
    return False


_KEYISH = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_", min_size=1, max_size=60)


@st.composite
def _text_with_pieces(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Secrets, and a text made of their fragments (of every length, 8 and around it), noise and separators."""
    values = draw(st.lists(_KEYISH | st.text(min_size=1, max_size=20), min_size=1, max_size=3))
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        value = draw(st.sampled_from(values))
        start = draw(st.integers(0, len(value)))
        length = draw(st.sampled_from([1, 4, 5, 6, 7, 8, 9, 12, len(value)]))
        parts.append(value[start : start + length])
        parts.append(draw(st.text(max_size=8)))
    return "".join(parts), values


@given(_text_with_pieces())
def test_the_piece_scan_finds_exactly_what_every_fragment_finds(case: tuple[str, list[str]]) -> None:
    from scenariokit.providers._secret import contains_secret, scan_for

    text, values = case
    assert contains_secret(text, values) == _reference_contains(text, values)
    assert scan_for(values).found_in(text) == _reference_contains(text, values)


@given(_KEYISH.filter(lambda v: len(v) >= 8), st.integers(0, 60), st.text(max_size=10), st.text(max_size=10))
def test_every_fragment_of_8_is_found_and_masked(value: str, start: int, before: str, after: str) -> None:
    from scenariokit.providers._secret import contains_secret

    start = min(start, len(value) - 8)
    text = before + " " + value[start : start + 8] + " " + after
    assert contains_secret(text, [value])
    assert value[start : start + 8] not in redact(text, [value])


def test_known_secrets_follow_the_environment_and_new_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from scenariokit.providers._secret import known_scan, known_secrets, redact_known

    monkeypatch.setenv("XAI_API_KEY", "xai-first-value-0123456789")
    assert "xai-first-value-0123456789" in known_secrets()
    assert known_scan().found_in("echo xai-first-value-0123456789")
    monkeypatch.setenv("XAI_API_KEY", "xai-second-value-9876543210")  # a change is seen at once
    assert "xai-first-value-0123456789" not in known_secrets()
    assert redact_known("echo: xai-second-value-9876543210!") == "echo: ***!"
    monkeypatch.delenv("XAI_API_KEY")
    assert redact_known("echo: xai-second-value-9876543210!") == "echo: xai-second-value-9876543210!"
    Secret("made-in-process-5555-7777")  # a Secret made now is a known secret from now on
    assert redact_known("a made-in-process-5555-7777 b") == "a *** b"


PASSWORD = "hunter2-base-url-password"


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("user:{password}@127.0.0.1:{port}/openai/v1", "'***@127.0.0.1:"),  # no scheme
        ("127.0.0.1:{port}/openai/v1", "not an http:// or https:// URL"),
        ("http:///v1", "not an http:// or https:// URL"),
        ("http://[::1/v1", "not an http:// or https:// URL"),
    ],
)
@pytest.mark.parametrize("through", ["argument", "environment"])
def test_a_base_url_without_a_scheme_or_host_is_refused_and_its_credentials_masked(
    base_url: str,
    expected: str,
    through: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # each request failed as a connection error, retried 5 times, the password in the error
    caplog.set_level(logging.DEBUG)
    url = base_url.format(password=PASSWORD, port=1)
    options = {"base_url": url} if through == "argument" else {}
    if through == "environment":
        monkeypatch.setenv("OPENAI_BASE_URL", url)
    with pytest.raises(ProviderError) as info:
        create_provider("openai/gpt-4o", api_key=API_KEY, **options)
    assert expected in str(info.value)
    assert "OPENAI_BASE_URL" in str(info.value) if through == "environment" else True
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value.__dict__)
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    "url", ["http://[::1]:8000/v1", "https://api.example.com/v1/../v2", "HTTP://Example.com"]
)
def test_odd_but_valid_base_urls_are_kept(url: str) -> None:
    provider = create_provider("openai/gpt-4o", api_key=API_KEY, base_url=url)
    assert url in repr(vars(provider)) or url.rstrip("/") in str(vars(provider))


@pytest.mark.parametrize("port", ["{port}", "1"])  # a gateway that answers 500; nothing listening
async def test_a_password_in_the_base_url_is_masked_in_errors_and_logs(
    port: str, server: FakeVendorServer, caplog: pytest.LogCaptureFixture
) -> None:
    # the connection error (stored with the sample), the retry log and httpx's request log wrote user:PASSWORD@
    caplog.set_level(logging.DEBUG)
    url = f"http://gateway:{PASSWORD}@127.0.0.1:{port}/openai/v1".replace("{port}", str(server.port))
    server.faults.extend([Fault("status", status=500, body=error_body("openai", 500, "oops"))] * 2)
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.0, max_backoff=0.0)
    async with create_provider("openai/gpt-4o", api_key=API_KEY, base_url=url, retry_policy=policy) as p:
        with pytest.raises(ProviderError) as info:
            await p.generate([UserMessage(content="hi")])
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value.__dict__)
    assert "http://***@127.0.0.1" in str(info.value) if port == "1" else True
    assert caplog.records
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sk-SECRETKEY123\nsk-OTHERKEY4567", "a line break at position 16 of 31"),
        ("sk-SECRETKEY\x01123", "the character U+0001"),
        ("sk-SECRETKEY\u00e9123", "the character U+00E9"),
    ],
)
@pytest.mark.parametrize("through", ["argument", "environment"])
def test_a_key_no_header_can_carry_is_refused_when_the_provider_is_made(
    key: str, expected: str, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a line break failed every request as a connection error, retried 5 times ("check the network"); a
    # non-ASCII character as a bare UnicodeEncodeError stored with every sample
    options = {"api_key": key} if through == "argument" else {}
    if through == "environment":
        monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(ProviderError) as info:
        create_provider("openai/gpt-4o", base_url="http://127.0.0.1:1/v1", **options)
    message = str(info.value)
    assert expected in message
    assert ("OPENAI_API_KEY" in message) == (through == "environment")
    assert "SECRETKEY" not in message and "OTHERKEY" not in message
