"""Rollups: per-domain mastery and per-credential readiness, refreshed by Celery after grades arrive."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from .. import clock
from ..domains import EXAM_DOMAINS
from ..models import Blueprint, MasteryEvidence, Readiness, ReadinessSnapshot, StudentDomainRollup
from ..readiness import Population, ReadinessParams, domain_mastery, estimate_student, predict_exam
from ..readiness.ability import OutOfOrder, absorb, estimate_from_state, population_key, student_state
from .readiness import evidence_item_keys, population_cache_key, population_current, responses_at

__all__ = ["population_cache_key", "rollups_refresh", "rollups_refresh_many", "snapshots_backfill"]

ALL_DOMAINS = [slug for slug, _ in EXAM_DOMAINS]
PARAMS = ReadinessParams()


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


STATE_CACHE_SECONDS = 7 * 24 * 3600
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _days(at: datetime.datetime) -> float:
    return (at - _EPOCH).total_seconds() / 86400.0


def _state_cache_key(student_id: int) -> str:
    return f"certification:readiness-state:v1:{connection.settings_dict['NAME']}:{student_id}"


def _kept_estimate(at, rows, population: Population, kept):
    """The estimate from the student's kept model state, folding in only the rows newer than it; (estimate, state to keep).

    The state (sufficient statistics per domain and channel, ``readiness.ability.StudentState``) is kept
    in the cache for one population version (``kept``: what the cache held, or None). It is rebuilt from
    every row when there is none, when the population was refitted, or when a row it already holds has
    changed (a regrade: the count or the sum of scores of the rows up to its newest differs) or an older
    row arrived.
    """
    version = population_key(population)
    state = None
    if kept is not None and kept[0].population_key == version:
        state, newest, count, total = kept
        old = [row for row in rows if row[5] <= newest]
        if len(old) != count or abs(sum(row[3] * row[4] for row in old) - total) > 1e-6:
            state = None
    if state is not None:
        fresh = [row for row in rows if row[5] > newest]
        try:
            absorb(state, responses_at(at, fresh), population, params=PARAMS, at=_days(at))
        except OutOfOrder:
            state = None
    if state is None:
        state = absorb(student_state(population), responses_at(at, rows), population, params=PARAMS, at=_days(at))
    newest = max((row[5] for row in rows), default=_EPOCH)
    keep = (state, newest, len(rows), sum(row[3] * row[4] for row in rows))
    return estimate_from_state(state, population, at=_days(at), params=PARAMS), keep


def _last_seen(at, rows) -> dict[str, datetime.datetime]:
    last_seen: dict[str, datetime.datetime] = {}
    for domain, _, _, _, _, occurred_at in rows:
        if occurred_at <= at and (domain not in last_seen or occurred_at > last_seen[domain]):
            last_seen[domain] = occurred_at
    return last_seen


def _estimate(at, rows, population: Population):
    """The student's estimate at ``at`` from their evidence rows (domain, source, item, score, weight, occurred_at)."""
    return estimate_student(responses_at(at, rows), population, params=PARAMS), _last_seen(at, rows)


def _estimates_kept(at, evidence: dict[int, list[tuple]], population: Population) -> dict[int, tuple]:
    """Each student's (estimate, last seen per domain) at ``at`` (a refresh at the current time), from kept states.

    The kept states are read with one cache call and written back with one, whatever the number of students.
    """
    keys = {student_id: _state_cache_key(student_id) for student_id in evidence}
    kept_all = cache.get_many(list(keys.values()))
    estimates, keep = {}, {}
    for student_id, rows in evidence.items():
        if all(row[5] <= at for row in rows):
            estimate, keep[keys[student_id]] = _kept_estimate(at, rows, population, kept_all.get(keys[student_id]))
            estimates[student_id] = (estimate, _last_seen(at, rows))
        else:  # evidence dated after now (a clock ahead of ours): estimate afresh, keep nothing
            estimates[student_id] = _estimate(at, rows, population)
    if keep:
        cache.set_many(keep, STATE_CACHE_SECONDS)
    return estimates


def _evidence_rows(student_ids: Sequence[int]) -> dict[int, list[tuple]]:
    """Each student's evidence with item keys (three queries for any number of students)."""
    raw = list(MasteryEvidence.objects.filter(student_id__in=student_ids).order_by().values_list(
        "student_id", "domain", "source", "source_id", "score", "weight", "occurred_at"))
    keys = evidence_item_keys((source, source_id) for _, _, source, source_id, *_ in raw)
    rows: dict[int, list[tuple]] = {student_id: [] for student_id in student_ids}
    for student_id, domain, source, source_id, score, weight, occurred_at in raw:
        rows[student_id].append((domain, source, keys[(source, source_id)], score, weight, occurred_at))
    return rows


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


def _prediction_values(estimate, population: Population, bp: Blueprint, weights: dict[str, float]):
    p = predict_exam(estimate, population, weights, question_count=bp.question_count,
                     pass_mark=bp.pass_percent / 100, params=PARAMS)
    return p, {"predicted_score": p.predicted_score, "lower": p.lower, "upper": p.upper,
               "pass_probability": p.pass_probability}


def rollups_refresh(*, student_id: int) -> None:
    """Recompute one student's rollups from their evidence; pages then only read the result."""
    rollups_refresh_many(student_ids=[student_id])


