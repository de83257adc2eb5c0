"""Blueprint services: the built-in credentials and instructors' own exams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from accounts.services import audit_record

from ..blueprint_data import BUILTIN_BLUEPRINTS
from ..domains import DOMAIN_LABELS
from ..models import Blueprint, BlueprintDomain


def blueprints_ensure_builtin() -> list[Blueprint]:
    """Create the built-in CPC, CCS and CCA blueprints if missing (never overwrites a school's edits)."""
    result = []
    with transaction.atomic():
        for position, data in enumerate(BUILTIN_BLUEPRINTS, start=1):
            blueprint, created = Blueprint.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "name": data["name"],
                    "credential": data["credential"],
                    "description": data["description"],
                    "question_count": data["question_count"],
                    "time_limit_minutes": data["time_limit_minutes"],
                    "pass_percent": data["pass_percent"],
                    "facts_to_verify": data["verify"],
                    "is_builtin": True,
                    "position": position,
                },
            )
            if created:
                BlueprintDomain.objects.bulk_create(
                    BlueprintDomain(blueprint=blueprint, domain=d, weight=w) for d, w in data["weights"].items()
                )
            elif blueprint.position != position and blueprint.position == 100:  # rows from before ordering existed
                Blueprint.objects.filter(pk=blueprint.pk).update(position=position)
            result.append(blueprint)
    return result


def _validate(*, question_count: int, time_limit_minutes: int, pass_percent: int, weights: dict[str, float]) -> dict:
    errors: dict[str, list[str]] = {}
    if not 1 <= question_count <= 300:
        errors.setdefault("question_count", []).append("Choose between 1 and 300 questions.")
    if not 1 <= time_limit_minutes <= 600:
        errors.setdefault("time_limit_minutes", []).append("Choose between 1 and 600 minutes.")
    if not 1 <= pass_percent <= 100:
        errors.setdefault("pass_percent", []).append("The pass mark is a percentage between 1 and 100.")
    clean = {d: float(w) for d, w in weights.items() if w and float(w) > 0}
    unknown = [d for d in clean if d not in DOMAIN_LABELS]
    if unknown:
        errors.setdefault("weights", []).append(f"Unknown domains: {', '.join(unknown)}.")
    if not clean:
        errors.setdefault("weights", []).append("Give at least one domain a weight above zero.")
    if errors:
        raise ValidationError(errors)
    return clean


def blueprint_create(
    *,
    actor,
    name: str,
    question_count: int,
    time_limit_minutes: int,
    pass_percent: int,
    weights: dict[str, float],
    description: str = "",
    cohort=None,
) -> Blueprint:
    """An instructor's own practice exam. Weights are relative shares per domain."""
    if not actor.can_author:
        raise ValidationError("Only instructors and administrators can define exams.")
    if cohort is not None and not actor.is_admin and not cohort.instructors.filter(pk=actor.pk).exists():
        raise ValidationError({"cohort": ["You can only target cohorts you teach."]})
    clean = _validate(
        question_count=question_count, time_limit_minutes=time_limit_minutes, pass_percent=pass_percent, weights=weights
    )
    slug = f"{slugify(name)[:40] or 'exam'}-{get_random_string(6).lower()}"
    with transaction.atomic():
        blueprint = Blueprint.objects.create(
            slug=slug,
            name=name.strip(),
            description=description.strip(),
            question_count=question_count,
            time_limit_minutes=time_limit_minutes,
            pass_percent=pass_percent,
            cohort=cohort,
            created_by=actor,
        )
        BlueprintDomain.objects.bulk_create(BlueprintDomain(blueprint=blueprint, domain=d, weight=w) for d, w in clean.items())
        audit_record(
            actor=actor,
            action="exam.blueprint_created",
            target=blueprint,
            after={"name": blueprint.name, "questions": question_count, "minutes": time_limit_minutes, "weights": clean},
        )
    return blueprint


DRILL_QUESTIONS = 10
DRILL_MINUTES = 15


def blueprint_drill_for_domain(*, domain: str) -> Blueprint:
    """A short timed drill on one domain (recommended from the dashboard); created once, shared."""
    if domain not in DOMAIN_LABELS:
        raise ValidationError({"domain": ["Unknown exam domain."]})
    with transaction.atomic():
        blueprint, created = Blueprint.objects.get_or_create(
            slug=f"drill-{domain}",
            defaults={
                "name": f"Drill: {DOMAIN_LABELS[domain]}",
                "credential": "DRILL",
                "description": f"{DRILL_QUESTIONS} questions on one domain in {DRILL_MINUTES} minutes.",
                "question_count": DRILL_QUESTIONS,
                "time_limit_minutes": DRILL_MINUTES,
                "pass_percent": 70,
            },
        )
        if created:
            BlueprintDomain.objects.create(blueprint=blueprint, domain=domain, weight=1)
    return blueprint
