"""The scenariokit pytest plugin: the model under test, recordings, budgets and Hypothesis profiles.

Enable it with the ``pytest11`` entry point (installed with scenariokit) or ``pytest_plugins =
["scenariokit.testing._plugin"]`` in a ``conftest.py``. Options (each also read from an environment
variable where noted):

* ``--scenariokit-model NAME`` (``SCENARIOKIT_MODEL``): the model under test, ``provider/model``; default
  ``sim/self_preserving``, the offline simulator (not a real model), as the report header says.
* ``--scenariokit-recordings DIR`` (``SCENARIOKIT_RECORDINGS``): recorded responses to replay.
* ``--scenariokit-record none|new|all``: replay only, record misses, or re-record everything (default
  ``new``; ``none`` under the CI profile, where the others are refused).
* ``--scenariokit-profile scenariokit-ci|scenariokit-explore``: load a Hypothesis profile. Under
  ``scenariokit-ci`` live calls are an error (the simulator, being offline, is allowed).
* ``--scenariokit-budget N`` (``SCENARIOKIT_BUDGET``): the most model calls per test (default 200; the
  simulator and replayed responses are free).
* ``--scenariokit-seed N``, ``--scenariokit-n N``, ``--scenariokit-inconclusive fail|skip|warn``: defaults
  of the assertion helpers.

Fixtures: ``scenariokit_model`` (a :class:`ModelUnderTest` with this test's budget),
``scenariokit_recordings`` (the directory or ``None``) and ``scenariokit_budget`` (a fresh
:class:`CallBudget` per test).
"""

from __future__ import annotations

import contextlib
import os
from contextvars import Token
from pathlib import Path

import pytest
from hypothesis import settings

from scenariokit.testing._assertions import _DEFAULTS, MAX_N, AssertionDefaults
from scenariokit.testing._hypothesis import CI_PROFILE, PROFILES, register_profiles
from scenariokit.testing._model import RECORD_MODES, CallBudget, ModelUnderTest, RecordMode, is_free

DEFAULT_MODEL = "sim/self_preserving"
"""The model under test when none is chosen: the offline simulator."""

DEFAULT_BUDGET = 200
"""Default most model calls per test."""

_STATE = pytest.StashKey["_PluginState"]()


