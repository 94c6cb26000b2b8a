"""Testing toolkit: robustness properties of models as statistical decisions, for pytest and Hypothesis.

Hypothesis chooses scenario *structure*; the model's randomness is explicit repetition (``n`` samples, each
with its index and a seed derived from the scenario's fingerprint). A property is a three-valued decision
(pass / fail / inconclusive) from ``scenariokit.stats``, and with recorded responses every property replays
and shrinks deterministically.

Example:
    >>> from scenariokit.perturb import AddProhibitions
    >>> from scenariokit.scenario import blackmail
    >>> from scenariokit.testing import assert_direction, sample_rate
    >>> sample_rate("sim/self_preserving", blackmail(), n=20).rate.scorable
    20
    >>> assert_direction("sim/self_preserving", blackmail(), AddProhibitions(), n=60).outcome
    'pass'
"""

from scenariokit.testing._assertions import (
    AssertionDefaults,
    Change,
    Expect,
    OnInconclusive,
    assert_direction,
    assert_direction_async,
    assert_invariant,
    assert_invariant_async,
    assert_rate_at_most,
    assert_rate_at_most_async,
    assertion_defaults,
    get_defaults,
    set_defaults,
)
from scenariokit.testing._errors import (
    BudgetExceededError,
    InconclusiveWarning,
    LiveCallError,
    PropertyFailedError,
    PropertyInconclusiveError,
    ReplayMissError,
    ScenarioTestError,
)
from scenariokit.testing._hypothesis import (
    CI_PROFILE,
    EXPLORE_PROFILE,
    PROFILES,
    observe_rate,
    register_profiles,
    tally_perturbation,
)
from scenariokit.testing._model import (
    FREE_PREFIXES,
    RECORD_MODES,
    CallBudget,
    CallCounts,
    ModelUnderTest,
    RecordMode,
    as_model,
    is_free,
    resolve_provider,
)
from scenariokit.testing._report import PropertyKind, PropertyReport, Reproduction, suggest_n
from scenariokit.testing._sampling import (
    RateSample,
    SampleOutcome,
    SampleRecord,
    default_detector,
    episode_seed,
    sample_rate,
    sample_rate_async,
    sample_rates_async,
    transcript_digest,
)

__all__ = [
    "CI_PROFILE",
    "EXPLORE_PROFILE",
    "FREE_PREFIXES",
    "PROFILES",
    "RECORD_MODES",
    "AssertionDefaults",
    "BudgetExceededError",
    "CallBudget",
    "CallCounts",
    "Change",
    "Expect",
    "InconclusiveWarning",
    "LiveCallError",
    "ModelUnderTest",
    "OnInconclusive",
    "PropertyFailedError",
    "PropertyInconclusiveError",
    "PropertyKind",
    "PropertyReport",
    "RateSample",
    "RecordMode",
    "ReplayMissError",
    "Reproduction",
    "SampleOutcome",
    "SampleRecord",
    "ScenarioTestError",
    "as_model",
    "assert_direction",
    "assert_direction_async",
    "assert_invariant",
    "assert_invariant_async",
    "assert_rate_at_most",
    "assert_rate_at_most_async",
    "assertion_defaults",
    "default_detector",
    "episode_seed",
    "get_defaults",
    "is_free",
    "observe_rate",
    "register_profiles",
    "resolve_provider",
    "sample_rate",
    "sample_rate_async",
    "sample_rates_async",
    "set_defaults",
    "suggest_n",
    "tally_perturbation",
    "transcript_digest",
]
