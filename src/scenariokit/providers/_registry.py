"""Resolution of ``provider/model`` names to provider factories.

Built-in prefixes: ``anthropic``, ``openai``, ``google`` (alias ``gemini``), ``together``,
``openrouter``, ``deepseek``, ``xai``, ``vllm``, ``ollama`` and ``replay``. Other packages add
prefixes with :func:`register_provider` or the ``scenariokit.providers`` entry-point group (the
entry point's name is the prefix, its object the factory).

A factory may be given as a ``"module:attribute"`` string, imported on first use. That is how ``sim``
(the offline simulated agent, ``scenariokit.simulator``, a layer above this one) is registered: the
``scenariokit`` package registers it by name when it is imported, so this package never imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from scenariokit.providers._anthropic import AnthropicProvider
from scenariokit.providers._compat import PRESETS, create_compatible
from scenariokit.providers._errors import UnknownProviderError
from scenariokit.providers._gemini import GeminiProvider
from scenariokit.providers._openai import create_openai
from scenariokit.providers._protocol import Provider
from scenariokit.providers._recording import RecordingProvider, ReplayProvider

ProviderFactory = Callable[..., Provider]
"""Called as ``factory(model, **options)``; returns a :class:`Provider`."""

FactoryRef = ProviderFactory | str
"""A factory, or the ``"module:attribute"`` path of one (imported on first use)."""

ENTRY_POINT_GROUP = "scenariokit.providers"

OFFLINE_PREFIXES: frozenset[str] = frozenset({"sim"})
"""Provider prefixes that never touch the network and cost nothing (the offline simulator): they are not
"live" calls for the testing toolkit and not charged to a study's budget."""
RECORDINGS_ENV = "SCENARIOKIT_RECORDINGS_DIR"
DEFAULT_RECORDINGS_DIR = "recordings"


def _replay_factory(
    model: str,
    *,
    recordings_dir: str | os.PathLike[str] | None = None,
    passthrough: bool = False,
    record_misses: bool = False,
    canary: str | None = None,
    **options: Any,
) -> Provider:
    directory = recordings_dir or os.environ.get(RECORDINGS_ENV) or DEFAULT_RECORDINGS_DIR
    fallback = create_provider(model, **options) if passthrough else None
    return ReplayProvider(model, directory, fallback=fallback, record_misses=record_misses, canary=canary)


_BUILTINS: dict[str, FactoryRef] = {
    "anthropic": AnthropicProvider,
    "openai": create_openai,
    "google": GeminiProvider,
    "gemini": GeminiProvider,
    **{prefix: partial(create_compatible, prefix) for prefix in PRESETS},
    "replay": _replay_factory,
    # The offline simulator sits above the providers; they know it only by this name (imported on first use).
    "sim": "scenariokit.simulator:create_simulator",
}

_REGISTRY: dict[str, FactoryRef] = dict(_BUILTINS)
_ENTRY_POINTS: dict[str, EntryPoint] | None = None


def _entry_points() -> dict[str, EntryPoint]:
    global _ENTRY_POINTS
    if _ENTRY_POINTS is None:
        _ENTRY_POINTS = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return _ENTRY_POINTS


def _check_prefix(prefix: str) -> None:
    if not prefix or "/" in prefix or not prefix.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"invalid provider prefix {prefix!r}: use letters, digits, '-' or '_'")


def _check_ref(factory: FactoryRef) -> None:
    if isinstance(factory, str):
        module, sep, attribute = factory.partition(":")
        if not sep or not module or not attribute:
            raise ValueError(
                f"invalid factory path {factory!r}: use 'module:attribute', e.g. 'mypackage.models:create'"
            )


def register_builtin(prefix: str, factory: FactoryRef) -> None:
    """Add a built-in registration, kept by :func:`reset_registry` (for the ``scenariokit`` package itself).

    The ``scenariokit`` package registers the higher layers' providers (``sim``) with this when it is
    imported, by ``"module:attribute"`` path, so that this package never imports them.
    """
    _check_prefix(prefix)
    _check_ref(factory)
    _BUILTINS[prefix] = factory
    _REGISTRY.setdefault(prefix, factory)


