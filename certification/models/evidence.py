"""Evidence of mastery: the raw input of the readiness model, recorded by every app that grades."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..domains import DOMAIN_CHOICES


class EvidenceSource(models.TextChoices):
    QUIZ = "quiz", "Quiz question"
    CASE = "case", "Graded chart case"
    EXAM = "exam", "Practice exam item"
    FLASHCARD = "flashcard", "Flashcard review"


class MasteryEvidence(models.Model):
    """One scored observation of a student in one domain: the raw input of the readiness model."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mastery_evidence")
    domain = models.CharField(max_length=40, choices=DOMAIN_CHOICES, db_index=True)
    source = models.CharField(max_length=16, choices=EvidenceSource.choices)
    source_id = models.CharField(max_length=64)
    score = models.FloatField(help_text="0.0 to 1.0")
    weight = models.FloatField(default=1.0)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "source", "source_id", "domain"], name="unique_evidence_per_item"),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=1), name="evidence_score_in_range"),
        ]
        indexes = [
            models.Index(fields=["student", "domain", "occurred_at"]),
            models.Index(fields=["source", "source_id"], name="cert_evidence_source_idx"),
        ]
