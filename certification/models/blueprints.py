"""Exam blueprints: how many questions, how long, the pass mark and the weight of each domain."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..domains import DOMAIN_CHOICES


class BlueprintQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def builtin(self):
        return self.filter(is_builtin=True)

    def visible_to(self, user):
        """Built-ins and open blueprints for everyone; cohort blueprints for that cohort's people."""
        qs = self.active()
        if user.is_admin:
            return qs
        if user.is_instructor:
            return qs.filter(
                models.Q(cohort__isnull=True) | models.Q(cohort__instructors=user) | models.Q(created_by=user)
            ).distinct()
        return qs.filter(models.Q(cohort__isnull=True) | models.Q(cohort__memberships__student=user)).distinct()


class Blueprint(models.Model):
    """A credential exam (CPC, CCS, CCA) or an instructor's own practice exam."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    credential = models.CharField(max_length=16, blank=True, help_text="CPC, CCS, CCA, or blank for a custom exam.")
    description = models.TextField(blank=True)
    question_count = models.PositiveSmallIntegerField()
    time_limit_minutes = models.PositiveSmallIntegerField()
    pass_percent = models.PositiveSmallIntegerField(default=70)
    is_builtin = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order in lists (built-ins first).")
    is_active = models.BooleanField(default=True)
    facts_to_verify = models.TextField(
        blank=True, help_text="Exam facts from secondary sources that must be checked before students rely on them."
    )
    cohort = models.ForeignKey(
        "courses.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="exam_blueprints",
        help_text="Only this cohort sees the exam; blank for everyone.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlueprintQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pass_percent__lte=100), name="blueprint_pass_percent_max_100"),
            models.CheckConstraint(condition=models.Q(question_count__gte=1), name="blueprint_has_questions"),
            models.CheckConstraint(condition=models.Q(time_limit_minutes__gte=1), name="blueprint_has_time"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def verify_note(self) -> str:
        """The facts-to-verify text without its leading 'verify:' marker."""
        text = self.facts_to_verify.strip()
        return text[7:].strip() if text.lower().startswith("verify:") else text

    @property
    def seconds_per_question(self) -> float:
        return self.time_limit_minutes * 60 / self.question_count

    def domain_weights(self) -> dict[str, float]:
        return {d.domain: d.weight for d in self.domains.all()}


class BlueprintDomain(models.Model):
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=40, choices=DOMAIN_CHOICES)
    weight = models.FloatField(help_text="Relative share of the exam's questions.")

    class Meta:
        ordering = ["-weight", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "domain"], name="unique_domain_per_blueprint"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="blueprint_domain_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint}: {self.domain} ×{self.weight:g}"