def register_provider(prefix: str, factory: FactoryRef, *, replace: bool = False) -> None:
    """Register a factory for ``prefix/...`` names.

    Args:
        prefix: The provider prefix (letters, digits, ``-`` and ``_``), e.g. ``sim``.
        factory: Called as ``factory(model, **options)``; or its ``"module:attribute"`` path, imported the
            first time the prefix is used.
        replace: Allow replacing an existing registration.

    Raises:
        ValueError: If the prefix is malformed, or already registered and ``replace`` is false.

    Example:
        >>> register_provider("sim", SimulatedProvider)  # doctest: +SKIP
    """
    _check_prefix(prefix)
    _check_ref(factory)
    if prefix in _REGISTRY and not replace and _REGISTRY[prefix] != factory:
        raise ValueError(
            f"provider prefix {prefix!r} is already registered; pass replace=True to override it"
        )
    _REGISTRY[prefix] = factory


def unregister_provider(prefix: str) -> None:
    """Remove a registration (built-ins come back with :func:`reset_registry`)."""
    _REGISTRY.pop(prefix, None)


def reset_registry() -> None:
    """Restore the built-in registrations (entry points are loaded again on demand)."""
    global _ENTRY_POINTS
    _REGISTRY.clear()
    _REGISTRY.update(_BUILTINS)
    _ENTRY_POINTS = None


def known_providers() -> list[str]:
    """Return every known prefix: registered ones and those offered by entry points."""
    return sorted(set(_REGISTRY) | set(_entry_points()))


def parse_provider_name(name: str) -> tuple[str, str]:
    """Split ``provider/model`` at the first slash (models may contain slashes).

    Raises:
        ValueError: If there is no prefix or no model.
    """
    prefix, sep, model = name.partition("/")
    if not sep or not prefix or not model:
        raise ValueError(
            f"expected a 'provider/model' name such as 'anthropic/claude-sonnet-4-5', got {name!r}"
        )
    return prefix, model


def get_factory(prefix: str) -> ProviderFactory:
    """Return the factory registered for ``prefix``.

    Raises:
        UnknownProviderError: If no registration or entry point provides it (lists known ones).
    """
    factory = _REGISTRY.get(prefix)
    if isinstance(factory, str):
        module, _, attribute = factory.partition(":")
        loaded = getattr(import_module(module), attribute)
        if not callable(loaded):
            raise TypeError(f"{factory!r}, the factory registered for provider {prefix!r}, is not callable")
        _REGISTRY[prefix] = loaded
        return cast(ProviderFactory, loaded)
    if factory is not None:
        return factory
    entry = _entry_points().get(prefix)
    if entry is not None:
        loaded = entry.load()
        if not callable(loaded):
            raise TypeError(f"entry point {entry.value!r} for provider {prefix!r} is not callable")
        _REGISTRY[prefix] = loaded
        return loaded  # type: ignore[no-any-return]
    raise UnknownProviderError(
        f"unknown provider prefix {prefix!r}; known prefixes: {', '.join(known_providers())}. "
        "Register one with scenariokit.providers.register_provider(prefix, factory) or the "
        f"{ENTRY_POINT_GROUP!r} entry-point group"
    )


def create_provider(
    name: str,
    *,
    record_to: str | os.PathLike[str] | None = None,
    canary: str | None = None,
    **options: Any,
) -> Provider:
    """Create a provider from a ``provider/model`` name.

    Args:
        name: E.g. ``anthropic/claude-sonnet-4-5``, ``openrouter/deepseek/deepseek-r1``,
            ``replay/openai/gpt-4.1``.
        record_to: Wrap the provider in a :class:`RecordingProvider` writing to this directory (needs
            ``canary``).
        canary: The canary string of recordings (``scenariokit.CANARY``): written into each one made with
            ``record_to`` (or by ``replay/`` with ``record_misses``), and required of those ``replay/`` reads.
        **options: Passed to the factory (``api_key``, ``base_url``, ``stream``,
            ``retry_policy``; ``recordings_dir``/``passthrough`` for ``replay``).

    Returns:
        The provider.

    Raises:
        UnknownProviderError: If the prefix is unknown.
        MissingAPIKeyError: If the vendor's key is needed and not set.
        ValueError: If ``record_to`` is given without ``canary``.
    """
    prefix, model = parse_provider_name(name)
    if record_to is not None and canary is None:
        raise ValueError(
            f"create_provider({name!r}, record_to=...) writes recordings, which carry a canary string: pass "
            "canary=scenariokit.CANARY"
        )
    if prefix == "replay" and canary is not None:
        options["canary"] = canary
    provider = get_factory(prefix)(model, **options)
    if record_to is not None:
        assert canary is not None
        return RecordingProvider(provider, record_to, canary=canary)
    return provider
