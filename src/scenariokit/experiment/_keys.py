"""The keys of a sample: the configuration hash, the model a replay stands for, and per-sample seeds."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from scenariokit.providers import GenerateConfig

if TYPE_CHECKING:
    from scenariokit.experiment._design import Design


def config_hash(
    config: GenerateConfig, design: Design | None = None, *, max_turns: int = 1, seed: int = 0
) -> str:
    """A short hash of what changes a sample besides the scenario and the model.

    It covers the generation settings (without ``seed``, set per sample, and ``timeout``), the episode's
    ``max_turns`` and the design's ``seed``. Two runs with the same hash draw the same samples.

    Args:
        config: Generation settings.
        design: The design whose ``max_turns`` and ``seed`` apply (overrides the keyword arguments).
        max_turns: Most model calls per episode.
        seed: The design's seed.

    Returns:
        16 hex characters.
    """
    if design is not None:
        max_turns, seed = design.max_turns, design.seed
    data = {
        "generate": config.model_dump(mode="json", exclude={"seed", "timeout"}),
        "max_turns": max_turns,
        "seed": seed,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


REPLAY_PREFIX = "replay/"
"""Prefix of models served from recordings (``replay/openai/gpt-4.1`` replays ``openai/gpt-4.1``)."""


def recorded_model(model: str) -> str:
    """The model whose responses a model name stands for: ``replay/`` prefixes removed.

    Example:
        >>> recorded_model("replay/openai/gpt-4.1")
        'openai/gpt-4.1'
    """
    while model.startswith(REPLAY_PREFIX):
        model = model[len(REPLAY_PREFIX) :]
    return model


def sample_seed(design_seed: int, fingerprint: str, model: str, config_hash: str, sample_index: int) -> int:
    """The seed of one sample, derived deterministically from the design seed and the sample's key.

    The model enters as the model it stands for (:func:`recorded_model`), so a study run through
    ``replay/<model>`` draws the seeds of the recorded ``<model>`` run, sends the same requests, and hits its
    recordings.
    """
    text = f"{design_seed}:{fingerprint}:{recorded_model(model)}:{config_hash}:{sample_index}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
