"""The :class:`Provider` protocol every model client implements, and sync helpers."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import anyio

from scenariokit.providers._types import GenerateConfig, Message, ModelResponse, Tool

if TYPE_CHECKING:
    from typing_extensions import Self


@runtime_checkable
class Provider(Protocol):
    """An asynchronous model client.

    Implementations must accept ``sample_index`` (the index of a repeated sample of the same
    request; recording wrappers key responses by it, real vendors ignore it).
    """

    @property
    def name(self) -> str:
        """``provider/model``, e.g. ``anthropic/claude-sonnet-4-5``."""
        ...

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Generate the next assistant turn for ``messages``."""
        ...

    async def aclose(self) -> None:
        """Release connections; the provider may be used again afterwards."""
        ...

    async def __aenter__(self) -> Self:
        """Return the provider itself."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the provider."""
        ...


class ClosesOnExit:
    """Mixin: ``async with provider:`` returns the provider and calls its ``aclose()`` on exit."""

    async def aclose(self) -> None:
        """Release what the provider holds (nothing by default)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def bind_scenario(provider: Provider, scenario: object) -> Provider:
    """The provider to call for requests about ``scenario``.

    Most providers answer from the messages alone and are returned as they are. A provider that needs the
    situation it acts in, such as the offline simulator (``sim/<profile>``), has a ``for_scenario(scenario)``
    method returning a provider bound to it; wrappers (recording, replay) forward it to what they wrap.
    ``scenariokit.agent.run_episode`` calls this with the rendered scenario of each episode. The providers
    treat ``scenario`` as opaque.

    Args:
        provider: The provider.
        scenario: What the calls are about (a ``RenderedScenario`` in an episode).

    Returns:
        ``provider.for_scenario(scenario)`` if the provider has that method, else ``provider``.
    """
    bind = getattr(provider, "for_scenario", None)
    if bind is None:
        return provider
    bound: Provider = bind(scenario)
    return bound


def generate_sync(
    provider: Provider,
    messages: Sequence[Message],
    *,
    tools: Sequence[Tool] = (),
    config: GenerateConfig = GenerateConfig(),  # noqa: B008
    sample_index: int = 0,
) -> ModelResponse:
    """Call ``provider.generate`` from synchronous code.

    Each call runs its own event loop and closes the provider's connections before returning, so
    this suits scripts and notebooks, not throughput (use the async API for that).

    Args:
        provider: The provider to call.
        messages: The conversation.
        tools: Tools the model may call.
        config: Generation settings.
        sample_index: Index of the sample of a repeated request.

    Returns:
        The model's response.
    """

    async def run() -> ModelResponse:
        try:
            return await provider.generate(messages, tools=tools, config=config, sample_index=sample_index)
        finally:
            await provider.aclose()

    return anyio.run(partial(run))
