"""From ability per domain to an exam: expected score over the blueprint's item pool, interval, P(pass).

A domain's expected score integrates the guessing-floor link over its exam questions (the pool
summary) and over the uncertainty of the student's ability there. The score's variance adds:
each domain's own uncertainty; the uncertainty of the student's level, which every domain that
leans on it shares (it does not average away); the sitting itself (each question drawn from the
pool is right with its expected probability); and a small extra spread ``exam_sd``. The interval
shown is the 90% range of the score a sitting today would give. P(pass) is the normal
approximation of P(score ≥ pass mark), with Platt recalibration when outcomes allowed one.

When the practised domains carry less than ``min_coverage`` of the blueprint's weight the
dashboard shows no probability but the domains to practise: the estimate then rests on where
students start in the domains this one has avoided, and students who avoid their weak domains
cannot be told apart from students who picked theirs at random. Platt recalibration is fitted
separately for forecasts with enough evidence and for the others (thin coverage, or fewer than 50
answers in all), so outcomes correct each group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from statistics import NormalDist

from .ability import ReadinessParams, StudentEstimate
from .irt import sigmoid
from .population import Population, PoolBin
from .validation import recalibrate, score_correction, segments_for

_NORMAL = NormalDist()
_PI_OVER_8 = math.pi / 8.0


@dataclass(frozen=True)
class ExamPrediction:
    predicted_score: float
    lower: float  # the 90% range of the score of a sitting today
    upper: float
    ability_lower: float  # the 90% credible interval of the expected score (no sitting noise)
    ability_upper: float
    score_sd: float  # sd of the sitting's score (after recalibration)
    pass_probability: float  # recalibrated on practice-exam outcomes when there were enough
    model_probability: float  # before recalibration
    coverage: float  # share of the blueprint's weight in domains the student has practised
    enough_evidence: bool  # coverage reaches ReadinessParams.min_coverage
    evidence_group: str  # "enough" or "thin": the recalibration this forecast gets
    practise: tuple[str, ...]  # domains to practise first: not practised, heaviest first
    # Signed sd, in score units, of the error this forecast shares with every forecast measured on items of other
    # difficulty than the exam's (carrying ability from easy items to exam-level ones): in ``score_sd``. The same
    # unknown for every student on the platform, so outcomes can tell it apart from the sceptical prior's weight.
    extrapolation: float = 0.0


@dataclass(frozen=True)
class DomainMastery:
    domain: str
    mastery: float  # expected share right on the domain's exam questions
    lower: float
    upper: float


EVIDENCE_GROUPS = ("enough", "thin")
FEW_ANSWERS = 50  # fewer first answers than this in all: recalibrated with the thin-coverage forecasts


def evidence_group(enough: bool, responses: int) -> str:
    """Which recalibration a forecast gets: "enough" coverage and answers, or "thin"."""
    return "enough" if enough and responses >= FEW_ANSWERS else "thin"


def range_correction(population: Population, group: str, estimate: StudentEstimate,
                     coverage: float) -> tuple[float, float]:
    """(offset, factor on the sd) fitted on practice-exam outcomes for this forecast: its evidence group's and
    those of its validation segments (evidence volume, share of easy items, coverage, time since practice)."""
    if not population.score_recalibration:
        return 0.0, 1.0
    segments = segments_for(responses=estimate.responses, easy_share=estimate.easy_share, coverage=coverage,
                            days_since=estimate.days_since_practice)
    return score_correction(population.score_recalibration, group, segments) or (0.0, 1.0)


def pool_item_variance(pool: tuple[PoolBin, ...], mean: float, variance: float) -> float:
    """Average over the pool of p(1 - p) for one question: the sitting's variance per question.

    Smaller than p̄(1 - p̄) when the questions differ in difficulty (a sum of Bernoulli draws with
    unequal chances varies less than one with their average chance).
    """
    kappa = 1.0 / math.sqrt(1.0 + _PI_OVER_8 * variance)
    total = 0.0
    for b, c, share in pool:
        p = c + (1.0 - c) * sigmoid(kappa * (mean - b))
        total += share * p * (1.0 - p)
    return total


def pool_expected(pool: tuple[PoolBin, ...], mean: float, variance: float) -> tuple[float, float]:
    """Expected share right over the pool when θ ~ N(mean, variance), and its slope in θ."""
    kappa = 1.0 / math.sqrt(1.0 + _PI_OVER_8 * variance)
    expected = slope = 0.0
    for b, c, share in pool:
        s = sigmoid(kappa * (mean - b))
        expected += share * (c + (1.0 - c) * s)
        slope += share * (1.0 - c) * s * (1.0 - s) * kappa
    return expected, slope


def domain_mastery(estimate: StudentEstimate, population: Population, domain: str,
                   params: ReadinessParams = ReadinessParams()) -> DomainMastery:
    """Expected share right on the domain's exam questions, with the credible interval mapped from θ."""
    ability = estimate.ability(domain, population)
    pool = population.pool(domain)
    z = _NORMAL.inv_cdf(0.5 + params.credible_level / 2)
    sd = math.sqrt(ability.variance)
    mastery, _ = pool_expected(pool, ability.mean, ability.variance)
    lower, _ = pool_expected(pool, ability.mean - z * sd, 0.0)
    upper, _ = pool_expected(pool, ability.mean + z * sd, 0.0)
    return DomainMastery(domain, mastery, min(lower, mastery), max(upper, mastery))


