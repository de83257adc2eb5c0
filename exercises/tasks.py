"""Celery tasks: thin wrappers around services, idempotent, retried only on transient DB errors."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import (
    submission_score, submissions_requeue_stale, submissions_score_all_pending, submissions_score_pending,
)

STALE_AFTER_SECONDS = 120

# Scoring is redelivered if its worker dies (acks late) and retried on transient database errors.
SCORING_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="exercises.tasks.score_submission", **SCORING_TASK_OPTIONS)
def score_submission(submission_id: int, key_id: int | None = None) -> float | None:
    """One submission: regrades against a key version, the embedded mode, and messages queued by older releases.

    First scoring claims a small batch of pending work along with it (see submissions_score_pending).
    """
    if key_id is None:
        score = submissions_score_pending(submission_id=submission_id)
    else:
        score = submission_score(submission_id=submission_id, key_id=key_id)
    return score.final_score if score is not None else None


@shared_task(name="exercises.tasks.score_pending_submissions", **SCORING_TASK_OPTIONS)
def score_pending_submissions() -> int:
    """First scoring of every pending submission, batch after batch; queued by submits, one message per batch."""
    return submissions_score_all_pending()


@shared_task(name="exercises.tasks.requeue_stale_submissions", acks_late=True)
def requeue_stale_submissions(older_than_seconds: int = STALE_AFTER_SECONDS) -> int:
    return submissions_requeue_stale(older_than_seconds=older_than_seconds)
