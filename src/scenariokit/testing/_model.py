"""The model under test: a provider wrapped with recording/replay, a live-call policy and a call budget."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import anyio

from scenariokit.providers._errors import MissingAPIKeyError
from scenariokit.providers._protocol import ClosesOnExit, Provider, bind_scenario
from scenariokit.providers._recording import RecordingStore
from scenariokit.providers._registry import OFFLINE_PREFIXES, create_provider, parse_provider_name
from scenariokit.providers._types import GenerateConfig, GenerateRequest, Message, ModelResponse, Tool
from scenariokit.scenario import CANARY
from scenariokit.testing._errors import (
    BudgetExceededError,
    LiveCallError,
    NoAPIKeyError,
    ReplayMissError,
    ScenarioTestError,
)

if TYPE_CHECKING:
    pass

RecordMode = Literal["none", "new", "all"]
"""How recordings are used: ``none`` replays only (a miss is an error), ``new`` replays and records misses,
``all`` calls the model every time and overwrites recordings."""

RECORD_MODES: tuple[RecordMode, ...] = ("none", "new", "all")
"""The record modes, in order."""

FREE_PREFIXES = OFFLINE_PREFIXES
"""Provider prefixes whose calls are offline and free (the simulator): never "live", never charged to a
budget unless ``CallBudget.include_free`` is set (``scenariokit.providers.OFFLINE_PREFIXES``)."""

_DEFAULT_CONFIG = GenerateConfig()
T = TypeVar("T")


@dataclass
class CallBudget:
    """The most model calls a test may make; replayed responses are free.

    Calls to the offline simulator are not counted unless ``include_free`` is set. One budget is shared by
    everything a test samples (every scenario, every assertion).

    Example:
        >>> budget = CallBudget(max_calls=2, include_free=True)
        >>> budget.charge("sim/compliant", free=True); budget.charge("sim/compliant", free=True)
        >>> budget.used
        2
        >>> budget.charge("sim/compliant", free=True)
        Traceback (most recent call last):
        ...
        scenariokit.testing._errors.BudgetExceededError: call budget exceeded: ...
    """

    max_calls: int | None = 200
    """The most counted calls; ``None`` for no limit."""

    include_free: bool = False
    """Also count calls to the offline simulator (useful to test budgets offline)."""

    used: int = 0
    """Calls counted so far."""

    source: str = "CallBudget(max_calls=...)"
    """Where the limit came from, named in the error (e.g. ``--scenariokit-budget``)."""

    def __post_init__(self) -> None:
        if self.max_calls is not None and self.max_calls < 0:
            raise ValueError(f"CallBudget.max_calls must be 0 or more (or None), got {self.max_calls}")

    @property
    def remaining(self) -> int | None:
        """Calls left, or ``None`` without a limit."""
        return None if self.max_calls is None else max(0, self.max_calls - self.used)

    def charge(self, model: str, *, free: bool = False) -> None:
        """Count one call to ``model``.

        Raises:
            BudgetExceededError: If the call would go over ``max_calls``; nothing is counted then.
        """
        if free and not self.include_free:
            return
        if self.max_calls is not None and self.used >= self.max_calls:
            raise BudgetExceededError(
                f"call budget exceeded: this test may make at most {self.max_calls} model calls "
                f"(set by {self.source}) and tried to make call {self.used + 1} to {model}. Raise the "
                "budget (pytest --scenariokit-budget=N or SCENARIOKIT_BUDGET=N; in code "
                "CallBudget(max_calls=N)), lower n, or record the responses once "
                "(--scenariokit-record=new) so that later runs replay them for free"
            )
        self.used += 1


@dataclass
class CallCounts:
    """What a model under test has done so far."""

    live: int = 0
    """Calls that reached the model (the simulator included)."""

    replayed: int = 0
    """Calls served from recordings."""

    recorded: int = 0
    """Responses written to the recordings directory."""


def is_free(name: str) -> bool:
    """Whether a ``provider/model`` name is the offline simulator (free, no network).

    Example:
        >>> is_free("sim/brittle"), is_free("openai/gpt-4.1")
        (True, False)
    """
    prefix, _, _ = name.partition("/")
    return prefix in FREE_PREFIXES


def no_key_error(name: str, exc: MissingAPIKeyError, *, recordings: bool) -> NoAPIKeyError:
    """The error a test raises when its model needs a key that is not set, with the offline ways to test."""
    where = (
        "the recordings directory has no response for this request"
        if recordings
        else "no recordings directory is set"
    )
    return NoAPIKeyError(
        f"{name} needs an API key and none is set ({exc.what}; {where}). Set the key to test the real model "
        f"({exc.fix}); or test offline: with the simulator, pytest --scenariokit-model=sim/self_preserving (or "
        "another sim/ profile), or by replaying recorded responses, pytest --scenariokit-recordings=DIR "
        "--scenariokit-record=none (record them once with the key set)"
    )


def resolve_provider(name: str) -> Provider:
    """Create a provider from a ``provider/model`` name; ``sim/<profile>`` gives the offline simulator.

    Raises:
        ValueError: If the name is not ``provider/model`` or the simulator profile is unknown.
        scenariokit.providers.UnknownProviderError: If the prefix is unknown.
        scenariokit.providers.MissingAPIKeyError: If the vendor's key is not set.
    """
    parse_provider_name(name)
    return create_provider(name, canary=CANARY)


class _GuardedProvider(ClosesOnExit):
    """The provider a model under test hands to episodes: replay, record, refuse, charge, call."""

    def __init__(self, owner: ModelUnderTest, scenario: object = None) -> None:
        self._owner = owner
        self._scenario = scenario

    def for_scenario(self, scenario: object) -> _GuardedProvider:
        """The same guard, handing ``scenario`` to the model it calls (the simulator needs it)."""
        return _GuardedProvider(self._owner, scenario)

    @property
    def name(self) -> str:
        return self._owner.name

    def __repr__(self) -> str:
        return f"<guarded {self._owner!r}>"

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        config: GenerateConfig = _DEFAULT_CONFIG,
        sample_index: int = 0,
    ) -> ModelResponse:
        owner = self._owner
        store = owner.store
        request = GenerateRequest(
            messages=tuple(messages), tools=tuple(tools), config=config, sample_index=sample_index
        )
        if store is not None and owner.record in ("none", "new"):
            recorded = store.load(owner.name, request)
            if recorded is not None:
                owner.calls.replayed += 1
                return recorded.model_copy(update={"attempts": 0})
            if owner.record == "none":
                raise owner.abort(
                    ReplayMissError(
                        f"replay-only: no recording of {owner.name} for request {request.fingerprint()[:16]}... "
                        f"sample {sample_index} (expected {store.path_for(owner.name, request)}). Record it "
                        "with pytest --scenariokit-record=new (or ModelUnderTest(record='new')) against the "
                        "real model, then commit the recordings directory"
                    )
                )
        if not owner.live and not owner.is_free:
            where = f"recordings in {store.directory}" if store is not None else "no recordings directory"
            raise owner.abort(
                LiveCallError(
                    f"live call to {owner.name} refused: only recorded responses may be used here "
                    f"({owner.policy}; {where}). Record the responses first: pytest --scenariokit-model="
                    f"{owner.name} --scenariokit-recordings=DIR --scenariokit-record=new (without "
                    "--scenariokit-profile=scenariokit-ci), commit DIR, then replay it in CI"
                )
            )
        try:
            inner = owner.inner()
        except MissingAPIKeyError as exc:
            raise owner.abort(no_key_error(owner.name, exc, recordings=store is not None)) from None
        try:
            owner.budget.charge(owner.name, free=owner.is_free)
        except BudgetExceededError as exc:
            raise owner.abort(exc) from None
        if self._scenario is not None:
            inner = bind_scenario(inner, self._scenario)
        response = await inner.generate(messages, tools=tools, config=config, sample_index=sample_index)
        owner.calls.live += 1
        if store is not None and owner.record in ("new", "all"):
            store.save(owner.name, request, response)
            owner.calls.recorded += 1
        return response

    async def aclose(self) -> None:
        await self._owner.aclose()


@dataclass
class _State:
    inner: Provider | None = None
    aborted: ScenarioTestError | None = None
    calls: CallCounts = field(default_factory=CallCounts)


class ModelUnderTest:
    """A model to test: a ``provider/model`` name (or a provider) with recordings, a live policy and a budget.

    Every sample goes through :attr:`provider`, which, in order: serves a recorded response (record modes
    ``none`` and ``new``); refuses a miss in replay-only mode (:class:`ReplayMissError`); refuses a live call
    when ``live`` is false (:class:`LiveCallError`; the simulator is offline and always allowed); charges the
    :class:`CallBudget` (:class:`BudgetExceededError`); calls the model and records the response (modes
    ``new`` and ``all``). Because episodes record provider errors instead of raising them, these refusals are
    kept and re-raised by the sampling functions after the episode (:meth:`raise_if_aborted`).

    Recordings use the files of :class:`scenariokit.providers.RecordingStore`, keyed by (model, request
    fingerprint, sample index); the request fingerprint covers the rendered prompt and the generation config,
    seed included, so ``replay/<model>`` providers read the same files.

    Example:
        >>> m = ModelUnderTest("sim/brittle")
        >>> m.name, m.is_free, m.describe()
        ('sim/brittle', True, 'sim/brittle (the offline simulator, not a real model)')
    """

    def __init__(
        self,
        model: str | Provider | ModelUnderTest,
        *,
        recordings: str | os.PathLike[str] | None = None,
        record: RecordMode = "new",
        live: bool = True,
        budget: CallBudget | int | None = None,
        policy: str = "live=False",
    ) -> None:
        """Create it.

        Args:
            model: ``provider/model`` name (``sim/<profile>`` for the simulator) or a provider.
            recordings: Directory of recorded responses, or ``None`` for none.
            record: ``none`` (replay only), ``new`` (record misses) or ``all`` (re-record everything).
            live: Whether live (network) calls are allowed.
            budget: A shared :class:`CallBudget`, a maximum number of calls, or ``None`` for the default
                (200 calls, simulator not counted).
            policy: How to name the live policy in error messages (the plugin says which profile set it).

        Raises:
            ValueError: On an unknown record mode or a malformed model name.
        """
        if isinstance(model, ModelUnderTest):
            model = model.inner()
        if record not in RECORD_MODES:
            raise ValueError(f"record={record!r}: use one of {', '.join(RECORD_MODES)}")
        if isinstance(model, str):
            parse_provider_name(model)
            self._name = model
            self._state = _State()
        else:
            self._name = model.name
            self._state = _State(inner=model)
        self.store = RecordingStore(recordings, canary=CANARY) if recordings is not None else None
        self.record: RecordMode = record
        self.live = live
        self.policy = policy
        if isinstance(budget, int):
            budget = CallBudget(max_calls=budget)
        self.budget = budget if budget is not None else CallBudget()
        self.provider: Provider = _GuardedProvider(self)

    def __repr__(self) -> str:
        return f"ModelUnderTest({self._name!r}, {self.describe_recordings()})"

    @property
    def name(self) -> str:
        """The model's ``provider/model`` name."""
        return self._name

    @property
    def is_free(self) -> bool:
        """Whether the model is the offline simulator."""
        return is_free(self._name)

    @property
    def calls(self) -> CallCounts:
        """Live, replayed and recorded call counts so far."""
        return self._state.calls

    @property
    def recordings(self) -> Path | None:
        """The recordings directory, or ``None``."""
        return self.store.directory if self.store is not None else None

    def inner(self) -> Provider:
        """The unwrapped provider, created on first use (so replay-only runs need no API key)."""
        if self._state.inner is None:
            self._state.inner = resolve_provider(self._name)
        return self._state.inner

    def with_budget(self, budget: CallBudget | int | None) -> ModelUnderTest:
        """The same model (same provider, counters and recordings) with another budget."""
        other = ModelUnderTest.__new__(ModelUnderTest)
        other.__dict__.update(self.__dict__)
        other.budget = CallBudget(max_calls=budget) if isinstance(budget, int) else budget or CallBudget()
        other.provider = _GuardedProvider(other)
        return other

    def abort(self, error: ScenarioTestError) -> ScenarioTestError:
        """Remember an error that must stop the test (the first one wins) and return it for raising."""
        if self._state.aborted is None:
            self._state.aborted = error
        return error

    def raise_if_aborted(self) -> None:
        """Re-raise a refusal (budget, live call, replay miss) that an episode recorded instead of raising.

        The error is cleared, so the model can be used again after the caller handled it.
        """
        error, self._state.aborted = self._state.aborted, None
        if error is not None:
            raise error

    def describe(self) -> str:
        """One line: the model, and a note when it is the simulator."""
        note = " (the offline simulator, not a real model)" if self.is_free else ""
        return f"{self._name}{note}"

    def describe_recordings(self) -> str:
        """One line on recordings and the live policy."""
        if self.store is None:
            rec = "no recordings"
        else:
            rec = f"recordings {self.store.directory} (record={self.record})"
        return rec + ("" if self.live else ", live calls refused")

    async def aclose(self) -> None:
        """Close the inner provider, if it was created."""
        if self._state.inner is not None:
            await self._state.inner.aclose()


def run_sync(model: ModelUnderTest, func: Callable[[], Awaitable[T]]) -> T:
    """Run ``func`` in a new event loop and close the model's connections before returning.

    The synchronous helpers use it, so that an HTTP provider is never reused across event loops.
    """

    async def main() -> T:
        try:
            return await func()
        finally:
            await model.aclose()

    return anyio.run(main)


def as_model(
    model: str | Provider | ModelUnderTest, *, budget: CallBudget | int | None = None
) -> ModelUnderTest:
    """Wrap a name or provider as a :class:`ModelUnderTest` (a model under test is returned as is).

    Args:
        model: The model.
        budget: A budget to use instead of the model's own.
    """
    if isinstance(model, ModelUnderTest):
        return model if budget is None else model.with_budget(budget)
    return ModelUnderTest(model, budget=budget)
