"""Grade passback through a real Celery worker and Redis (run where CELERY_WORKER_TESTS=1): the
worker scores the case, then sends the score to the LMS over HTTP, once, also after an outage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exercises.services import submission_submit
from lti.models import GradePassback, PassbackStatus, UserLink
from lti.tasks import send_due_grades
from tests.conftest import wait_until
from tests.exercises.conftest import PERFECT, case, release  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker_process):
    from coding_lms.celery import app

    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)
    yield celery_worker_process
    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def linked_learner(lms, registration, course, learner, case, launch_flow):
    item = lms.add_line_item(course, label="Chest pain admission", resource_id="case:chest-pain")
    course.resource_links["link-case"] = {"title": "Chest pain admission", "lineitem": item["id"],
                                          "custom": {"codewise_item": "case:chest-pain"}}
    launch_flow().run(user=learner, course=course, resource_link_id="link-case")
    return UserLink.objects.get(subject=learner.sub).user


def test_the_worker_scores_the_case_and_sends_the_score_once(worker, lms, course, learner, linked_learner, case):
    submission_submit(student=linked_learner, case=case, lines=PERFECT)

    wait_until(lambda: lms.scores_for(course, learner), timeout=60)
    wait_until(lambda: GradePassback.objects.filter(status=PassbackStatus.SENT).exists(), timeout=30)
    assert [s["scoreGiven"] for s in lms.scores_for(course, learner)] == [100.0]


def test_a_score_made_while_the_lms_is_down_reaches_it_once_through_the_worker(
        worker, lms, course, learner, linked_learner, case):
    lms.stop()
    submission_submit(student=linked_learner, case=case, lines=PERFECT)
    wait_until(lambda: GradePassback.objects.filter(attempts=1, status=PassbackStatus.PENDING).exists(), timeout=60)

    lms.start()
    GradePassback.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    for _ in range(3):  # the sweeper runs on several beats before the send lands
        send_due_grades.delay()
    wait_until(lambda: GradePassback.objects.filter(status=PassbackStatus.SENT).exists(), timeout=60)
    assert len(lms.scores_for(course, learner)) == 1
