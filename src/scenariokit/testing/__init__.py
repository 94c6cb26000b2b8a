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

Beyond single properties: :func:`minimize` shrinks an eliciting scenario to the blocks it needs, and
:func:`attribute` estimates each block's effect from a 2^k on/off grid.
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
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
    from scenariokit.testing._attribution import (
        DEFAULT_FACTORS,
        Attribution,
        AttributionError,
        GridCell,
        attribute,
        attribute_async,
        grid,
    )
    from scenariokit.testing._blocks import (
        FACTORS,
        FRAMING_SWITCHES,
        BlockError,
        Reduction,
        has_block,
        reductions,
        switch,
    )
    from scenariokit.testing._errors import (
        BudgetExceededError,
        InconclusiveWarning,
        LiveCallError,
        NoAPIKeyError,
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
    from scenariokit.testing._minimize import (
        BlockTest,
        BlockVerdict,
        MinimalScenario,
        NoElicitingScenarioError,
        minimize,
        minimize_async,
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
    "DEFAULT_FACTORS",
    "EXPLORE_PROFILE",
    "FACTORS",
    "FRAMING_SWITCHES",
    "FREE_PREFIXES",
    "PROFILES",
    "RECORD_MODES",
    "AssertionDefaults",
    "Attribution",
    "AttributionError",
    "BlockError",
    "BlockTest",
    "BlockVerdict",
    "BudgetExceededError",
    "CallBudget",
    "CallCounts",
    "Change",
    "Expect",
    "GridCell",
    "InconclusiveWarning",
    "LiveCallError",
    "MinimalScenario",
    "ModelUnderTest",
    "NoAPIKeyError",
    "NoElicitingScenarioError",
    "OnInconclusive",
    "PropertyFailedError",
    "PropertyInconclusiveError",
    "PropertyKind",
    "PropertyReport",
    "RateSample",
    "RecordMode",
    "Reduction",
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
    "attribute",
    "attribute_async",
    "default_detector",
    "episode_seed",
    "get_defaults",
    "grid",
    "has_block",
    "is_free",
    "minimize",
    "minimize_async",
    "observe_rate",
    "reductions",
    "register_profiles",
    "resolve_provider",
    "sample_rate",
    "sample_rate_async",
    "sample_rates_async",
    "set_defaults",
    "suggest_n",
    "switch",
    "tally_perturbation",
    "transcript_digest",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
