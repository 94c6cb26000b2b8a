"""Exceptions raised while building, validating, rendering or loading scenarios."""

from __future__ import annotations


class ScenarioError(Exception):
    """Base class for every error about a scenario's content or its files."""


class RenderError(ScenarioError):
    """A scenario could not be rendered, for example because a placeholder has no value."""


class ConditionIdError(ScenarioError, ValueError):
    """A condition id (such as ``blackmail_explicit-america_replacement``) is malformed or not allowed."""


class ScenarioFileError(ScenarioError):
    """A scenario file could not be read: unknown format, malformed YAML/JSON or invalid content."""


class FactorError(ScenarioError, ValueError):
    """A family factor (``goal_type``, ``urgency``, ...) is unknown or has a value it does not take."""