def predict_exam(
    estimate: StudentEstimate,
    population: Population,
    weights: Mapping[str, float],
    *,
    question_count: int,
    pass_mark: float,
    params: ReadinessParams = ReadinessParams(),
) -> ExamPrediction:
    total_weight = sum(w for w in weights.values() if w > 0)
    if total_weight <= 0 or question_count <= 0:
        raise ValueError("A blueprint needs positive weights and at least one question")
    mean = own_var = shared = avoided = systematic = extrapolated = sitting = coverage = 0.0
    thin: list[tuple[float, str]] = []
    exam_domains = [d for d, w in weights.items() if w > 0]
    for domain in exam_domains:
        w = weights[domain] / total_weight
        ability = estimate.ability(domain, population, exam_domains)
        pool = population.pool(domain)
        expected, slope = pool_expected(pool, ability.mean, ability.variance)
        mean += w * expected
        own = max(ability.variance - ability.shared**2 * estimate.level_variance - ability.avoided
                  - ability.systematic**2 - ability.extrapolated**2, 0.0)
        own_var += (w * slope) ** 2 * own
        shared += w * slope * ability.shared
        # Whether the student avoided their weak domains is one question for all of them: it does not average away.
        avoided += w * slope * math.sqrt(ability.avoided)
        systematic += w * slope * ability.systematic
        # The slope between easy and exam-level items is one unknown for every domain: signed, shared.
        extrapolated += w * slope * ability.extrapolated
        sitting += w * pool_item_variance(pool, ability.mean, ability.variance) / question_count
        if ability.responses >= params.min_domain_responses:
            coverage += w
        else:
            thin.append((w, domain))
    ability_var = (own_var + shared * shared * estimate.level_variance + avoided * avoided + systematic * systematic
                   + extrapolated * extrapolated)
    total_sd = math.sqrt(ability_var + sitting + population.exam_sd**2)
    z = _NORMAL.inv_cdf(0.5 + params.credible_level / 2)
    cut = pass_mark - 0.5 / question_count  # a score of exactly the mark passes
    raw = min(max(1.0 - _NORMAL.cdf((cut - mean) / total_sd), 1e-4), 1.0 - 1e-4)
    enough = coverage >= params.min_coverage
    group = evidence_group(enough, estimate.responses)
    probability = recalibrate(raw, population.recalibration.get(group), estimate.average_score)
    ability_sd = math.sqrt(ability_var)
    offset, factor = range_correction(population, group, estimate, coverage)
    mean = min(max(mean + offset, 0.0), 1.0)
    total_sd *= factor
    thin.sort(key=lambda t: (-t[0], t[1]))
    return ExamPrediction(
        predicted_score=mean,
        lower=max(0.0, mean - z * total_sd),
        upper=min(1.0, mean + z * total_sd),
        ability_lower=max(0.0, mean - z * ability_sd),
        ability_upper=min(1.0, mean + z * ability_sd),
        score_sd=total_sd,
        pass_probability=probability,
        model_probability=raw,
        coverage=coverage,
        enough_evidence=enough,
        evidence_group=group,
        practise=tuple(d for _, d in thin),
        extrapolation=extrapolated,
    )



def predict_alternatives(
    estimate: StudentEstimate,
    population: Population,
    weights: Mapping[str, float],
    *,
    question_count: int,
    pass_mark: float,
    params: ReadinessParams = ReadinessParams(),
    grid: tuple[float, ...] | None = None,
) -> tuple[tuple[float, float, float, float, float, float], ...]:
    """The forecast under each weight of the sceptical prior, before any recalibration: (avoidance,
    probability, predicted score, lower, upper, score sd). Validation chooses the weight from outcomes."""
    from .validation import AVOIDANCE_GRID

    plain = replace(population, recalibration={}, score_recalibration={})
    result = []
    if all(d in estimate.domains for d, w in weights.items() if w > 0):
        # Every exam domain has evidence: the sceptical prior plays no part, every weight gives this forecast.
        p = predict_exam(estimate, plain, weights, question_count=question_count, pass_mark=pass_mark, params=params)
        row = (p.model_probability, p.predicted_score, p.lower, p.upper, p.score_sd)
        return tuple((value, *row) for value in grid or AVOIDANCE_GRID)
    for value in grid or AVOIDANCE_GRID:
        p = predict_exam(estimate, replace(plain, avoidance=value), weights, question_count=question_count,
                         pass_mark=pass_mark, params=params)
        result.append((value, p.model_probability, p.predicted_score, p.lower, p.upper, p.score_sd))
    return tuple(result)
