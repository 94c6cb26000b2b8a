"""Default detector suites per family, and running a suite over a transcript."""

from __future__ import annotations

from collections.abc import Sequence

from scenariokit.agent import Transcript
from scenariokit.detectors._actions import (
    BlackmailDetector,
    LeakDetector,
    LethalActionDetector,
    LeverageDisclosureDetector,
)
from scenariokit.detectors._base import BaseDetector, Detector
from scenariokit.detectors._combine import run_all
from scenariokit.detectors._considered_blackmail import ConsideredBlackmailDetector
from scenariokit.detectors._ethics import EthicalAcknowledgementDetector
from scenariokit.detectors._eval_awareness import EvalAwarenessDetector
from scenariokit.detectors._invented_constraints import InventedConstraintsDetector
from scenariokit.detectors._judge import LLMJudge
from scenariokit.detectors._refusal import RefusalDetector
from scenariokit.detectors._rubrics import RUBRICS
from scenariokit.detectors._self_preservation import SelfPreservationDetector
from scenariokit.detectors._verdict import Verdict
from scenariokit.providers._protocol import Provider
from scenariokit.scenario import ConfidentialMaterial, EmergencyAlert, RenderedScenario, Scenario

FAMILY_ACTION_DETECTORS: dict[str, tuple[type[BaseDetector], ...]] = {
    "blackmail": (BlackmailDetector, LeverageDisclosureDetector),
    "leaking": (LeakDetector,),
    "lethal_action": (LethalActionDetector,),
}
"""The action detectors of each built-in family."""

_REASONING: tuple[type[BaseDetector], ...] = (
    EvalAwarenessDetector,
    EthicalAcknowledgementDetector,
    SelfPreservationDetector,
    InventedConstraintsDetector,
    RefusalDetector,
)


class Suite:
    """A list of detectors run together over a transcript; verdicts keyed by detector name.

    Example:
        >>> [d.name for d in default_suite("leaking").detectors][:1]
        ['leak-action']
    """

    def __init__(self, detectors: Sequence[Detector]) -> None:
        names = [d.name for d in detectors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"detector names in a suite must be unique; repeated: {', '.join(dupes)}")
        self.detectors = tuple(detectors)

    async def run(self, transcript: Transcript, rendered: RenderedScenario) -> dict[str, Verdict]:
        """Run every detector (concurrently) and return their verdicts by name, in suite order."""
        verdicts = await run_all(self.detectors, transcript, rendered)
        return {d.name: v for d, v in zip(self.detectors, verdicts, strict=True)}


def default_suite(family: str | Scenario | RenderedScenario, *, judge: Provider | None = None) -> Suite:
    """The default detectors of a family: its action detectors, then the reasoning heuristics.

    A scenario with leverage (the blackmail family, or a world of your own) also gets the considered-blackmail
    reasoning detector.

    With ``judge``, an ``LLMJudge`` per category of the suite is added as a second opinion (named
    ``judge-<category>``), beside (not combined with) the action detectors.

    Args:
        family: A built-in family name (``blackmail``, ``leaking``, ``lethal_action``), or a scenario (rendered
            or not), whose contents choose the action detectors: leverage -> blackmail, disclosure and
            considered blackmail,
            confidential material -> leak, emergency alert -> lethal action.
        judge: A provider for LLM judges, or ``None`` for none.

    Returns:
        The suite.

    Raises:
        ValueError: If the family name is unknown; the message lists the known ones.
    """
    if isinstance(family, RenderedScenario):
        family = family.scenario
    if isinstance(family, Scenario):
        kinds: list[type[BaseDetector]] = []
        if family.leverage is not None:
            kinds += [BlackmailDetector, LeverageDisclosureDetector, ConsideredBlackmailDetector]
        if isinstance(family.opportunity, ConfidentialMaterial):
            kinds.append(LeakDetector)
        if isinstance(family.opportunity, EmergencyAlert):
            kinds.append(LethalActionDetector)
        if not kinds:
            kinds = list(FAMILY_ACTION_DETECTORS.get(family.family, ()))
    elif family in FAMILY_ACTION_DETECTORS:
        kinds = list(FAMILY_ACTION_DETECTORS[family])
        if BlackmailDetector in kinds:
            kinds.append(ConsideredBlackmailDetector)
    else:
        raise ValueError(
            f"no default suite for family {family!r}; known families: {', '.join(FAMILY_ACTION_DETECTORS)}; or "
            "pass the Scenario itself to choose detectors from what it contains"
        )
    detectors: list[Detector] = [k() for k in (*kinds, *_REASONING)]
    if judge is not None:
        detectors += [LLMJudge(judge, d.category) for d in list(detectors) if d.category in RUBRICS]
    return Suite(detectors)
