"""Celery tasks: receive ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import rollup_pending_clear, rollup_pending_clear_many
from .services.attempts import attempt_close_at_deadline, attempts_close_overdue
from .services.readiness import readiness_fit, readiness_fit_due
from .services.rollups import rollups_refresh, rollups_refresh_many
from .services.scoring import attempt_score

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, max_retries=5)
def score_attempt(attempt_id: int) -> None:
    """Score a submitted attempt (idempotent: one AttemptScore per attempt, by constraint)."""
    attempt_score(attempt_id=attempt_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, max_retries=5)
def refresh_student_rollups(student_id: int) -> None:
    """Recompute one student's domain mastery and readiness rollups from their evidence.

    The "refresh queued" marker is cleared first, so evidence that lands while this runs queues the
    next refresh instead of being folded into one that has already read the evidence.
    """
    rollup_pending_clear(student_id=student_id)
    rollups_refresh(student_id=student_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, max_retries=5)
def refresh_rollups(student_ids: list[int]) -> None:
    """Recompute the rollups of the students graded in one transaction (one message for all of them).

    The students' "refresh queued" markers are cleared just before their evidence is read, so evidence
    landing meanwhile is either read here or queues the next refresh, never neither.
    """
    rollup_pending_clear_many(student_ids=student_ids)
    rollups_refresh_many(student_ids=student_ids)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=30, max_retries=3)
def close_overdue_attempts() -> dict[str, int]:
    """Close attempts past their deadline (each exactly once) and re-queue unscored submissions."""
    return attempts_close_overdue()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=30, max_retries=5)
def close_attempt_at_deadline(attempt_id: int) -> bool:
    """Close one attempt when its time (plus grace) is up; early, it queues itself again. Safe to run twice."""
    return attempt_close_at_deadline(attempt_id=attempt_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=300, max_retries=3)
def fit_readiness_population(force: bool = False) -> int | None:
    """Refit item difficulty, channel links, prior and time (and validate on practice exams) once enough
    new evidence has arrived since the last fit; returns the new fit's id. Running it twice only adds a
    second fit of the same data (the newest is used)."""
    if not force and not readiness_fit_due():
        return None
    return readiness_fit().pk
