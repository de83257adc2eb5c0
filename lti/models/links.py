"""What a launch links together: a platform user and a Codewise account, a course and a cohort,
a placement in the course and the Codewise item it opens, a gradebook column and that item."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .registration import Deployment, Platform


class UserLink(models.Model):
    """A Codewise account known to a platform by (issuer, subject). Never linked by e-mail."""

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_links")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="user_links")
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="lti_one_account_per_issuer_subject")]

    def __str__(self) -> str:
        return f"{self.user} = {self.subject} @ {self.issuer}"


class ContextLink(models.Model):
    """A course in the LMS and the Codewise cohort it is taught in."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=120, blank=True)
    cohort = models.ForeignKey("courses.Cohort", on_delete=models.PROTECT, related_name="lti_contexts")
    memberships_url = models.URLField(max_length=1000, blank=True, help_text="Names and Role Provisioning Services.")
    lineitems_url = models.URLField(max_length=1000, blank=True, help_text="Assignment and Grade Services.")
    ags_scopes = models.JSONField(default=list, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_sync_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "context_id"], name="lti_one_link_per_context"),
        ]

    def __str__(self) -> str:
        return self.title or self.context_id

    @property
    def platform(self) -> Platform:
        return self.deployment.platform


class ContextMembership(models.Model):
    """Who is in the LMS course, as the last launch or roster sync said."""

    context = models.ForeignKey(ContextLink, on_delete=models.CASCADE, related_name="memberships")
    user_link = models.ForeignKey(UserLink, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list)
    is_learner = models.BooleanField(default=False)
    is_instructor = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["context", "user_link"], name="lti_one_membership_per_context_user")]


class TargetKind(models.TextChoices):
    CASE = "case", "Chart case"
    CASE_SET = "case_set", "Set of chart cases"
    EXAM = "exam", "Practice exam"
    DRILL = "drill", "Drill"
    LESSON = "lesson", "Lesson"
    MODULE = "module", "Module"


GRADED_KINDS = (TargetKind.CASE, TargetKind.EXAM)


class LineItem(models.Model):
    """A gradebook column in the LMS course, fed by one graded Codewise item."""

    context = models.ForeignKey(ContextLink, on_delete=models.CASCADE, related_name="line_items")
    url = models.URLField(max_length=1000, blank=True, help_text="Blank until the platform tells us (first launch).")
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_ref = models.CharField(max_length=120)
    label = models.CharField(max_length=255)
    score_maximum = models.FloatField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["context", "target_kind", "target_ref"], name="lti_one_line_item_per_item"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def resource_id(self) -> str:
        return f"{self.target_kind}:{self.target_ref}"


class ResourceLink(models.Model):
    """A placement in the LMS course (its resource link id) and the Codewise item it opens."""

    context = models.ForeignKey(ContextLink, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices, blank=True)
    target_ref = models.CharField(max_length=120, blank=True)
    line_item = models.ForeignKey(LineItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["context", "resource_link_id"], name="lti_one_resource_link_per_context"),
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id
