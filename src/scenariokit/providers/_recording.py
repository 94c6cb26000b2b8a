"""Recording of provider responses into committable files, and replay with no network.

Each response is one JSON file at ``<dir>/<provider>/<model>/<fingerprint>-<sample>.json``, written
with sorted keys and two-space indentation so that re-recording gives small diffs. Every file
carries the canary string its caller gives (``scenariokit.CANARY`` for scenario data) so that the data can
be kept out of training corpora; the providers do not define one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from scenariokit.providers._errors import RecordingMissError, ResponseParseError
from scenariokit.providers._protocol import ClosesOnExit, Provider, bind_scenario
from scenariokit.providers._types import GenerateConfig, GenerateRequest, Message, ModelResponse, Tool

FORMAT_VERSION = 1
"""Version of the recording file format."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(segment: str) -> str:
    cleaned = _UNSAFE.sub("_", segment).strip("._")
    return cleaned or "_"


def _split_name(name: str) -> tuple[str, str]:
    provider, sep, model = name.partition("/")
    if not sep or not model:
        raise ValueError(f"expected a 'provider/model' name, got {name!r}")
    return provider, model


class RecordingStore:
    """A directory of recorded responses keyed by (provider, model, fingerprint, sample index).

    The fingerprint covers the messages, tools, the whole generation config (timeout excluded) and
    the sample index, see :meth:`GenerateRequest.fingerprint`.

    Args:
        directory: Where recordings live.
        canary: The canary string written into every recording and required of every recording read
            (``scenariokit.CANARY`` for scenario data). Without one the store can read, accepting any
            recording that carries a canary, but not write.
    """

    def __init__(self, directory: str | os.PathLike[str], *, canary: str | None = None) -> None:
        if canary is not None and not canary.strip():
            raise ValueError("canary must be a non-empty string such as scenariokit.CANARY")
        self.directory = Path(directory)
        self.canary = canary

    def path_for(self, name: str, request: GenerateRequest) -> Path:
        """Return the file that holds the response of ``name`` to ``request``."""
        provider, model = _split_name(name)
        filename = f"{request.fingerprint()}-{request.sample_index}.json"
        return self.directory / _safe(provider) / _safe(model) / filename

    def load(self, name: str, request: GenerateRequest) -> ModelResponse | None:
        """Return the recorded response, or ``None`` if there is none.

        Raises:
            ResponseParseError: If the file exists but is not a valid recording.
        """
        path = self.path_for(name, request)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            found = data.get("canary")
            if not isinstance(found, str) or not found or (self.canary is not None and found != self.canary):
                raise ValueError(
                    "the canary string is missing"
                    if self.canary is None
                    else f"the canary string {self.canary!r} is missing"
                )
            return ModelResponse.model_validate(data["response"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            provider, model = _split_name(name)
            raise ResponseParseError(
                f"recording {path} is not valid ({exc})",
                provider=provider,
                model=model,
                fix="delete the file and record it again",
            ) from None

    def save(self, name: str, request: GenerateRequest, response: ModelResponse) -> Path:
        """Write a recording atomically and return its path.

        Raises:
            ValueError: If the store was made without a canary.
        """
        if self.canary is None:
            raise ValueError(
                f"cannot record into {self.directory}: the recording store has no canary string; create it "
                "with canary=scenariokit.CANARY (RecordingStore, RecordingProvider, ReplayProvider and "
                "create_provider(..., record_to=DIR) take it)"
            )
        provider, model = _split_name(name)
        path = self.path_for(name, request)
        path.parent.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = {
            "canary": self.canary,
            "format": FORMAT_VERSION,
            "key": {
                "provider": provider,
                "model": model,
                "fingerprint": request.fingerprint(),
                "sample_index": request.sample_index,
                "config": request.config.model_dump(mode="json", exclude={"timeout"}),
            },
            "request": request.model_dump(mode="json", exclude={"config": {"timeout"}}),
            "response": response.model_dump(mode="json"),
        }
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


class _Wrapper(ClosesOnExit):
    async def aclose(self) -> None:
        """Close the wrapped provider, if any."""


class RecordingProvider(_Wrapper):
    """Wraps any provider and records its responses into a :class:`RecordingStore`.

    Args:
        inner: The provider to call.
        directory: Where recordings live.
        canary: The canary string written into every recording (``scenariokit.CANARY``).
        mode: ``"new"`` serves existing recordings and records only misses; ``"all"`` always
            calls the provider and overwrites recordings.

    Raises:
        ValueError: If the canary is empty.
    """

    def __init__(
        self,
        inner: Provider,
        directory: str | os.PathLike[str],
        *,
        canary: str,
        mode: Literal["new", "all"] = "new",
    ) -> None:
        self.inner = inner
        self.store = RecordingStore(directory, canary=canary)
        self.canary = canary
        self.mode = mode

    @property
    def name(self) -> str:
        """The wrapped provider's name."""
        return self.inner.name

    def __repr__(self) -> str:
        return f"RecordingProvider({self.inner!r}, directory={str(self.store.directory)!r})"

    def for_scenario(self, scenario: object) -> Provider:
        """This recorder around the wrapped provider bound to ``scenario`` (see :func:`bind_scenario`)."""
        inner = bind_scenario(self.inner, scenario)
        if inner is self.inner:
            return self
        return RecordingProvider(inner, self.store.directory, canary=self.canary, mode=self.mode)

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Return the recorded response (mode ``new``) or call the provider and record it."""
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        if self.mode == "new":
            recorded = self.store.load(self.name, request)
            if recorded is not None:
                return recorded
        response = await self.inner.generate(messages, tools=tools, config=config, sample_index=sample_index)
        self.store.save(self.name, request, response)
        return response

    async def aclose(self) -> None:
        """Close the wrapped provider."""
        await self.inner.aclose()


class ReplayProvider(_Wrapper):
    """Serves recorded responses of ``target`` (a ``provider/model`` name) with no network.

    Args:
        target: The recorded provider's name, e.g. ``anthropic/claude-sonnet-4-5``.
        directory: Where recordings live.
        fallback: A provider to call on a miss (pass-through) instead of raising.
        record_misses: Record the fallback's responses so the next replay hits (needs ``canary``).
        canary: The canary string recordings must carry and misses are recorded with (``scenariokit.CANARY``);
            ``None`` accepts any recording that carries a canary.

    Raises:
        ValueError: If ``record_misses`` is set without a canary.
    """

    def __init__(
        self,
        target: str,
        directory: str | os.PathLike[str],
        *,
        fallback: Provider | None = None,
        record_misses: bool = False,
        canary: str | None = None,
    ) -> None:
        _split_name(target)
        if record_misses and canary is None:
            raise ValueError(
                "record_misses=True writes recordings, which need canary=scenariokit.CANARY; pass it"
            )
        self.target = target
        self.store = RecordingStore(directory, canary=canary)
        self.fallback = fallback
        self.record_misses = record_misses

    @property
    def name(self) -> str:
        """``replay/<provider>/<model>``."""
        return f"replay/{self.target}"

    def __repr__(self) -> str:
        return f"ReplayProvider({self.target!r}, directory={str(self.store.directory)!r})"

    def for_scenario(self, scenario: object) -> Provider:
        """This replayer with its fallback bound to ``scenario`` (see :func:`bind_scenario`)."""
        if self.fallback is None:
            return self
        fallback = bind_scenario(self.fallback, scenario)
        if fallback is self.fallback:
            return self
        return ReplayProvider(
            self.target,
            self.store.directory,
            fallback=fallback,
            record_misses=self.record_misses,
            canary=self.store.canary,
        )

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = GenerateConfig(),  # noqa: B008
        sample_index: int = 0,
    ) -> ModelResponse:
        """Return the recorded response.

        Raises:
            RecordingMissError: If nothing was recorded for this request and there is no fallback.
        """
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        recorded = self.store.load(self.target, request)
        if recorded is not None:
            return recorded.model_copy(update={"attempts": 0})
        if self.fallback is not None:
            response = await self.fallback.generate(
                messages, tools=tools, config=config, sample_index=sample_index
            )
            if self.record_misses:
                self.store.save(self.target, request, response)
            return response
        provider, model = _split_name(self.target)
        raise RecordingMissError(
            f"no recording for fingerprint {request.fingerprint()} sample {sample_index} "
            f"(expected file {self.store.path_for(self.target, request)})",
            provider=f"replay/{provider}",
            model=model,
            fix=(
                f"record it with create_provider({self.target!r}, record_to="
                f"{str(self.store.directory)!r}) and the same messages, tools, config and "
                "sample_index, or create the replay provider with passthrough=True to call the "
                "real provider on a miss"
            ),
        )

    async def aclose(self) -> None:
        """Close the fallback provider, if any."""
        if self.fallback is not None:
            await self.fallback.aclose()
