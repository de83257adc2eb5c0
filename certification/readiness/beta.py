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


_STANDARD_NORMAL = NormalDist()


def _first_guess(p: float, a: float, b: float) -> float:
    """A close start for the inverse.

    For a, b >= 1 the Abramowitz & Stegun 26.5.22 approximation; otherwise the density is steep at an
    end, and the power-law shape of each tail (x^a / a near 0, (1-x)^b / b near 1) gives the start.
    """
    if a >= 1.0 and b >= 1.0:
        z = _STANDARD_NORMAL.inv_cdf(p)
        lam = (z * z - 3.0) / 6.0
        inv_a, inv_b = 1.0 / (2.0 * a - 1.0), 1.0 / (2.0 * b - 1.0)
        h = 2.0 / (inv_a + inv_b)
        w = -z * math.sqrt(h + lam) / h - (inv_b - inv_a) * (lam + 5.0 / 6.0 - 2.0 / (3.0 * h))
        if w < 300.0:
            return a / (a + b * math.exp(2.0 * w))
        return a / (a + b) + z * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
    low_tail = math.exp(a * math.log(a / (a + b))) / a
    high_tail = math.exp(b * math.log(b / (a + b))) / b
    total = low_tail + high_tail
    if p < low_tail / total:
        return (a * total * p) ** (1.0 / a)
    return 1.0 - (b * total * (1.0 - p)) ** (1.0 / b)


def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with beta_cdf(x) = p: Newton steps kept inside a shrinking bisection bracket.

    From the Abramowitz & Stegun start Newton needs about three evaluations of the CDF; any step that
    would leave the bracket (or a density too small to divide by) is replaced by a halving, so the
    answer is as safe as plain bisection.
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    x = min(max(_first_guess(p, a, b), 1e-6), 1.0 - 1e-6)
    for _ in range(100):
        error = beta_cdf(x, a, b) - p
        if error < 0:
            lo = x
        else:
            hi = x
        density = math.exp(log_norm + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x))
        if density <= 0.0:  # underflow far in a tail: no Newton step to take
            x = (lo + hi) / 2
            continue
        step = error / density
        if abs(step) <= 1e-13 * x or hi - lo <= 1e-15 * hi:  # relative: tail quantiles can be ~1e-12
            return x - step
        candidate = x - step
        x = candidate if lo < candidate < hi else (lo + hi) / 2
    return x


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
