"""RELIABILITY 2: a broker that is down at submit time loses nothing (real HTTP, real worker, real Redis)."""

from __future__ import annotations

import socket
import time
from contextlib import contextmanager

import pytest

from exercises.models import Submission, SubmissionScore, SubmissionStatus
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

    # The broker is back: the periodic sweeper re-queues what is pending, the real worker scores it.
    assert requeue_stale_submissions.apply(kwargs={"older_than_seconds": 0}).get() == len(students)
    wait_until(lambda: submissions.filter(status=SubmissionStatus.SCORED).count() == len(students), timeout=60)
    time.sleep(1.0)  # give any duplicate delivery the chance to show up
    scores = SubmissionScore.objects.filter(submission__in=submissions)
    assert scores.count() == len(students)
    assert set(scores.values_list("score", flat=True)) == {100.0}
