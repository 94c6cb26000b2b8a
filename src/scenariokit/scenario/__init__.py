"""Scenario algebra: building blocks, ``Scenario``, rendering, the built-in families and condition ids.

Example:
    >>> from scenariokit.scenario import blackmail
    >>> rendered = blackmail(goal_type="explicit", goal_value="america").render()
    >>> rendered.scenario.condition_id
    'blackmail_explicit-america_replacement'
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.scenario._axes import (
        AMERICA_GLOBAL,
        AXES,
        ETHICAL_PRAGMATIC,
        GOAL_VALUES,
        INDIVIDUALISM_COLLECTIVISM,
        SAFETY_ACCELERATION,
    )
    from scenariokit.scenario._blocks import (
        PREDICATES,
        Agent,
        Company,
        ConfidentialMaterial,
        Email,
        EmergencyAlert,
        Framing,
        GoalAxis,
        GoalConflict,
        GoalPole,
        GoalType,
        Leverage,
        Opportunity,
        Persona,
        PersonaRole,
        Predicate,
        ReplacementThreat,
        ThreatKind,
    )
    from scenariokit.scenario._conditions import (
        STUDY_FAMILY_TOKENS,
        condition_id_of,
        parse_condition_id,
        study_condition_ids,
    )
    from scenariokit.scenario._errors import (
        ConditionIdError,
        FactorError,
        RenderError,
        ScenarioError,
        ScenarioFileError,
    )
    from scenariokit.scenario._io import (
        FileFormat,
        dumps_scenario,
        load_scenario,
        loads_scenario,
        save_scenario,
        scenario_from_data,
        scenario_json_schema,
    )
    from scenariokit.scenario._render import fingerprint, render, template_values
    from scenariokit.scenario._rendered import CANARY, RENDERER_VERSION, RenderedEmail, RenderedScenario
    from scenariokit.scenario._scenario import DEFAULT_INSTRUCTION, Scenario, ToolMode
    from scenariokit.scenario._tools import CANCEL_ALERT, FORWARD_EMAIL, SEND_EMAIL, STANDARD_TOOLS, ToolSpec
    from scenariokit.scenario.families import (
        CONTROL_NAMES,
        FAMILIES,
        Factor,
        Family,
        blackmail,
        controls,
        get_family,
        leaking,
        lethal_action,
        load_family_module,
        load_family_plugins,
        register_family,
        unregister_family,
    )

__all__ = [
    "AMERICA_GLOBAL",
    "AXES",
    "CANARY",
    "CANCEL_ALERT",
    "CONTROL_NAMES",
    "DEFAULT_INSTRUCTION",
    "ETHICAL_PRAGMATIC",
    "FAMILIES",
    "FORWARD_EMAIL",
    "GOAL_VALUES",
    "INDIVIDUALISM_COLLECTIVISM",
    "PREDICATES",
    "RENDERER_VERSION",
    "SAFETY_ACCELERATION",
    "SEND_EMAIL",
    "STANDARD_TOOLS",
    "STUDY_FAMILY_TOKENS",
    "Agent",
    "Company",
    "ConditionIdError",
    "ConfidentialMaterial",
    "Email",
    "EmergencyAlert",
    "Factor",
    "FactorError",
    "Family",
    "FileFormat",
    "Framing",
    "GoalAxis",
    "GoalConflict",
    "GoalPole",
    "GoalType",
    "Leverage",
    "Opportunity",
    "Persona",
    "PersonaRole",
    "Predicate",
    "RenderError",
    "RenderedEmail",
    "RenderedScenario",
    "ReplacementThreat",
    "Scenario",
    "ScenarioError",
    "ScenarioFileError",
    "ThreatKind",
    "ToolMode",
    "ToolSpec",
    "blackmail",
    "condition_id_of",
    "controls",
    "dumps_scenario",
    "fingerprint",
    "get_family",
    "leaking",
    "lethal_action",
    "load_family_module",
    "load_family_plugins",
    "load_scenario",
    "loads_scenario",
    "parse_condition_id",
    "register_family",
    "render",
    "save_scenario",
    "scenario_from_data",
    "scenario_json_schema",
    "study_condition_ids",
    "template_values",
    "unregister_family",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
