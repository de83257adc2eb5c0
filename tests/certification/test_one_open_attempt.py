"""One attempt in progress per student and exam: two starts at the same instant resume one attempt."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from certification.models import AttemptStatus, CloseReason, ExamAttempt
from certification.services import attempts
from certification.services.attempts import attempt_start


def open_attempt(student, blueprint, **fields) -> ExamAttempt:
    now = timezone.now()
    return ExamAttempt.objects.create(student=student, blueprint=blueprint, started_at=now,
                                      deadline=now + timezone.timedelta(minutes=30), **fields)


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_attempt_of_the_same_exam(student, other_student, short_blueprint):
    open_attempt(student, short_blueprint)
    with pytest.raises(IntegrityError), transaction.atomic():
        open_attempt(student, short_blueprint)
    # Closed attempts of the same exam, and another student's open one, are allowed.
    open_attempt(student, short_blueprint, status=AttemptStatus.SUBMITTED, close_reason=CloseReason.SUBMITTED)
    open_attempt(student, short_blueprint, status=AttemptStatus.SCORED, close_reason=CloseReason.TIMED_OUT)
    open_attempt(other_student, short_blueprint)
    assert ExamAttempt.objects.filter(student=student, status=AttemptStatus.IN_PROGRESS).count() == 1


@pytest.mark.django_db
def test_a_start_that_loses_the_race_resumes_the_attempt_the_other_tab_opened(
    student, short_blueprint, monkeypatch, django_capture_on_commit_callbacks
):
    first = attempt_start(student=student, blueprint=short_blueprint)
    # The second tab's locking read ran before the first tab's insert was visible: it found nothing.
    real_read = attempts._open_attempt_locked
    reads = iter([None])
    monkeypatch.setattr(attempts, "_open_attempt_locked", lambda **kw: next(reads, None) or real_read(**kw))
    with django_capture_on_commit_callbacks() as queued:
        second = attempt_start(student=student, blueprint=short_blueprint)
    assert second.pk == first.pk and second.status == AttemptStatus.IN_PROGRESS
    assert ExamAttempt.objects.filter(student=student, blueprint=short_blueprint).count() == 1
    assert first.items.count() == short_blueprint.question_count
    assert queued == []  # the insert that failed queued no deadline task


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_starts_at_the_same_instant_open_one_attempt(student, short_blueprint):
    barrier = threading.Barrier(2)
    started: list[int] = []
    errors: list[BaseException] = []
    real_draw = attempts._draw

    def draw_together(**kwargs):
        chosen = real_draw(**kwargs)
        barrier.wait(timeout=10)  # both starts have found no open attempt before either inserts
        return chosen

    def start():
        try:
            started.append(attempt_start(student=student, blueprint=short_blueprint).pk)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    attempts._draw = draw_together
    try:
        tabs = [threading.Thread(target=start) for _ in range(2)]
        for tab in tabs:
            tab.start()
        for tab in tabs:
            tab.join(timeout=30)
    finally:
        attempts._draw = real_draw
    assert errors == []
    assert len(started) == 2 and started[0] == started[1]
    assert ExamAttempt.objects.filter(student=student, blueprint=short_blueprint).count() == 1
