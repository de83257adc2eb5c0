"""Cohorts: groups of students taught together, their memberships and due dates."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_invite_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y").upper()[:8]


class Cohort(models.Model):
    """A group of students taught together by one or more instructors."""

    name = models.CharField(max_length=120)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_cohorts", blank=True)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CohortMembership", related_name="cohorts", blank=True
    )
    invite_code = models.CharField(max_length=16, unique=True, default=new_invite_code)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    program = models.ForeignKey(
        "courses.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="cohorts",
        help_text="The program this cohort works through.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "student"], name="unique_cohort_member")]

    def __str__(self) -> str:
        return f"{self.student} in {self.cohort}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class CohortInvitation(models.Model):
    """An instructor asks an existing student account to join a cohort.

    The student is not a member (and their work stays private) until they accept. One row per
    cohort and student: a declined invitation is not renewed by the next roster upload.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "student"], name="one_invitation_per_cohort_student")]
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return f"{self.student} invited to {self.cohort} ({self.status})"


class CohortDueDate(models.Model):
    """A due date an instructor set for one module or one lesson in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="due_dates")
    module = models.ForeignKey("courses.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("courses.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(module__isnull=False, lesson__isnull=True) | models.Q(module__isnull=True, lesson__isnull=False)),
                name="due_date_targets_module_xor_lesson",
            ),
            models.UniqueConstraint(fields=["cohort", "module"], condition=models.Q(module__isnull=False), name="one_due_date_per_cohort_module"),
            models.UniqueConstraint(fields=["cohort", "lesson"], condition=models.Q(lesson__isnull=False), name="one_due_date_per_cohort_lesson"),
        ]

    @property
    def target(self):
        return self.module or self.lesson

    def __str__(self) -> str:
        return f"{self.target} due {self.due_on}"
