"""Learning content: programs, their modules and lessons, and the quiz questions inside lessons."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ContentSource(models.TextChoices):
    DEMO = "demo", "Bundled demo content"
    AUTHORED = "authored", "Authored in the browser"
    IMPORTED = "imported", "Imported package"


class Program(models.Model):
    """A course of study (e.g. a CPC preparation program): an ordered list of modules."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    credential_focus = models.CharField(max_length=32, blank=True, help_text="e.g. CPC, CCS, CCA")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_programs",
        help_text="Empty for the shared library: administrators edit it; instructors export and import a copy.",
    )
    source = models.CharField(max_length=16, choices=ContentSource.choices, default=ContentSource.AUTHORED)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """A unit of a program, tagged with the exam domains it trains."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    domains = models.JSONField(default=list, blank=True, help_text="Exam domain slugs (certification.domains).")
    ceu_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0, help_text="Suggested order within the program.")
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")
    is_required = models.BooleanField(default=True, help_text="Counts toward the program certificate.")

    class Meta:
        ordering = ["program", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "slug"], name="unique_module_slug_per_program")]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """A reading (Markdown) with an optional embedded quiz and links to chart cases."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField(default=10)
    body = models.TextField(blank=True, help_text="Markdown. HTML is sanitised when shown.")
    position = models.PositiveIntegerField(default=0)
    exercises = models.JSONField(default=list, blank=True, help_text="Slugs of chart cases to practise.")

    class Meta:
        ordering = ["module", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "slug"], name="unique_lesson_slug_per_module")]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single answer"
    MULTIPLE = "multiple", "Multiple response"
    CODE = "code", "Code entry"
    TERM_BUILD = "term_build", "Build the term"


class Question(models.Model):
    """One quiz question. ``answer`` and ``explanation`` are the key: never shown before an answer."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    prompt = models.TextField()
    choices = models.JSONField(default=list, blank=True, help_text="single/multiple: the options shown.")
    parts = models.JSONField(default=list, blank=True, help_text="term_build: the word parts offered.")
    system = models.CharField(max_length=16, blank=True, help_text="code: icd10cm, hcpcs or cpt.")
    term = models.CharField(max_length=120, blank=True, help_text="term_build: the finished term.")
    answer = models.JSONField(default=list, help_text="Indices (single/multiple), codes (code) or ordered parts (term_build).")
    explanation = models.TextField(blank=True)
    domain = models.CharField(max_length=40)

    class Meta:
        ordering = ["lesson", "position", "id"]

    def __str__(self) -> str:
        return f"{self.lesson}: Q{self.position + 1}"
