"""One scoring message per batch of submits, through a real worker: nothing lost, nothing scored twice."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services import lines_clean
from exercises.tasks import score_pending_submissions
from tests.conftest import wait_until

from .conftest import PERFECT_LINES, live_processes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COUNT = 400


def _pending(chart_case, prefix: str) -> list[int]:
    key = chart_case.answer_keys.get()
    students = User.objects.bulk_create([User(username=f"{prefix}{n}", role="student") for n in range(COUNT)])
    now = timezone.now()
    lines = lines_clean(PERFECT_LINES)
    return [submission.pk for submission in Submission.objects.bulk_create([
        Submission(student=student, case=chart_case, key=key, lines=lines, status=SubmissionStatus.PENDING,
                   submitted_at=now, queued_at=now)
        for student in students
    ])]


def _assert_each_scored_once(ids: list[int]) -> None:
    time.sleep(1.0)  # any duplicate delivery would land now
    scores = SubmissionScore.objects.filter(submission_id__in=ids)
    assert scores.count() == len(ids)
    assert not scores.values("submission_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Submission.objects.filter(pk__in=ids).exclude(status=SubmissionStatus.SCORED).exists()


def _pool_children(parent_pid: int) -> list[int]:
    return [pid for pid, parent, _group in live_processes() if parent == parent_pid]


def test_two_runs_claiming_at_once_score_every_submission_exactly_once(worker_control, chart_case):
    ids = _pending(chart_case, "together")
    worker_control.start(concurrency=2)
    score_pending_submissions.delay()
    score_pending_submissions.delay()  # both pool processes claim batches side by side
    scored = Submission.objects.filter(pk__in=ids, status=SubmissionStatus.SCORED)
    wait_until(lambda: scored.count() == COUNT, timeout=90)
    _assert_each_scored_once(ids)


def test_a_run_killed_mid_batch_is_delivered_again_and_scores_the_rest(worker_control, chart_case):
    ids = _pending(chart_case, "redelivered")
    scored = Submission.objects.filter(pk__in=ids, status=SubmissionStatus.SCORED)
    worker_control.start(concurrency=1)
    score_pending_submissions.delay()
    wait_until(lambda: scored.count() >= 1, timeout=30, interval=0.005)
    children = _pool_children(worker_control.process.pid)
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)  # the pool process dies inside a batch; the worker itself lives on
    at_kill = scored.count()
    assert at_kill < COUNT, "the run finished before it was killed; the test proved nothing"
    # No sweeper, no new submit: only the redelivered message (acks_late, reject_on_worker_lost) is left.
    wait_until(lambda: scored.count() == COUNT, timeout=90)
    _assert_each_scored_once(ids)
