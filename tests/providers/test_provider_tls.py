"""The transport over TLS (httpx): verification, clear key-free errors, keep-alive, broken connections.

A throwaway CA and server certificates are made once per session with the ``openssl`` CLI; the
servers listen on 127.0.0.1 and are reached as ``https://localhost:<port>``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from raw_server import KEY, RawServer, read_request

from scenariokit.providers import (
    ProviderConnectionError,
    ResponseParseError,
    RetryPolicy,
    TLSCertificateError,
    UserMessage,
)

pytestmark = pytest.mark.anyio
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
RETRYING = RetryPolicy(
    max_attempts=3, initial_backoff=0.01, max_backoff=0.02, attempt_timeout=5.0, connect_timeout=2.0
)
BODY = json.dumps(
    {
        "id": "chatcmpl-1",
        "model": "gpt-4.1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
).encode()


def plain(body: bytes = BODY) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


@dataclass(frozen=True)
class Certs:
    ca: Path
    ca_dir: Path
    key: Path
    good: Path
    wrong_host: Path
    expired: Path
    untrusted: Path

    def server_context(self, cert: Path | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert or self.good, self.key)
        return context


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    if not Path(OPENSSL).exists():
        pytest.skip("the openssl CLI is needed to make test certificates")
    d = tmp_path_factory.mktemp("tls")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    ca_ext = ("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    for name in ("ca", "other-ca"):
        _openssl("req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
                 "-subj", f"/CN=scenariokit {name}", *ca_ext, cwd=d)  # fmt: skip
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=d)
    (d / "localhost.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    (d / "other.ext").write_text("subjectAltName=DNS:other.example\n")
    for out, ca, ext, days in [
        ("good.pem", "ca", "localhost.ext", "2"),
        ("wrong-host.pem", "ca", "other.ext", "2"),
        ("expired.pem", "ca", "localhost.ext", "-1"),  # notAfter before now
        ("untrusted.pem", "other-ca", "localhost.ext", "2"),
    ]:
        _openssl("x509", "-req", "-in", "server.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                 "-CAcreateserial", "-days", days, "-extfile", ext, "-out", out, cwd=d)  # fmt: skip
    ca_dir = d / "ca-dir"
    ca_dir.mkdir()
    shutil.copy(d / "ca.pem", ca_dir / "ca.pem")
    _openssl("rehash", str(ca_dir), cwd=d)
    return Certs(
        d / "ca.pem", ca_dir, d / "server.key", d / "good.pem", d / "wrong-host.pem",
        d / "expired.pem", d / "untrusted.pem",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def tls_server(certs: Certs) -> Iterator[RawServer]:
    with RawServer(lambda _n: (plain(), False), ssl_context=certs.server_context()) as server:
        yield server


async def test_a_trusted_server_is_reached_and_its_connection_kept_alive(certs: Certs, tls_server: RawServer):
    async with tls_server.provider(verify=str(certs.ca)) as provider:
        for _ in range(3):
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
        assert isinstance(provider._transport.pool.client(0), httpx.AsyncClient)
    assert tls_server.connections == 1
    assert tls_server.requests[0].startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")
    assert f"Host: localhost:{tls_server.port}\r\n".encode() in tls_server.requests[0]


@pytest.mark.parametrize(
    ("cert", "reason"),
    [
        ("untrusted", "unable to get local issuer certificate"),
        ("wrong_host", "Hostname mismatch"),
        ("expired", "certificate has expired"),
    ],
)
async def test_a_bad_certificate_fails_clearly_once_and_without_the_key(certs: Certs, cert: str, reason: str):
    context = certs.server_context(getattr(certs, cert))
    with RawServer(lambda _n: (plain(), False), ssl_context=context) as server:
        async with server.provider(verify=str(certs.ca), retry_policy=RETRYING) as provider:
            with pytest.raises(TLSCertificateError) as info:
                await provider.generate([UserMessage(content="x")])
    error = info.value
    assert reason in str(error) and "TLS certificate verification failed" in str(error)
    assert f"localhost:{server.port}" in str(error)
    assert "SSL_CERT_FILE" in error.fix
    assert isinstance(error, ProviderConnectionError) and not error.retryable
    assert error.attempts == 1  # a certificate that failed once fails again: not retried
    assert KEY not in str(error) and KEY not in repr(error.__dict__)
    assert server.requests == []


async def test_the_default_trust_store_does_not_trust_a_private_ca(tls_server: RawServer):
    async with tls_server.provider() as provider:
        with pytest.raises(TLSCertificateError, match="unable to get local issuer certificate"):
            await provider.generate([UserMessage(content="x")])


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
async def test_ssl_cert_file_and_dir_are_honoured_like_httpx(
    certs: Certs, tls_server: RawServer, monkeypatch: pytest.MonkeyPatch, variable: str
):
    monkeypatch.setenv(variable, str(certs.ca if variable == "SSL_CERT_FILE" else certs.ca_dir))
    async with tls_server.provider() as provider:
        assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    # httpx itself, configured the same way, agrees.
    async with httpx.AsyncClient() as client:
        response = await client.post(tls_server.url() + "/chat/completions", content=b"{}")
        assert response.status_code == 200


async def test_a_missing_ssl_cert_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with RawServer(lambda _n: (plain(), False)) as server, pytest.raises(ValueError, match="SSL_CERT_FILE"):
        server.provider()


async def test_verify_accepts_a_context_or_false(certs: Certs):
    context = certs.server_context(certs.untrusted)
    with RawServer(lambda _n: (plain(), False), ssl_context=context) as server:
        async with server.provider(verify=False) as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
        client_context = ssl.create_default_context(cafile=str(certs.ca))
        client_context.load_verify_locations(cafile=str(certs.ca.parent / "other-ca.pem"))
        async with server.provider(verify=client_context) as provider:
            assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"


async def test_a_proxy_from_the_environment_keeps_verify_and_no_proxy(
    certs: Certs, tls_server: RawServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))
    async with tls_server.provider() as provider:
        assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
        assert isinstance(provider._transport.pool.client(0), httpx.AsyncClient)
    monkeypatch.delenv("SSL_CERT_FILE")
    async with tls_server.provider() as provider:
        with pytest.raises(TLSCertificateError, match="unable to get local issuer certificate"):
            await provider.generate([UserMessage(content="x")])
    monkeypatch.delenv("NO_PROXY")
    async with tls_server.provider(verify=str(certs.ca)) as provider:
        with pytest.raises(ProviderConnectionError) as info:
            await provider.generate([UserMessage(content="x")])
    assert not isinstance(info.value, TLSCertificateError)  # the dead proxy, not the server


async def test_a_connection_broken_mid_body_is_closed_and_the_retry_uses_a_new_one(
    certs: Certs,
):
    def respond(n: int) -> tuple[bytes, bool]:
        return (plain()[:-10], True) if n == 1 else (plain(), False)

    with RawServer(respond, ssl_context=certs.server_context()) as server:
        async with server.provider(verify=str(certs.ca), retry_policy=RETRYING) as provider:
            response = await provider.generate([UserMessage(content="x")])
            assert response.attempts == 2
            await provider.generate([UserMessage(content="x")])  # the good connection is reused
    assert server.connections == 2


async def test_a_timed_out_tls_connection_is_not_reused(certs: Certs):
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if server.connections == 1:
            writer.write(plain()[:-10])  # then stall
            await writer.drain()
            await asyncio.sleep(5)
            return
        writer.write(plain())
        await writer.drain()
        await reader.read()

    policy = RetryPolicy(max_attempts=2, initial_backoff=0.01, attempt_timeout=0.5, connect_timeout=2.0)
    with RawServer(ssl_context=certs.server_context(), handler=handler) as server:
        async with server.provider(verify=str(certs.ca), retry_policy=policy) as provider:
            assert (await provider.generate([UserMessage(content="x")])).attempts == 2
    assert server.connections == 2


def _manual_tls_handler(certs: Certs, send_fraction: float, first_only: bool = True, stray: bytes = b""):
    """A handler doing TLS by hand, so that it can cut the connection inside a TLS record."""
    context = certs.server_context()

    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        received = bytearray()
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                writer.write(outgoing.read())
                data = await reader.read(65536)
                if not data:
                    return
                incoming.write(data)
        writer.write(outgoing.read())
        while b"\r\n\r\n" not in received:
            try:
                received += tls.read(65536)
            except ssl.SSLWantReadError:
                writer.write(outgoing.read())
                data = await reader.read(65536)
                if not data:
                    return
                incoming.write(data)
        response = plain()
        tls.write(response[:-20])
        first = outgoing.read()
        tls.write(response[-20:])  # a second TLS record
        second = outgoing.read()
        if stray:
            tls.write(stray)
            writer.write(first + second + outgoing.read())
            await writer.drain()
            await reader.read()
            return
        if first_only and server.connections > 1:
            writer.write(first + second)
            await writer.drain()
            await reader.read()
            return
        records = first + second
        cut = int(len(first) * send_fraction) if send_fraction < 1 else len(first) + len(second) // 2
        writer.write(records[:cut])
        await writer.drain()

    return handler


@pytest.mark.parametrize(
    ("fraction", "error"),
    [(0.5, ProviderConnectionError), (1.0, ResponseParseError)],
    ids=["in-the-head-record", "in-the-body-record"],
)
async def test_a_server_closing_inside_a_tls_record_is_a_retryable_error(
    certs: Certs, fraction: float, error: type[Exception]
):
    handler = _manual_tls_handler(certs, fraction, first_only=False)
    with RawServer(ssl_context=None, handler=handler) as server:
        provider = server.provider(verify=str(certs.ca))
        provider.base_url = provider.base_url.replace("http://127.0.0.1", "https://localhost")
        async with provider:
            with pytest.raises(error) as info:
                await provider.generate([UserMessage(content="x")])
    assert info.value.retryable and KEY not in str(info.value)
    # and the retry succeeds
    handler = _manual_tls_handler(certs, fraction, first_only=True)
    with RawServer(ssl_context=None, handler=handler) as server:
        provider = server.provider(verify=str(certs.ca), retry_policy=RETRYING)
        provider.base_url = provider.base_url.replace("http://127.0.0.1", "https://localhost")
        async with provider:
            assert (await provider.generate([UserMessage(content="x")])).attempts == 2


async def test_a_tls_alert_is_a_retryable_connection_error(certs: Certs):
    context = certs.server_context()
    context.verify_mode = ssl.CERT_REQUIRED  # TLS 1.3: the alert comes after the client's handshake
    context.load_verify_locations(cafile=str(certs.ca))

    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        while True:
            try:
                tls.do_handshake()
                return
            except ssl.SSLWantReadError:
                writer.write(outgoing.read())
                data = await reader.read(65536)
                if not data:
                    return
                incoming.write(data)
            except ssl.SSLError:
                writer.write(outgoing.read())  # the fatal alert
                await writer.drain()
                await asyncio.sleep(0.1)
                return

    with RawServer(handler=handler) as server:
        provider = server.provider(verify=str(certs.ca))
        provider.base_url = provider.base_url.replace("http://127.0.0.1", "https://localhost")
        async with provider:
            with pytest.raises(ProviderConnectionError) as info:
                await provider.generate([UserMessage(content="x")])
    assert info.value.retryable and not isinstance(info.value, TLSCertificateError)
    assert "alert" in str(info.value).lower() and KEY not in str(info.value)


@pytest.mark.parametrize("mode", ["close", "plain-http"])
async def test_a_failed_handshake_is_a_connection_error(mode: str):
    async def handler(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if mode == "plain-http":
            await reader.read(10)
            writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()

    with RawServer(handler=handler) as server:
        provider = server.provider(verify=False)
        provider.base_url = provider.base_url.replace("http://", "https://")
        async with provider:
            with pytest.raises(ProviderConnectionError) as info:
                await provider.generate([UserMessage(content="x")])
    assert info.value.retryable and KEY not in str(info.value)


async def test_stray_bytes_after_a_tls_response_are_not_taken_for_the_next_one(certs: Certs):
    # The stray response travels in its own TLS record, in the same TCP segment as the body.
    handler = _manual_tls_handler(certs, 1.0, first_only=False, stray=b"HTTP/1.1 500 Stray\r\n\r\n")
    with RawServer(handler=handler) as server:
        provider = server.provider(verify=str(certs.ca))
        provider.base_url = provider.base_url.replace("http://127.0.0.1", "https://localhost")
        async with provider:
            for _ in range(2):
                assert (await provider.generate([UserMessage(content="x")])).message.text == "hi"
    assert server.connections == 2