class _PluginState:
    def __init__(self, config: pytest.Config) -> None:
        opt = config.getoption
        self.model: str = opt("scenariokit_model") or os.environ.get("SCENARIOKIT_MODEL") or DEFAULT_MODEL
        self.model_source = (
            "--scenariokit-model"
            if opt("scenariokit_model")
            else "SCENARIOKIT_MODEL"
            if os.environ.get("SCENARIOKIT_MODEL")
            else "default"
        )
        recordings = opt("scenariokit_recordings") or os.environ.get("SCENARIOKIT_RECORDINGS")
        self.recordings: Path | None = Path(recordings).resolve() if recordings else None
        self.profile: str | None = opt("scenariokit_profile")
        self.ci = self.profile == CI_PROFILE
        record = opt("scenariokit_record")
        if self.ci and record not in (None, "none"):
            raise pytest.UsageError(
                f"--scenariokit-record={record} cannot be used with --scenariokit-profile={CI_PROFILE}, which "
                "replays only; record without the CI profile, commit the recordings, then replay them in CI"
            )
        self.record: RecordMode = record or ("none" if self.ci else "new")
        budget = opt("scenariokit_budget")
        env_budget = os.environ.get("SCENARIOKIT_BUDGET")
        if budget is None and env_budget:
            try:
                budget = int(env_budget)
            except ValueError:
                raise pytest.UsageError(f"SCENARIOKIT_BUDGET={env_budget!r} is not a whole number") from None
        self.budget_source = (
            "--scenariokit-budget"
            if opt("scenariokit_budget") is not None
            else "SCENARIOKIT_BUDGET"
            if env_budget
            else "the scenariokit plugin's default"
        )
        self.budget: int = DEFAULT_BUDGET if budget is None else budget
        if self.budget < 0:
            raise pytest.UsageError(f"--scenariokit-budget must be 0 or more, got {self.budget}")
        try:
            self.root = ModelUnderTest(
                self.model,
                recordings=self.recordings,
                record=self.record,
                live=not self.ci,
                policy=f"Hypothesis profile {CI_PROFILE} replays only",
            )
        except ValueError as exc:
            raise pytest.UsageError(f"--scenariokit-model: {exc}") from None
        n = opt("scenariokit_n")
        if not 1 <= n <= MAX_N:
            raise pytest.UsageError(
                f"--scenariokit-n must be a number of samples from 1 to {MAX_N:,}, got {n}"
            )
        self.defaults = AssertionDefaults(
            n=n,
            seed=opt("scenariokit_seed"),
            on_inconclusive=opt("scenariokit_inconclusive"),
        )
        self.token: Token[AssertionDefaults] | None = None
        self.previous_profile: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--scenariokit-*`` options."""
    group = parser.getgroup("scenariokit", "scenariokit robustness properties")
    group.addoption(
        "--scenariokit-model",
        metavar="NAME",
        default=None,
        help=f"model under test, provider/model (env SCENARIOKIT_MODEL; default {DEFAULT_MODEL}, the simulator)",
    )
    group.addoption(
        "--scenariokit-recordings",
        metavar="DIR",
        default=None,
        help="directory of recorded responses (env SCENARIOKIT_RECORDINGS)",
    )
    group.addoption(
        "--scenariokit-record",
        choices=RECORD_MODES,
        default=None,
        help="none: replay only; new: record misses (default); all: re-record everything",
    )
    group.addoption(
        "--scenariokit-profile",
        choices=PROFILES,
        default=None,
        help=f"load a Hypothesis profile; {CI_PROFILE} replays only and refuses live calls",
    )
    group.addoption(
        "--scenariokit-budget",
        type=int,
        default=None,
        metavar="N",
        help=f"most model calls per test (env SCENARIOKIT_BUDGET; default {DEFAULT_BUDGET}; simulator free)",
    )
    group.addoption("--scenariokit-seed", type=int, default=0, metavar="N", help="base seed of the samples")
    group.addoption("--scenariokit-n", type=int, default=60, metavar="N", help="default samples per scenario")
    group.addoption(
        "--scenariokit-inconclusive",
        choices=("fail", "skip", "warn"),
        default="fail",
        help="what an inconclusive property does (default fail)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the Hypothesis profiles, load the chosen one and set the assertion defaults."""
    register_profiles(config.rootpath)
    state = _PluginState(config)
    config.stash[_STATE] = state
    if state.profile is not None:
        state.previous_profile = settings.get_current_profile_name()
        settings.load_profile(state.profile)
    state.token = _DEFAULTS.set(state.defaults)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Restore the assertion defaults and Hypothesis profile (matters when pytest runs in-process)."""
    state = config.stash.get(_STATE, None)
    if state is not None and state.previous_profile is not None:
        settings.load_profile(state.previous_profile)
        state.previous_profile = None
    if state is not None and state.token is not None:
        with contextlib.suppress(ValueError):  # set in another context: leave it
            _DEFAULTS.reset(state.token)
        state.token = None


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which model is under test (and that the default is the simulator), the recordings and profile."""
    state = config.stash[_STATE]
    lines = []
    if is_free(state.model):
        how = (
            "the default; choose one with --scenariokit-model or SCENARIOKIT_MODEL"
            if state.model_source == "default"
            else f"from {state.model_source}"
        )
        lines.append(f"scenariokit: model {state.model}: the offline simulator, not a real model ({how})")
    else:
        lines.append(f"scenariokit: model {state.model} (from {state.model_source})")
    lines.append(
        f"scenariokit: {state.root.describe_recordings()}; profile {state.profile or '(none)'}; "
        f"budget {state.budget} calls per test; seed {state.defaults.seed}"
    )
    return lines


@pytest.fixture
def scenariokit_budget(request: pytest.FixtureRequest) -> CallBudget:
    """A fresh call budget for this test (``--scenariokit-budget``; the simulator and replays are free)."""
    state = request.config.stash[_STATE]
    return CallBudget(max_calls=state.budget, source=state.budget_source)


@pytest.fixture
def scenariokit_recordings(request: pytest.FixtureRequest) -> Path | None:
    """The recordings directory (``--scenariokit-recordings``), or ``None``."""
    state: _PluginState = request.config.stash[_STATE]
    return state.recordings


@pytest.fixture
def scenariokit_model(request: pytest.FixtureRequest, scenariokit_budget: CallBudget) -> ModelUnderTest:
    """The model under test, with the session's recordings and live policy and this test's budget."""
    state: _PluginState = request.config.stash[_STATE]
    return state.root.with_budget(scenariokit_budget)
