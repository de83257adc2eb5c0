"""The readiness model: pure Python, no Django. See docs/readiness.md.

    fit_population(histories, items, pool_items=...)   -> Population: item difficulty, channel links,
                                                           prior strengths, drift and forgetting
    estimate_student(responses, population)             -> ability per domain now, with uncertainty
    predict_exam(estimate, population, weights, ...)     -> score range and pass probability
    domain_mastery(estimate, population, domain)         -> expected share right on a domain's questions
    readiness_phrase(probability)                        -> honest words for a pass probability
"""

from .ability import DomainAbility, ReadinessParams, Response, StudentEstimate, estimate_student
from .exam import DomainMastery, ExamPrediction, domain_mastery, predict_exam
from .fitting import ItemInfo, fit_population
from .population import CHANNELS, ChannelLink, Population
from .wording import readiness_phrase

__all__ = [
    "CHANNELS",
    "ChannelLink",
    "DomainAbility",
    "DomainMastery",
    "ExamPrediction",
    "ItemInfo",
    "Population",
    "ReadinessParams",
    "Response",
    "StudentEstimate",
    "domain_mastery",
    "estimate_student",
    "fit_population",
    "predict_exam",
    "readiness_phrase",
]
