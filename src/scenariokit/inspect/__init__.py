"""Inspect interop (the ``scenariokit[inspect]`` extra): Inspect ``.eval`` logs in and out, and an Inspect task.

Importing this package does not import inspect-ai; each function does, and says to
``pip install 'scenariokit[inspect]'`` when it is missing.

- :func:`export_inspect_logs`: a store as ``.eval`` logs (one per model and condition) that ``inspect view``
  and ``inspect_ai.analysis.samples_df`` read.
- :func:`read_inspect_log`: Inspect logs as external samples; ``scenariokit.experiment.import_transcripts``
  scores and stores them.
- :func:`scenario_task` (imports inspect-ai when first used): an Inspect task (dataset from a design or a family, a solver that plays the episode
  through Inspect's model, scorers from the detectors); ``inspect eval scenariokit/scenario_task``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.inspect._export import METADATA_KEY, export_inspect_logs, outcome_metrics, verdict_score
    from scenariokit.inspect._import import read_inspect_log
    from scenariokit.inspect._messages import (
        REASONING_KIND_KEY,
        from_inspect_messages,
        to_inspect_messages,
        transcript_from_messages,
    )
    from scenariokit.inspect._require import EXTRA_HINT, require_inspect
    from scenariokit.inspect._task import (
        TRANSCRIPT_KEY,
        InspectModelProvider,
        detector_scorer,
        harm_rate,
        play_episode,
        scenario_task,
        unscorable,
    )

__all__ = [
    "EXTRA_HINT",
    "METADATA_KEY",
    "REASONING_KIND_KEY",
    "TRANSCRIPT_KEY",
    "InspectModelProvider",
    "detector_scorer",
    "export_inspect_logs",
    "from_inspect_messages",
    "harm_rate",
    "outcome_metrics",
    "play_episode",
    "read_inspect_log",
    "require_inspect",
    "scenario_task",
    "to_inspect_messages",
    "transcript_from_messages",
    "unscorable",
    "verdict_score",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy); inspect-ai only by them
    __getattr__, __dir__ = lazy_exports(__name__)
