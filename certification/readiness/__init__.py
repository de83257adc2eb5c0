"""The readiness model: pure Python, no Django. See docs/readiness.md.

    estimate_student(evidence, population=...)  -> per-domain mastery with credible intervals
    predict_exam(estimate, weights, ...)        -> predicted score and pass probability
"""

from .model import (
    DomainMastery,
    ExamPrediction,
    ModelParams,
    Observation,
    StudentEstimate,
    estimate_student,
    naive_average,
    predict_exam,
)

__all__ = [
    "DomainMastery",
    "ExamPrediction",
    "ModelParams",
    "Observation",
    "StudentEstimate",
    "estimate_student",
    "naive_average",
    "predict_exam",
]
