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
from exercises import tasks as exercise_tasks
from exercises.services import lines_clean, submission_submit, submissions_requeue_stale
from exercises.services import submissions as submission_services
from exercises.services.submissions import scoring_queued_key
from exercises.tasks import score_submission
from tests.factories import StudentFactory

from .conftest import PERFECT_LINES

# Real commits: on_commit hooks run as they would in production (each grade its own transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def _forget_markers() -> None:
    # Only our own markers: the cache may be the Redis database the broker uses (never clear() it).
    cache.delete_many([rollup_pending_key(pk) for pk in User.objects.values_list("pk", flat=True)]
                      + [scoring_queued_key()])


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


# One scoring message per batch of submits.

@pytest.fixture
def queued_scoring_runs(broker_mode, monkeypatch):
    """Record the scoring runs submits would publish, without running them (the worker is busy)."""
    sent: list[tuple] = []
    monkeypatch.setattr(exercise_tasks.score_pending_submissions, "delay", lambda *args: sent.append(args))
    monkeypatch.setattr(exercise_tasks.score_submission, "delay", lambda *args: pytest.fail("a per-submission task"))
    return sent


def _submit(case, username: str) -> Submission:
    return submission_submit(student=StudentFactory(username=username), case=case, lines=PERFECT_LINES)[0]


def _scores_per_submission() -> set[int]:
    return set(SubmissionScore.objects.values("submission").annotate(n=Count("id")).values_list("n", flat=True))


def test_submits_while_a_run_is_queued_publish_nothing_and_that_run_scores_them_all(chart_case, queued_scoring_runs):
    first = _submit(chart_case, "first")
    assert queued_scoring_runs == [()]
    later = [_submit(chart_case, f"later{n}") for n in range(4)]  # the marker is set: the queued run will see them
    assert queued_scoring_runs == [()]
    assert exercise_tasks.score_pending_submissions.run() == 5
    assert cache.get(scoring_queued_key()) is None
    assert set(Submission.objects.filter(pk__in=[first.pk, *(s.pk for s in later)]).values_list("status", flat=True)) == {
        SubmissionStatus.SCORED}
    assert _scores_per_submission() == {1}
    _submit(chart_case, "after")  # the run has started (and ended): the next submit queues the next run
    assert queued_scoring_runs == [(), ()]


def test_a_submit_landing_after_the_run_cleared_its_marker_is_claimed_by_that_run(chart_case, queued_scoring_runs, monkeypatch):
    from exercises.services import scoring

    _submit(chart_case, "queued")
    real_clear = submission_services.scoring_queued_clear
    landed = []

    def clear_then_a_submit_lands():
        real_clear()
        landed.append(_submit(chart_case, "racing"))  # committed after the delete, before the first claim

    monkeypatch.setattr(submission_services, "scoring_queued_clear", clear_then_a_submit_lands)
    assert scoring.submissions_score_all_pending() == 2
    assert Submission.objects.get(pk=landed[0].pk).status == SubmissionStatus.SCORED
    assert queued_scoring_runs == [(), ()]  # it also queued a run, which will find nothing left: never a lost row


def test_a_run_that_spends_its_budget_queues_the_next_and_nothing_is_scored_twice(chart_case, queued_scoring_runs):
    from exercises.services import scoring

    _pending(chart_case, [StudentFactory(username=f"budget{n}") for n in range(7)])
    assert scoring.submissions_score_all_pending(limit=2, max_batches=2) == 4
    assert queued_scoring_runs == [()]
    assert scoring.submissions_score_all_pending(limit=2, max_batches=2) == 3  # the queued run takes the rest
    assert not Submission.objects.filter(status=SubmissionStatus.PENDING).exists()
    assert _scores_per_submission() == {1}


def test_a_row_the_engine_cannot_grade_stays_pending_and_ends_no_run_early(chart_case, queued_scoring_runs):
    from exercises.services import scoring

    good = _pending(chart_case, [StudentFactory(username=f"fine{n}") for n in range(3)])
    bad = _pending(chart_case, [StudentFactory(username="unreadable")])[0]
    Submission.objects.filter(pk=bad.pk).update(lines=["not a line"], queued_at=timezone.now() - timezone.timedelta(hours=1))
    assert scoring.submissions_score_all_pending(limit=1) == 3
    assert Submission.objects.filter(pk__in=[s.pk for s in good], status=SubmissionStatus.SCORED).count() == 3
    assert Submission.objects.get(pk=bad.pk).status == SubmissionStatus.PENDING


def test_broker_down_at_submit_leaves_the_row_pending_clears_the_marker_and_the_sweeper_scores_it(
    chart_case, broker_mode, monkeypatch,
):
    from kombu.exceptions import OperationalError

    def broker_down(*args):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(exercise_tasks.score_pending_submissions, "delay", broker_down)
    submission = _submit(chart_case, "outage")  # no exception reaches the student
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING
    assert cache.get(scoring_queued_key()) is None  # the next submit tries again

    published = []
    monkeypatch.setattr(exercise_tasks.score_pending_submissions, "delay",
                        lambda: published.append(exercise_tasks.score_pending_submissions.apply().get()))
    cache.add(scoring_queued_key(), 1, 60)  # even a marker a lost message left behind does not stop the sweeper
    assert submissions_requeue_stale(older_than_seconds=0) == 1
    assert published == [1]
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SCORED
    assert _scores_per_submission() == {1}


def test_regrades_and_the_embedded_mode_keep_the_task_of_one_submission(chart_case):
    submission = _submit(chart_case, "embedded")  # eager: scored at submit, as the student has always seen it
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SCORED
    assert cache.get(scoring_queued_key()) is None
