"""Recency-weighted, hierarchical Beta-Binomial mastery, and the exam prediction built on it.

Two levels, both conjugate Beta updates on decayed evidence:

1. The student's overall ability: a Beta prior centred on the population's mean score
   (strength ``population_strength`` pseudo-items), updated with every observation.
2. Each domain: a Beta prior centred on the population's mean for that domain, shifted
   (in log-odds) by how far the student sits from the population overall, with strength
   ``domain_strength``; updated with that domain's observations.

Each observation's weight halves every ``half_life_days``, so recent work counts more
and old evidence fades back into the prior (the interval widens again when a student
stops practising a domain). The exam prediction is the blueprint-weighted mean of domain
mastery; its variance combines the domain posteriors, the shared uncertainty of the
student's overall level, and the binomial noise of sitting an exam of ``question_count``
items. The pass probability is a normal approximation to that distribution.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .beta import beta_quantile, normal_cdf

DEFAULT_POPULATION_MEAN = 0.6


@dataclass(frozen=True)
class ModelParams:
    half_life_days: float = 10.0
    population_strength: float = 6.0
    domain_strength: float = 4.0
    credible_level: float = 0.9
    # Exam items differ from practice items; a little extra spread keeps the pass
    # probability honest (fitted with scripts/calibrate_readiness.py).
    exam_noise_sd: float = 0.03


@dataclass(frozen=True)
class Observation:
    """One scored item: score in [0, 1], weight (e.g. 1 per question), age in days at estimate time."""

    domain: str
    score: float
    age_days: float
    weight: float = 1.0


@dataclass(frozen=True)
class DomainMastery:
    domain: str
    mastery: float
    lower: float
    upper: float
    variance: float
    evidence_count: int
    effective_n: float
    prior_share: float  # how much the estimate still leans on the prior (0 = all own evidence)
    prior_slope: float  # d(domain prior)/d(overall level), for the shared-uncertainty term


@dataclass(frozen=True)
class StudentEstimate:
    overall: float
    overall_variance: float
    domains: dict[str, DomainMastery] = field(default_factory=dict)


@dataclass(frozen=True)
class ExamPrediction:
    predicted_score: float
    lower: float
    upper: float
    pass_probability: float
    coverage: float  # share of blueprint weight backed by the student's own (decayed) evidence


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _beta_var(a: float, b: float) -> float:
    return a * b / ((a + b) ** 2 * (a + b + 1.0))


@lru_cache(maxsize=4096)  # pure; the domains a student has not practised often share one posterior
def _interval(mean: float, variance: float, level: float) -> tuple[float, float]:
    """Credible interval of the Beta with this mean and variance (moment matched)."""
    mean = min(max(mean, 1e-4), 1 - 1e-4)
    limit = mean * (1 - mean)
    variance = min(max(variance, 1e-9), limit * 0.999)
    concentration = limit / variance - 1.0
    a, b = mean * concentration, (1 - mean) * concentration
    tail = (1.0 - level) / 2.0
    return beta_quantile(tail, a, b), beta_quantile(1.0 - tail, a, b)


def _decayed(observations: Iterable[Observation], half_life: float) -> tuple[float, float, int]:
    successes = failures = 0.0
    count = 0
    for obs in observations:
        w = obs.weight * 0.5 ** (max(obs.age_days, 0.0) / half_life)
        score = min(max(obs.score, 0.0), 1.0)
        successes += w * score
        failures += w * (1.0 - score)
        count += 1
    return successes, failures, count


def estimate_student(
    observations: Iterable[Observation],
    *,
    population: Mapping[str, float] | None = None,
    population_mean: float = DEFAULT_POPULATION_MEAN,
    domains: Iterable[str] = (),
    params: ModelParams = ModelParams(),
    with_intervals: bool = True,
) -> StudentEstimate:
    """Mastery per domain (every domain in ``domains`` plus any with evidence) with credible intervals."""
    population = population or {}
    by_domain: dict[str, list[Observation]] = {d: [] for d in domains}
    for obs in observations:
        by_domain.setdefault(obs.domain, []).append(obs)

    # Level 1: the student's overall ability.
    total_s = total_f = 0.0
    decayed: dict[str, tuple[float, float, int]] = {}
    for domain, items in by_domain.items():
        s, f, n = _decayed(items, params.half_life_days)
        decayed[domain] = (s, f, n)
        total_s += s
        total_f += f
    a0 = population_mean * params.population_strength
    b0 = (1 - population_mean) * params.population_strength
    overall_a, overall_b = a0 + total_s, b0 + total_f
    overall = overall_a / (overall_a + overall_b)
    overall_var = _beta_var(overall_a, overall_b)
    shift = _logit(overall) - _logit(population_mean)

    # Level 2: each domain, prior centred on the population's domain mean shifted by the student's level.
    result: dict[str, DomainMastery] = {}
    k = params.domain_strength
    for domain, (s, f, n) in decayed.items():
        prior = _expit(_logit(population.get(domain, population_mean)) + shift)
        a, b = prior * k + s, (1 - prior) * k + f
        mean = a / (a + b)
        effective = s + f
        prior_share = k / (k + effective)
        slope = prior * (1 - prior) / max(overall * (1 - overall), 1e-6)
        variance = _beta_var(a, b) + (prior_share * slope) ** 2 * overall_var
        lower, upper = _interval(mean, variance, params.credible_level) if with_intervals else (mean, mean)
        result[domain] = DomainMastery(
            domain=domain,
            mastery=mean,
            lower=lower,
            upper=upper,
            variance=variance,
            evidence_count=n,
            effective_n=effective,
            prior_share=prior_share,
            prior_slope=slope,
        )
    return StudentEstimate(overall=overall, overall_variance=overall_var, domains=result)


def predict_exam(
    estimate: StudentEstimate,
    weights: Mapping[str, float],
    *,
    question_count: int,
    pass_mark: float,
    params: ModelParams = ModelParams(),
    with_interval: bool = True,
) -> ExamPrediction:
    """Predicted score (0..1) with a credible interval, and P(score >= pass_mark) on a real sitting."""
    total_weight = sum(w for w in weights.values() if w > 0)
    if total_weight <= 0 or question_count <= 0:
        raise ValueError("A blueprint needs positive weights and at least one question")
    mean = 0.0
    independent_var = 0.0
    shared = 0.0
    coverage = 0.0
    for domain, weight in weights.items():
        if weight <= 0:
            continue
        w = weight / total_weight
        dm = estimate.domains.get(domain)
        if dm is None:  # no evidence and not requested: the student's overall level stands in
            m, share, slope = estimate.overall, 1.0, 1.0
            own_var = 0.0
        else:
            m, share, slope = dm.mastery, dm.prior_share, dm.prior_slope
            own_var = dm.variance - (share * slope) ** 2 * estimate.overall_variance
        mean += w * m
        independent_var += w * w * max(own_var, 0.0)
        shared += w * share * slope
        coverage += w * (1.0 - share)
    ability_var = independent_var + shared * shared * estimate.overall_variance
    lower, upper = _interval(mean, ability_var, params.credible_level) if with_interval else (mean, mean)
    sitting_var = ability_var + mean * (1 - mean) / question_count + params.exam_noise_sd**2
    cut = pass_mark - 0.5 / question_count  # continuity correction: a score of exactly the mark passes
    probability = 1.0 - normal_cdf((cut - mean) / math.sqrt(sitting_var))
    return ExamPrediction(
        predicted_score=mean, lower=lower, upper=upper, pass_probability=probability, coverage=coverage
    )


def naive_average(observations: Iterable[Observation], *, question_count: int, pass_mark: float) -> ExamPrediction:
    """The baseline: the plain average of every past score, with only the sitting's binomial noise."""
    items = list(observations)
    weight = sum(o.weight for o in items)
    mean = sum(o.score * o.weight for o in items) / weight if weight else DEFAULT_POPULATION_MEAN
    sd = math.sqrt(max(mean * (1 - mean), 1e-6) / question_count)
    probability = 1.0 - normal_cdf((pass_mark - 0.5 / question_count - mean) / sd)
    return ExamPrediction(predicted_score=mean, lower=mean, upper=mean, pass_probability=probability, coverage=1.0)
