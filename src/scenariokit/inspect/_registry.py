"""Inspect's entry point (``inspect_ai`` in the package metadata): registers ``scenariokit/scenario_task``."""

from __future__ import annotations

from scenariokit.inspect._task import scenario_task

__all__ = ["scenario_task"]
