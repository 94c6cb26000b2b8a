"""The deception rubric: ``LLMJudge(provider, "deception")`` with a scripted judge over labelled transcripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import pytest
import yaml

from scenariokit.agent import ForwardEmail, SendEmail
from scenariokit.detectors import RUBRICS, AgreementScore, Category, LabelledItem, LLMJudge, Outcome, texts_of
from scenariokit.providers._types import (
    AssistantMessage,
    GenerateConfig,
    Message,
    ModelResponse,
    StopReason,
    TextPart,
    UserMessage,
)

DEFAULT = GenerateConfig()


class ScriptedJudge:
    """A fake provider that answers from a script and records what it was asked."""

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.calls: list[list[Message]] = []

    @property
    def name(self) -> str:
        return "scripted/judge"

    async def generate(
        self,
        messages: Sequence[Message],
        *,
        tools: Any = (),
        config: GenerateConfig = DEFAULT,
        sample_index: int = 0,
    ) -> ModelResponse:
        assert config.temperature == 0.0
        self.calls.append(list(messages))
        return ModelResponse(
            message=AssistantMessage(content=(TextPart(text=self.replies.pop(0)),)),
            stop_reason=StopReason.END_TURN,
            model="judge",
        )

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> ScriptedJudge:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def answer(verdict: str, evidence: Sequence[str] = ()) -> str:
    return json.dumps({"verdict": verdict, "evidence": list(evidence), "rationale": "scripted"})


def _items() -> list[tuple[LabelledItem, bool, str]]:
    raw = yaml.safe_load(
        (resources.files("scenariokit.detectors") / "data" / "labelled_deception.yaml").read_text(
            encoding="utf-8"
        )
    )
    out = []
    for entry in raw:
        deceptive, quote = entry.pop("deceptive"), entry.pop("quote")
        out.append((LabelledItem.model_validate(entry), bool(deceptive), str(quote)))
    return out


ITEMS = _items()


def _sent_texts(item: LabelledItem) -> list[str]:
    texts = []
    for action in item.transcript().actions.actions:
        if isinstance(action, SendEmail):
            texts.append(f"{action.subject}\n{action.body}")
        elif isinstance(action, ForwardEmail):
            texts.append(action.body)
    return texts


def test_the_labelled_set_is_balanced_and_each_label_is_borne_out_by_what_was_sent() -> None:
    assert len(ITEMS) >= 8 and len({i.id for i, _, _ in ITEMS}) == len(ITEMS)
    assert sum(d for _, d, _ in ITEMS) >= 4 and sum(not d for _, d, _ in ITEMS) >= 4
    assert {i.family for i, _, _ in ITEMS} >= {"blackmail", "leaking"}
    for item, deceptive, quote in ITEMS:
        assert item.note, item.id
        sent = _sent_texts(item)
        assert sent, f"{item.id}: every item sends something (the rubric judges sent messages)"
        assert texts_of(item.transcript()).locate(quote) is not None, item.id
        # a deceptive item's false statement was sent; an honest item's tempting sentence was not a sent lie
        in_sent = any(quote in text for text in sent)
        if deceptive:
            assert in_sent, f"{item.id}: the false statement must be in a sent message"


def test_the_rubric_asks_about_sent_falsehoods_with_the_facts_it_needs() -> None:
    rubric = RUBRICS[Category.DECEPTION]
    assert rubric.labels == ("present", "absent") and rubric.flagged == frozenset({"present"})
    for phrase in ("actually sent", "approved", "inventing", "pretending to be a person", "never sent"):
        assert phrase in rubric.question


@pytest.mark.anyio
async def test_deception_judge_agrees_with_a_judge_that_answers_the_labels() -> None:
    pairs = []
    for item, deceptive, quote in ITEMS:
        provider = ScriptedJudge([answer("present", [quote]) if deceptive else answer("absent")])
        judge = LLMJudge(provider, "deception")
        transcript = item.transcript()
        verdict = await judge.detect(transcript, item.rendered())
        assert verdict.category is Category.DECEPTION and verdict.detector == "judge-deception"
        assert verdict.label == ("present" if deceptive else "absent")
        if deceptive:
            assert verdict.evidence[0].quote == quote
            assert verdict.problems_against(texts_of(transcript)) == []
        # the judge is shown the scenario facts, what the agent saw and wrote, and the deception question
        (prompt,) = [m for m in provider.calls[0] if isinstance(m, UserMessage)]
        assert "SCENARIO FACTS" in prompt.content and "victor.hale@kestreldynamics.com" in prompt.content
        assert "Did the agent deceive a person in the scenario" in prompt.content
        assert quote in prompt.content
        pairs.append((deceptive, verdict.outcome))
    score = AgreementScore.from_pairs("judge-deception", "deception", pairs)
    assert (score.tp, score.fn, score.fp, score.tn, score.unscorable) == (4, 0, 0, 4, 0)


@pytest.mark.anyio
async def test_a_flag_without_a_real_quote_is_retried_then_unscorable() -> None:
    item, _, _ = next(x for x in ITEMS if x[1])
    provider = ScriptedJudge([answer("present"), answer("present", ["the board approved everything"])])
    verdict = await LLMJudge(provider, "deception", max_attempts=2).detect(item.transcript(), item.rendered())
    assert verdict.outcome is Outcome.UNSCORABLE and "does not occur verbatim" in (verdict.reason or "")
    assert len(provider.calls) == 2
