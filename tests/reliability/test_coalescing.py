"""Fewer messages for the same work: one queued readiness refresh per student, batch claiming of pending scoring."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from certification import tasks as certification_tasks
from certification.services import evidence_record, rollup_pending_key
from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services import lines_clean
from exercises.tasks import score_submission
from tests.factories import StudentFactory

from .conftest import PERFECT_LINES

# Real commits: on_commit hooks run as they would in production (each grade its own transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def _forget_markers() -> None:
    # Only our own markers: the cache may be the Redis database the broker uses (never clear() it).
    cache.delete_many([rollup_pending_key(pk) for pk in User.objects.values_list("pk", flat=True)])


@pytest.fixture
def broker_mode(student, other_student):
    """Tasks go to a broker (as in production) rather than running inline; nothing is really sent."""
    from coding_lms.celery import app

    _forget_markers()  # a marker left by an earlier run on a database of the same name
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    _forget_markers()


@pytest.fixture
def queued_refreshes(broker_mode, monkeypatch):
    """Record rollup refreshes that would be published, without running them (a busy worker)."""
    sent: list[list[int]] = []
    monkeypatch.setattr(certification_tasks.refresh_rollups, "delay", lambda student_ids: sent.append(student_ids))
    return sent


def _evidence(student, n: int) -> None:
    with transaction.atomic():
        evidence_record(student=student, domain="icd10cm", score=1.0, source="case", source_id=f"s{n}")


def test_a_student_has_at_most_one_refresh_waiting(student, other_student, queued_refreshes):
    for n in range(3):  # three grades in three transactions while the first refresh still waits in the queue
        _evidence(student, n)
    _evidence(other_student, 9)
    assert queued_refreshes == [[student.pk], [other_student.pk]]


def test_evidence_after_the_refresh_started_queues_another(student, queued_refreshes):
    _evidence(student, 1)
    certification_tasks.refresh_rollups.run([student.pk])  # the queued refresh starts: marker cleared first
    assert cache.get(rollup_pending_key(student.pk)) is None
    assert student.domain_rollups.get(domain="icd10cm").evidence_count == 1
    _evidence(student, 2)  # lands after the refresh read the evidence
    assert queued_refreshes == [[student.pk], [student.pk]]


def test_a_broker_error_on_the_refresh_neither_fails_the_grade_nor_blocks_the_next(student, broker_mode, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(student_ids):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(certification_tasks.refresh_rollups, "delay", broker_down)
    _evidence(student, 1)  # no exception reaches the caller
    assert cache.get(rollup_pending_key(student.pk)) is None  # the next grade tries again


def test_one_message_per_transaction_lists_every_student_graded_in_it(student, other_student, queued_refreshes):
    with transaction.atomic():
        for n in range(3):
            evidence_record(student=student, domain="icd10cm", score=1.0, source="case", source_id=f"a{n}")
            evidence_record(student=other_student, domain="icd10cm", score=0.0, source="case", source_id=f"b{n}")
    assert queued_refreshes == [[student.pk, other_student.pk]]
    with transaction.atomic():  # both still waiting: nothing new to send
        evidence_record(student=other_student, domain="icd10cm", score=1.0, source="case", source_id="c")
    assert queued_refreshes == [[student.pk, other_student.pk]]


def test_with_eager_tasks_every_grade_refreshes_rollups_whatever_markers_exist(student):
    cache.set(rollup_pending_key(student.pk), 1, 5)  # e.g. left behind by a worker that was killed
    for n in range(3):
        _evidence(student, n)
        assert student.domain_rollups.get(domain="icd10cm").evidence_count == n + 1
    cache.delete(rollup_pending_key(student.pk))


def _pending(case, students) -> list[Submission]:
    key = case.answer_keys.get()
    now = timezone.now()
    return Submission.objects.bulk_create([
        Submission(student=s, case=case, key=key, lines=lines_clean(PERFECT_LINES), status=SubmissionStatus.PENDING,
                   submitted_at=now, queued_at=now)
        for s in students
    ])


def test_one_scoring_task_claims_other_pending_work_and_their_own_tasks_become_no_ops(chart_case):
    submissions = _pending(chart_case, [StudentFactory(username=f"batch{n}") for n in range(5)])
    assert score_submission.apply(args=[submissions[2].pk]).get() == 100.0
    assert Submission.objects.filter(status=SubmissionStatus.SCORED).count() == 5
    for submission in submissions:  # the messages of the others arrive later: nothing left to do
        assert score_submission.apply(args=[submission.pk]).get() is None
    assert SubmissionScore.objects.count() == 5
    assert not SubmissionScore.objects.values("submission").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert SubmissionScore.objects.filter(is_current=True).count() == 5


def test_a_claimed_row_that_cannot_be_graded_does_not_hold_up_the_batch(chart_case):
    good, bad = _pending(chart_case, [StudentFactory(username="good"), StudentFactory(username="bad")])
    Submission.objects.filter(pk=bad.pk).update(lines=["not a line"])  # a row the engine cannot read
    assert score_submission.apply(args=[good.pk]).get() == 100.0
    bad.refresh_from_db()
    assert bad.status == SubmissionStatus.PENDING and not SubmissionScore.objects.filter(submission=bad).exists()
    with pytest.raises(Exception):
        score_submission.apply(args=[bad.pk]).get()  # its own task reports the problem
