"""Instructor review: overrides (audited, visible to the student), comments, regrade history, CSV, scoping."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from exercises.models import AnswerKey, ScoreOverride, SubmissionScore
from exercises.services import answer_key_publish, submission_score, submission_submit

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(student, case, cohort):
    lines = [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.9"},
             {"role": "secondary", "code": "I10"}, {"role": "procedure", "system": "cpt", "code": "93458"}]
    submission, _ = submission_submit(student=student, case=case, lines=lines)
    score = submission_score(submission_id=submission.pk)
    return submission, score


def test_instructor_overrides_a_line_with_a_reason_and_the_student_sees_it(instructor_client, student_client, scored):
    submission, score = scored
    index = next(i for i, f in enumerate(score.result["findings"]) if f["key_code"] == "E1165")
    assert score.result["findings"][index]["verdict"] == "partial"
    response = instructor_client.post(f"/cases/scores/{score.pk}/override-line/",
                                      {"line_index": index, "credit": "1", "reason": "Chart supports it; accepted."})
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.result["findings"][index]["verdict"] == "correct"
    assert score.final_score > score.score
    event = AuditEvent.objects.get(action="exercises.score_line_overridden")
    assert event.actor.username == "instructor" and event.reason == "Chart supports it; accepted."
    assert event.before["verdict"] == "partial" and event.after["verdict"] == "correct"
    page = student_client.get(f"/cases/submissions/{submission.pk}/")
    assert b"Chart supports it; accepted." in page.content and b"Adjusted by your instructor" in page.content


def test_an_override_needs_a_reason_and_changes_nothing_without_one(instructor_client, scored):
    _, score = scored
    before = score.final_score
    instructor_client.post(f"/cases/scores/{score.pk}/override-line/", {"line_index": 0, "credit": "0", "reason": ""})
    score.refresh_from_db()
    assert score.final_score == before and not ScoreOverride.objects.exists()


def test_total_override_is_audited(instructor_client, student_client, scored):
    submission, score = scored
    instructor_client.post(f"/cases/scores/{score.pk}/override-total/", {"total": "90", "reason": "Regrade after appeal"})
    score.refresh_from_db()
    assert score.final_score == 90.0 and score.passed
    assert AuditEvent.objects.filter(action="exercises.score_total_overridden", reason="Regrade after appeal").exists()
    assert b"Regrade after appeal" in student_client.get(f"/cases/submissions/{submission.pk}/").content
    bad = instructor_client.post(f"/cases/scores/{score.pk}/override-total/", {"total": "140", "reason": "x"}, follow=True)
    assert bad.status_code == 200
    score.refresh_from_db()
    assert score.final_score == 90.0


def test_accepting_an_extra_line_removes_its_penalty(instructor_client, student, case, cohort):
    lines = [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.65"},
             {"role": "secondary", "code": "I10"}, {"role": "secondary", "code": "R07.9"},
             {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]}]
    submission, _ = submission_submit(student=student, case=case, lines=lines)
    score = submission_score(submission_id=submission.pk)
    assert score.score == 80.0
    index = next(i for i, f in enumerate(score.result["findings"]) if f["verdict"] == "extra")
    instructor_client.post(f"/cases/scores/{score.pk}/override-line/", {"line_index": index, "credit": "1", "reason": "Supported."})
    score.refresh_from_db()
    assert score.final_score == 100.0


def test_comments_reach_the_student(instructor_client, student_client, scored):
    submission, _ = scored
    instructor_client.post(f"/cases/submissions/{submission.pk}/comments/", {"body": "Look at I.C.4.a again."})
    assert b"Look at I.C.4.a again." in student_client.get(f"/cases/submissions/{submission.pk}/").content


def test_outsiders_cannot_override_comment_or_view(other_instructor_client, other_student_client, student_client, scored):
    submission, score = scored
    assert other_instructor_client.get(f"/cases/submissions/{submission.pk}/").status_code == 404
    assert other_student_client.get(f"/cases/submissions/{submission.pk}/").status_code == 404
    assert other_student_client.get(f"/cases/submissions/{submission.pk}/result/").status_code == 404
    assert other_instructor_client.post(f"/cases/scores/{score.pk}/override-total/", {"total": "0", "reason": "x"}).status_code == 404
    assert student_client.post(f"/cases/scores/{score.pk}/override-total/", {"total": "100", "reason": "x"}).status_code == 403
    assert other_instructor_client.post(f"/cases/submissions/{submission.pk}/comments/", {"body": "hi"}).status_code == 404
    score.refresh_from_db()
    assert score.final_score == score.score


def test_admin_sees_every_submission(admin_client_, scored):
    submission, _ = scored
    assert admin_client_.get(f"/cases/submissions/{submission.pk}/").status_code == 200


def test_review_queue_filters_by_cohort_and_is_scoped(instructor_client, other_instructor_client, scored, cohort, other_cohort):
    response = instructor_client.get(f"/cases/review/?cohort={cohort.pk}")
    assert response.status_code == 200 and b"Sam Student" in response.content
    assert b"Sam Student" not in other_instructor_client.get("/cases/review/").content
    # Another instructor's cohort id does not widen the view.
    assert b"Sam Student" not in other_instructor_client.get(f"/cases/review/?cohort={cohort.pk}").content


def test_students_cannot_open_the_review_queue(student_client):
    assert student_client.get("/cases/review/").status_code == 403
    assert student_client.get("/cases/review/export.csv").status_code == 403


def test_review_queue_query_count_does_not_grow_with_rows(instructor_client, instructor, case, cohort, django_assert_max_num_queries):
    from tests.factories import StudentFactory
    from courses.models import CohortMembership

    for n in range(6):
        pupil = StudentFactory(username=f"pupil{n}")
        CohortMembership.objects.create(cohort=cohort, student=pupil)
        submission, _ = submission_submit(student=pupil, case=case, lines=[{"role": "principal", "code": "I21.4"}])
        submission_score(submission_id=submission.pk)
    with django_assert_max_num_queries(12):
        response = instructor_client.get("/cases/review/")
    assert response.content.count(b"pupil") >= 6


def test_csv_export_lists_grades(instructor_client, scored):
    response = instructor_client.get("/cases/review/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0].startswith("student,name,case")
    assert "student,Sam Student,Chest pain admission" in text


def test_changing_the_key_regrades_and_keeps_history(instructor, scored, django_capture_on_commit_callbacks):
    submission, first = scored
    case = submission.case
    lines = [
        {"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.9"}, {"role": "secondary", "code": "I10"},
        {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        key, created = answer_key_publish(actor=instructor, case=case, lines=lines)
    assert created and key.version == 2
    scores = list(SubmissionScore.objects.filter(submission=submission).order_by("created_at"))
    assert len(scores) == 2
    assert not scores[0].is_current and scores[1].is_current and scores[1].key == key
    assert scores[0].score == first.score and scores[1].score > first.score
    # Saving the same key again is not a new version.
    assert answer_key_publish(actor=instructor, case=case, lines=lines) == (key, False)


def test_bulk_regrade_queues_only_visible_work(instructor_client, scored, other_student, django_capture_on_commit_callbacks):
    submission, _ = scored
    case = submission.case
    foreign, _ = submission_submit(student=other_student, case=case, lines=[{"role": "principal", "code": "I21.4"}])
    make_key(case, [{"role": "principal", "code": "I214"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_client.post("/cases/review/regrade/", {"submission": [submission.pk, foreign.pk]}, follow=True)
    assert b"1 submission(s) queued" in response.content
    latest = AnswerKey.objects.filter(case=case).order_by("-version").first()
    assert SubmissionScore.objects.filter(submission=submission, key=latest).exists()
    assert not SubmissionScore.objects.filter(submission=foreign).exists()


def test_case_list_query_count_is_flat(student_client, release, django_assert_max_num_queries):
    for n in range(8):
        CaseFactory(icd10cm_release=release)
    with django_assert_max_num_queries(10):
        assert student_client.get("/cases/").status_code == 200
