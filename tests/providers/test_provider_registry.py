"""The provider registry: built-in prefixes, register_provider, entry points, errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from scenariokit.providers import (
    AnthropicProvider,
    GeminiProvider,
    GenerateConfig,
    Message,
    ModelResponse,
    OpenAIChatProvider,
    OpenAIResponsesProvider,
    Provider,
    RecordingProvider,
    ReplayProvider,
    Tool,
    UnknownProviderError,
    _registry,
    bind_scenario,
    create_provider,
    known_providers,
    parse_provider_name,
    register_provider,
    reset_registry,
    unregister_provider,
)


class EchoProvider:
    def __init__(self, model: str, **options: Any) -> None:
        self.model = model
        self.options = options

    @property
    def name(self) -> str:
        return f"sim/{self.model}"

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> EchoProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def entry_point_factory(model: str, **options: Any) -> Provider:
    return EchoProvider(model, **options)


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


@pytest.mark.parametrize(
    ("name", "cls", "provider"),
    [
        ("anthropic/claude-sonnet-4-5", AnthropicProvider, "anthropic"),
        ("openai/gpt-4.1", OpenAIChatProvider, "openai"),
        ("openai/o3-pro", OpenAIResponsesProvider, "openai"),
        ("openai/gpt-5-codex", OpenAIResponsesProvider, "openai"),
        ("google/gemini-2.5-pro", GeminiProvider, "google"),
        ("gemini/gemini-2.5-pro", GeminiProvider, "google"),
        ("together/meta-llama/Llama-3.3-70B-Instruct-Turbo", OpenAIChatProvider, "together"),
        ("openrouter/anthropic/claude-sonnet-4.5", OpenAIChatProvider, "openrouter"),
        ("deepseek/deepseek-reasoner", OpenAIChatProvider, "deepseek"),
        ("xai/grok-4", OpenAIChatProvider, "xai"),
        ("vllm/Qwen/Qwen3-8B", OpenAIChatProvider, "vllm"),
        ("ollama/qwen3:8b", OpenAIChatProvider, "ollama"),
    ],
)
def test_builtin_prefixes(name: str, cls: type, provider: str):
    created = create_provider(name, api_key="k-test")
    assert type(created) is cls
    assert isinstance(created, Provider)
    _, model = parse_provider_name(name)
    assert created.name == f"{provider}/{model}"


def test_openai_api_option():
    assert type(create_provider("openai/gpt-4.1", api_key="k", api="responses")) is OpenAIResponsesProvider
    assert type(create_provider("openai/o3-pro", api_key="k", api="chat")) is OpenAIChatProvider


def test_unknown_prefix_lists_known_ones():
    with pytest.raises(UnknownProviderError) as info:
        create_provider("nosuch/model")
    text = str(info.value)
    for prefix in (
        "anthropic",
        "openai",
        "google",
        "together",
        "openrouter",
        "deepseek",
        "xai",
        "vllm",
        "ollama",
        "replay",
    ):
        assert prefix in text
    assert "register_provider" in text


@pytest.mark.parametrize("bad", ["anthropic", "/model", "anthropic/", ""])
def test_malformed_names(bad: str):
    with pytest.raises(ValueError, match="provider/model"):
        create_provider(bad)


def test_register_provider_is_one_call():
    register_provider("echo", EchoProvider)
    provider = create_provider("echo/cautious-agent", seed=3)
    assert isinstance(provider, EchoProvider)
    assert provider.options == {"seed": 3}
    assert "echo" in known_providers()
    assert "sim" in known_providers()  # the offline simulator is built in


def test_register_provider_refuses_silent_replacement():
    with pytest.raises(ValueError, match="already registered"):
        register_provider("openai", EchoProvider)
    register_provider("openai", EchoProvider, replace=True)
    assert isinstance(create_provider("openai/x"), EchoProvider)
    with pytest.raises(ValueError, match="invalid provider prefix"):
        register_provider("a/b", EchoProvider)


def test_entry_points_extend_the_registry(monkeypatch: pytest.MonkeyPatch):
    ep = EntryPoint(
        name="plugin",
        value=f"{Path(__file__).stem}:entry_point_factory",
        group=_registry.ENTRY_POINT_GROUP,
    )
    monkeypatch.setattr(_registry, "entry_points", lambda group: [ep] if group == ep.group else [])
    reset_registry()
    assert "plugin" in known_providers()
    provider = create_provider("plugin/model-x")
    # The entry point imports this module afresh, so compare by name rather than identity.
    assert type(provider).__name__ == "EchoProvider"
    assert provider.name == "sim/model-x"


def test_record_to_and_replay_prefix(tmp_path: Path):
    recorded = create_provider("openai/gpt-4.1", api_key="k", record_to=tmp_path, canary="TEST-CANARY")
    assert isinstance(recorded, RecordingProvider)
    assert recorded.name == "openai/gpt-4.1"
    replay = create_provider("replay/openai/gpt-4.1", recordings_dir=tmp_path)
    assert isinstance(replay, ReplayProvider)
    assert replay.name == "replay/openai/gpt-4.1"


def test_factories_by_path_are_imported_on_first_use():
    with pytest.raises(ValueError, match="module:attribute"):
        register_provider("lazy", "no_colon_here")
    register_provider("lazy", f"{Path(__file__).stem}:entry_point_factory")
    try:
        assert "lazy" in known_providers()
        assert type(create_provider("lazy/model-y")).__name__ == "EchoProvider"
    finally:
        unregister_provider("lazy")


def test_sim_is_a_builtin_registered_by_path_from_above():
    # The providers never import the simulator: the scenariokit package registers its path.
    assert _registry._BUILTINS["sim"] == "scenariokit.simulator:create_simulator"
    reset_registry()
    assert "sim" in known_providers()
    assert create_provider("sim/brittle").name == "sim/brittle"


def test_moved_simulator_names_say_where_they_went():
    import scenariokit.providers as providers

    for name in ("PROFILES", "create_simulator", "expected_harm_rate", "SimulatedAgent", "CANARY"):
        with pytest.raises(AttributeError, match=r"has moved: import scenariokit\.(simulator|CANARY)"):
            getattr(providers, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        providers.nothing_here  # noqa: B018


def test_bind_scenario_passes_what_needs_no_scenario_through(tmp_path: Path):
    echo = EchoProvider("m")
    assert bind_scenario(echo, object()) is echo
    recorder = RecordingProvider(echo, tmp_path, canary="TEST-CANARY")
    assert bind_scenario(recorder, object()) is recorder  # nothing inside needs it
    replay = ReplayProvider("openai/gpt-4.1", tmp_path)
    assert bind_scenario(replay, object()) is replay
