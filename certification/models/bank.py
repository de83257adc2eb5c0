"""The question bank: single answer, multiple response, code entry, and scenario sets."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..domains import DOMAIN_CHOICES


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single answer"
    MULTIPLE = "multiple", "Multiple response"
    CODE = "code", "Code entry"


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


class ScenarioSet(models.Model):
    """A short chart or case narrative shared by several questions (CCS-style case scenarios).

    ``case_ref`` loosely names a chart case in the exercises app (slug or id) so the
    bank does not depend on that app's tables.
    """

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    narrative = models.TextField()
    case_ref = models.CharField(max_length=80, blank=True, help_text="Slug or id of a chart case in the exercises app.")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Question(models.Model):
    slug = models.SlugField(max_length=80, unique=True, help_text="Stable identifier (demo bank ids, imports).")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    domain = models.CharField(max_length=40, choices=DOMAIN_CHOICES, db_index=True)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    stem = models.TextField()
    rationale = models.TextField()
    # Code entry: accepted answers, normalised (upper case, no dots or spaces).
    accepted_codes = models.JSONField(default=list, blank=True)
    scenario = models.ForeignKey(ScenarioSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    case_ref = models.CharField(max_length=80, blank=True, help_text="Slug or id of a related chart case.")
    release = models.ForeignKey(
        "codesets.CodeSetRelease", null=True, blank=True, on_delete=models.SET_NULL, related_name="exam_questions",
        help_text="The code-set release the key was checked against.",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["domain", "slug"]
        indexes = [models.Index(fields=["domain", "is_active"])]

    def __str__(self) -> str:
        return f"{self.slug}: {self.stem[:60]}"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text
