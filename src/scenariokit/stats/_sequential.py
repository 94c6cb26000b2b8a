"""Wald's sequential probability ratio test (SPRT) for a harmful rate, and its operating characteristics.

The SPRT of ``H0: rate = p0`` against ``H1: rate = p1`` (``p0 < p1``) consumes samples one at a time and
stops as soon as the log-likelihood ratio leaves ``(log(beta / (1 - alpha)), log((1 - beta) / alpha))``.
Accepting ``H0`` means the property "rate <= p0" passes; accepting ``H1`` means it fails. Wald's bounds
keep the two error probabilities near ``alpha`` (false fail at ``p0``) and ``beta`` (false pass at ``p1``);
their sum is at most ``alpha + beta``. :func:`sprt_operating_characteristics` computes the exact error
probabilities and the expected sample number by dynamic programming over the (samples, harmful) lattice.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field

from scenariokit.stats._common import FROZEN, check_alpha, check_probability, z_quantile
from scenariokit.stats._decisions import Decision, Outcome
from scenariokit.stats._errors import StatsError
from scenariokit.stats._intervals import binomial_interval
from scenariokit.stats._rate import estimate_rate

SequentialStatus = Literal["continue", "accept_null", "accept_alternative", "truncated"]
"""Where an SPRT stands: still sampling, stopped for ``H0`` or ``H1``, or stopped at ``max_samples``."""


class SequentialState(BaseModel):
    """A snapshot of an SPRT after some samples."""

    model_config = FROZEN

    n: int = Field(ge=0)
    """Samples consumed so far."""

    harmful: int = Field(ge=0)
    """Harmful samples among them."""

    log_likelihood_ratio: float
    """``log L(p1) - log L(p0)`` of the samples so far."""

    lower_boundary: float
    """``log(beta / (1 - alpha))``: at or below it, ``H0`` (rate ``p0``) is accepted."""

    upper_boundary: float
    """``log((1 - beta) / alpha)``: at or above it, ``H1`` (rate ``p1``) is accepted."""

    status: SequentialStatus
    """Whether to continue sampling, or why the test stopped."""

    outcome: Outcome
    """``pass`` on accepting ``H0``, ``fail`` on accepting ``H1``, otherwise ``inconclusive``."""

    @property
    def stopped(self) -> bool:
        """Whether the test has stopped (no further samples are accepted)."""
        return self.status != "continue"


def _check_design(p0: float, p1: float, alpha: float, beta: float) -> None:
    check_probability(p0, "p0")
    check_probability(p1, "p1")
    if not 0.0 < p0 < p1 < 1.0:
        raise StatsError(f"need 0 < p0 < p1 < 1, got p0={p0}, p1={p1}")
    check_alpha(alpha, "alpha")
    check_alpha(beta, "beta")
    if alpha + beta >= 1.0:
        raise StatsError(f"alpha + beta must be below 1, got {alpha} + {beta}")


def _steps(p0: float, p1: float) -> tuple[float, float]:
    """Log-likelihood-ratio increments for a harmful and a benign sample."""
    return math.log(p1 / p0), math.log1p(-p1) - math.log1p(-p0)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _boundaries(alpha: float, beta: float) -> tuple[float, float]:
    return math.log(beta / (1.0 - alpha)), math.log((1.0 - beta) / alpha)


class SequentialTest:
    """Wald's SPRT for "rate <= p0" against "rate >= p1", fed one sample at a time.

    Example:
        >>> test = SequentialTest(p0=0.05, p1=0.20, alpha=0.05, beta=0.05)
        >>> state = test.update_many([False] * 40)
        >>> state.status, state.n
        ('accept_null', 18)
    """

    def __init__(
        self,
        p0: float,
        p1: float,
        *,
        alpha: float = 0.05,
        beta: float = 0.05,
        max_samples: int | None = None,
    ) -> None:
        """Create the test.

        Args:
            p0: Acceptable rate (``H0``); accepting it means ``pass``.
            p1: Unacceptable rate (``H1``), above ``p0``; accepting it means ``fail``.
            alpha: Target probability of accepting ``H1`` (failing) when the rate is ``p0``.
            beta: Target probability of accepting ``H0`` (passing) when the rate is ``p1``.
            max_samples: Optional truncation: stop as ``inconclusive`` after this many samples.

        Raises:
            StatsError: On an invalid design.
        """
        _check_design(p0, p1, alpha, beta)
        if max_samples is not None and max_samples < 1:
            raise StatsError(f"max_samples must be positive, got {max_samples}")
        self.p0 = p0
        self.p1 = p1
        self.alpha = alpha
        self.beta = beta
        self.max_samples = max_samples
        self._up, self._down = _steps(p0, p1)
        self._lower, self._upper = _boundaries(alpha, beta)
        self._n = 0
        self._harmful = 0
        self._state = self._snapshot()

    def _snapshot(self) -> SequentialState:
        llr = self._harmful * self._up + (self._n - self._harmful) * self._down
        status: SequentialStatus
        outcome: Outcome
        if llr >= self._upper:
            status, outcome = "accept_alternative", "fail"
        elif llr <= self._lower:
            status, outcome = "accept_null", "pass"
        elif self.max_samples is not None and self._n >= self.max_samples:
            status, outcome = "truncated", "inconclusive"
        else:
            status, outcome = "continue", "inconclusive"
        return SequentialState(
            n=self._n,
            harmful=self._harmful,
            log_likelihood_ratio=llr,
            lower_boundary=self._lower,
            upper_boundary=self._upper,
            status=status,
            outcome=outcome,
        )

    @property
    def state(self) -> SequentialState:
        """The current state."""
        return self._state

    def update(self, harmful: bool) -> SequentialState:
        """Consume one scorable sample and return the new state.

        Unscorable samples must not be fed in (they carry no information about the rate).

        Raises:
            StatsError: If the test has already stopped, or ``harmful`` is not a bool.
        """
        if not isinstance(harmful, bool):
            raise StatsError(f"harmful must be a bool, got {harmful!r}")
        if self._state.stopped:
            raise StatsError(f"the test has already stopped ({self._state.status}) after {self._n} samples")
        self._n += 1
        self._harmful += int(harmful)
        self._state = self._snapshot()
        return self._state

    def update_many(self, samples: list[bool] | tuple[bool, ...]) -> SequentialState:
        """Consume samples in order until the test stops or they run out; return the final state."""
        for sample in samples:
            if self._state.stopped:
                break
            self.update(sample)
        return self._state

    def decision(self) -> Decision:
        """Return the current state as a :class:`Decision` (``kind="sequential"``).

        The interval reported is a descriptive two-sided Clopper-Pearson interval at ``1 - 2*alpha``; it
        is not the basis of the decision (the likelihood ratio is) and, after optional stopping, it is
        only approximate.
        """
        state = self._state
        rate = estimate_rate(state.harmful, state.n, method="clopper-pearson", confidence=1.0 - self.alpha)
        interval = (
            binomial_interval(state.harmful, state.n, "clopper-pearson", 1.0 - 2.0 * self.alpha)
            if state.n
            else None
        )
        return Decision(
            kind="sequential",
            outcome=state.outcome,
            alpha=self.alpha,
            rate=rate,
            n=state.n,
            estimate=state.harmful / state.n if state.n else None,
            interval=interval,
            threshold=self.p0,
            alternative_rate=self.p1,
            beta=self.beta,
            method="sprt",
            explanation=(
                f"SPRT p0={self.p0} vs p1={self.p1}: {state.harmful}/{state.n} harmful, log LR "
                f"{state.log_likelihood_ratio:.3f} in [{self._lower:.3f}, {self._upper:.3f}]: {state.status}"
            ),
        )


class SequentialCharacteristics(BaseModel):
    """Operating characteristics of an SPRT at one true rate."""

    model_config = FROZEN

    true_rate: float = Field(ge=0.0, le=1.0)
    """The rate at which the characteristics are computed."""

    expected_samples: float = Field(ge=0.0)
    """Expected number of samples until the test stops (the average sample number)."""

    prob_accept_null: float = Field(ge=0.0, le=1.0)
    """Probability of stopping with ``H0`` accepted (``pass``)."""

    prob_accept_alternative: float = Field(ge=0.0, le=1.0)
    """Probability of stopping with ``H1`` accepted (``fail``)."""

    prob_truncated: float = Field(ge=0.0, le=1.0)
    """Probability of reaching ``max_samples`` without a decision (0 without truncation)."""

    method: Literal["exact", "wald"]
    """``"exact"`` (dynamic programming) or ``"wald"`` (Wald's approximations, ignoring overshoot)."""


def sprt_expected_sample_size(
    p0: float, p1: float, true_rate: float, *, alpha: float = 0.05, beta: float = 0.05
) -> SequentialCharacteristics:
    """Return Wald's approximations of the operating characteristic and average sample number.

    ``L(p)`` (probability of accepting ``H0``) comes from the root ``h`` of
    ``p (p1/p0)^h + (1-p) ((1-p1)/(1-p0))^h = 1``, and ``E[N] = (L b + (1 - L) a) / E[z]`` with
    ``a, b`` the boundaries and ``z`` one sample's log-likelihood ratio (``-a b / E[z^2]`` when ``E[z] = 0``).
    These ignore the overshoot of the boundaries; :func:`sprt_operating_characteristics` is exact.
    """
    _check_design(p0, p1, alpha, beta)
    check_probability(true_rate, "true_rate")
    up, down = _steps(p0, p1)
    lower, upper = _boundaries(alpha, beta)
    mean = true_rate * up + (1.0 - true_rate) * down
    if true_rate in (0.0, 1.0):
        # The walk is deterministic: it moves by ``down`` (or ``up``) each step until it crosses.
        if true_rate == 0.0:
            return SequentialCharacteristics(
                true_rate=0.0,
                expected_samples=float(math.ceil(lower / down)),
                prob_accept_null=1.0,
                prob_accept_alternative=0.0,
                prob_truncated=0.0,
                method="wald",
            )
        return SequentialCharacteristics(
            true_rate=1.0,
            expected_samples=float(math.ceil(upper / up)),
            prob_accept_null=0.0,
            prob_accept_alternative=1.0,
            prob_truncated=0.0,
            method="wald",
        )

    def g(h: float) -> float:
        return true_rate * math.exp(h * up) + (1.0 - true_rate) * math.exp(h * down) - 1.0

    if abs(mean) < 1e-12:
        accept_null = upper / (upper - lower)
        expected = -lower * upper / (true_rate * up * up + (1.0 - true_rate) * down * down)
    else:
        # g(0) = 0 and g is convex; the non-zero root has the opposite sign of the drift.
        direction = -1.0 if mean > 0 else 1.0
        lo, hi = 1e-9, 1.0
        while g(direction * hi) < 0.0:
            hi *= 2.0
            if hi > 1e6:  # pragma: no cover - cannot happen for 0 < p < 1
                raise ArithmeticError("no root for the operating characteristic")
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if g(direction * mid) < 0.0:
                lo = mid
            else:
                hi = mid
        h = direction * 0.5 * (lo + hi)
        ea, eb = math.exp(h * upper), math.exp(h * lower)
        accept_null = (ea - 1.0) / (ea - eb)
        expected = (accept_null * lower + (1.0 - accept_null) * upper) / mean
    accept_null = min(1.0, max(0.0, accept_null))
    return SequentialCharacteristics(
        true_rate=true_rate,
        expected_samples=max(0.0, expected),
        prob_accept_null=accept_null,
        prob_accept_alternative=1.0 - accept_null,
        prob_truncated=0.0,
        method="wald",
    )


def sprt_operating_characteristics(
    p0: float,
    p1: float,
    true_rate: float,
    *,
    alpha: float = 0.05,
    beta: float = 0.05,
    max_samples: int | None = None,
    tolerance: float = 1e-12,
) -> SequentialCharacteristics:
    """Return the exact operating characteristics of :class:`SequentialTest` at ``true_rate``.

    Propagates the probability of each (samples, harmful) state that has not stopped; the band of such
    states has bounded width, so this is fast. Without ``max_samples`` it runs until the probability still
    in play is below ``tolerance`` (that remainder is reported in ``prob_truncated``).

    Args:
        p0: Acceptable rate.
        p1: Unacceptable rate.
        true_rate: Rate at which to evaluate.
        alpha: Design alpha.
        beta: Design beta.
        max_samples: Truncation, as in :class:`SequentialTest`.
        tolerance: Stop once the continuing probability falls below this (untruncated tests).

    Returns:
        Exact error probabilities and expected sample number.
    """
    _check_design(p0, p1, alpha, beta)
    check_probability(true_rate, "true_rate")
    up, down = _steps(p0, p1)
    lower, upper = _boundaries(alpha, beta)
    alive: dict[int, float] = {0: 1.0}
    expected = accept_null = accept_alt = 0.0
    n = 0
    hard_cap = max_samples if max_samples is not None else 1_000_000
    while alive and n < hard_cap:
        n += 1
        nxt: dict[int, float] = {}
        for k, mass in alive.items():
            if true_rate > 0.0:
                nxt[k + 1] = nxt.get(k + 1, 0.0) + mass * true_rate
            if true_rate < 1.0:
                nxt[k] = nxt.get(k, 0.0) + mass * (1.0 - true_rate)
        alive = {}
        for k, mass in nxt.items():
            llr = k * up + (n - k) * down
            if llr >= upper:
                accept_alt += mass
                expected += n * mass
            elif llr <= lower:
                accept_null += mass
                expected += n * mass
            else:
                alive[k] = mass
        remaining = sum(alive.values())
        if max_samples is None and remaining < tolerance:
            break
    remaining = sum(alive.values())
    expected += n * remaining
    return SequentialCharacteristics(
        true_rate=true_rate,
        expected_samples=expected,
        prob_accept_null=min(1.0, accept_null),
        prob_accept_alternative=min(1.0, accept_alt),
        prob_truncated=min(1.0, remaining),
        method="exact",
    )


class FixedSampleDesign(BaseModel):
    """A fixed-sample-size test of ``rate <= p0`` against ``rate >= p1`` with given error rates."""

    model_config = FROZEN

    n: int = Field(ge=1)
    """Number of samples."""

    critical: float
    """Reject ``H0`` (fail) when the number of harmful samples is at least this (exact method) or when the
    rate exceeds it (normal method)."""

    alpha: float
    """Error at ``p0``: exact attained size for the exact method, nominal for the normal method."""

    beta: float
    """Error at ``p1``: exact attained value for the exact method, nominal for the normal method."""

    method: Literal["exact", "normal"]
    """``"exact"`` (binomial) or ``"normal"`` (the textbook normal-approximation formula)."""


def fixed_sample_size(
    p0: float,
    p1: float,
    *,
    alpha: float = 0.05,
    beta: float = 0.05,
    method: Literal["exact", "normal"] = "exact",
) -> FixedSampleDesign:
    """Return the smallest fixed ``n`` that tests ``p0`` against ``p1`` with errors ``alpha`` and ``beta``.

    The ``"normal"`` method is ``n = ((z_a sqrt(p0 q0) + z_b sqrt(p1 q1)) / (p1 - p0))^2`` rounded up
    (46 for 5% against 20% with ``alpha = beta = 0.05``); ``"exact"`` searches the binomial tails for the
    smallest ``n`` and critical count ``c`` with ``P(X >= c | p0) <= alpha`` and ``P(X < c | p1) <= beta``.
    """
    _check_design(p0, p1, alpha, beta)
    if method == "normal":
        za, zb = z_quantile(1.0 - alpha), z_quantile(1.0 - beta)
        root = (za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) / (p1 - p0)
        n = math.ceil(root * root - 1e-9)
        critical = p0 + za * math.sqrt(p0 * (1 - p0) / n)
        return FixedSampleDesign(n=n, critical=critical, alpha=alpha, beta=beta, method="normal")
    if method != "exact":
        raise StatsError(f"unknown method {method!r}; use 'exact' or 'normal'")
    log_p0, log_q0, log_p1, log_q1 = math.log(p0), math.log1p(-p0), math.log(p1), math.log1p(-p1)
    for n in range(1, 100_000):
        # The best critical count for this n is the smallest c whose size is at most alpha.
        tail0 = 0.0
        c = n + 1
        for k in range(n, -1, -1):
            mass = math.exp(_log_comb(n, k) + k * log_p0 + (n - k) * log_q0)
            if tail0 + mass > alpha:
                break
            tail0 += mass
            c = k
        below1 = math.fsum(math.exp(_log_comb(n, k) + k * log_p1 + (n - k) * log_q1) for k in range(c))
        if c <= n and below1 <= beta:
            return FixedSampleDesign(n=n, critical=c, alpha=tail0, beta=below1, method="exact")
    raise StatsError("no fixed-sample design found below 100000 samples")  # pragma: no cover
