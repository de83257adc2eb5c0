"""Opening a page writes nothing a POST should write: no drafts, attempts or review state on GET.

What a GET may still record is what "viewed" means and is idempotent: a lesson's progress row
(the lesson was opened) and the quiz attempt that fixes the order its options are shown in
(answers may be sent by place in that order). Opening those pages twice creates nothing more.
"""

from __future__ import annotations

import pytest

from certification.models import ExamAttempt
from courses.content_loader import load_directory
from courses.models import CardState, ContentSource, Lesson, LessonProgress, QuizAttempt
from courses.services.content import program_upsert_from_bundle
from exercises.models import Submission
from tests.certification.factories import BlueprintFactory, QuestionFactory
from tests.courses.conftest import CONTENT_DIR
from tests.exercises.factories import CaseFactory, make_key
from tests.factories import CodeFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    release = ReleaseFactory(label="FY2026-G", is_current=True)
    CodeFactory(release=release, code="I10", long_title="Essential (primary) hypertension", billable=True)
    case = CaseFactory(slug="get-is-safe", icd10cm_release=release)
    make_key(case, [{"role": "principal", "code": "I10"}])
    return case


def test_opening_a_case_creates_no_draft(student_client, instructor_client, case):
    for client in (student_client, instructor_client, student_client):
        page = client.get(f"/cases/{case.slug}/")
        assert page.status_code == 200
        assert b'name="draft_id" value=""' in page.content
    assert not Submission.objects.exists()


def test_the_first_autosave_creates_the_draft_and_the_page_shows_it(student_client, student, case):
    assert student_client.post(f"/cases/{case.slug}/draft/", {"principal_code": "I10"}).status_code == 200
    draft = Submission.objects.get(student=student, case=case, status="draft")
    page = student_client.get(f"/cases/{case.slug}/")
    assert f'name="draft_id" value="{draft.pk}"'.encode() in page.content and b'value="I10"' in page.content
    assert Submission.objects.count() == 1


def test_a_case_opened_and_submitted_without_an_autosave_is_submitted_once(student_client, student, case):
    student_client.get(f"/cases/{case.slug}/")
    response = student_client.post(f"/cases/{case.slug}/submit/", {"principal_code": "I10", "draft_id": ""})
    assert response.status_code == 302
    assert Submission.objects.filter(student=student, case=case).exclude(status="draft").count() == 1
    assert not Submission.objects.filter(status="draft").exists()


@pytest.fixture
def quiz_lesson(db) -> Lesson:
    program = program_upsert_from_bundle(bundle=load_directory(CONTENT_DIR), source=ContentSource.DEMO)
    return Lesson.objects.filter(module__program=program, questions__isnull=False).distinct().first()


def test_opening_a_lesson_twice_records_one_view_and_one_quiz_attempt(student_client, student, quiz_lesson):
    for _ in range(2):
        assert student_client.get(f"/courses/lessons/{quiz_lesson.pk}/").status_code == 200
        assert student_client.get(f"/api/v1/courses/lessons/{quiz_lesson.pk}/").status_code == 200
    assert LessonProgress.objects.filter(student=student, lesson=quiz_lesson).count() == 1
    assert QuizAttempt.objects.filter(student=student).count() == 1
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_an_instructor_previewing_a_lesson_writes_nothing(instructor_client, quiz_lesson):
    assert instructor_client.get(f"/courses/lessons/{quiz_lesson.pk}/").status_code == 200
    assert instructor_client.get(f"/api/v1/courses/lessons/{quiz_lesson.pk}/").status_code == 200
    assert not LessonProgress.objects.exists() and not QuizAttempt.objects.exists()


def test_opening_flashcard_review_writes_no_review_state(student_client, quiz_lesson):
    for url in ("/courses/flashcards/", "/courses/flashcards/review/", "/api/v1/courses/flashcards/queue/"):
        assert student_client.get(url).status_code == 200, url
    assert not CardState.objects.exists()


def test_exam_pages_opened_with_get_start_nothing(student_client, student):
    for domain in ("icd10cm", "em"):
        QuestionFactory(domain=domain)
        QuestionFactory(domain=domain)
    blueprint = BlueprintFactory(question_count=4)
    assert student_client.get("/exams/").status_code == 200
    assert student_client.get(f"/exams/blueprints/{blueprint.pk}/start/").status_code == 405
    assert student_client.get("/exams/drills/icd10cm/start/").status_code == 405
    assert student_client.get("/api/v1/exams/blueprints/").status_code == 200
    assert student_client.get(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/").status_code == 405
    assert not ExamAttempt.objects.exists()
    # Once started (a POST), reading the attempt's pages adds no attempt.
    attempt = student_client.post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/").json()["id"]
    for url in (f"/exams/attempts/{attempt}/", f"/exams/attempts/{attempt}/q/1/", f"/exams/attempts/{attempt}/submit/",
                f"/api/v1/exams/attempts/{attempt}/"):
        assert student_client.get(url).status_code in (200, 302), url
    assert ExamAttempt.objects.filter(student=student).count() == 1
    assert ExamAttempt.objects.get().status == "in_progress"
