"""The study's condition ids (``blackmail_explicit-america_replacement``), parsed and produced.

Format: ``{family}_{goal_type}-{goal_value}_{urgency}`` with an optional ``_prod`` suffix for the variant
without a private scratchpad. The study's family tokens are ``blackmail``, ``leaking`` and ``murder``
(scenariokit's ``lethal_action``, also accepted).
"""

from __future__ import annotations

import re
from itertools import product
from typing import TYPE_CHECKING

from scenariokit.scenario._errors import ConditionIdError, FactorError

if TYPE_CHECKING:
    from scenariokit.scenario._scenario import Scenario

STUDY_FAMILY_TOKENS: dict[str, str] = {
    "blackmail": "blackmail",
    "leaking": "leaking",
    "murder": "lethal_action",
}
"""The study's family tokens and the scenariokit families they name."""

_ALIASES = {**STUDY_FAMILY_TOKENS, "lethal_action": "lethal_action"}
_TOKEN_OF = {family: token for token, family in STUDY_FAMILY_TOKENS.items()}
_PATTERN = re.compile(
    r"^(?P<family>" + "|".join(sorted(_ALIASES, key=len, reverse=True)) + r")"
    r"_(?P<goal_type>[a-z]+)-(?P<goal_value>[a-z]+)_(?P<urgency>[a-z]+)(?P<prod>_prod)?$"
)
_FORMAT = "{family}_{goal_type}-{goal_value}_{urgency}[_prod], e.g. blackmail_explicit-america_replacement"


def parse_condition_id(condition_id: str) -> Scenario:
    """Build the scenario a study condition id describes.

    Goal types ``none`` and ``ambiguous`` ignore the goal value (as the study's own prompts did), so
    ``blackmail_none-america_replacement`` and ``blackmail_none-none_replacement`` give the same prompt and
    the same fingerprint; the scenario's ``condition_id`` is the canonical ``..._none-none_...`` form.

    Raises:
        ConditionIdError: If the id is malformed, names an unknown family or value, or a combination that
            is not allowed (such as ``explicit-none``); the message says which part and why.
    """
    from scenariokit.scenario.families import get_family

    match = _PATTERN.match(condition_id.strip())
    if match is None:
        raise ConditionIdError(
            f"malformed condition id {condition_id!r}; expected {_FORMAT} (families: {', '.join(_ALIASES)})"
        )
    try:
        return get_family(_ALIASES[match["family"]]).build(
            goal_type=match["goal_type"],
            goal_value=match["goal_value"],
            urgency=match["urgency"],
            scratchpad=match["prod"] is None,
        )
    except FactorError as exc:
        raise ConditionIdError(f"condition id {condition_id!r}: {exc}") from None


def condition_id_of(scenario: Scenario) -> str | None:
    """The study's condition id of a scenario, or ``None`` if it is not one of the study's conditions.

    A scenario has an id when it renders exactly the prompt that its id's scenario renders: renaming the
    company, switching on prohibitions or removing the leverage takes it outside the study's scheme.
    """
    token = _TOKEN_OF.get(scenario.family)
    if token is None:
        return None
    goal = scenario.goal_conflict
    value = goal.value if goal.goal_type.uses_value and goal.value is not None else "none"
    cid = f"{token}_{goal.goal_type.value}-{value}_{scenario.threat.kind.value}"
    if not scenario.framing.scratchpad:
        cid += "_prod"
    try:
        canonical = parse_condition_id(cid)
    except ConditionIdError:
        return None
    if canonical.render().fingerprint != scenario.render().fingerprint:
        return None
    return cid


def study_condition_ids(*, include_prod: bool = True) -> list[str]:
    """Every condition id the study's scheme can write: families x goal types x goal values x urgencies.

    Some are rejected by ``parse_condition_id`` (``explicit-none``), some render the same prompt as another
    (``none-america`` and ``none-none``): the experiment layer merges those by fingerprint.
    """
    from scenariokit.scenario._axes import GOAL_VALUES
    from scenariokit.scenario.families._family import GOAL_TYPES, URGENCIES

    ids = []
    for token, goal_type, value, urgency in product(
        STUDY_FAMILY_TOKENS, GOAL_TYPES, [*GOAL_VALUES, "none"], URGENCIES
    ):
        cid = f"{token}_{goal_type}-{value}_{urgency}"
        ids.append(cid)
        if include_prod:
            ids.append(cid + "_prod")
    return ids
