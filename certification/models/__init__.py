"""Certification models, split by concept: evidence, blueprints, the question bank, attempts, rollups."""

from .attempts import AttemptItem, AttemptScore, AttemptStatus, CloseReason, ExamAttempt
from .bank import Choice, Difficulty, Question, QuestionKind, ScenarioSet
from .blueprints import Blueprint, BlueprintDomain
from .evidence import EvidenceSource, MasteryEvidence
from .rollups import ItemStat, Readiness, ReadinessFit, ReadinessSnapshot, StudentDomainRollup

__all__ = [
    "AttemptItem",
    "AttemptScore",
    "AttemptStatus",
    "Blueprint",
    "BlueprintDomain",
    "Choice",
    "CloseReason",
    "Difficulty",
    "EvidenceSource",
    "ExamAttempt",
    "ItemStat",
    "MasteryEvidence",
    "Question",
    "QuestionKind",
    "Readiness",
    "ReadinessFit",
    "ReadinessSnapshot",
    "ScenarioSet",
    "StudentDomainRollup",
]
