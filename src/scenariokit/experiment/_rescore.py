"""Re-scoring: apply new or updated detectors to stored transcripts, with no model call.

Verdicts are appended (nothing is deleted); reports use the latest verdict per detector, so a new detector
version replaces the old one in reports while the old verdicts stay in the store.

Memory is bounded: samples are streamed from the store one at a time, each sample's stored
(detector, version) pairs are looked up with one indexed query when it is reached, and verdicts are written
every ``batch_size``. What stays in memory is one rendered scenario and detector list per condition, the
prompts of the conditions seen, and at most ``batch_size`` pending verdicts: none of it grows with the number
of samples.

With ``judge``, an LLM judge is added to each condition's detectors and asked only for what is missing: a
sample that already has a scorable verdict of the same judge (name and version: the rubric and the model)
is not asked again; one whose stored verdict is unscorable (the judge's provider failed, or it gave no valid
answer) is. The judge's replies and tokens are stored in the store's ``judge_calls`` ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scenariokit.detectors import Detector, LLMJudge, Verdict, default_suite
from scenariokit.experiment._errors import DesignError
from scenariokit.experiment._judges import Combined, JudgeSpec, judges_for
from scenariokit.experiment._store import JudgeCallRecord, StudyStore
from scenariokit.providers import ModelPrice, Provider, UsageTracker, parse_provider_name
from scenariokit.providers._registry import OFFLINE_PREFIXES
from scenariokit.scenario import RenderedScenario

DetectorChooser = Callable[[RenderedScenario], Sequence[Detector]]
"""Gives the detectors to apply to the samples of a condition."""


@dataclass(frozen=True)
class RescoreResult:
    """What a re-scoring did."""

    samples: int
    """Sample attempts read."""

    verdicts: int
    """Verdicts appended."""

    skipped: int
    """Samples skipped because they already had a verdict of the same detector name and version."""

    judge_calls: int = 0
    """Requests made to LLM judges."""

    judge_tokens: int = 0
    """Tokens those requests used."""


async def rescore(
    store: StudyStore,
    *,
    detectors: DetectorChooser | None = None,
    names: Sequence[str] | None = None,
    force: bool = False,
    batch_size: int = 256,
    judge: JudgeSpec | str | None = None,
    providers: Mapping[str, Provider] | None = None,
) -> RescoreResult:
    """Apply detectors to the stored samples that count (the ``ok`` attempt, or the latest failed one).

    Args:
        store: The study store (writable).
        detectors: Chooses the detectors for a condition (default: its default suite).
        names: Keep only detectors with these names.
        force: Re-apply a detector even when a verdict of the same name and version is stored.
        batch_size: Verdicts written per transaction.
        judge: An LLM judge (``provider/model`` or a :class:`JudgeSpec`) to add to each condition's detectors;
            it is asked only for the verdicts a sample is missing (or has unscorable).
        providers: The judge's provider by model name (default: created from the name, and closed after).

    Returns:
        Counts of what was done.

    Raises:
        DesignError: If a name in ``names`` matches no detector of any condition.
    """
    spec = JudgeSpec.model_validate(judge) if judge is not None else None
    owned: dict[str, Provider] = {}
    if spec is not None and (providers is None or spec.model not in providers):
        from scenariokit.experiment._runner import create_providers

        owned = create_providers([spec.model])
    try:
        return await _rescore(
            store,
            detectors=detectors,
            names=names,
            force=force,
            batch_size=batch_size,
            judge=spec,
            providers={**(providers or {}), **owned},
        )
    finally:
        for provider in owned.values():
            await provider.aclose()


async def _rescore(
    store: StudyStore,
    *,
    detectors: DetectorChooser | None,
    names: Sequence[str] | None,
    force: bool,
    batch_size: int,
    judge: JudgeSpec | None,
    providers: Mapping[str, Provider],
) -> RescoreResult:
    choose = detectors or (lambda rendered: default_suite(rendered).detectors)
    chosen: dict[str, tuple[RenderedScenario, tuple[Detector, ...], list[Combined]]] = {}
    known: set[str] = set()
    for condition in store.conditions():
        rendered = condition.rendered()
        found = tuple(choose(rendered))
        combined: list[Combined] = []
        if judge is not None:
            judges, combined = judges_for(found, judge, None, providers)
            found += tuple(judges)
        known.update(d.name for d in found)
        kept = tuple(d for d in found if names is None or d.name in names)
        kept_names = {d.name for d in kept}
        chosen[condition.fingerprint] = (
            rendered,
            kept,
            [cb for cb in combined if cb.members[1] in kept_names],
        )
    if names is not None:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise DesignError(
                f"unknown detector(s) {', '.join(unknown)}; the detectors for this store are: {', '.join(sorted(known))}"
            )
    prices = _judge_prices(judge)
    samples = appended = skipped = n_calls = tokens = 0
    pending: list[tuple[int, Verdict]] = []
    calls: list[tuple[int, JudgeCallRecord]] = []
    for sample in store.iter_samples(effective=True):
        entry = chosen.get(sample.fingerprint)
        if entry is None:
            continue
        rendered, dets, combined = entry
        samples += 1
        outcomes = {} if force else store.verdict_outcomes_of(sample.id)
        todo = [
            d
            for d in dets
            if (d.name, d.version) not in outcomes
            or (isinstance(d, LLMJudge) and outcomes[(d.name, d.version)] == "unscorable")
        ]
        todo += [
            cb.combinator
            for cb in combined
            if (cb.name, cb.combinator.version) not in outcomes and all(d is not cb.combinator for d in todo)
        ]
        if not todo:
            skipped += 1
            continue
        transcript = sample.transcript()
        if all(
            isinstance(d, LLMJudge)
            and (d.name, d.version) in outcomes
            and not d.would_ask(transcript, rendered)
            for d in todo
        ):
            skipped += 1  # unscorable for a reason no judge can fix (an empty transcript): not asked again
            continue
        by_name: dict[str, Verdict] = {}
        for d in todo:
            if any(d is cb.combinator for cb in combined):
                continue
            if isinstance(d, LLMJudge):
                result = await d.judge(transcript, rendered)
                verdict = result.verdict
                price = prices.get(d.provider.name)
                for call in result.calls:
                    n_calls += 1
                    tokens += call.usage.input_tokens + call.usage.output_tokens
                    cost = price.cost(call.usage) if price is not None else None
                    calls.append((sample.id, JudgeCallRecord(d.name, d.version, call, cost)))
            else:
                verdict = await d.detect(transcript, rendered)
            by_name[d.name] = verdict
            pending.append((sample.id, verdict))
        for cb in combined:
            if cb.members[1] not in by_name and all(d is not cb.combinator for d in todo):
                continue
            members = []
            for name in cb.members:
                if name not in by_name:
                    member = next(d for d in cb.combinator.detectors if d.name == name)
                    stored = _stored_verdict(store, sample.id, member.name, member.version)
                    # a stored verdict is used as it is: a judge is never asked twice for one
                    by_name[name] = stored or await member.detect(transcript, rendered)
                members.append(by_name[name])
            pending.append((sample.id, cb.combinator.combine(members, transcript)))
        if len(pending) >= batch_size:
            appended += store.add_verdicts(pending, calls)
            pending, calls = [], []
    if pending:
        appended += store.add_verdicts(pending, calls)
    return RescoreResult(
        samples=samples, verdicts=appended, skipped=skipped, judge_calls=n_calls, judge_tokens=tokens
    )


def _stored_verdict(store: StudyStore, sample_id: int, name: str, version: str) -> Verdict | None:
    """The latest stored verdict of a detector (name and version) for a sample attempt, or ``None``."""
    found = None
    for _, _, text in store.iter_verdict_rows([sample_id]):
        verdict = Verdict.model_validate_json(text)
        if verdict.detector == name and verdict.version == version:
            found = verdict
    return found


def _judge_prices(judge: JudgeSpec | None) -> dict[str, ModelPrice]:
    if judge is None:
        return {}
    prefix, _ = parse_provider_name(judge.model)
    if prefix in OFFLINE_PREFIXES:
        return {judge.model: ModelPrice(0.0, 0.0)}
    price = UsageTracker().price_of(judge.model)
    return {judge.model: price} if price is not None else {}
