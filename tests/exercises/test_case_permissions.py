"""Who may change a case and its answer key: the author, the instructors they share it with, admins.

A case other students have submitted is never changed silently: a change to how it is graded is a
new key version, and the old grades stay in the history.
"""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from exercises.models import AnswerKey, Case, CaseShare, SubmissionScore
from exercises.services import submission_score, submission_submit

from .conftest import PERFECT

pytestmark = pytest.mark.django_db


def _form(case, release, **overrides):
    data = {
        "title": case.title, "summary": case.summary, "setting": case.setting, "specialty": case.specialty,
        "difficulty": str(case.difficulty), "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "patient_age": "64", "patient_sex": "M", "suggested_minutes": "20", "is_published": "on",
        "doc_kind": ["ed_note"], "doc_title": ["ED note"], "doc_body": ["64-year-old man with chest pain."],
        "key_role": ["principal", "secondary"], "key_system": ["icd10cm", "icd10cm"], "key_code": ["I21.4", "I10"],
        "key_modifiers": ["", ""], "key_units": ["1", "1"], "key_points": ["1", "1"], "key_alternates": ["", ""],
        "key_optional": ["", ""], "key_rationale": ["", ""], "key_guideline_refs": ["", ""],
    }
    data.update(overrides)
    return data


@pytest.fixture
def graded(student, case, cohort):
    submission, _ = submission_submit(student=student, case=case, lines=PERFECT)
    return submission, submission_score(submission_id=submission.pk)


def test_another_instructor_cannot_change_a_case_or_its_key(other_instructor_client, other_instructor, case, release,
                                                            graded, django_capture_on_commit_callbacks):
    assert other_instructor_client.get(f"/cases/{case.slug}/edit/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = other_instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release, key_code=["I10", "E11.9"]))
    assert response.status_code == 403
    assert case.answer_keys.count() == 1 and SubmissionScore.objects.count() == 1
    assert other_instructor_client.post(f"/cases/{case.slug}/move-release/", {"release": release.pk}).status_code == 403
    assert other_instructor_client.post("/cases/authoring/validate/", {"case_slug": case.slug}).status_code == 403
    assert other_instructor_client.post(f"/cases/{case.slug}/sharing/", {"username": "other_instructor"}).status_code == 403
    assert not CaseShare.objects.exists()
    denied = AuditEvent.objects.filter(action="exercises.case_edit_denied", actor=other_instructor)
    assert denied.count() >= 3 and denied.first().target_id == str(case.pk)
    # The case list offers no Edit button for it.
    assert f"/cases/{case.slug}/edit/" not in other_instructor_client.get("/cases/").content.decode()


def test_the_author_shares_a_case_with_a_named_instructor_and_can_take_it_back(
    instructor_client, other_instructor_client, other_instructor, case, release, django_capture_on_commit_callbacks,
):
    page = instructor_client.get(f"/cases/{case.slug}/edit/").content.decode()
    assert "Who can change this case" in page and f"/cases/{case.slug}/sharing/" in page
    response = instructor_client.post(f"/cases/{case.slug}/sharing/", {"username": "other_instructor"}, follow=True)
    assert "can now change this case" in response.content.decode()
    assert CaseShare.objects.filter(case=case, instructor=other_instructor).exists()
    event = AuditEvent.objects.get(action="exercises.case_shared")
    assert event.after["instructor"] == {"id": other_instructor.pk, "username": "other_instructor"}

    assert other_instructor_client.get(f"/cases/{case.slug}/edit/").status_code == 200
    assert f"/cases/{case.slug}/edit/" in other_instructor_client.get("/cases/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert other_instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release)).status_code == 302
    assert case.answer_keys.count() == 2
    # A shared editor does not decide who else gets in.
    assert other_instructor_client.post(f"/cases/{case.slug}/sharing/", {"username": "instructor"}).status_code == 403

    instructor_client.post(f"/cases/{case.slug}/sharing/{other_instructor.pk}/remove/")
    assert not CaseShare.objects.exists()
    assert AuditEvent.objects.filter(action="exercises.case_unshared").count() == 1
    assert other_instructor_client.get(f"/cases/{case.slug}/edit/").status_code == 403


@pytest.mark.parametrize("username, message", [
    ("student", "is not an instructor"), ("nobody", "No active account"), ("instructor", "wrote this case"),
])
def test_sharing_is_only_with_other_instructors(instructor_client, student, case, username, message):
    response = instructor_client.post(f"/cases/{case.slug}/sharing/", {"username": username}, follow=True)
    assert message in response.content.decode()
    assert not CaseShare.objects.exists()


def test_students_cannot_share_or_edit(student_client, case):
    assert student_client.post(f"/cases/{case.slug}/sharing/", {"username": "student"}).status_code == 403
    assert student_client.post(f"/cases/{case.slug}/edit/", {}).status_code == 403
    assert not CaseShare.objects.exists()


def test_an_admin_can_change_any_case(admin_client_, case, release, django_capture_on_commit_callbacks):
    assert admin_client_.get(f"/cases/{case.slug}/edit/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(f"/cases/{case.slug}/edit/", _form(case, release)).status_code == 302
    assert case.answer_keys.count() == 2


def test_turning_a_submitted_case_into_a_query_case_is_a_new_key_version(
    instructor_client, student, case, release, django_capture_on_commit_callbacks,
):
    # The key as the editor saves it (lines and the case details it grades with).
    with django_capture_on_commit_callbacks(execute=True):
        assert instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release)).status_code == 302
    v2 = case.answer_keys.order_by("-version").first()
    assert v2.version == 2 and v2.case_rules["is_query_case"] is False
    case.refresh_from_db()
    submission, _ = submission_submit(student=student, case=case, lines=[{"role": "principal", "code": "I21.4"},
                                                                        {"role": "secondary", "code": "I10"}])
    first = submission_score(submission_id=submission.pk)
    assert first.key == v2 and first.score == 100

    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release, is_query_case="on"))
    assert response.status_code == 302
    case.refresh_from_db()
    v3 = case.answer_keys.order_by("-version").first()
    assert case.is_query_case and v3.version == 3 and v3.case_rules["is_query_case"] is True
    assert "is_query_case" in v3.note
    assert list(v3.lines.values_list("code", flat=True)) == ["I214", "I10"]
    # The old grade is kept in the history; the current one is against the new version.
    first.refresh_from_db()
    assert not first.is_current and first.key == v2 and first.score == 100
    current = SubmissionScore.objects.get(submission=submission, is_current=True)
    assert current.key == v3 and current.score < 100  # the query it now expects was not made
    event = AuditEvent.objects.filter(action="exercises.answer_key_versioned").first()
    assert event.after["changed_case_rules"] == ["is_query_case"]


def test_a_case_nobody_submitted_follows_its_details_without_a_new_version(instructor_client, case, release,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release))
        instructor_client.post(f"/cases/{case.slug}/edit/", _form(case, release, is_query_case="on"))
    assert case.answer_keys.count() == 2
    assert AnswerKey.objects.filter(case=case).order_by("-version").first().case_rules["is_query_case"] is True


def test_students_learn_that_a_case_expects_a_query_only_after_submitting(student_client, student, case):
    Case.objects.filter(pk=case.pk).update(is_query_case=True)
    assert "Query case" not in student_client.get("/cases/").content.decode()
    assert "is_query_case" not in student_client.get("/api/v1/cases/").content.decode()
    assert "is_query_case" not in student_client.get(f"/api/v1/cases/{case.slug}/").content.decode()
    submission_submit(student=student, case=case, lines=PERFECT)
    assert "Query case" in student_client.get("/cases/").content.decode()
