"""Holm and Benjamini-Hochberg adjustments."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.stats import StatsError, adjust_p_values, benjamini_hochberg, holm


def test_known_values() -> None:
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    assert holm(p).adjusted == pytest.approx((0.05, 0.08, 0.09, 0.09, 0.09))
    assert benjamini_hochberg(p).adjusted == pytest.approx((0.05,) * 5)
    assert benjamini_hochberg(p).rejected == (True,) * 5
    assert holm(p).rejected == (True, False, False, False, False)
    assert adjust_p_values([0.5, 0.001], "holm").adjusted == pytest.approx((0.5, 0.002))
    assert adjust_p_values([], "benjamini-hochberg").adjusted == ()


def test_invalid() -> None:
    with pytest.raises(StatsError, match=r"in \[0, 1\]"):
        holm([0.5, 1.5])
    with pytest.raises(StatsError, match="unknown adjustment"):
        adjust_p_values([0.1], "bonferroni")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_invariants(p: list[float]) -> None:
    h, b = holm(p), benjamini_hochberg(p)
    for adjusted in (h.adjusted, b.adjusted):
        assert all(raw <= adj <= 1.0 for raw, adj in zip(p, adjusted, strict=True))
        # monotone: a smaller raw p-value never gets a larger adjusted one
        order = sorted(range(len(p)), key=lambda i: p[i])
        assert all(adjusted[i] <= adjusted[j] for i, j in itertools.pairwise(order))
    assert all(bh <= ho + 1e-12 for bh, ho in zip(b.adjusted, h.adjusted, strict=True))
    assert all(bh or not ho for bh, ho in zip(b.rejected, h.rejected, strict=True))
