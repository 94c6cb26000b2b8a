"""Special functions in pure Python: the regularized incomplete beta function and its inverse.

The Clopper-Pearson interval and the Jeffreys interval are quantiles of beta distributions. Without scipy we
compute ``I_x(a, b)`` by the continued fraction of Numerical Recipes (modified Lentz algorithm) and invert it
by Newton steps safeguarded by bisection, so the quantile is always bracketed and converges to about 1e-15.
"""

from __future__ import annotations

import math

_TINY = 1e-300
_EPS = 3e-16
_MAX_ITER = 100_000


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Evaluate the continued fraction of ``I_x(a, b)`` by the modified Lentz algorithm.

    Converges fast for ``x < (a + 1) / (a + b + 2)``; callers use the symmetry relation otherwise.
    """
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge for x={x}, a={a}, b={b}")


def _log_front(x: float, a: float, b: float) -> float:
    """Return ``log(x^a (1-x)^b / B(a, b))``, the prefactor of the continued fraction."""
    return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """Return the regularized incomplete beta function ``I_x(a, b)``, the CDF of Beta(a, b) at ``x``.

    Args:
        x: The point, in [0, 1].
        a: First shape parameter, > 0.
        b: Second shape parameter, > 0.

    Returns:
        ``P(X <= x)`` for ``X ~ Beta(a, b)``, in [0, 1].

    Raises:
        ValueError: If ``x`` is outside [0, 1] or a shape parameter is not positive and finite.
    """
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"shape parameters must be positive and finite, got a={a}, b={b}")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be in [0, 1], got {x}")
    if x == 0.0:
        return 0.0
    if x == 1.0:
        return 1.0
    if x < (a + 1.0) / (a + b + 2.0):
        value = math.exp(_log_front(x, a, b)) * _beta_continued_fraction(x, a, b) / a
    else:
        value = 1.0 - math.exp(_log_front(x, a, b)) * _beta_continued_fraction(1.0 - x, b, a) / b
    return min(1.0, max(0.0, value))


def _beta_log_pdf(x: float, a: float, b: float) -> float:
    return (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + (a - 1.0) * math.log(x)
        + (b - 1.0) * math.log1p(-x)
    )


def beta_quantile(q: float, a: float, b: float) -> float:
    """Return the ``q``-quantile of Beta(a, b): the ``x`` with ``I_x(a, b) = q``.

    Newton steps on the CDF, each kept inside a bisection bracket that shrinks at every iteration, so the
    search cannot diverge even where the density is extreme (shape parameters below 1, tails near 0 or 1).

    Args:
        q: Probability, in [0, 1].
        a: First shape parameter, > 0.
        b: Second shape parameter, > 0.

    Returns:
        The quantile, in [0, 1]; exactly 0 for ``q = 0`` and exactly 1 for ``q = 1``.

    Raises:
        ValueError: If ``q`` is outside [0, 1] or a shape parameter is not positive and finite.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q}")
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"shape parameters must be positive and finite, got a={a}, b={b}")
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    # Closed forms where one shape parameter is 1 (these are the Clopper-Pearson bounds at k = 0 and k = n).
    if b == 1.0:
        return float(q ** (1.0 / a))
    if a == 1.0:
        return float(-math.expm1(math.log1p(-q) / b))
    lo, hi = 0.0, 1.0
    x = a / (a + b)
    for _ in range(400):
        f = regularized_incomplete_beta(x, a, b) - q
        if f == 0.0:
            return x
        if f < 0.0:
            lo = x
        else:
            hi = x
        if hi - lo <= 1e-15 * max(hi, 1e-300):
            break
        step_ok = False
        if 0.0 < x < 1.0:
            log_pdf = _beta_log_pdf(x, a, b)
            if log_pdf < 700.0:
                pdf = math.exp(log_pdf)
                if pdf > 0.0:
                    candidate = x - f / pdf
                    if lo < candidate < hi:
                        if abs(candidate - x) <= 4e-16 * x:
                            return candidate
                        x = candidate
                        step_ok = True
        if not step_ok:
            x = 0.5 * (lo + hi)
    return x
