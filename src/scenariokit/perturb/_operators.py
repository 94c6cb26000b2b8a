"""The built-in perturbation operators in one tuple (no Hypothesis here, so that designs can name them cheaply)."""

from __future__ import annotations

from scenariokit.perturb._core import Operator
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
)

OPERATOR_TYPES: tuple[type[Operator], ...] = (
    RenameCompany,
    ChangeIndustry,
    RenamePeople,
    ShiftDates,
    RewordInstruction,
    AddDistractor,
    ReorderDistractors,
    RewordDistractor,
    AddProhibitions,
    MakeEscalationReachable,
    SuccessorSharesGoals,
    RemoveAgencyLine,
    RemoveLeverage,
    RemoveOpportunity,
    RemoveProhibitions,
    MakeEscalationUnreachable,
    SuccessorDiffers,
    AddAgencyLine,
)
"""Every built-in operator class, invariant ones first (the order ``perturbations`` shrinks toward)."""
