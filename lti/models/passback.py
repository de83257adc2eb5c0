"""Grade passback outbox: the score each gradebook cell should hold, and every attempt to send it."""

from __future__ import annotations

from django.db import models

from .links import LineItem, UserLink


class PassbackStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "In the gradebook"
    FAILED = "failed", "Failed: needs attention"


class GradePassbackQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=PassbackStatus.PENDING, next_attempt_at__lte=now).filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )


class GradePassback(models.Model):
    """One gradebook cell (line item x student). A new score bumps ``version``; a send records the
    version it carried, so a score is delivered once and a later score is never overwritten by an
    older one."""

    line_item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="passbacks")
    user_link = models.ForeignKey(UserLink, on_delete=models.CASCADE, related_name="passbacks")
    score_given = models.FloatField()
    score_maximum = models.FloatField(default=100)
    activity_progress = models.CharField(max_length=16, default="Completed")
    grading_progress = models.CharField(max_length=16, default="FullyGraded")
    score_timestamp = models.DateTimeField(help_text="When Codewise recorded this score (the platform keeps the latest).")
    source = models.CharField(max_length=64, help_text="What the score came from, e.g. exercises.submissionscore:12")
    version = models.PositiveIntegerField(default=1)
    sent_version = models.PositiveIntegerField(default=0)
    sent_score = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PassbackStatus.choices, default=PassbackStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed sends of the current version.")
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GradePassbackQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["line_item", "user_link"], name="lti_one_passback_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.user_link.user} / {self.line_item}: {self.score_given} ({self.status})"


class PassbackAttempt(models.Model):
    """One HTTP delivery attempt, kept so an instructor can see what the platform answered."""

    passback = models.ForeignKey(GradePassback, on_delete=models.CASCADE, related_name="delivery_attempts")
    version = models.PositiveIntegerField()
    score_given = models.FloatField()
    ok = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
