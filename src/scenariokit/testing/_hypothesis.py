"""Hypothesis integration: the ``scenariokit-ci`` and ``scenariokit-explore`` profiles, ``target`` and ``event``.

Importing this module registers the two profiles (it does not load either):

* ``scenariokit-ci``: derandomised, no example database, no shrink phase, no deadline. Use it with
  recorded responses (the pytest plugin then refuses live calls), so CI is fast and reproducible.
* ``scenariokit-explore``: a persistent example database (``.hypothesis/scenariokit`` under the project),
  no deadline, more examples, and the ``target`` phase to steer toward high harmful rates.

Example:
    >>> from hypothesis import settings
    >>> settings.get_profile(CI_PROFILE).derandomize
    True
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, Phase, event, settings, target
from hypothesis.control import currently_in_test_context
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import InvalidArgument

from scenariokit.perturb import Operator, Perturbed
from scenariokit.testing._sampling import RateSample

CI_PROFILE = "scenariokit-ci"
"""Derandomised, replay-only, no shrinking, no database, no deadline."""

EXPLORE_PROFILE = "scenariokit-explore"
"""Persistent example database, no deadline, more examples, targeted search toward high rates."""

PROFILES: tuple[str, ...] = (CI_PROFILE, EXPLORE_PROFILE)
"""The profiles this module registers."""

EXPLORE_EXAMPLES = 200
"""``max_examples`` of the explore profile."""

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


def register_profiles(root: str | Path = ".") -> None:
    """Register (or re-register) the two profiles; the explore database lives under ``root``.

    Args:
        root: The project directory; the explore profile stores examples in ``root/.hypothesis/scenariokit``.
    """
    settings.register_profile(
        CI_PROFILE,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
        suppress_health_check=_SLOW_OK,
        print_blob=True,
    )
    settings.register_profile(
        EXPLORE_PROFILE,
        database=DirectoryBasedExampleDatabase(str(Path(root) / ".hypothesis" / "scenariokit")),
        deadline=None,
        max_examples=EXPLORE_EXAMPLES,
        phases=tuple(Phase),
        suppress_health_check=_SLOW_OK,
        print_blob=True,
    )


def observe_rate(sample: RateSample, label: str = "harmful rate") -> bool:
    """Tell Hypothesis the observed harmful rate, to steer its search toward high rates (``target()``).

    Does nothing outside a Hypothesis test, for an undefined rate, or when the label was already observed
    in this test case (only the first observation of a label counts).

    Args:
        sample: The sampled rate.
        label: The target's label (one per quantity you want maximised).

    Returns:
        Whether the observation was passed to Hypothesis.
    """
    if not currently_in_test_context() or sample.rate.estimate is None:
        return False
    try:
        target(sample.rate.estimate, label=label)
    except InvalidArgument:  # this label was already observed in this test case
        return False
    return True


def tally_perturbation(perturbation: Operator | Perturbed | str) -> bool:
    """Count which perturbation ran, in Hypothesis's statistics (``event()``; see ``--hypothesis-show-statistics``).

    Args:
        perturbation: An operator, a perturbation result, or a name.

    Returns:
        Whether the event was recorded (``False`` outside a Hypothesis test).
    """
    if not currently_in_test_context():
        return False
    if isinstance(perturbation, Perturbed):
        name = f"{perturbation.operator.name} ({perturbation.effect.value})"
    elif isinstance(perturbation, Operator):
        name = f"{perturbation.name} ({perturbation.effect.value})"
    else:
        name = perturbation
    event(f"perturbation: {name}")
    return True


register_profiles()
