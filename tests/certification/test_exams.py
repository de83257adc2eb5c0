"""Taking a timed exam through real HTTP: start, answer, flag, navigate, submit, score report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from certification.models import AttemptItem, AttemptScore, AttemptStatus, ExamAttempt, MasteryEvidence

from .conftest import SENTINEL_CODE, correct_post_value

pytestmark = pytest.mark.django_db


def start(client, blueprint) -> ExamAttempt:
    response = client.post(reverse("certification:attempt_start", args=[blueprint.pk]))
    assert response.status_code == 302
    return ExamAttempt.objects.latest("pk")


def answer_url(attempt, position):
    return reverse("certification:answer", args=[attempt.pk, position])


def closings(callbacks) -> list:
    """The on-commit callbacks that queue an attempt's scoring (other apps may add their own, e.g. grade passback)."""
    return [c for c in callbacks if c.__qualname__.startswith("attempt_close.")]


def items(attempt):
    return list(AttemptItem.objects.filter(attempt=attempt).select_related("question").order_by("position"))


def test_exam_is_assembled_by_domain_weight_without_repeats(student_client, short_blueprint):
    attempt = start(student_client, short_blueprint)
    rows = items(attempt)
    assert len(rows) == 6
    assert len({i.question_id for i in rows}) == 6
    assert sorted(i.domain for i in rows).count("icd10cm") == 3
    assert attempt.deadline - attempt.started_at == __import__("datetime").timedelta(minutes=10)


def test_starting_again_resumes_the_open_attempt(student_client, short_blueprint):
    first = start(student_client, short_blueprint)
    second = start(student_client, short_blueprint)
    assert first.pk == second.pk
    assert ExamAttempt.objects.count() == 1


def test_instructor_cannot_start_a_student_exam(instructor_client, short_blueprint):
    response = instructor_client.post(reverse("certification:attempt_start", args=[short_blueprint.pk]), follow=True)
    assert ExamAttempt.objects.count() == 0
    assert b"student account" in response.content


