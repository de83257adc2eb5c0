"""Certification services. ``evidence_record`` is the one entry point other apps use.

Exams live in ``services.attempts`` and ``services.scoring``, blueprints and the bank in
``services.blueprints`` and ``services.bank``, rollups in ``services.rollups``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from ..domains import DOMAIN_LABELS
from ..models import MasteryEvidence

logger = logging.getLogger(__name__)

# A queued rollup refresh that has not started yet covers any evidence recorded meanwhile, so a
# student has at most one refresh waiting at a time. The marker expires on its own in case the
# message is ever lost (the next evidence after that queues a fresh refresh).
ROLLUP_PENDING_SECONDS = 120
BROKER_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError)
try:  # kombu wraps connection failures on publish in its own OperationalError
    from kombu.exceptions import OperationalError as _KombuOperationalError

    BROKER_ERRORS = (*BROKER_ERRORS, _KombuOperationalError)
except ImportError:  # pragma: no cover - kombu ships with celery
    pass


def _checked_score(domain: str, score: float) -> float:
    """The score as a fraction in [0, 1], for a known exam domain."""
    if domain not in DOMAIN_LABELS:
        raise ValueError(f"Unknown exam domain {domain!r}")
    return min(1.0, max(0.0, float(score)))


def evidence_record(
    *,
    student,
    domain: str,
    score: float,
    source: str,
    source_id: str | int,
    weight: float = 1.0,
    occurred_at: datetime.datetime | None = None,
) -> MasteryEvidence:
    """Record (or update, when regraded) one scored observation; rollups refresh after commit."""
    score = _checked_score(domain, score)
    evidence, _ = MasteryEvidence.objects.update_or_create(
        student=student,
        source=source,
        source_id=str(source_id),
        domain=domain,
        defaults={"score": score, "weight": weight, "occurred_at": occurred_at or timezone.now()},
    )
    _schedule_rollup(student.pk)
    return evidence


@dataclass(frozen=True)
class EvidenceItem:
    """One observation for ``evidence_record_many``."""

    student_id: int
    domain: str
    score: float
    source: str
    source_id: str | int
    weight: float = 1.0
    occurred_at: datetime.datetime | None = None


def evidence_record_many(items: Sequence[EvidenceItem]) -> int:
    """Record (or update) many observations in one statement; one rollup refresh for all their students."""
    if not items:
        return 0
    now = timezone.now()
    rows = {}
    for item in items:
        # The last observation of an item wins, as with repeated evidence_record calls.
        rows[(item.student_id, item.source, str(item.source_id), item.domain)] = MasteryEvidence(
            student_id=item.student_id, domain=item.domain, source=item.source, source_id=str(item.source_id),
            score=_checked_score(item.domain, item.score), weight=item.weight, occurred_at=item.occurred_at or now,
        )
    MasteryEvidence.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["student", "source", "source_id", "domain"],
        update_fields=["score", "weight", "occurred_at"],
    )
    for student_id in dict.fromkeys(item.student_id for item in items):
        _schedule_rollup(student_id)
    return len(rows)


class _RollupBatch:
    """The on-commit hook of one transaction: every student whose evidence changed in it."""

    def __init__(self, student_id: int) -> None:
        self.student_ids = [student_id]

    def __call__(self) -> None:
        _queue_rollup(self.student_ids)


def _schedule_rollup(student_id: int) -> None:
    """Queue rollup refreshes once per transaction, for every student graded in it (one message for all)."""
    connection_ = transaction.get_connection()
    if connection_.in_atomic_block:
        for entry in connection_.run_on_commit:
            if isinstance(entry[1], _RollupBatch):
                if student_id not in entry[1].student_ids:
                    entry[1].student_ids.append(student_id)
                return
    transaction.on_commit(_RollupBatch(student_id))


def rollup_pending_key(student_id: int) -> str:
    """Cache key of a student's "refresh queued" marker (per database, so test databases never share it)."""
    return f"certification:rollup-pending:{connection.settings_dict['NAME']}:{student_id}"


def rollup_pending_clear(*, student_id: int) -> None:
    """Called by the refresh task before it reads a student's evidence: evidence from now on queues a new refresh."""
    rollup_pending_clear_many(student_ids=[student_id])


def rollup_pending_clear_many(*, student_ids: Sequence[int]) -> None:
    try:
        cache.delete_many([rollup_pending_key(student_id) for student_id in student_ids])
    except Exception:  # noqa: BLE001 - without a cache the markers simply expire
        logger.warning("Could not clear the rollup markers of students %s", list(student_ids), exc_info=True)


def _queue_rollup(student_ids: int | Sequence[int]) -> None:
    """Queue one refresh message for these students, leaving out any whose refresh is already waiting.

    A student's marker is set (cache ``add``: only the first caller wins) when a refresh is queued and
    cleared by the task just before it reads that student's evidence, so evidence recorded while a
    refresh waits is picked up by it, and evidence recorded after it started queues the next one.
    """
    try:
        from ..tasks import refresh_rollups
    except ImportError:  # pragma: no cover - rollups not wired
        return
    ids = [student_ids] if isinstance(student_ids, int) else list(dict.fromkeys(student_ids))
    if refresh_rollups.app.conf.task_always_eager:
        refresh_rollups.delay(ids)  # runs right here: nothing waits in a queue to coalesce with
        return
    marked: list[int] = []
    try:
        for student_id in ids:
            if cache.add(rollup_pending_key(student_id), 1, ROLLUP_PENDING_SECONDS):
                marked.append(student_id)
        wanted = marked
    except Exception:  # noqa: BLE001 - no cache: queue without coalescing
        logger.warning("Rollup markers unavailable; queueing without coalescing", exc_info=True)
        wanted = ids
    if not wanted:
        return  # every one of them has a refresh waiting that will read this evidence
    try:
        refresh_rollups.delay(wanted)
    except BROKER_ERRORS:
        # Grades are already committed; a broker outage must not turn into an error for the caller.
        logger.warning("Could not queue the rollup refresh of students %s", wanted, exc_info=True)
        for student_id in marked:
            rollup_pending_clear(student_id=student_id)