def rollups_refresh_many(*, student_ids: Sequence[int]) -> None:
    """Recompute several students' rollups in a fixed number of queries (a scoring batch's students)."""
    student_ids = list(dict.fromkeys(student_ids))
    if not student_ids:
        return
    now = clock.now()
    evidence = _evidence_rows(student_ids)
    blueprints = _blueprint_weights_many(student_ids)
    today = now.date()
    domain_rows, readiness, snapshots = [], [], []
    population = population_current()
    estimates = _estimates_kept(now, evidence, population)
    for student_id in student_ids:
        estimate, last_seen = estimates[student_id]
        for domain in ALL_DOMAINS:
            ability = estimate.ability(domain, population)
            mastery = domain_mastery(estimate, population, domain, PARAMS)
            domain_rows.append((
                student_id, domain, mastery.mastery, mastery.lower, mastery.upper, ability.responses,
                float(ability.responses), ability.rehearsals, ability.mean, ability.variance ** 0.5,
                last_seen.get(domain), now,
            ))
        for bp, weights in blueprints[student_id]:
            p, values = _prediction_values(estimate, population, bp, weights)
            readiness.append(Readiness(student_id=student_id, blueprint=bp, coverage=p.coverage, updated_at=now,
                                       enough_evidence=p.enough_evidence, practise=list(p.practise[:3]), **values))
            snapshots.append(ReadinessSnapshot(student_id=student_id, blueprint=bp, day=today, **values))
    with transaction.atomic():
        _domain_rollups_upsert(domain_rows)
        Readiness.objects.bulk_create(
            readiness,
            update_conflicts=True,
            unique_fields=["student", "blueprint"],
            update_fields=["predicted_score", "lower", "upper", "pass_probability", "coverage", "enough_evidence",
                           "practise", "updated_at"],
        )
        _snapshots_upsert(snapshots)


_DOMAIN_ROLLUP_COLUMNS = ("student_id", "domain", "mastery", "lower", "upper", "evidence_count", "effective_evidence",
                          "rehearsal_count", "ability", "ability_sd", "last_evidence_at", "updated_at")
_UPSERT_CHUNK = 500


def _domain_rollups_upsert(rows: list[tuple]) -> None:
    """Insert or update (student, domain) rollups, rows in ``_DOMAIN_ROLLUP_COLUMNS`` order.

    The hot write of every refresh (one row per exam domain per student). ``bulk_create`` with
    ``update_conflicts`` spends most of its time passing each value through the field layer; these
    values are already plain numbers, text and datetimes, so one statement per chunk is built here
    instead. ``INSERT ... ON CONFLICT ... DO UPDATE`` reads the same on PostgreSQL and SQLite.
    On PostgreSQL the rows travel as one JSON document (``jsonb_populate_recordset``): psycopg2 quotes
    each of the thousands of numbers and datetimes of a batch one at a time, which cost more CPU than
    computing the rollups.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        document = _rows_as_json(rows)
        if document is not None:
            _domain_rollups_write(source="jsonb_populate_recordset", rows=[], params=[document])
            return
    adapt_datetime = connection.ops.adapt_datetimefield_value
    for start in range(0, len(rows), _UPSERT_CHUNK):
        chunk = rows[start:start + _UPSERT_CHUNK]
        params = []
        for row in chunk:
            params.extend(row[:10])
            params.append(adapt_datetime(row[10]))
            params.append(adapt_datetime(row[11]))
        _domain_rollups_write(source="values", rows=chunk, params=params)


def _rows_as_json(rows: list[tuple]) -> str | None:
    """The rows as a JSON array of objects keyed by column (None when a value has no JSON form: NaN, infinity)."""
    iso: dict[datetime.datetime, str] = {}  # a batch shares a handful of datetimes

    def when(value: datetime.datetime | None) -> str | None:
        if value is None:
            return None
        text = iso.get(value)
        if text is None:
            text = iso[value] = value.isoformat()
        return text

    try:
        return json.dumps(
            [dict(zip(_DOMAIN_ROLLUP_COLUMNS, (*row[:10], when(row[10]), when(row[11])))) for row in rows],
            allow_nan=False, separators=(",", ":"),
        )
    except ValueError:
        return None


def _domain_rollups_write(*, source: str, rows: list[tuple], params: list) -> None:
    quote = connection.ops.quote_name
    table = quote(StudentDomainRollup._meta.db_table)
    columns = ", ".join(quote(column) for column in _DOMAIN_ROLLUP_COLUMNS)
    updates = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in _DOMAIN_ROLLUP_COLUMNS[2:])
    if source == "jsonb_populate_recordset":
        rows_sql = f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)"
    else:
        placeholders = "(" + ", ".join(["%s"] * len(_DOMAIN_ROLLUP_COLUMNS)) + ")"
        rows_sql = f"VALUES {', '.join([placeholders] * len(rows))}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) {rows_sql} "
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
    evidence = _evidence_rows([student_id])[student_id]
    blueprints = _blueprint_weights(student_id)
    snapshots = []
    population = population_current()
    for back in range(days, 0, -step_days):
        at = now - datetime.timedelta(days=back)
        if not any(row[5] <= at for row in evidence):
            continue
        estimate, _ = _estimate(at, evidence, population)
        for bp, weights in blueprints:
            _, values = _prediction_values(estimate, population, bp, weights)
            snapshots.append(ReadinessSnapshot(student_id=student_id, blueprint=bp, day=at.date(), **values))
    with transaction.atomic():
        _snapshots_upsert(snapshots)
    return len(snapshots)
