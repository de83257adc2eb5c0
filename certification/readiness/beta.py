"""Beta distribution helpers without SciPy: the regularised incomplete beta and its inverse."""

from __future__ import annotations

import math
from statistics import NormalDist


def _continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the incomplete beta continued fraction (Numerical Recipes, 6.4).
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """P(X <= x) for X ~ Beta(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with beta_cdf(x) = p: Newton steps kept inside a shrinking bisection bracket.

    Newton converges in a handful of steps from the normal approximation; any step that would leave
    the bracket is replaced by a halving, so the answer is as safe as plain bisection.
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    mean = a / (a + b)
    spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
    x = min(max(mean + spread * NormalDist().inv_cdf(p), 1e-6), 1.0 - 1e-6)
    for _ in range(100):
        error = beta_cdf(x, a, b) - p
        if error < 0:
            lo = x
        else:
            hi = x
        density = math.exp(log_norm + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x))
        step = error / density if density > 0 else 0.0
        if abs(step) <= 1e-13 * x or hi - lo <= 1e-15 * hi:  # relative: tail quantiles can be ~1e-12
            return x - step
        candidate = x - step
        x = candidate if lo < candidate < hi else (lo + hi) / 2
    return x


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
