"""Timed practice exams: an attempt, its items (answers live here), and its single score."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted, scoring"
    SCORED = "scored", "Scored"


class CloseReason(models.TextChoices):
    SUBMITTED = "submitted", "Submitted by the student"
    TIMED_OUT = "timed_out", "Closed when time ran out"


class ExamAttempt(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts")
    blueprint = models.ForeignKey("certification.Blueprint", on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS, db_index=True)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Time-on-question bookkeeping, all server-side: which item is open, since when.
    focus_position = models.PositiveSmallIntegerField(null=True, blank=True)
    focus_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["student", "status"]), models.Index(fields=["status", "deadline"])]
        constraints = [
            # Two starts of the same exam at the same instant cannot both open an attempt.
            models.UniqueConstraint(
                fields=["student", "blueprint"], condition=models.Q(status=AttemptStatus.IN_PROGRESS),
                name="one_open_attempt_per_exam",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint} · {self.student} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class AttemptItem(models.Model):
    attempt = models.ForeignKey(ExamAttempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey("certification.Question", on_delete=models.PROTECT, related_name="attempt_items")
    position = models.PositiveSmallIntegerField()
    domain = models.CharField(max_length=40)
    response = models.JSONField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)
    is_correct = models.BooleanField(null=True)
    # Choice ids in the order this student was shown them, drawn when the attempt starts. Empty
    # for attempts from before orders were stored: those showed the choices by position.
    choice_order = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_item_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="no_repeated_question_in_attempt"),
        ]

    @property
    def is_answered(self) -> bool:
        return self.response not in (None, "", {}, [])

    def displayed_choices(self) -> list:
        """The question's choices in the order this student was shown them (uses prefetched choices)."""
        choices = list(self.question.choices.all())
        if not self.choice_order:
            return choices
        rank = {choice_id: i for i, choice_id in enumerate(self.choice_order)}
        return sorted(choices, key=lambda c: (rank.get(c.pk, len(rank)), c.position, c.pk))


class AttemptScore(models.Model):
    """Exactly one per attempt: the one-to-one constraint makes scoring idempotent."""

    attempt = models.OneToOneField(ExamAttempt, on_delete=models.CASCADE, related_name="score")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_scores")
    blueprint = models.ForeignKey("certification.Blueprint", on_delete=models.CASCADE, related_name="scores")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    percent = models.FloatField()
    passed = models.BooleanField()
    by_domain = models.JSONField(default=dict)
    answered = models.PositiveSmallIntegerField(default=0)
    seconds_used = models.PositiveIntegerField(default=0)
    seconds_per_question = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["student", "created_at"])]
