"""RELIABILITY 2: a broker that is down at submit time loses nothing (real HTTP, real worker, real Redis)."""

from __future__ import annotations

import socket
import time
from contextlib import contextmanager

import pytest
from django.core.cache import cache

from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services.submissions import scoring_queued_key
from exercises.tasks import requeue_stale_submissions
from tests.conftest import wait_until
from tests.factories import StudentFactory

from .conftest import PERFECT_FORM

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def broker_at(url: str):
    """Point this process's publisher at another broker URL (the worker keeps the real one)."""
    from coding_lms.celery import app

    real = app.conf.broker_url

    def switch(to: str) -> None:
        app.conf.broker_url = to
        app._pool = None
        app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(real)


def test_submit_with_the_broker_down_answers_fast_and_the_sweeper_gets_every_submission_scored_once(
    worker_control, chart_case, login_as,
):
    worker_control.start()
    students = [StudentFactory(username=f"outage{n}") for n in range(3)]
    with broker_at(f"redis://127.0.0.1:{_closed_port()}/0"):
        for student in students:
            started = time.monotonic()
            response = login_as(student).post(f"/cases/{chart_case.slug}/submit/", PERFECT_FORM)
            elapsed = time.monotonic() - started
            assert response.status_code == 302, "the student gets their submission page, not an error"
            assert elapsed < 5, f"the submit took {elapsed:.1f} s with the broker down"
    submissions = Submission.objects.filter(student__in=students).exclude(status=SubmissionStatus.DRAFT)
    assert submissions.count() == len(students)
    time.sleep(1.0)  # nothing reached the worker: every row is still pending, none is lost
    assert set(submissions.values_list("status", flat=True)) == {SubmissionStatus.PENDING}
    assert cache.get(scoring_queued_key()) is None, "a failed publish must not keep later submits from queueing"

    # The broker is back: the periodic sweeper re-queues what is pending, the real worker scores it.
    assert requeue_stale_submissions.apply(kwargs={"older_than_seconds": 0}).get() == len(students)
    wait_until(lambda: submissions.filter(status=SubmissionStatus.SCORED).count() == len(students), timeout=60)
    time.sleep(1.0)  # give any duplicate delivery the chance to show up
    scores = SubmissionScore.objects.filter(submission__in=submissions)
    assert scores.count() == len(students)
    assert set(scores.values_list("score", flat=True)) == {100.0}


def test_exam_submit_with_the_broker_down_answers_fast_and_the_sweep_gets_every_attempt_scored_once(
    worker_control, login_as, settings,
):
    from django.urls import reverse

    from certification.models import AttemptScore, AttemptStatus, ExamAttempt
    from certification.tasks import close_overdue_attempts
    from tests.certification.factories import BlueprintFactory, QuestionFactory

    for domain in ("icd10cm", "em"):
        for _ in range(3):
            QuestionFactory(domain=domain)
    blueprint = BlueprintFactory(question_count=6, time_limit_minutes=10, weights={"icd10cm": 1, "em": 1})
    worker_control.start()
    students = [StudentFactory(username=f"exam-outage{n}") for n in range(3)]
    clients = {student.pk: login_as(student) for student in students}
    for student in students:
        assert clients[student.pk].post(reverse("certification:attempt_start", args=[blueprint.pk])).status_code == 302
    attempts = ExamAttempt.objects.filter(student__in=students)
    assert attempts.count() == len(students)
    with broker_at(f"redis://127.0.0.1:{_closed_port()}/0"):
        for attempt in attempts:
            started = time.monotonic()
            response = clients[attempt.student_id].post(reverse("certification:attempt_submit", args=[attempt.pk]))
            elapsed = time.monotonic() - started
            assert response.status_code == 302, "the student gets their report page, not an error"
            assert elapsed < 5, f"the submit took {elapsed:.1f} s with the broker down"
    time.sleep(1.0)  # nothing reached the worker: every attempt is closed and waits for its score
    assert set(attempts.values_list("status", flat=True)) == {AttemptStatus.SUBMITTED}
    assert not AttemptScore.objects.filter(attempt__in=attempts).exists()

    # The broker is back: the periodic sweep re-queues unscored attempts, the real worker scores them.
    settings.CERTIFICATION_SCORING_STALE_SECONDS = 0
    assert close_overdue_attempts.apply().get()["requeued"] == len(students)
    wait_until(lambda: attempts.filter(status=AttemptStatus.SCORED).count() == len(students), timeout=60)
    time.sleep(1.0)  # give any duplicate delivery the chance to show up
    assert AttemptScore.objects.filter(attempt__in=attempts).count() == len(students)
