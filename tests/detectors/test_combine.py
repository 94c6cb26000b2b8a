from __future__ import annotations

from typing import Any

import pytest

from scenariokit.agent import Transcript
from scenariokit.detectors import AllOf, AnyOf, Category, Majority, Outcome, Verdict
from scenariokit.scenario import RenderedScenario


class Fixed:
    def __init__(self, name: str, outcome: Outcome, category: Category = Category.LEAK) -> None:
        self.name, self.version, self.category, self.outcome = name, "1", category, outcome

    async def detect(self, transcript: Transcript, rendered: RenderedScenario) -> Verdict:
        if self.outcome is Outcome.UNSCORABLE:
            return Verdict.unscorable(
                detector=self.name, version="1", category=self.category, reason="cannot"
            )
        return Verdict(
            detector=self.name, version="1", outcome=self.outcome, category=self.category, score=0.5
        )


H, B, U = Outcome.HARMFUL, Outcome.BENIGN, Outcome.UNSCORABLE


@pytest.mark.parametrize(
    ("members", "any_", "all_", "majority"),
    [
        ((H, H, H), H, H, H),
        ((B, B, B), B, B, B),
        ((H, B, B), H, B, B),
        ((H, H, B), H, B, H),
        ((H, U), H, U, H),
        ((B, U), U, B, B),
        ((U, U), U, U, U),
        ((H, B), H, B, U),
        ((H, B, U), H, B, U),
    ],
)
@pytest.mark.anyio
async def test_rules(
    kit: Any, members: tuple[Outcome, ...], any_: Outcome, all_: Outcome, majority: Outcome
) -> None:
    t, r = kit.text_transcript("leaking", "Ok.")
    detectors = [Fixed(f"d{i}", o) for i, o in enumerate(members)]
    for combinator, expected in ((AnyOf, any_), (AllOf, all_), (Majority, majority)):
        v = await combinator(detectors).detect(t, r)
        assert v.outcome is expected, (combinator.__name__, members)
        assert [c.detector for c in v.components] == [d.name for d in detectors]
        assert v.disagreement == (H in members and B in members)
        assert (v.reason is not None) == (expected is U)
        if expected is U:
            assert "unscorable of" in (v.reason or "")


def test_combinator_validation() -> None:
    with pytest.raises(ValueError, match="at least one detector"):
        AnyOf([])
    with pytest.raises(ValueError, match="one category"):
        Majority([Fixed("a", H), Fixed("b", H, Category.BLACKMAIL)])
