"""Per-student progress: lessons started and completed, quiz attempts, module completions, certificates."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from .content import Lesson, Module, Program, Question


class LessonProgress(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.FloatField(null=True, blank=True, help_text="Best quiz score, 0.0 to 1.0.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lesson"], name="unique_progress_per_lesson")]

    def __str__(self) -> str:
        return f"{self.student} · {self.lesson}"


class QuizAttempt(models.Model):
    """One pass through a lesson's quiz. Finished when every question has an answer."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_attempts")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    choice_orders = models.JSONField(
        null=True, blank=True,
        help_text="Question id → the order its options were shown in (indices into Question.choices), "
        "fixed when the attempt starts. Empty for attempts from before orders were stored (written order).",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "lesson"], condition=models.Q(finished_at__isnull=True), name="one_open_attempt_per_lesson"
            )
        ]


class QuizAnswer(models.Model):
    """A graded answer to one question within an attempt; its id is the mastery-evidence source id."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField(default=list)
    is_correct = models.BooleanField(default=False)
    score = models.FloatField(default=0)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "question__position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question_per_attempt")]


class ModuleCompletion(models.Model):
    """A module whose lessons are all complete: one line of the CEU log."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_completions")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()
    ceu_hours = models.DecimalField(max_digits=5, decimal_places=2, help_text="Hours credited when completed.")

    class Meta:
        ordering = ["-completed_at"]
        constraints = [models.UniqueConstraint(fields=["student", "module"], name="unique_module_completion")]


def new_certificate_token() -> str:
    return secrets.token_urlsafe(18)


class Certificate(models.Model):
    """A certificate of completion for a program, publicly verifiable by its token."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_certificates")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="certificates")
    token = models.CharField(max_length=40, unique=True, default=new_certificate_token)
    student_name = models.CharField(max_length=200, help_text="Name as printed when issued.")
    program_title = models.CharField(max_length=200)
    ceu_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["student", "program"], name="one_certificate_per_program")]

    def __str__(self) -> str:
        return f"{self.student_name} · {self.program_title}"
