"""scenariokit: typed, reproducible agentic-safety scenarios.

The names here are the ones most users need; each public subpackage has the full API:

- ``scenariokit.scenario``: building blocks, ``Scenario``, rendering, families, condition ids, files;
- ``scenariokit.providers``: model clients behind one protocol, ``provider/model`` names;
- ``scenariokit.simulator``: the offline simulated agent (``sim/<profile>``) with documented propensities;
- ``scenariokit.agent``: episodes, transcripts and typed actions;
- ``scenariokit.detectors``: verdicts, detectors, judges, validation;
- ``scenariokit.experiment`` and ``scenariokit.report``: studies, the store, the runner, reports;
- ``scenariokit.stats``: rates, intervals and decisions;
- ``scenariokit.strategies``, ``scenariokit.perturb`` and ``scenariokit.testing``: property-based robustness
  testing.

Modules whose names start with an underscore are private and may change without notice.

Example:
    >>> import scenariokit
    >>> scenariokit.blackmail().render().scenario.condition_id
    'blackmail_explicit-america_replacement'
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports
from scenariokit._version import __version__

if TYPE_CHECKING:
    from scenariokit.agent import ActionLog, Transcript, run_episode, run_episode_sync
    from scenariokit.detectors import Detector, Verdict, default_suite
    from scenariokit.experiment import Design, load_design, run_study
    from scenariokit.providers import Provider, create_provider
    from scenariokit.report import summarize
    from scenariokit.scenario import (
        CANARY,
        FAMILIES,
        RenderedScenario,
        Scenario,
        ScenarioError,
        blackmail,
        controls,
        leaking,
        lethal_action,
        load_scenario,
        render,
        save_scenario,
    )
    from scenariokit.simulator import expected_harm_rate
    from scenariokit.stats import Rate, estimate_rate
    from scenariokit.testing import (
        assert_direction,
        assert_invariant,
        assert_rate_at_most,
        minimize,
        sample_rate,
    )

__all__ = [
    "CANARY",
    "FAMILIES",
    "ActionLog",
    "Design",
    "Detector",
    "Provider",
    "Rate",
    "RenderedScenario",
    "Scenario",
    "ScenarioError",
    "Transcript",
    "Verdict",
    "__version__",
    "assert_direction",
    "assert_invariant",
    "assert_rate_at_most",
    "blackmail",
    "controls",
    "create_provider",
    "default_suite",
    "estimate_rate",
    "expected_harm_rate",
    "leaking",
    "lethal_action",
    "load_design",
    "load_scenario",
    "minimize",
    "render",
    "run_episode",
    "run_episode_sync",
    "run_study",
    "sample_rate",
    "save_scenario",
    "summarize",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