def test_student_answers_flags_navigates_submits_and_sees_the_report(
    student_client, student, short_blueprint, django_capture_on_commit_callbacks
):
    attempt = start(student_client, short_blueprint)
    rows = items(attempt)
    page = student_client.get(reverse("certification:question", args=[attempt.pk, 1]))
    assert page.status_code == 200
    assert b"Question 1" in page.content and b"Time left" in page.content

    for item in rows[:4]:  # four right, one wrong, one blank
        response = student_client.post(
            answer_url(attempt, item.position),
            {"answer": correct_post_value(item), "question_id": item.question_id, "revision": 0},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content
        assert b"Saved" in response.content
    wrong = rows[4]
    wrong_value = "Z999" if wrong.question.kind == "code" else str(
        next(c.pk for c in wrong.question.choices.all() if not c.is_correct)
    )
    student_client.post(answer_url(attempt, 5), {"answer": [wrong_value], "question_id": wrong.question_id}, HTTP_HX_REQUEST="true")

    flag = student_client.post(reverse("certification:flag", args=[attempt.pk, 2]), {"flagged": "1"}, HTTP_HX_REQUEST="true")
    assert flag.status_code == 200 and b"Flagged for review" in flag.content
    assert AttemptItem.objects.get(attempt=attempt, position=2).flagged

    assert student_client.get(reverse("certification:question", args=[attempt.pk, 6])).status_code == 200
    review = student_client.get(reverse("certification:attempt_submit", args=[attempt.pk]))
    assert b"Not answered yet" in review.content and b"Flagged for review" in review.content

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 302
    assert len(callbacks) >= 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED
    score = AttemptScore.objects.get(attempt=attempt)
    assert (score.correct, score.total, score.answered) == (4, 6, 5)
    assert round(score.percent) == 67 and not score.passed

    report = student_client.get(reverse("certification:attempt_report", args=[attempt.pk]))
    assert report.status_code == 200
    body = report.content.decode()
    assert "67%" in body and "By domain" in body
    for item in rows:
        assert item.question.rationale in body
    # Evidence for each answered item (the blank one is not evidence of mastery), rollups refreshed.
    assert MasteryEvidence.objects.filter(student=student, source="exam").count() == 5
    assert student.domain_rollups.filter(domain="icd10cm", evidence_count__gt=0).exists()


def test_double_submit_scores_once(student_client, short_blueprint, django_capture_on_commit_callbacks):
    attempt = start(student_client, short_blueprint)
    with django_capture_on_commit_callbacks(execute=True) as first:
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    with django_capture_on_commit_callbacks(execute=True) as second:
        response = student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/attempts/{attempt.pk}/report/")
    assert len(closings(first)) == 1 and len(closings(second)) == 0
    assert AttemptScore.objects.filter(attempt=attempt).count() == 1
    assert AuditEvent.objects.filter(action="exam.submitted").count() == 1


def test_answers_after_submission_are_rejected(student_client, short_blueprint, django_capture_on_commit_callbacks):
    attempt = start(student_client, short_blueprint)
    item = items(attempt)[0]
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    response = student_client.post(
        answer_url(attempt, 1), {"answer": correct_post_value(item), "question_id": item.question_id}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["X-Exam-Rejected"] == "attempt_closed"
    assert AttemptItem.objects.get(pk=item.pk).response is None


def test_late_answer_is_rejected_whatever_the_client_sends(student_client, short_blueprint, clock, settings):
    settings.CERTIFICATION_ANSWER_GRACE_SECONDS = 30
    attempt = start(student_client, short_blueprint)
    item = items(attempt)[0]
    clock.advance(minutes=10, seconds=20)  # inside the grace period: accepted
    ok = student_client.post(
        answer_url(attempt, 1), {"answer": correct_post_value(item), "question_id": item.question_id}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200
    clock.advance(seconds=15)  # 35 s past the deadline: rejected
    late = student_client.post(
        answer_url(attempt, 2), {"answer": correct_post_value(items(attempt)[1]), "question_id": items(attempt)[1].question_id,
                                 "revision": 0}, HTTP_HX_REQUEST="true",
    )
    assert late.status_code == 200 and late["X-Exam-Rejected"] == "deadline_passed"
    assert b"Time is up" in late.content
    assert AttemptItem.objects.get(attempt=attempt, position=2).response is None
    assert AuditEvent.objects.filter(action="exam.late_answer", target_id=str(attempt.pk)).exists()


def test_question_page_after_the_deadline_sends_to_submit(student_client, short_blueprint, clock):
    attempt = start(student_client, short_blueprint)
    clock.advance(minutes=11)
    response = student_client.get(reverse("certification:question", args=[attempt.pk, 1]))
    assert response.status_code == 302 and response["Location"].endswith("/submit/")


def test_tampered_question_id_is_rejected_and_audited(student_client, short_blueprint, bank):
    attempt = start(student_client, short_blueprint)
    item = items(attempt)[0]
    foreign = next(q for q in bank if q.pk not in {i.question_id for i in items(attempt)}) if len(bank) > 6 else bank[0]
    response = student_client.post(
        answer_url(attempt, 1), {"answer": ["1"], "question_id": foreign.pk if foreign.pk != item.question_id else 999999},
        HTTP_HX_REQUEST="true",
    )
    assert response["X-Exam-Rejected"] == "invalid_answer"
    assert AttemptItem.objects.get(pk=item.pk).response is None
    assert AuditEvent.objects.filter(action="exam.tampered_item").exists()


def test_a_choice_from_another_question_is_rejected(student_client, short_blueprint, bank):
    attempt = start(student_client, short_blueprint)
    item = next(i for i in items(attempt) if i.question.kind == "single")
    other_choice = next(c for q in bank if q.pk != item.question_id for c in q.choices.all())
    response = student_client.post(
        answer_url(attempt, item.position), {"answer": [str(other_choice.pk)], "question_id": item.question_id},
        HTTP_HX_REQUEST="true",
    )
    assert response["X-Exam-Rejected"] == "invalid_answer"
    assert AttemptItem.objects.get(pk=item.pk).response is None


def test_another_students_attempt_is_404_and_audited(student_client, other_student_client, short_blueprint):
    attempt = start(student_client, short_blueprint)
    item = items(attempt)[0]
    for url in (
        reverse("certification:question", args=[attempt.pk, 1]),
        reverse("certification:attempt_report", args=[attempt.pk]),
        reverse("certification:attempt_submit", args=[attempt.pk]),
        reverse("certification:attempt_resume", args=[attempt.pk]),
    ):
        assert other_student_client.get(url).status_code == 404, url
    response = other_student_client.post(
        answer_url(attempt, 1), {"answer": correct_post_value(item), "question_id": item.question_id}
    )
    assert response.status_code == 404
    assert other_student_client.post(reverse("certification:attempt_submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert AttemptItem.objects.get(pk=item.pk).response is None
    assert AuditEvent.objects.filter(action="exam.access_denied").count() >= 5


def test_outsider_instructor_cannot_see_the_report(
    student_client, other_instructor_client, instructor_client, cohort, short_blueprint, django_capture_on_commit_callbacks
):
    attempt = start(student_client, short_blueprint)
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    url = reverse("certification:attempt_report", args=[attempt.pk])
    assert other_instructor_client.get(url).status_code == 404
    assert instructor_client.get(url).status_code == 200
    # ...but the student's own instructor cannot answer for them.
    assert instructor_client.post(answer_url(attempt, 1), {"answer": ["1"]}).status_code == 404


def test_two_tabs_merge_per_item_and_last_answer_wins(student_client, short_blueprint):
    attempt = start(student_client, short_blueprint)
    single = [i for i in items(attempt) if i.question.kind == "single"]
    first, second = single[0], single[1]
    choices = list(first.question.choices.all())
    # Tab A and tab B both loaded revision 0 of the first item.
    a = student_client.post(answer_url(attempt, first.position), {"answer": [choices[0].pk], "question_id": first.question_id,
                                                                  "revision": 0}, HTTP_HX_REQUEST="true")
    b = student_client.post(answer_url(attempt, first.position), {"answer": [choices[1].pk], "question_id": first.question_id,
                                                                  "revision": 0}, HTTP_HX_REQUEST="true")
    assert a.status_code == b.status_code == 200
    assert b"another window" in b.content
    # Tab A answers a different item: nothing of tab B's work is lost.
    student_client.post(answer_url(attempt, second.position), {"answer": [second.question.choices.first().pk],
                                                               "question_id": second.question_id, "revision": 0},
                        HTTP_HX_REQUEST="true")
    saved = {i.position: i for i in items(attempt)}
    assert saved[first.position].response == {"choice": choices[1].pk}
    assert saved[first.position].revision == 2
    assert saved[second.position].response is not None
    assert AuditEvent.objects.filter(action="exam.answer_merged").count() == 1


def test_time_on_question_is_booked_from_the_server_clock(student_client, short_blueprint, clock):
    attempt = start(student_client, short_blueprint)
    student_client.get(reverse("certification:question", args=[attempt.pk, 1]))
    clock.advance(seconds=95)
    student_client.get(reverse("certification:question", args=[attempt.pk, 2]))
    clock.advance(seconds=40)
    student_client.get(reverse("certification:question", args=[attempt.pk, 1]))
    spent = dict(AttemptItem.objects.filter(attempt=attempt).values_list("position", "seconds_spent"))
    assert spent[1] == 95 and spent[2] == 40


def test_keys_and_rationales_never_reach_the_student_before_submission(
    student_client, short_blueprint, bank, django_capture_on_commit_callbacks
):
    attempt = start(student_client, short_blueprint)
    urls = [reverse("certification:exam_list"), reverse("certification:attempt_submit", args=[attempt.pk]),
            reverse("certification:attempt_report", args=[attempt.pk]), "/", reverse("certification:my_dashboard"),
            f"/api/v1/exams/attempts/{attempt.pk}/", f"/api/v1/exams/attempts/{attempt.pk}/report/",
            "/api/v1/exams/blueprints/"]
    urls += [reverse("certification:question", args=[attempt.pk, p]) for p in range(1, 7)]
    for url in urls:
        response = student_client.get(url, follow=True)
        body = response.content.decode()
        assert "SENTINEL-RATIONALE" not in body, url
        assert SENTINEL_CODE not in body, url
        assert "is_correct" not in body, url
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    report = student_client.get(reverse("certification:attempt_report", args=[attempt.pk])).content.decode()
    assert "SENTINEL-RATIONALE" in report


def test_overdue_attempts_are_closed_exactly_once(student, other_student, short_blueprint, clock, django_capture_on_commit_callbacks):
    from certification.services.attempts import attempt_start, attempts_close_overdue
    from certification.tasks import close_overdue_attempts

    mine = attempt_start(student=student, blueprint=short_blueprint)
    clock.advance(minutes=5)
    theirs = attempt_start(student=other_student, blueprint=short_blueprint)
    clock.advance(minutes=6)  # mine is 1 minute overdue (past grace); theirs still has 4 minutes
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = close_overdue_attempts.delay().get()
    assert result["closed"] == 1
    assert len(closings(callbacks)) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == AttemptStatus.SCORED and mine.close_reason == "timed_out"
    assert mine.submitted_at == mine.deadline
    assert theirs.status == AttemptStatus.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert attempts_close_overdue()["closed"] == 0
    assert again == []
    assert AttemptScore.objects.filter(attempt=mine).count() == 1


def test_scoring_is_idempotent(student, short_blueprint, django_capture_on_commit_callbacks):
    from certification.services.attempts import attempt_close, attempt_start
    from certification.services.scoring import attempt_score

    attempt = attempt_start(student=student, blueprint=short_blueprint)
    # An answer on the last question: every question was reached, so each gets item statistics.
    AttemptItem.objects.filter(attempt=attempt, position=6).update(response={"choice": 0})
    with django_capture_on_commit_callbacks(execute=False):
        assert attempt_close(attempt_id=attempt.pk, reason="submitted")
    first = attempt_score(attempt_id=attempt.pk)
    second = attempt_score(attempt_id=attempt.pk)
    assert first.pk == second.pk
    assert AttemptScore.objects.filter(attempt=attempt).count() == 1
    from certification.models import ItemStat

    assert set(ItemStat.objects.filter(cohort__isnull=True).values_list("n", flat=True)) == {1}


def test_a_failing_submit_queues_nothing(student_client, other_student_client, short_blueprint, django_capture_on_commit_callbacks):
    attempt = start(student_client, short_blueprint)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        other_student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    assert callbacks == []


@pytest.mark.parametrize("length", [6, 40])
def test_question_page_and_exam_list_query_counts_do_not_grow(length, student_client, django_assert_max_num_queries):
    from .factories import BlueprintFactory, QuestionFactory

    for i in range(length):
        QuestionFactory(domain="icd10cm" if i % 2 else "em")
    blueprint = BlueprintFactory(question_count=length, weights={"icd10cm": 1, "em": 1})
    attempt = start(student_client, blueprint)
    with django_assert_max_num_queries(14):
        assert student_client.get(reverse("certification:question", args=[attempt.pk, 2])).status_code == 200
    with django_assert_max_num_queries(10):
        assert student_client.get(reverse("certification:exam_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert student_client.get(reverse("certification:attempt_submit", args=[attempt.pk])).status_code == 200
