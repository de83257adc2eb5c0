"""Scoring through a real Celery worker and Redis (run where CELERY_WORKER_TESTS=1)."""

from __future__ import annotations

import time

import pytest

from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services import submission_submit
from exercises.tasks import score_submission
from tests.conftest import wait_until
from tests.factories import StudentFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker_process):
    """The shared fixture changes task_routes per test; Celery caches its router, so rebuild it."""
    from coding_lms.celery import app

    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)
    yield celery_worker_process
    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)


def test_every_submission_gets_exactly_one_score_through_the_worker(worker, case, perfect_lines):
    students = [StudentFactory(username=f"w{n}") for n in range(20)]
    ids = [submission_submit(student=s, case=case, lines=perfect_lines)[0].pk for s in students]
    wait_until(lambda: Submission.objects.filter(pk__in=ids, status=SubmissionStatus.SCORED).count() == len(ids), timeout=60)
    time.sleep(0.5)  # give any duplicate delivery the chance to show up
    assert SubmissionScore.objects.filter(submission_id__in=ids).count() == len(ids)
    assert set(SubmissionScore.objects.filter(submission_id__in=ids).values_list("score", flat=True)) == {100.0}


def test_the_same_task_sent_many_times_at_once_scores_once(worker, case, student, perfect_lines):
    from django.utils import timezone

    key = case.answer_keys.order_by("-version").first()
    submission = Submission.objects.create(
        student=student, case=case, key=key, lines=perfect_lines, status=SubmissionStatus.PENDING,
        submitted_at=timezone.now(), queued_at=timezone.now(),
    )
    for _ in range(6):
        score_submission.delay(submission.pk)
    wait_until(lambda: Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SCORED, timeout=30)
    time.sleep(1.0)
    assert SubmissionScore.objects.filter(submission=submission).count() == 1
