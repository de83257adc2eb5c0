"""Object-level access as a matrix (property 9) and writes that must change nothing (properties 9 and 10).

Five people: the student who owns the work, another student, the student's instructor, an
instructor of another cohort and an admin. Every id-bearing page and API that shows a student's
work is opened by each of them; refused writes leave the database as it was.
"""

from __future__ import annotations

import pytest
from django.test import Client

from certification.models import AttemptScore, AttemptStatus, ExamAttempt
from certification.services.attempts import attempt_start, attempt_submit
from courses.models import CohortMembership
from exercises.models import InstructorComment, SubmissionScore
from exercises.services import submission_score, submission_submit
from tests.certification.conftest import bank, short_blueprint  # noqa: F401 (fixtures)
from tests.exercises.conftest import PERFECT, case, release  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

PEOPLE = ("student", "other_student", "instructor", "other_instructor", "admin_user")
DENIED = (403, 404)


@pytest.fixture
def world(student, other_student, instructor, other_instructor, admin_user, cohort, case, short_blueprint,  # noqa: F811
          django_capture_on_commit_callbacks):
    from tests.factories import CohortFactory

    CohortFactory(name="Other cohort", instructors=[other_instructor], students=[other_student])
    submission, _ = submission_submit(student=student, case=case, lines=[dict(line) for line in PERFECT])
    score = submission_score(submission_id=submission.pk)
    attempt = attempt_start(student=student, blueprint=short_blueprint)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, student=student)
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS
    return {"submission": submission, "score": score, "attempt": attempt, "case": case, "cohort": cohort, "student": student,
            "blueprint": short_blueprint}


def client_for(request, who: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(who))
    return client


# (URL template, who may open it). Everyone else must get 403 or 404.
READS = [
    ("/cases/submissions/{submission}/", {"student", "instructor", "admin_user"}),
    ("/api/v1/case-submissions/{submission}/", {"student", "instructor", "admin_user"}),
    ("/exams/attempts/{attempt}/report/", {"student", "instructor", "admin_user"}),
    ("/api/v1/exams/attempts/{attempt}/report/", {"student", "instructor", "admin_user"}),
    ("/exams/readiness/students/{student}/", {"student", "instructor", "admin_user"}),
    ("/api/v1/readiness/students/{student}/", {"student", "instructor", "admin_user"}),
    ("/courses/cohorts/{cohort}/", {"instructor", "admin_user"}),
    ("/exams/cohorts/{cohort}/export.csv?credential={blueprint}", {"instructor", "admin_user"}),
    ("/cases/{case}/edit/", {"instructor", "admin_user"}),
]


def _url(template: str, world: dict) -> str:
    return template.format(
        submission=world["submission"].pk, attempt=world["attempt"].pk, student=world["student"].pk,
        cohort=world["cohort"].pk, case=world["case"].slug, blueprint=world["blueprint"].slug,
    )


@pytest.mark.parametrize("template,allowed", READS, ids=[template for template, _ in READS])
def test_each_person_sees_exactly_what_they_may(template, allowed, world, request):
    url = _url(template, world)
    outcome = {who: client_for(request, who).get(url).status_code for who in PEOPLE}
    for who in PEOPLE:
        if who in allowed:
            assert outcome[who] == 200, (url, outcome)
        else:
            assert outcome[who] in DENIED, (url, outcome)


def test_lists_are_filtered_not_only_details(world, request):
    case_list = client_for(request, "other_student").get("/api/v1/cases/").json()
    assert "results" in case_list
    review = client_for(request, "other_instructor").get("/cases/review/").content.decode()
    assert world["student"].display_name not in review
    heat_map = client_for(request, "other_instructor").get("/exams/cohorts/").content.decode()
    assert world["cohort"].name not in heat_map


def test_another_instructor_cannot_override_a_grade(world, request):
    score = world["score"]
    before = SubmissionScore.objects.get(pk=score.pk).final_score
    response = client_for(request, "other_instructor").post(
        f"/cases/scores/{score.pk}/override-total/", {"score": "12", "reason": "Taking over"}
    )
    assert response.status_code in DENIED
    assert SubmissionScore.objects.get(pk=score.pk).final_score == before


def test_another_student_cannot_comment_on_or_answer_in_someone_elses_work(world, request):
    outsider = client_for(request, "other_student")
    response = outsider.post(f"/cases/submissions/{world['submission'].pk}/comments/", {"body": "Hello"})
    assert response.status_code in DENIED
    assert not InstructorComment.objects.exists()
    answer = outsider.put(
        f"/api/v1/exams/attempts/{world['attempt'].pk}/items/1/", {"response": ["1"]}, content_type="application/json"
    )
    assert answer.status_code in DENIED


def test_another_instructor_cannot_change_someone_elses_cohort(world, request, other_student):
    members_before = set(CohortMembership.objects.filter(cohort=world["cohort"]).values_list("student_id", flat=True))
    response = client_for(request, "other_instructor").post(
        f"/courses/cohorts/{world['cohort'].pk}/roster/", {"usernames": other_student.username}
    )
    assert response.status_code in DENIED
    assert set(CohortMembership.objects.filter(cohort=world["cohort"]).values_list("student_id", flat=True)) == members_before


def test_attempt_fields_cannot_be_mass_assigned_through_the_answer_api(world, request, short_blueprint):  # noqa: F811
    student_client = client_for(request, "student")
    attempt = attempt_start(student=world["student"], blueprint=short_blueprint)
    deadline = attempt.deadline
    response = student_client.put(
        f"/api/v1/exams/attempts/{attempt.pk}/items/1/",
        {"response": [], "status": "scored", "score": 100, "deadline": "2099-01-01T00:00:00Z", "student": 1},
        content_type="application/json",
    )
    assert response.status_code < 500
    attempt = ExamAttempt.objects.get(pk=attempt.pk)
    assert (attempt.status, attempt.deadline, attempt.student_id) == (AttemptStatus.IN_PROGRESS, deadline, world["student"].pk)
    assert not AttemptScore.objects.filter(attempt=attempt).exists()
