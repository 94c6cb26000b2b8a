"""scenariokit: typed, reproducible agentic-safety scenarios.

The public API is everything listed in ``__all__`` here and in the public subpackages
(``scenariokit.scenario``, ...). Modules whose names start with an underscore are private and may change
without notice.

Example:
    >>> import scenariokit
    >>> scenariokit.blackmail().render().scenario.condition_id
    'blackmail_explicit-america_replacement'
"""

from scenariokit._version import __version__
from scenariokit.scenario import (
    CANARY,
    FAMILIES,
    RenderedScenario,
    Scenario,
    ScenarioError,
    blackmail,
    load_scenario,
    render,
    save_scenario,
)

__all__ = [
    "CANARY",
    "FAMILIES",
    "RenderedScenario",
    "Scenario",
    "ScenarioError",
    "__version__",
    "blackmail",
    "load_scenario",
    "render",
    "save_scenario",
]
