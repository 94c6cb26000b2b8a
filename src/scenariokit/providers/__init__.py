"""Async model API clients with one normalised interface.

Create a provider from a ``provider/model`` name and call it::

    async with create_provider("anthropic/claude-sonnet-4-5") as provider:
        response = await provider.generate([UserMessage(content="Hello")])

Built-in prefixes: ``anthropic``, ``openai``, ``google``, ``together``, ``openrouter``,
``deepseek``, ``xai``, ``vllm``, ``ollama`` and ``replay``, and ``sim`` (the offline simulated agent of
``scenariokit.simulator``, registered by name from above: this package imports nothing from the scenario,
agent, simulator or detector layers); add more with
:func:`register_provider` or the ``scenariokit.providers`` entry-point group. Keys come from
each vendor's environment variable (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``, ``GOOGLE_API_KEY``...)
and never appear in a repr, log line or exception.
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.providers._anthropic import AnthropicProvider
    from scenariokit.providers._base import HTTPProvider
    from scenariokit.providers._batch import (
        AnthropicBatchAPI,
        BatchAPI,
        BatchItemError,
        BatchResult,
        BatchStatus,
        GeminiBatchAPI,
        OpenAIBatchAPI,
        batch_api_for,
    )
    from scenariokit.providers._compat import PRESETS, create_compatible
    from scenariokit.providers._errors import (
        AuthenticationError,
        BadRequestError,
        MissingAPIKeyError,
        NotFoundError,
        PermissionDeniedError,
        ProviderConnectionError,
        ProviderError,
        ProviderTimeoutError,
        QuotaExhaustedError,
        RateLimitError,
        RecordingMissError,
        ResponseParseError,
        ResponseTooLargeError,
        ServerError,
        TLSCertificateError,
        UnknownProviderError,
    )
    from scenariokit.providers._gemini import GeminiProvider
    from scenariokit.providers._limits import RateLimits, configure_limits, get_limits, reset_limits
    from scenariokit.providers._models import (
        BUILTIN_CAPABILITIES,
        MODELS_ENV,
        PRICES_AS_OF,
        ROUTE_DEFAULTS,
        Adjustment,
        CapabilityEntry,
        ModelCapabilities,
        ModelPrice,
        adjust_config,
        capabilities_for,
        load_capabilities,
        register_capabilities,
        reset_capabilities,
    )
    from scenariokit.providers._openai import (
        ChatPreset,
        OpenAIChatProvider,
        OpenAIResponsesProvider,
        create_openai,
        needs_responses_api,
    )
    from scenariokit.providers._protocol import Provider, bind_scenario, generate_sync
    from scenariokit.providers._recording import (
        RecordingProvider,
        RecordingStore,
        ReplayProvider,
    )
    from scenariokit.providers._registry import (
        OFFLINE_PREFIXES,
        ProviderFactory,
        create_provider,
        get_factory,
        known_providers,
        parse_provider_name,
        register_provider,
        reset_registry,
        unregister_provider,
    )
    from scenariokit.providers._secret import Secret
    from scenariokit.providers._transport import RetryPolicy, parse_retry_after
    from scenariokit.providers._types import (
        AssistantMessage,
        AssistantPart,
        GenerateConfig,
        GenerateRequest,
        Message,
        ModelResponse,
        ReasoningPart,
        ReasoningSource,
        StopReason,
        SystemMessage,
        TextPart,
        Tool,
        ToolCall,
        ToolMessage,
        ToolResult,
        Usage,
        UserMessage,
        split_think_tags,
    )
    from scenariokit.providers._usage import (
        DEFAULT_PRICES,
        UsageRecord,
        UsageTracker,
    )

__all__ = [
    "BUILTIN_CAPABILITIES",
    "DEFAULT_PRICES",
    "MODELS_ENV",
    "OFFLINE_PREFIXES",
    "PRESETS",
    "PRICES_AS_OF",
    "ROUTE_DEFAULTS",
    "Adjustment",
    "AnthropicBatchAPI",
    "AnthropicProvider",
    "AssistantMessage",
    "AssistantPart",
    "AuthenticationError",
    "BadRequestError",
    "BatchAPI",
    "BatchItemError",
    "BatchResult",
    "BatchStatus",
    "CapabilityEntry",
    "ChatPreset",
    "GeminiBatchAPI",
    "GeminiProvider",
    "GenerateConfig",
    "GenerateRequest",
    "HTTPProvider",
    "Message",
    "MissingAPIKeyError",
    "ModelCapabilities",
    "ModelPrice",
    "ModelResponse",
    "NotFoundError",
    "OpenAIBatchAPI",
    "OpenAIChatProvider",
    "OpenAIResponsesProvider",
    "PermissionDeniedError",
    "Provider",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderFactory",
    "ProviderTimeoutError",
    "QuotaExhaustedError",
    "RateLimitError",
    "RateLimits",
    "ReasoningPart",
    "ReasoningSource",
    "RecordingMissError",
    "RecordingProvider",
    "RecordingStore",
    "ReplayProvider",
    "ResponseParseError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "StopReason",
    "SystemMessage",
    "TLSCertificateError",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolMessage",
    "ToolResult",
    "UnknownProviderError",
    "Usage",
    "UsageRecord",
    "UsageTracker",
    "UserMessage",
    "adjust_config",
    "batch_api_for",
    "bind_scenario",
    "capabilities_for",
    "configure_limits",
    "create_compatible",
    "create_openai",
    "create_provider",
    "generate_sync",
    "get_factory",
    "get_limits",
    "known_providers",
    "load_capabilities",
    "needs_responses_api",
    "parse_provider_name",
    "parse_retry_after",
    "register_capabilities",
    "register_provider",
    "reset_capabilities",
    "reset_limits",
    "reset_registry",
    "split_think_tags",
    "unregister_provider",
]

_MOVED = {
    "CANARY": "scenariokit.CANARY (or scenariokit.scenario.CANARY)",
    "PROFILES": "scenariokit.simulator.PROFILES",
    "Propensity": "scenariokit.simulator.Propensity",
    "SimulatedAgent": "scenariokit.simulator.SimulatedAgent",
    "create_simulator": "scenariokit.simulator.create_simulator",
    "expected_eval_awareness_rate": "scenariokit.simulator.expected_eval_awareness_rate",
    "expected_harm_rate": "scenariokit.simulator.expected_harm_rate (or scenariokit.expected_harm_rate)",
}

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    _exported, __dir__ = lazy_exports(__name__)

    def __getattr__(name: str) -> object:
        moved = _MOVED.get(name)
        if moved is not None:
            raise AttributeError(
                f"scenariokit.providers.{name} has moved: import {moved} (the offline simulator is a layer "
                "above the providers, in scenariokit.simulator)"
            )
        return _exported(name)
