"""Factories for the certification tests."""

from __future__ import annotations

import factory

from certification.models import Blueprint, BlueprintDomain, Choice, Question, QuestionKind

SENTINEL_RATIONALE = "SENTINEL-RATIONALE-"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"q-{n}")
    kind = QuestionKind.SINGLE
    domain = "icd10cm"
    difficulty = 2
    stem = factory.Sequence(lambda n: f"Question stem number {n}?")
    rationale = factory.Sequence(lambda n: f"{SENTINEL_RATIONALE}{n}")

    @factory.post_generation
    def choices(obj, create, extracted, **kwargs):
        """Single and multiple response: four choices; `extracted` lists the correct positions."""
        if not create or obj.kind == QuestionKind.CODE:
            return
        correct = set(extracted or [0])
        for i in range(4):
            Choice.objects.create(question=obj, text=f"Option {i} of {obj.slug}", is_correct=i in correct, position=i)


class BlueprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blueprint
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"bp-{n}")
    name = factory.Sequence(lambda n: f"Short exam {n}")
    question_count = 4
    time_limit_minutes = 10
    pass_percent = 70

    @factory.post_generation
    def weights(obj, create, extracted, **kwargs):
        if create:
            for domain, weight in (extracted or {"icd10cm": 1, "em": 1}).items():
                BlueprintDomain.objects.create(blueprint=obj, domain=domain, weight=weight)
