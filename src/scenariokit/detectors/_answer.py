"""The exact parser of LLM-judge answers.

A judge must answer with one JSON object with exactly three keys::

    {"verdict": "<one of the rubric's labels>", "evidence": ["<exact quote>", ...], "rationale": "<text>"}

The parser accepts that object alone, optionally wrapped as a whole in one Markdown code fence
(```` ```json ... ``` ````), with surrounding whitespace. Everything else is rejected with a message that
says what was wrong: text before or after the object, a missing or extra key, a repeated key, a label that is
not one of the rubric's (compared exactly: ``"Harmful"``, ``"yes"`` or ``"harmful."`` are not
``"harmful"``), a non-string quote, ``NaN``, and so on. There is no substring matching anywhere: "yesterday"
is not "yes".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ANSWER_KEYS: tuple[str, ...] = ("verdict", "evidence", "rationale")
"""The keys a judge's JSON answer must have, no more and no fewer."""

MAX_QUOTES = 8
"""Most evidence quotes a judge answer may carry."""

_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a character: what a JSON ``\\ud800``-``\\udfff`` escape not paired with its other half decodes to."""

_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(?P<body>.*)\n```\Z", re.DOTALL)


class JudgeAnswerError(ValueError):
    """A judge's reply is not exactly the required JSON object; the message says what is wrong."""


class JudgeAnswer(BaseModel):
    """A judge's answer, parsed exactly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: str
    """One of the rubric's labels, exactly."""

    evidence: tuple[str, ...] = Field(default=(), max_length=MAX_QUOTES)
    """Quotes the judge cites; each must occur verbatim in the transcript."""

    rationale: str
    """The judge's short explanation."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise JudgeAnswerError(f"the key {key!r} appears twice; give each key once")
        seen[key] = value
    return seen


def _no_constants(name: str) -> Any:
    raise JudgeAnswerError(f"{name} is not a valid JSON value here; use strings, lists and objects only")


def parse_answer(reply: str, labels: Sequence[str]) -> JudgeAnswer:
    """Parse a judge's reply exactly.

    Args:
        reply: The judge's visible reply text.
        labels: The labels the rubric allows for ``verdict``.

    Returns:
        The parsed answer.

    Raises:
        JudgeAnswerError: If the reply is not exactly one JSON object with the keys ``verdict`` (one of
            ``labels``), ``evidence`` (a list of at most ``MAX_QUOTES`` non-empty strings) and ``rationale``
            (a string), or a string holds a lone surrogate escape. The message says what was wrong.

    Example:
        >>> parse_answer('{"verdict": "benign", "evidence": [], "rationale": "no threat"}',
        ...              ["harmful", "benign"]).verdict
        'benign'
    """
    text = reply.strip()
    fenced = _FENCE.match(text)
    if fenced is not None:
        text = fenced.group("body").strip()
    if not text:
        raise JudgeAnswerError("the reply is empty; answer with the JSON object only")
    if not text.startswith("{"):
        raise JudgeAnswerError(
            f"the reply does not start with a JSON object (it starts with {text[:40]!r}); answer with the "
            "JSON object only, no text before it"
        )
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        raise JudgeAnswerError(f"the reply is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise JudgeAnswerError(
            "the reply's JSON is nested too deeply to read; answer with the flat JSON object only"
        ) from None
    if text[end:].strip():
        raise JudgeAnswerError(
            f"there is text after the JSON object ({text[end:].strip()[:40]!r}); answer with the JSON object "
            "only"
        )
    if not isinstance(value, dict):  # pragma: no cover - a text starting with "{" decodes to a dict
        raise JudgeAnswerError("the reply is not a JSON object")
    keys = set(value)
    missing = [k for k in ANSWER_KEYS if k not in keys]
    extra = sorted(keys - set(ANSWER_KEYS))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(repr(k) for k in missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(repr(k) for k in extra)}")
        raise JudgeAnswerError(
            f"the object must have exactly the keys {', '.join(ANSWER_KEYS)}: {'; '.join(parts)}"
        )
    verdict = value["verdict"]
    if not isinstance(verdict, str) or verdict not in labels:
        raise JudgeAnswerError(
            f"'verdict' is {verdict!r}; it must be exactly one of: {', '.join(repr(lb) for lb in labels)}"
        )
    evidence = value["evidence"]
    if not isinstance(evidence, list):
        raise JudgeAnswerError(f"'evidence' must be a list of quotes, not {type(evidence).__name__}")
    if len(evidence) > MAX_QUOTES:
        raise JudgeAnswerError(f"'evidence' has {len(evidence)} quotes; give at most {MAX_QUOTES}")
    for i, quote in enumerate(evidence):
        if not isinstance(quote, str) or not quote.strip():
            raise JudgeAnswerError(f"'evidence'[{i}] must be a non-empty string, not {quote!r}")
    rationale = value["rationale"]
    if not isinstance(rationale, str):
        raise JudgeAnswerError(f"'rationale' must be a string, not {type(rationale).__name__}")
    for where, text in [
        *((f"'evidence'[{i}]", q) for i, q in enumerate(evidence)),
        ("'rationale'", rationale),
    ]:
        if _SURROGATE.search(text) is not None:  # no store, report or JSON file can hold half a character
            raise JudgeAnswerError(
                f"{where} holds a lone surrogate (a \\ud800-\\udfff escape not paired with its other half); "
                "write the character itself, or leave it out"
            )
    return JudgeAnswer(verdict=verdict, evidence=tuple(evidence), rationale=rationale)
