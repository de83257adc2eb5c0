"""Assignment and Grade Services: case and exam scores reach the LMS gradebook over real HTTP, once,
updated after an instructor's override, and later (still once) when the LMS was down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exercises.models import SubmissionScore
from exercises.services import submission_submit
from exercises.services.review import score_override_total
from lti.models import GradePassback, LineItem, PassbackStatus, UserLink
from lti.tasks import send_due_grades, send_grade
from tests.certification.conftest import bank, short_blueprint  # noqa: F401
from tests.exercises.conftest import PERFECT, _no_readiness_rollups, case, release  # noqa: F401

pytestmark = pytest.mark.django_db

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture
def placed_case(lms, course, case):
    """The instructor placed the case in the course with a gradebook column (as deep linking does)."""
    item = lms.add_line_item(course, label="Chest pain admission", resource_id="case:chest-pain",
                             resource_link_id="link-case")
    course.resource_links["link-case"] = {"title": "Chest pain admission", "custom": {"codewise_item": "case:chest-pain"},
                                          "lineitem": item["id"]}
    return item


@pytest.fixture
def launched_learner(lms, registration, course, learner, placed_case, launch_flow):
    response = launch_flow().run(user=learner, course=course, resource_link_id="link-case")
    assert response.status_code == 302
    return UserLink.objects.get(subject=learner.sub).user


def _submit(user, case, capture):
    with capture(execute=True):
        submission, _ = submission_submit(student=user, case=case, lines=PERFECT)
    return SubmissionScore.objects.get(submission=submission, is_current=True)


def test_the_launch_records_the_gradebook_column_of_the_placement(launched_learner, placed_case):
    line_item = LineItem.objects.get()
    assert (line_item.target_kind, line_item.target_ref, line_item.url) == ("case", "chest-pain", placed_case["id"])


def test_a_case_score_reaches_the_gradebook_and_an_override_replaces_it(
        lms, course, learner, launched_learner, case, instructor, django_capture_on_commit_callbacks):
    score = _submit(launched_learner, case, django_capture_on_commit_callbacks)

    sent = lms.scores_for(course, learner)
    assert len(sent) == 1
    assert sent[0]["scoreGiven"] == pytest.approx(score.final_score)
    assert sent[0]["scoreMaximum"] == 100
    assert (sent[0]["activityProgress"], sent[0]["gradingProgress"]) == ("Completed", "FullyGraded")
    first_stamp = dt.datetime.fromisoformat(sent[0]["timestamp"])
    assert abs((timezone.now() - first_stamp).total_seconds()) < 60

    with django_capture_on_commit_callbacks(execute=True):
        score_override_total(actor=instructor, score=score, total=62.5, reason="Sequencing accepted after discussion")

    sent = lms.scores_for(course, learner)
    assert [s["scoreGiven"] for s in sent] == [pytest.approx(score.final_score), 62.5]
    assert dt.datetime.fromisoformat(sent[1]["timestamp"]) > first_stamp
    row = GradePassback.objects.get()
    assert (row.status, row.version, row.sent_version, row.sent_score) == (PassbackStatus.SENT, 2, 2, 62.5)


def test_a_repeated_score_event_sends_nothing_new(lms, course, learner, launched_learner, case,
                                                  django_capture_on_commit_callbacks):
    score = _submit(launched_learner, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        score.save()  # the same score saved again (a retried task, a no-op regrade)
    send_grade.delay(GradePassback.objects.get().pk)

    assert len(lms.scores_for(course, learner)) == 1


def test_a_score_made_while_the_lms_is_down_arrives_later_exactly_once(
        lms, course, learner, launched_learner, case, django_capture_on_commit_callbacks):
    lms.stop()
    _submit(launched_learner, case, django_capture_on_commit_callbacks)
    row = GradePassback.objects.get()
    assert row.status == PassbackStatus.PENDING and row.attempts == 1
    assert "did not answer" in row.last_error
    assert row.next_attempt_at > timezone.now()  # backing off
    assert send_due_grades.delay().get() == 0  # nothing is due yet

    lms.start()  # the LMS is back, on the same address
    GradePassback.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))  # the back-off elapsed
    send_due_grades.delay()
    send_due_grades.delay()  # the sweeper runs again, and the task is delivered twice
    send_grade.delay(row.pk)

    assert len(lms.scores_for(course, learner)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_version) == (PassbackStatus.SENT, 0, 1)
    assert [a.ok for a in row.delivery_attempts.order_by("created_at", "id")] == [False, True]


def test_a_passback_that_keeps_failing_is_shown_failed_to_the_instructor_who_sends_it_again(
        lms, course, learner, teacher, launched_learner, case, launch_flow, django_capture_on_commit_callbacks):
    course.members = [m for m in course.members if m.sub != learner.sub]  # the LMS no longer knows the learner
    _submit(launched_learner, case, django_capture_on_commit_callbacks)
    row = GradePassback.objects.get()
    assert row.status == PassbackStatus.FAILED  # a 4xx is not retried on its own
    assert "422" in row.last_error

    teacher_flow = launch_flow()
    teacher_flow.run(user=teacher, course=course)
    page = teacher_flow.client.get(f"/lti/courses/{row.line_item.context_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 failed" in text and "422" in text and "Lena Learner" in text

    lms.enroll(course, learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_flow.client.post(f"/lti/passbacks/{row.pk}/retry/")
    assert response.status_code == 302
    assert len(lms.scores_for(course, learner)) == 1
    row.refresh_from_db()
    assert row.status == PassbackStatus.SENT


def test_a_student_of_another_course_cannot_see_or_retry_its_grades(
        lms, course, learner, launched_learner, case, other_instructor_client, django_capture_on_commit_callbacks):
    course.members = [m for m in course.members if m.sub != learner.sub]
    _submit(launched_learner, case, django_capture_on_commit_callbacks)
    row = GradePassback.objects.get()

    assert other_instructor_client.get(f"/lti/courses/{row.line_item.context_id}/").status_code == 404
    assert other_instructor_client.post(f"/lti/passbacks/{row.pk}/retry/").status_code == 404
    row.refresh_from_db()
    assert row.status == PassbackStatus.FAILED


def test_scores_of_students_no_lms_knows_send_nothing(lms, registration, course, student, case,
                                                      django_capture_on_commit_callbacks, django_assert_max_num_queries):
    _submit(student, case, django_capture_on_commit_callbacks)
    assert not GradePassback.objects.exists()
    assert not [r for r in lms.requests_log if r[0] == "POST"]


def test_an_exam_score_reaches_the_gradebook(lms, registration, course, learner, launch_flow, short_blueprint,
                                             django_capture_on_commit_callbacks):
    from certification.models import AttemptItem, QuestionKind
    from certification.services.attempts import attempt_close, attempt_start
    from certification.services.scoring import attempt_score

    item = lms.add_line_item(course, label="Practice exam", resource_id=f"exam:{short_blueprint.slug}")
    course.resource_links["link-exam"] = {"title": "Practice exam", "lineitem": item["id"],
                                          "custom": {"codewise_item": f"exam:{short_blueprint.slug}"}}
    launch_flow().run(user=learner, course=course, resource_link_id="link-exam")
    user = UserLink.objects.get(subject=learner.sub).user

    attempt = attempt_start(student=user, blueprint=short_blueprint)
    # The exam's order is drawn per attempt: answer its first single-answer question (not a code entry).
    items = AttemptItem.objects.filter(attempt=attempt).select_related("question").order_by("position")
    first = next(i for i in items if i.question.kind == QuestionKind.SINGLE)
    correct = next(c.pk for c in first.question.choices.all() if c.is_correct)
    AttemptItem.objects.filter(pk=first.pk).update(response={"choice": correct})
    with django_capture_on_commit_callbacks(execute=True):
        attempt_close(attempt_id=attempt.pk, reason="submitted")
        result = attempt_score(attempt_id=attempt.pk)

    sent = lms.scores_for(course, learner)
    assert len(sent) == 1
    assert sent[0]["scoreGiven"] == pytest.approx(result.percent, abs=1e-3)
    assert sent[0]["lineItem"] == item["id"].rsplit("/", 1)[1]


def test_a_batch_writes_its_gradebook_update_with_its_scores_before_they_commit(
        lms, course, learner, launched_learner, case, django_capture_on_commit_callbacks):
    """A worker lost right after a scoring batch commits cannot drop the update: it is already in the outbox."""
    from django.db import transaction

    from exercises.services import submissions_score_all_pending

    with django_capture_on_commit_callbacks(execute=False):
        submission, _ = submission_submit(student=launched_learner, case=case, lines=PERFECT)  # queued, not scored
    assert not GradePassback.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as after_commit, transaction.atomic():
        submissions_score_all_pending()
        row = GradePassback.objects.get()  # written inside the scoring transaction
        assert row.status == PassbackStatus.PENDING
    assert after_commit  # only the send waits for the commit
    assert row.score_given == pytest.approx(SubmissionScore.objects.get(submission=submission).final_score)
    assert lms.scores_for(course, learner) == []

    GradePassback.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    send_due_grades.delay()  # the outbox's sweep sends it, had the queued send been lost
    assert len(lms.scores_for(course, learner)) == 1


def test_a_passback_failure_in_a_batch_never_undoes_the_scores(
        launched_learner, case, django_capture_on_commit_callbacks, monkeypatch):
    from exercises.services import submissions_score_all_pending
    from lti.services import passback

    with django_capture_on_commit_callbacks(execute=False):
        submission, _ = submission_submit(student=launched_learner, case=case, lines=PERFECT)

    def broken(**kwargs):
        GradePassback.objects.all().delete()  # a write the savepoint must take back
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(passback, "passbacks_record", broken)
    with django_capture_on_commit_callbacks(execute=True):
        submissions_score_all_pending()

    assert SubmissionScore.objects.filter(submission=submission, is_current=True).count() == 1
    assert not GradePassback.objects.exists()
