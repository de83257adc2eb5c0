"""Rollups kept current by Celery as grades arrive; dashboards read only these."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StudentDomainRollup(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="domain_rollups")
    domain = models.CharField(max_length=40, db_index=True)
    mastery = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()
    evidence_count = models.PositiveIntegerField(default=0, help_text="First answers used (measurements).")
    effective_evidence = models.FloatField(default=0)
    rehearsal_count = models.PositiveIntegerField(default=0, help_text="Answers given after the item's key was shown.")
    ability = models.FloatField(default=0, help_text="Ability now on the domain's logit scale.")
    ability_sd = models.FloatField(default=0)
    last_evidence_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["student", "domain"]
        constraints = [models.UniqueConstraint(fields=["student", "domain"], name="unique_rollup_per_student_domain")]


class Readiness(models.Model):
    """The current prediction for one student and one credential blueprint."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readiness")
    blueprint = models.ForeignKey("certification.Blueprint", on_delete=models.CASCADE, related_name="+")
    predicted_score = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()
    pass_probability = models.FloatField(db_index=True)
    coverage = models.FloatField(default=0, help_text="Share of the blueprint's weight in domains the student has practised.")
    enough_evidence = models.BooleanField(
        default=True, help_text="False: the dashboard shows what to practise instead of a pass probability.")
    practise = models.JSONField(default=list, blank=True, help_text="Domains not practised yet, heaviest first.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["student", "blueprint"]
        constraints = [models.UniqueConstraint(fields=["student", "blueprint"], name="unique_readiness_per_blueprint")]
        indexes = [models.Index(fields=["blueprint", "pass_probability"])]


class ReadinessSnapshot(models.Model):
    """One point per student, credential and day: the history behind the trend chart."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readiness_snapshots")
    blueprint = models.ForeignKey("certification.Blueprint", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    predicted_score = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()
    pass_probability = models.FloatField()

    class Meta:
        ordering = ["student", "blueprint", "day"]
        constraints = [models.UniqueConstraint(fields=["student", "blueprint", "day"], name="unique_snapshot_per_day")]


class ItemStat(models.Model):
    """Sufficient statistics for item analysis, per question, overall (cohort null) and per cohort.

    rest = the attempt's score on the other items (0..1), so the point-biserial is the
    corrected item-rest correlation. Incremented once per scored attempt.
    """

    question = models.ForeignKey("certification.Question", on_delete=models.CASCADE, related_name="stats")
    cohort = models.ForeignKey("courses.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField(default=0)
    n_correct = models.PositiveIntegerField(default=0)
    sum_rest = models.FloatField(default=0)
    sum_rest_sq = models.FloatField(default=0)
    sum_correct_rest = models.FloatField(default=0)
    seconds_total = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "cohort"], name="unique_itemstat_per_cohort"),
            models.UniqueConstraint(fields=["question"], condition=models.Q(cohort__isnull=True), name="unique_itemstat_overall"),
        ]


class ReadinessFit(models.Model):
    """One fit of the readiness population (item difficulty, channel links, prior, time) and its validation.

    The newest row is the one every refresh uses; older rows are the history of the fit.
    """

    created_at = models.DateTimeField(db_index=True)
    students = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0, help_text="First answers the fit used.")
    population = models.JSONField(help_text="certification.readiness.Population.to_dict()")
    validation = models.JSONField(
        default=dict, blank=True,
        help_text="Full-length practice exams predicted from the evidence before each started: metrics per segment.")
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
