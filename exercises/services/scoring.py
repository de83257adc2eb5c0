"""Scoring submitted work: one submission against a key version, or a claimed batch of pending ones."""

from __future__ import annotations

import logging
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..grading import Policy
from ..models import AnswerKey, Case, Submission, SubmissionScore, SubmissionStatus
from ..scoring import grade_lines, policy_for
from ..signals import case_scores_recorded

logger = logging.getLogger(__name__)

# How many pending submissions one scoring task may take on: its own plus others nobody holds yet.
CLAIM_LIMIT = 20
# One run of the pending-work task scores at most this much before handing over to a freshly queued run,
# so a deadline burst never keeps one task past its time limit.
MAX_BATCHES_PER_RUN = 500
MAX_SECONDS_PER_RUN = 60.0


def submission_score(*, submission_id: int, key_id: int | None = None) -> SubmissionScore | None:
    """Grade one submission against a key version (its own by default). Idempotent: a repeat is a no-op.

    The submission row is locked for the whole grading, so concurrent runs queue up behind each other;
    the unique (submission, key) constraint is the last word if two ever get through.
    """
    if key_id is None and _already_scored(submission_id):
        return None  # a repeated delivery: nothing to lock, nothing to write
    with transaction.atomic():
        try:
            submission = (
                Submission.objects.select_for_update(of=("self",)).select_related("student", "case").get(pk=submission_id)
            )
        except Submission.DoesNotExist:
            return None
        if submission.status == SubmissionStatus.DRAFT:
            return None
        case = submission.case
        # A pending submission has never been scored (score and status are written together).
        first_scoring = submission.status == SubmissionStatus.PENDING and key_id in (None, submission.key_id)
        key_id = key_id or submission.key_id
        make_current = True
        if not first_scoring:
            if SubmissionScore.objects.filter(submission_id=submission.pk, key_id=key_id).exists():
                if submission.status != SubmissionStatus.SCORED:
                    submission.status = SubmissionStatus.SCORED
                    submission.save(update_fields=["status", "updated_at"])
                return None
            key = AnswerKey.objects.filter(pk=key_id, case=case).first()
            if key is None:
                return None
            current = SubmissionScore.objects.filter(submission=submission, is_current=True).select_related("key").first()
            make_current = current is None or current.key.version <= key.version
            if make_current and current is not None:
                SubmissionScore.objects.filter(pk=current.pk).update(is_current=False)
        result, policy = grade_lines(case=case, key_id=key_id, lines=submission.lines,
                                     query_provider=submission.query_provider, submission_id=submission.pk)
        score = SubmissionScore(
            submission=submission, key_id=key_id, score=result.score, final_score=result.score,
            passed=result.passed, result=result.as_dict(), policy=policy.as_dict(), is_current=make_current,
        )
        if first_scoring:
            score.save(force_insert=True)  # the row lock above rules out a parallel insert
        else:
            try:
                with transaction.atomic():
                    score.save(force_insert=True)
            except IntegrityError:
                return None
        submission.status = SubmissionStatus.SCORED
        submission.save(update_fields=["status", "updated_at"])
        if make_current:
            _record_evidence(submission, case, score.final_score)
    return score


def submissions_score_pending(*, submission_id: int, limit: int = CLAIM_LIMIT) -> SubmissionScore | None:
    """Score a pending submission and, in the same transaction, up to ``limit - 1`` other pending ones.

    The task of one submission (messages queued before scoring went one message per batch, and the embedded
    mode, where the task runs at submit). The own row is locked (waiting if another worker's batch holds
    it); the others are claimed with ``FOR UPDATE SKIP LOCKED``, so a batch never waits on another and no
    row is graded twice. Returns the score of ``submission_id`` (None when it was no longer pending).
    Pending means never scored: score and status are written in the same transaction, so a claimed
    pending row can take its first score without a duplicate check.
    """
    if _already_scored(submission_id):
        return None
    with transaction.atomic():
        # Wait for the own row rather than skip it: if another worker's batch holds it and then rolls back
        # (killed, deadlock victim), this task is the one left to score it. Most tasks that wait here find
        # their row scored by that batch, so the lock is taken by one plain statement and the row is read
        # in full only when it is still pending.
        if not _lock_if_pending(submission_id):
            return None
        own = Submission.objects.select_related("case").get(pk=submission_id)
        batch = [own] + (_claim_pending(limit - 1, exclude=[submission_id]) if limit > 1 else [])
        scores, _failed = _score_batch(batch, must_score=own)
    return scores[0]


