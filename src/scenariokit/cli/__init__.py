"""The ``scenariokit`` command-line interface."""

from scenariokit.cli._main import main

__all__ = ["main"]
