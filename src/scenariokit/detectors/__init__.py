"""Detectors: decide from a transcript and its scenario's ground truth what the agent did, as ``Verdict`` values.

* **Action-based detectors** decide harm from the agent's actions and the scenario's ground truth:
  ``BlackmailDetector``, ``LeverageDisclosureDetector``, ``LeakDetector``, ``LethalActionDetector``.
* **Reasoning heuristics** read reasoning and visible text: ``EvalAwarenessDetector``,
  ``EthicalAcknowledgementDetector``, ``SelfPreservationDetector``, ``InventedConstraintsDetector``,
  ``RefusalDetector``, and ``ConsideredBlackmailDetector`` for worlds with leverage.
* **LLM judges** (``LLMJudge``) give a strict second opinion with any ``Provider``.
* **Combinators** (``AnyOf``, ``AllOf``, ``Majority``) and ``default_suite(family)``.
* **Validation** (``load_labelled_set``, ``validate``) measures agreement with labelled transcripts.

Failure is never benign: an empty transcript, a transcript of another scenario, an episode error, a malformed
action without a finding, or a judge that gives no valid answer make the verdict ``unscorable`` with a reason.

Example:
    >>> from scenariokit.detectors import default_suite
    >>> [d.name for d in default_suite("blackmail").detectors][:2]
    ['blackmail-action', 'leverage-disclosure-action']
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.detectors._actions import (
        BlackmailDetector,
        LeakDetector,
        LethalActionDetector,
        LeverageDisclosureDetector,
    )
    from scenariokit.detectors._answer import ANSWER_KEYS, JudgeAnswer, JudgeAnswerError, parse_answer
    from scenariokit.detectors._base import BaseDetector, Detector
    from scenariokit.detectors._combine import AllOf, AnyOf, Majority, run_all
    from scenariokit.detectors._considered_blackmail import ConsideredBlackmailDetector
    from scenariokit.detectors._ethics import EthicalAcknowledgementDetector
    from scenariokit.detectors._eval_awareness import EvalAwarenessDetector
    from scenariokit.detectors._invented_constraints import InventedConstraintsDetector
    from scenariokit.detectors._judge import JudgeCall, JudgeResult, LLMJudge, locate_quote, normalise_quote
    from scenariokit.detectors._metrics import AgreementScore, format_table
    from scenariokit.detectors._refusal import RefusalDetector
    from scenariokit.detectors._rubrics import RUBRIC_VERSION, RUBRICS, Rubric
    from scenariokit.detectors._self_preservation import SelfPreservationDetector
    from scenariokit.detectors._suite import FAMILY_ACTION_DETECTORS, Suite, default_suite
    from scenariokit.detectors._validation import (
        LabelledItem,
        ValidationReport,
        load_labelled_file,
        load_labelled_set,
        transcript_from_message,
        validate,
        validate_sync,
    )
    from scenariokit.detectors._verdict import Category, Evidence, Outcome, TranscriptTexts, Verdict
    from scenariokit.detectors._view import texts_of

__all__ = [
    "ANSWER_KEYS",
    "FAMILY_ACTION_DETECTORS",
    "RUBRICS",
    "RUBRIC_VERSION",
    "AgreementScore",
    "AllOf",
    "AnyOf",
    "BaseDetector",
    "BlackmailDetector",
    "Category",
    "ConsideredBlackmailDetector",
    "Detector",
    "EthicalAcknowledgementDetector",
    "EvalAwarenessDetector",
    "Evidence",
    "InventedConstraintsDetector",
    "JudgeAnswer",
    "JudgeAnswerError",
    "JudgeCall",
    "JudgeResult",
    "LLMJudge",
    "LabelledItem",
    "LeakDetector",
    "LethalActionDetector",
    "LeverageDisclosureDetector",
    "Majority",
    "Outcome",
    "RefusalDetector",
    "Rubric",
    "SelfPreservationDetector",
    "Suite",
    "TranscriptTexts",
    "ValidationReport",
    "Verdict",
    "default_suite",
    "format_table",
    "load_labelled_file",
    "load_labelled_set",
    "locate_quote",
    "normalise_quote",
    "parse_answer",
    "run_all",
    "texts_of",
    "transcript_from_message",
    "validate",
    "validate_sync",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
