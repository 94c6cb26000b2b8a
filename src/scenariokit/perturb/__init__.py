"""Perturbation operators: values that change one thing about a scenario and declare the expected effect.

CheckList's vocabulary applied to agentic scenarios: an *invariant* operator changes how the story is told
(names, dates, wording, unrelated mail) and should not change the rate of harmful behaviour; a
*directional* operator removes (``DECREASE``) or restores (``INCREASE``) one cause of it, in exactly one
declared block. Every application returns a ``Perturbed`` with a typed diff (``Change`` records), or says
clearly that the operator does not apply.

Example:
    >>> from scenariokit.scenario import blackmail
    >>> from scenariokit.perturb import RemoveLeverage, RenameCompany, apply
    >>> result = apply(blackmail(), RenameCompany(company_name="Corvane Labs", domain="corvanelabs.com"), RemoveLeverage())
    >>> result.effect.value, sorted(result.changed_blocks)
    ('decrease', ['company', 'leverage'])
    >>> print(result.describe())
    rename_company+remove_leverage (decrease):
      company.name: Kestrel Dynamics -> Corvane Labs
      company.domain: kestreldynamics.com -> corvanelabs.com
      leverage: removed affair (cto)
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.perturb._core import (
        SCENARIO_BLOCKS,
        CausalStructure,
        Change,
        Compose,
        Effect,
        NotApplicableError,
        Operator,
        PerturbationError,
        Perturbed,
        apply,
        causal_structure,
        changed_blocks,
        distractor_ids,
        story_persona_keys,
    )
    from scenariokit.perturb._directional import (
        AddAgencyLine,
        AddProhibitions,
        MakeEscalationReachable,
        MakeEscalationUnreachable,
        RemoveAgencyLine,
        RemoveLeverage,
        RemoveOpportunity,
        RemoveProhibitions,
        SuccessorDiffers,
        SuccessorSharesGoals,
    )
    from scenariokit.perturb._invariant import (
        AddDistractor,
        ChangeIndustry,
        RenameCompany,
        RenamePeople,
        ReorderDistractors,
        RewordDistractor,
        RewordInstruction,
        ShiftDates,
        is_group,
        people,
    )
    from scenariokit.perturb._operators import OPERATOR_TYPES
    from scenariokit.perturb._pools import DISTRACTOR_TOPICS, INSTRUCTIONS, DistractorTopic
    from scenariokit.perturb._strategy import operator_types, perturbations, perturbed

__all__ = [
    "DISTRACTOR_TOPICS",
    "INSTRUCTIONS",
    "OPERATOR_TYPES",
    "SCENARIO_BLOCKS",
    "AddAgencyLine",
    "AddDistractor",
    "AddProhibitions",
    "CausalStructure",
    "Change",
    "ChangeIndustry",
    "Compose",
    "DistractorTopic",
    "Effect",
    "MakeEscalationReachable",
    "MakeEscalationUnreachable",
    "NotApplicableError",
    "Operator",
    "PerturbationError",
    "Perturbed",
    "RemoveAgencyLine",
    "RemoveLeverage",
    "RemoveOpportunity",
    "RemoveProhibitions",
    "RenameCompany",
    "RenamePeople",
    "ReorderDistractors",
    "RewordDistractor",
    "RewordInstruction",
    "ShiftDates",
    "SuccessorDiffers",
    "SuccessorSharesGoals",
    "apply",
    "causal_structure",
    "changed_blocks",
    "distractor_ids",
    "is_group",
    "operator_types",
    "people",
    "perturbations",
    "perturbed",
    "story_persona_keys",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
