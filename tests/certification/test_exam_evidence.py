"""What a closed attempt tells readiness and item analysis: the questions reached, never the rest."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from certification.models import AttemptItem, AttemptScore, AttemptStatus, ItemStat, MasteryEvidence, StudentDomainRollup
from certification.services import evidence_record
from certification.services.attempts import attempts_close_overdue

from .conftest import correct_post_value
from .test_exams import answer_url, items, start

pytestmark = pytest.mark.django_db


def wrong_post_value(item) -> list[str]:
    if item.question.kind == "code":
        return ["Z999"]
    return [str(next(c.pk for c in item.question.choices.all() if not c.is_correct))]


def answer(client, attempt, item, value) -> None:
    response = client.post(answer_url(attempt, item.position), {"answer": value, "question_id": item.question_id},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "X-Exam-Rejected" not in response


def close_by_timeout(clock, capture) -> None:
    clock.advance(minutes=12)  # past the 10-minute limit and the grace period
    with capture(execute=True):
        assert attempts_close_overdue()["closed"] == 1


def test_a_timed_out_attempt_scores_every_question_but_only_reached_ones_are_evidence(
    student_client, student, instructor_client, cohort, short_blueprint, clock, django_capture_on_commit_callbacks
):
    attempt = start(student_client, short_blueprint)
    rows = items(attempt)
    answer(student_client, attempt, rows[0], correct_post_value(rows[0]))
    answer(student_client, attempt, rows[2], wrong_post_value(rows[2]))  # question 2 skipped on the way
    close_by_timeout(clock, django_capture_on_commit_callbacks)

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED and attempt.close_reason == "timed_out"
    score = AttemptScore.objects.get(attempt=attempt)
    # The attempt's own report counts all six: the unanswered ones are wrong, as on the real exam.
    assert (score.correct, score.total, score.answered) == (1, 6, 2)
    assert round(score.percent) == 17

    # Evidence: the answered questions and the one skipped before the last answer; 4-6 were never reached.
    evidence = dict(
        MasteryEvidence.objects.filter(student=student, source="exam").values_list("source_id", "score")
    )
    assert evidence == {
        f"attempt{attempt.pk}-q{rows[0].question_id}": 1.0,
        f"attempt{attempt.pk}-q{rows[1].question_id}": 0.0,
        f"attempt{attempt.pk}-q{rows[2].question_id}": 0.0,
    }

    # Item analysis: rows for the reached questions only, overall and for the student's cohort.
    reached = {r.question_id for r in rows[:3]}
    assert set(ItemStat.objects.filter(cohort__isnull=True, n__gt=0).values_list("question_id", flat=True)) == reached
    assert set(ItemStat.objects.filter(cohort=cohort, n__gt=0).values_list("question_id", flat=True)) == reached
    assert not ItemStat.objects.filter(question_id__in=[r.question_id for r in rows[3:]]).exists()
    dashboard = instructor_client.get(reverse("certification:instructor_dashboard") + f"?cohort={cohort.pk}")
    body = dashboard.content.decode()
    assert "3 exam questions answered by" in body
    for row in rows[3:]:
        assert row.question.slug not in body

    report = student_client.get(reverse("certification:attempt_report", args=[attempt.pk])).content.decode()
    assert "3 not reached" in report and report.count(">Not reached<") == 3 and report.count(">Not answered<") == 1


def test_an_attempt_abandoned_before_any_answer_leaves_readiness_and_item_analysis_alone(
    student_client, student, cohort, short_blueprint, clock, django_capture_on_commit_callbacks
):
    yesterday = clock.current - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(8):
            evidence_record(student=student, domain="em", score=1.0, source="quiz", source_id=f"q{i}", occurred_at=yesterday)
            evidence_record(student=student, domain="icd10cm", score=float(i % 4 != 0), source="quiz", source_id=f"d{i}",
                            occurred_at=yesterday)
    before = {r.domain: (r.mastery, r.evidence_count) for r in StudentDomainRollup.objects.filter(student=student)}
    assert before["em"][1] == 8

    attempt = start(student_client, short_blueprint)
    student_client.get(reverse("certification:question", args=[attempt.pk, 1]))  # looked, answered nothing
    close_by_timeout(clock, django_capture_on_commit_callbacks)

    score = AttemptScore.objects.get(attempt=attempt)
    assert (score.correct, score.total, score.answered, score.percent) == (0, 6, 0, 0.0)
    assert not MasteryEvidence.objects.filter(student=student, source="exam").exists()
    assert not ItemStat.objects.exists()
    after = {r.domain: (r.mastery, r.evidence_count) for r in StudentDomainRollup.objects.filter(student=student)}
    assert after == before


def test_a_submitted_attempt_with_blanks_at_the_end_treats_them_as_not_reached(
    student_client, student, short_blueprint, django_capture_on_commit_callbacks
):
    attempt = start(student_client, short_blueprint)
    rows = items(attempt)
    for row in rows[:4]:
        answer(student_client, attempt, row, correct_post_value(row))
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    score = AttemptScore.objects.get(attempt=attempt)
    assert (score.correct, score.total) == (4, 6)
    assert MasteryEvidence.objects.filter(student=student, source="exam").count() == 4
    stats = ItemStat.objects.filter(cohort__isnull=True)
    assert stats.count() == 4 and set(stats.values_list("n_correct", flat=True)) == {1}
    # The rest score of each reached item is the share right among the other reached ones (3 of 3).
    assert {round(s.sum_rest, 6) for s in stats} == {1.0}
    assert not AttemptItem.objects.filter(attempt=attempt, position__gt=4).exclude(response=None).exists()


def test_item_statistics_can_be_recounted_without_questions_never_reached(
    student, short_blueprint, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from certification.services.attempts import attempt_close, attempt_start
    from certification.services.scoring import attempt_score

    attempt = attempt_start(student=student, blueprint=short_blueprint)
    AttemptItem.objects.filter(attempt=attempt, position=2).update(response={"choice": 0})
    with django_capture_on_commit_callbacks(execute=False):
        attempt_close(attempt_id=attempt.pk, reason="submitted")
    attempt_score(attempt_id=attempt.pk)
    reached = set(AttemptItem.objects.filter(attempt=attempt, position__lte=2).values_list("question_id", flat=True))
    # Rows left by scoring that counted every question, reached or not.
    for item in AttemptItem.objects.filter(attempt=attempt, position__gt=2):
        ItemStat.objects.create(question_id=item.question_id, n=1, n_correct=0)
    call_command("rebuild_item_stats", stdout=io.StringIO())
    assert set(ItemStat.objects.filter(n__gt=0).values_list("question_id", flat=True)) == reached
    assert set(ItemStat.objects.values_list("n", flat=True)) == {1}
