"""Recording responses into committable files and replaying them with no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Reply

from conftest import VENDORS, Vendor
from scenariokit.providers import (
    GenerateConfig,
    GenerateRequest,
    RecordingMissError,
    RecordingProvider,
    RecordingStore,
    ResponseParseError,
    UserMessage,
    create_provider,
    generate_sync,
)

pytestmark = pytest.mark.anyio
CANARY = "TEST-CANARY-0f4e"  # the providers write whatever canary their caller gives (scenariokit.CANARY)
OPENAI = next(v for v in VENDORS if v.id == "openai")
MESSAGES = [UserMessage(content="record me")]


async def _record(vendor: Vendor, server: FakeVendorServer, directory: Path, **kwargs: object) -> None:
    async with RecordingProvider(vendor.create(server), directory, canary=CANARY) as provider:
        await provider.generate(MESSAGES, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("vendor", VENDORS[:4], ids=lambda v: v.id)
async def test_record_then_replay_without_network(vendor: Vendor, server: FakeVendorServer, tmp_path: Path):
    server.replies.append(
        Reply(text="recorded answer", reasoning="why", tool_calls=[("send_email", {"to": "x"})])
    )
    async with RecordingProvider(vendor.create(server), tmp_path, canary=CANARY) as recorder:
        original = await recorder.generate(MESSAGES, config=GenerateConfig(seed=7), sample_index=2)
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1
    document = json.loads(files[0].read_text())
    assert document["canary"] == CANARY
    assert document["key"]["sample_index"] == 2
    assert document["key"]["config"]["seed"] == 7
    assert files[0].name.endswith("-2.json")
    requests_before = len(server.requests)
    name = recorder.name
    async with create_provider(f"replay/{name}", recordings_dir=tmp_path) as replay:
        again = await replay.generate(MESSAGES, config=GenerateConfig(seed=7), sample_index=2)
        with pytest.raises(RecordingMissError) as info:
            await replay.generate(MESSAGES, config=GenerateConfig(seed=7), sample_index=3)
    assert len(server.requests) == requests_before
    assert again.message == original.message
    assert again.usage == original.usage
    assert again.attempts == 0
    text = str(info.value)
    assert "sample 3" in text
    assert "record_to" in text
    assert (
        GenerateRequest(messages=tuple(MESSAGES), config=GenerateConfig(seed=7), sample_index=3).fingerprint()
        in text
    )


async def test_recording_files_are_deterministic(server: FakeVendorServer, tmp_path: Path):
    async with RecordingProvider(OPENAI.create(server), tmp_path, canary=CANARY) as recorder:
        response = await recorder.generate(MESSAGES)
    store = RecordingStore(tmp_path, canary=CANARY)
    request = GenerateRequest(messages=tuple(MESSAGES))
    path = store.path_for(recorder.name, request)
    first = path.read_bytes()
    store.save(recorder.name, request, response)
    assert path.read_bytes() == first
    assert first.endswith(b"\n")
    assert b'  "canary"' in first
    # The recording key ignores the timeout, which does not change what the model says.
    with_timeout = GenerateRequest(messages=tuple(MESSAGES), config=GenerateConfig(timeout=5))
    assert store.path_for(recorder.name, with_timeout) == path


async def test_mode_new_serves_recordings_and_mode_all_rerecords(server: FakeVendorServer, tmp_path: Path):
    await _record(OPENAI, server, tmp_path)
    count = len(server.requests)
    async with RecordingProvider(OPENAI.create(server), tmp_path, canary=CANARY) as recorder:
        await recorder.generate(MESSAGES)
    assert len(server.requests) == count
    async with RecordingProvider(OPENAI.create(server), tmp_path, canary=CANARY, mode="all") as recorder:
        await recorder.generate(MESSAGES)
    assert len(server.requests) == count + 1


async def test_replay_passthrough_on_miss(server: FakeVendorServer, tmp_path: Path):
    replay = create_provider(
        "replay/openai/gpt-4.1",
        recordings_dir=tmp_path,
        passthrough=True,
        record_misses=True,
        canary=CANARY,
        api_key=API_KEY,
        base_url=server.base_url("openai"),
    )
    async with replay:
        first = await replay.generate(MESSAGES)
        second = await replay.generate(MESSAGES)
    assert first.message.text == "echo: record me"
    assert second.message == first.message
    assert len(server.requests) == 1


async def test_replay_directory_from_environment(
    server: FakeVendorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    await _record(OPENAI, server, tmp_path)
    monkeypatch.setenv("SCENARIOKIT_RECORDINGS_DIR", str(tmp_path))
    async with create_provider("replay/openai/gpt-4.1") as replay:
        assert (await replay.generate(MESSAGES)).message.text == "echo: record me"


async def test_corrupt_recording_is_reported(server: FakeVendorServer, tmp_path: Path):
    await _record(OPENAI, server, tmp_path)
    (path,) = tmp_path.rglob("*.json")
    document = json.loads(path.read_text())
    del document["canary"]
    path.write_text(json.dumps(document))
    async with create_provider("replay/openai/gpt-4.1", recordings_dir=tmp_path) as replay:
        with pytest.raises(ResponseParseError, match="canary"):
            await replay.generate(MESSAGES)


async def test_the_canary_comes_from_the_caller(server: FakeVendorServer, tmp_path: Path):
    with pytest.raises(ValueError, match="canary=scenariokit.CANARY"):
        create_provider("openai/gpt-4.1", api_key=API_KEY, record_to=tmp_path)
    with pytest.raises(ValueError, match="canary"):
        RecordingProvider(OPENAI.create(server), tmp_path, canary=" ")
    with pytest.raises(ValueError, match="record_misses=True"):
        create_provider("replay/openai/gpt-4.1", recordings_dir=tmp_path, record_misses=True)
    request = GenerateRequest(messages=tuple(MESSAGES))
    async with OPENAI.create(server) as provider:
        response = await provider.generate(MESSAGES)
    with pytest.raises(ValueError, match="no canary string"):
        RecordingStore(tmp_path).save("openai/gpt-4.1", request, response)
    await _record(OPENAI, server, tmp_path)
    assert RecordingStore(tmp_path).load("openai/gpt-4.1", request) is not None  # any canary, when none asked
    assert RecordingStore(tmp_path, canary=CANARY).load("openai/gpt-4.1", request) is not None
    with pytest.raises(ResponseParseError, match="OTHER-CANARY"):
        RecordingStore(tmp_path, canary="OTHER-CANARY").load("openai/gpt-4.1", request)


def test_model_names_become_safe_paths(tmp_path: Path):
    store = RecordingStore(tmp_path)
    request = GenerateRequest(messages=tuple(MESSAGES))
    path = store.path_for("ollama/qwen3:8b/../../etc", request)
    assert path.is_relative_to(tmp_path)
    assert ".." not in path.relative_to(tmp_path).parts


def test_generate_sync_can_be_called_repeatedly(server: FakeVendorServer):
    provider = OPENAI.create(server)
    first = generate_sync(provider, [UserMessage(content="one")])
    second = generate_sync(provider, [UserMessage(content="two")], sample_index=1)
    assert (first.message.text, second.message.text) == ("echo: one", "echo: two")
    assert provider._transport.pool.size == 0