def submissions_score_all_pending(
    *, limit: int = CLAIM_LIMIT, max_batches: int = MAX_BATCHES_PER_RUN, max_seconds: float = MAX_SECONDS_PER_RUN,
) -> int:
    """Score every pending submission, a claimed batch per transaction, until a claim finds none.

    The task that a submit queues only when none is waiting (``scoring_queued_clear`` below, and
    ``exercises.services.submissions.queue_pending_scoring``). Its marker is cleared before the first
    claim: a submit that found the marker set committed its row before that, so the claims that follow
    see it. Rows another run holds are skipped (that run commits them, or its message is redelivered
    and they are claimed again); a run stopped mid-batch rolls that batch back. A run that spends its
    budget queues the next through the same marker. Returns how many submissions it scored.
    """
    from .submissions import queue_pending_scoring, scoring_queued_clear

    scoring_queued_clear()
    started = time.monotonic()
    failed: list[int] = []  # rows the engine cannot grade: logged, left pending, not claimed again by this run
    scored = 0
    for _ in range(max_batches):
        with transaction.atomic():
            batch = _claim_pending(limit, exclude=failed)
            if not batch:
                return scored
            scores, batch_failed = _score_batch(batch)
        scored += len(scores)
        failed += batch_failed
        if time.monotonic() - started > max_seconds:
            break
    queue_pending_scoring()  # budget spent: the rest goes to the next run (already queued if the marker is set)
    return scored


def _claim_pending(limit: int, *, exclude: list[int]) -> list[Submission]:
    """Lock up to ``limit`` pending submissions nobody else holds, oldest first (with their cases)."""
    return list(
        Submission.objects.select_related("case").select_for_update(of=("self",), skip_locked=True)
        .filter(status=SubmissionStatus.PENDING, key__isnull=False).exclude(pk__in=exclude)
        .order_by("queued_at")[:limit]
    )


def _score_batch(batch: list[Submission], *, must_score: Submission | None = None) -> tuple[list[SubmissionScore], list[int]]:
    """First scores for locked pending rows, written together; the rows the engine could not grade.

    Followers of ``case_scores_recorded`` (the LMS grade passback's outbox) hear of every score inside
    the same transaction, so what they write is committed with the scores or not at all.
    """
    policies: dict[int | None, Policy] = {}
    scores: list[SubmissionScore] = []
    failed: list[int] = []
    for submission in batch:
        try:
            scores.append(_first_score(submission, policies))
        except Exception:
            if submission is must_score:
                raise
            # Never let one bad row hold up the others; it stays pending and its problem is logged.
            logger.exception("Could not grade submission %s in a batch; it stays pending", submission.pk)
            failed.append(submission.pk)
    if not scores:
        return scores, failed
    SubmissionScore.objects.bulk_create(scores)
    Submission.objects.filter(pk__in=[score.submission_id for score in scores]).update(
        status=SubmissionStatus.SCORED, updated_at=timezone.now())
    _record_evidence_many(scores)
    scored = [(score.submission_id, score.submission.student_id, score.submission.case_id) for score in scores]
    case_scores_recorded.send(sender=SubmissionScore, scored=scored)
    return scores, failed


_STATUS_SQL = f"SELECT status FROM {Submission._meta.db_table} WHERE {Submission._meta.pk.column} = %s"


def _lock_if_pending(submission_id: int) -> bool:
    """Lock the submission's row (waiting for a batch that holds it); whether it still waits for its first score."""
    table, pk = Submission._meta.db_table, Submission._meta.pk.column
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, key_id FROM {table} WHERE {pk} = %s{lock}", [submission_id])
        row = cursor.fetchone()
    return row is not None and row[0] == SubmissionStatus.PENDING and row[1] is not None


def _already_scored(submission_id: int) -> bool:
    """A cheap, lock-free check that lets duplicate deliveries stop before opening a transaction.

    Most scoring tasks end here (a batch scored their row), so this is one plain statement, no ORM query.
    """
    with connection.cursor() as cursor:
        cursor.execute(_STATUS_SQL, [submission_id])
        row = cursor.fetchone()
    return row is not None and row[0] == SubmissionStatus.SCORED


def _first_score(submission: Submission, policies: dict[int | None, Policy]) -> SubmissionScore:
    case = submission.case
    policy = policies.get(case.grading_policy_id)
    if policy is None:
        policy = policies[case.grading_policy_id] = policy_for(case)
    result, policy = grade_lines(case=case, key_id=submission.key_id, lines=submission.lines,
                                 query_provider=submission.query_provider, policy=policy, submission_id=submission.pk)
    return SubmissionScore(
        submission=submission, key_id=submission.key_id, score=result.score, final_score=result.score,
        passed=result.passed, result=result.as_dict(), policy=policy.as_dict(), is_current=True,
    )


def _record_evidence(submission: Submission, case: Case, final_score: float) -> None:
    from certification.services import evidence_record

    evidence_record(
        student=submission.student, domain=case.exam_domain, score=final_score / 100.0, source="case",
        source_id=submission.pk,
    )


def _record_evidence_many(scores: list[SubmissionScore]) -> None:
    from certification.services import EvidenceItem, evidence_record_many

    evidence_record_many([
        EvidenceItem(student_id=score.submission.student_id, domain=score.submission.case.exam_domain,
                     score=score.final_score / 100.0, source="case", source_id=score.submission_id)
        for score in scores
    ])
