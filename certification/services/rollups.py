"""Rollups: per-domain mastery and per-credential readiness, refreshed by Celery after grades arrive."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, F, Sum

from .. import clock
from ..domains import EXAM_DOMAINS
from ..models import Blueprint, MasteryEvidence, Readiness, ReadinessSnapshot, StudentDomainRollup
from ..readiness import Observation, estimate_student, predict_exam
from ..readiness.model import DEFAULT_POPULATION_MEAN

POPULATION_CACHE_KEY = "certification:population-prior:v1"
POPULATION_CACHE_SECONDS = 60 * 60
ALL_DOMAINS = [slug for slug, _ in EXAM_DOMAINS]


def population_cache_key() -> str:
    """Per database, like the rollup markers: databases sharing one Redis never share a prior."""
    return f"{POPULATION_CACHE_KEY}:{connection.settings_dict['NAME']}"


def population_prior() -> tuple[dict[str, float], float]:
    """Mean evidence score per domain across all students (cached for an hour), and overall."""
    cached = cache.get(population_cache_key())
    if cached is not None:
        return cached
    rows = list(MasteryEvidence.objects.order_by().values("domain").annotate(mean=Avg("score"), n=Sum("weight")))
    per_domain = {r["domain"]: float(r["mean"]) for r in rows if r["n"] and r["n"] >= 20}
    total = sum(float(r["n"] or 0) for r in rows)
    overall = sum(float(r["mean"]) * float(r["n"] or 0) for r in rows) / total if total >= 50 else DEFAULT_POPULATION_MEAN
    # Keep the prior away from the extremes: it is a starting point, not a verdict.
    per_domain = {d: min(max(m, 0.3), 0.9) for d, m in per_domain.items()}
    value = (per_domain, min(max(overall, 0.3), 0.9))
    cache.set(population_cache_key(), value, POPULATION_CACHE_SECONDS)
    return value


def _readiness_blueprints_many(student_ids: list[int]) -> dict[int, list[Blueprint]]:
    """Per student: the built-in credentials plus the custom exams they have sat, by name (two queries).

    Drills are too short to predict from, so they are left out.
    """
    active = Blueprint.objects.filter(is_active=True).exclude(credential="DRILL")
    builtin = list(active.filter(is_builtin=True))
    sat: dict[int, list[Blueprint]] = {student_id: [] for student_id in student_ids}
    custom = (
        active.filter(is_builtin=False, attempts__student_id__in=student_ids)
        .annotate(sat_by=F("attempts__student_id")).distinct()
    )
    for blueprint in custom:
        if blueprint not in sat[blueprint.sat_by]:
            sat[blueprint.sat_by].append(blueprint)
    return {student_id: sorted(builtin + sat[student_id], key=lambda bp: bp.name) for student_id in student_ids}


def _estimate(at, evidence_rows, prior: tuple[dict[str, float], float]):
    observations = []
    last_seen: dict[str, object] = {}
    for domain, score, weight, occurred_at in evidence_rows:
        if occurred_at > at:
            continue
        observations.append(
            Observation(domain=domain, score=score, weight=weight, age_days=(at - occurred_at).total_seconds() / 86400)
        )
        if domain not in last_seen or occurred_at > last_seen[domain]:
            last_seen[domain] = occurred_at
    population, population_mean = prior
    estimate = estimate_student(observations, population=population, population_mean=population_mean, domains=ALL_DOMAINS)
    return estimate, last_seen


def _blueprint_weights(student_id: int) -> list[tuple[Blueprint, dict[str, float]]]:
    return _blueprint_weights_many([student_id])[student_id]


def _blueprint_weights_many(student_ids: list[int]) -> dict[int, list[tuple[Blueprint, dict[str, float]]]]:
    per_student = _readiness_blueprints_many(student_ids)
    wanted = {bp.pk for blueprints in per_student.values() for bp in blueprints}
    weights = {bp.pk: bp.domain_weights() for bp in Blueprint.objects.filter(pk__in=wanted).prefetch_related("domains")}
    return {
        student_id: [(bp, weights[bp.pk]) for bp in blueprints if weights.get(bp.pk)]
        for student_id, blueprints in per_student.items()
    }


def _prediction_values(estimate, bp: Blueprint, weights: dict[str, float]):
    p = predict_exam(estimate, weights, question_count=bp.question_count, pass_mark=bp.pass_percent / 100)
    return p, {"predicted_score": p.predicted_score, "lower": p.lower, "upper": p.upper, "pass_probability": p.pass_probability}


def rollups_refresh(*, student_id: int) -> None:
    """Recompute one student's rollups from their evidence; pages then only read the result."""
    rollups_refresh_many(student_ids=[student_id])


