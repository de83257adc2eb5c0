"""Item response functions (pure): a Rasch-style link with a guessing floor.

    P(right | ability θ) = c + (1 - c) · σ(a · (θ - b))

b is the item's difficulty on the domain's logit scale, c the chance of guessing right (a quarter
for a four-option single answer, none for code entry), a the discrimination of the evidence
channel the item belongs to (1 for exam items, which define the scale). A fractional score (a
chart case graded line by line) is used as a quasi-binomial observation with the same link.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

# Chance of a right answer by blind guessing, by question kind.
GUESS_BY_KIND = {
    "single": 0.25,  # four options
    "multiple": 0.06,  # all-or-nothing over four options: 1 of 15 non-empty subsets
    "code": 0.0,
    "term_build": 0.0,
}
# Author difficulty (1 easy, 2 medium, 3 hard) as a prior on the logit scale until an item has answers.
LABEL_DIFFICULTY = {1: -1.0, 2: 0.0, 3: 1.0}

_PI_OVER_8 = math.pi / 8.0


def sigmoid(x: float) -> float:
    if x < -35.0:
        return 6.3e-16
    if x > 35.0:
        return 1.0 - 6.3e-16
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def guess_for_choices(count: int) -> float:
    """A single-answer item with ``count`` options."""
    return 1.0 / count if count >= 2 else 0.0


def probability(theta: float, b: float, c: float = 0.0, a: float = 1.0) -> float:
    return c + (1.0 - c) * sigmoid(a * (theta - b))


def expected_probability(mean: float, variance: float, b: float, c: float = 0.0, a: float = 1.0) -> float:
    """E[P(right)] when θ ~ N(mean, variance): the probit approximation of the logistic-normal integral."""
    kappa = 1.0 / math.sqrt(1.0 + _PI_OVER_8 * a * a * variance)
    return c + (1.0 - c) * sigmoid(kappa * a * (mean - b))


Bin = list  # [a, b, c, total weight, weighted score]: responses aggregated by item parameters


def score_and_information(theta: float, bins: Iterable[Bin]) -> tuple[float, float]:
    """Gradient of the log-likelihood at θ and the Fisher information, over aggregated responses."""
    gradient = information = 0.0
    for a, b, c, w, wx in bins:
        x = a * (theta - b)
        s = 1.0 / (1.0 + math.exp(-x)) if -35.0 < x < 35.0 else (6.3e-16 if x <= -35.0 else 1.0 - 6.3e-16)
        p = c + (1.0 - c) * s
        dp = (1.0 - c) * a * s * (1.0 - s)
        pq = p * (1.0 - p)
        if pq < 1e-12:
            continue
        ratio = dp / pq
        gradient += (wx - w * p) * ratio
        information += w * dp * ratio
    return gradient, information


def posterior_update(mean: float, variance: float, bins: list[Bin]) -> tuple[float, float]:
    """Gaussian (Laplace) update of θ ~ N(mean, variance) with aggregated responses: Fisher scoring.

    One step from the prior mean; when it moved far (a big session of surprising answers) a second
    step from there, and the variance from the curvature at the new mean.
    """
    prior_precision = 1.0 / variance
    gradient, information = score_and_information(mean, bins)
    new = mean + gradient / (prior_precision + information)
    if abs(new - mean) > 0.25:
        gradient, information = score_and_information(new, bins)
        new = new + (gradient - (new - mean) * prior_precision) / (prior_precision + information)
        _, information = score_and_information(new, bins)
    return new, 1.0 / (prior_precision + information)


def predictive_log_likelihood(mean: float, variance: float, bins: Iterable[Bin]) -> tuple[float, float]:
    """Log-likelihood of responses before seeing them (θ ~ N(mean, variance)), and their total weight."""
    total = weight = 0.0
    for a, b, c, w, wx in bins:
        p = min(max(expected_probability(mean, variance, b, c, a), 1e-6), 1.0 - 1e-6)
        total += wx * math.log(p) + (w - wx) * math.log(1.0 - p)
        weight += w
    return total, weight
