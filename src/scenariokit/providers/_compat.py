"""Presets for OpenAI-compatible services: Together, OpenRouter, DeepSeek, xAI, vLLM, Ollama.

Quirks handled (see the wire-format reference): reasoning in ``reasoning_content`` or
``reasoning`` (Together may send both) or inline ``<think>`` tags; numeric ``error.code``
(OpenRouter, vLLM), string ``error`` and flat vLLM errors; errors inside HTTP 200 bodies and
stream chunks (OpenRouter); SSE comment lines (``: OPENROUTER PROCESSING``, ``: keep-alive``) and
blank-line preambles before JSON bodies (DeepSeek); extra finish reasons (``eos``, ``error``,
``insufficient_system_resource``); DeepSeek's rule that ``reasoning_content`` must be sent back on
assistant turns that made tool calls.
"""

from __future__ import annotations

import os
from typing import Any

from scenariokit.providers._openai import ChatPreset, OpenAIChatProvider


def _ollama_default() -> str:
    host = os.environ.get("OLLAMA_HOST", "").strip()
    if not host:
        return "http://localhost:11434/v1"
    if "://" not in host:
        host = f"http://{host}"
    return f"{host.rstrip('/')}/v1"


PRESETS: dict[str, ChatPreset] = {
    "together": ChatPreset(
        prefix="together",
        default_base_url="https://api.together.ai/v1",
        key_env=("TOGETHER_API_KEY",),
        base_url_env=("TOGETHER_BASE_URL",),
    ),
    "openrouter": ChatPreset(
        prefix="openrouter",
        default_base_url="https://openrouter.ai/api/v1",
        key_env=("OPENROUTER_API_KEY",),
        base_url_env=("OPENROUTER_BASE_URL",),
        reasoning_style="openrouter",
        extra_headers=(("x-openrouter-title", "scenariokit"),),
    ),
    "deepseek": ChatPreset(
        prefix="deepseek",
        default_base_url="https://api.deepseek.com",
        key_env=("DEEPSEEK_API_KEY",),
        base_url_env=("DEEPSEEK_BASE_URL",),
        reasoning_style="deepseek",
        replay_reasoning_field="reasoning_content",
    ),
    "xai": ChatPreset(
        prefix="xai",
        default_base_url="https://api.x.ai/v1",
        key_env=("XAI_API_KEY",),
        base_url_env=("XAI_BASE_URL",),
    ),
    "vllm": ChatPreset(
        prefix="vllm",
        default_base_url="http://localhost:8000/v1",
        key_env=("VLLM_API_KEY",),
        base_url_env=("VLLM_BASE_URL",),
        key_required=False,
    ),
    "ollama": ChatPreset(
        prefix="ollama",
        default_base_url="http://localhost:11434/v1",
        key_env=("OLLAMA_API_KEY",),
        base_url_env=("OLLAMA_BASE_URL",),
        key_required=False,
    ),
}


def create_compatible(prefix: str, model: str, **options: Any) -> OpenAIChatProvider:
    """Create a client for an OpenAI-compatible service by its preset name.

    Args:
        prefix: One of :data:`PRESETS` (``together``, ``openrouter``, ``deepseek``, ``xai``,
            ``vllm``, ``ollama``).
        model: Model name as the service knows it (may contain ``/``, e.g.
            ``meta-llama/Llama-3.3-70B-Instruct-Turbo``).
        **options: Passed to :class:`OpenAIChatProvider` (``api_key``, ``base_url``, ``stream``...).

    Returns:
        The provider.

    Raises:
        KeyError: If ``prefix`` is not a known preset.
    """
    preset = PRESETS[prefix]
    if prefix == "ollama" and "base_url" not in options and not os.environ.get("OLLAMA_BASE_URL"):
        options["base_url"] = _ollama_default()
    return OpenAIChatProvider(model, preset=preset, **options)
