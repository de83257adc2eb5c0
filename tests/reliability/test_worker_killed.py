"""RELIABILITY 3: a worker killed with SIGKILL in the middle of a batch loses nothing and scores nothing twice."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services import lines_clean
from exercises.tasks import requeue_stale_submissions, score_submission
from tests.conftest import wait_until

from .conftest import PERFECT_LINES, live_processes_in_group

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COUNT = 400


def test_kill_9_mid_batch_then_restart_and_sweep_scores_every_submission_exactly_once(worker_control, chart_case):
    key = chart_case.answer_keys.get()
    students = User.objects.bulk_create([User(username=f"killed{n}", role="student") for n in range(COUNT)])
    now = timezone.now()
    lines = lines_clean(PERFECT_LINES)
    submissions = Submission.objects.bulk_create([
        Submission(student=student, case=chart_case, key=key, lines=lines, status=SubmissionStatus.PENDING,
                   submitted_at=now, queued_at=now)
        for student in students
    ])
    ids = [submission.pk for submission in submissions]
    scored = Submission.objects.filter(pk__in=ids, status=SubmissionStatus.SCORED)

    worker_control.start(concurrency=2, prefetch=4)  # several messages in flight when it dies
    for submission_id in ids:
        score_submission.delay(submission_id)
    wait_until(lambda: scored.count() >= 10, timeout=30, interval=0.005)
    pid = worker_control.process.pid
    worker_control.kill()
    at_kill = scored.count()
    assert at_kill < COUNT, "the worker finished before it was killed; the test proved nothing"
    # The whole process group is gone, pool children included.
    wait_until(lambda: not live_processes_in_group(pid), timeout=10, interval=0.05)

    # A new worker takes over; the sweeper re-queues whatever was pending (lost in the dead worker's hands).
    worker_control.start()
    requeue_stale_submissions.apply(kwargs={"older_than_seconds": 0}).get()
    wait_until(lambda: scored.count() == COUNT, timeout=90)
    time.sleep(1.0)  # any duplicate delivery would land now
    scores = SubmissionScore.objects.filter(submission_id__in=ids)
    assert scores.count() == COUNT
    assert not scores.values("submission_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Submission.objects.filter(pk__in=ids).exclude(status=SubmissionStatus.SCORED).exists()