def rollups_refresh_many(*, student_ids: Sequence[int]) -> None:
    """Recompute several students' rollups in a fixed number of queries (a scoring batch's students)."""
    student_ids = list(dict.fromkeys(student_ids))
    if not student_ids:
        return
    now = clock.now()
    evidence: dict[int, list[tuple]] = {student_id: [] for student_id in student_ids}
    rows = MasteryEvidence.objects.filter(student_id__in=student_ids).values_list(
        "student_id", "domain", "score", "weight", "occurred_at")
    for student_id, *row in rows:
        evidence[student_id].append(tuple(row))
    blueprints = _blueprint_weights_many(student_ids)
    today = now.date()
    domain_rows, readiness, snapshots = [], [], []
    prior = population_prior()
    for student_id in student_ids:
        estimate, last_seen = _estimate(now, evidence[student_id], prior)
        domain_rows += [
            (student_id, d.domain, d.mastery, d.lower, d.upper, d.evidence_count, d.effective_n,
             last_seen.get(d.domain), now)
            for d in estimate.domains.values()
        ]
        for bp, weights in blueprints[student_id]:
            p, values = _prediction_values(estimate, bp, weights)
            readiness.append(Readiness(student_id=student_id, blueprint=bp, coverage=p.coverage, updated_at=now, **values))
            snapshots.append(ReadinessSnapshot(student_id=student_id, blueprint=bp, day=today, **values))
    with transaction.atomic():
        _domain_rollups_upsert(domain_rows)
        Readiness.objects.bulk_create(
            readiness,
            update_conflicts=True,
            unique_fields=["student", "blueprint"],
            update_fields=["predicted_score", "lower", "upper", "pass_probability", "coverage", "updated_at"],
        )
        _snapshots_upsert(snapshots)


_DOMAIN_ROLLUP_COLUMNS = ("student_id", "domain", "mastery", "lower", "upper", "evidence_count", "effective_evidence",
                          "last_evidence_at", "updated_at")
_UPSERT_CHUNK = 500


def _domain_rollups_upsert(rows: list[tuple]) -> None:
    """Insert or update (student, domain) rollups, rows in ``_DOMAIN_ROLLUP_COLUMNS`` order.

    The hot write of every refresh (one row per exam domain per student). ``bulk_create`` with
    ``update_conflicts`` spends most of its time passing each value through the field layer; these
    values are already plain numbers, text and datetimes, so one statement per chunk is built here
    instead. ``INSERT ... ON CONFLICT ... DO UPDATE`` reads the same on PostgreSQL and SQLite.
    """
    quote = connection.ops.quote_name
    adapt_datetime = connection.ops.adapt_datetimefield_value
    columns = ", ".join(quote(column) for column in _DOMAIN_ROLLUP_COLUMNS)
    updates = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in _DOMAIN_ROLLUP_COLUMNS[2:])
    placeholders = "(" + ", ".join(["%s"] * len(_DOMAIN_ROLLUP_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_CHUNK):
            chunk = rows[start:start + _UPSERT_CHUNK]
            params = []
            for row in chunk:
                params.extend(row[:7])
                params.append(adapt_datetime(row[7]))
                params.append(adapt_datetime(row[8]))
            cursor.execute(
                f"INSERT INTO {quote(StudentDomainRollup._meta.db_table)} ({columns}) VALUES "
                f"{', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({quote('student_id')}, {quote('domain')}) DO UPDATE SET {updates}",
                params,
            )


def _snapshots_upsert(snapshots: list[ReadinessSnapshot]) -> None:
    ReadinessSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["student", "blueprint", "day"],
        update_fields=["predicted_score", "lower", "upper", "pass_probability"],
    )


def snapshots_backfill(*, student_id: int, days: int, step_days: int = 3) -> int:
    """Rebuild past daily snapshots from evidence as it stood on each day (imports and demo data)."""
    now = clock.now()
    evidence = list(MasteryEvidence.objects.filter(student_id=student_id).values_list("domain", "score", "weight", "occurred_at"))
    blueprints = _blueprint_weights(student_id)
    snapshots = []
    prior = population_prior()
    for back in range(days, 0, -step_days):
        at = now - datetime.timedelta(days=back)
        if not any(row[3] <= at for row in evidence):
            continue
        estimate, _ = _estimate(at, evidence, prior)
        for bp, weights in blueprints:
            _, values = _prediction_values(estimate, bp, weights)
            snapshots.append(ReadinessSnapshot(student_id=student_id, blueprint=bp, day=at.date(), **values))
    with transaction.atomic():
        _snapshots_upsert(snapshots)
    return len(snapshots)
