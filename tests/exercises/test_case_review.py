"""Case review: draft -> in review -> verified by a second instructor with an audited note; pilot cohorts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from exercises.models import Case, ReviewStatus
from exercises.services import answer_key_publish
from tests.factories import CohortFactory

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_case(release, instructor):
    """A published case its author has not had reviewed yet."""
    case = CaseFactory(title="Knee pain follow-up", slug="knee-pain", icd10cm_release=release, author=instructor,
                       review_status=ReviewStatus.DRAFT, patient_age=58, patient_sex="M")
    key = make_key(case, [{"role": "principal", "code": "E119", "rationale": "Type 2 without complications.",
                           "guideline_refs": "I.C.4.a"}])
    key.created_by = instructor
    key.save()
    return case


def _events(case, action):
    return AuditEvent.objects.filter(target_type="exercises.case", target_id=str(case.pk), action=action)


def test_it_moves_from_draft_to_review_to_verified_with_an_audited_note(
        instructor_client, other_instructor_client, other_instructor, draft_case):
    response = instructor_client.post(reverse("exercises:case_review_send", args=[draft_case.slug]), {"note": "Ready"})
    assert response.status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.IN_REVIEW
    assert _events(draft_case, "exercises.case_review_requested").count() == 1

    page = other_instructor_client.get(reverse("exercises:case_review", args=[draft_case.slug]))
    assert page.status_code == 200
    assert b"Type 2 without complications." in page.content and b"Verify the key" in page.content

    other_instructor_client.post(reverse("exercises:case_review_verify", args=[draft_case.slug]),
                                 {"note": "Checked E11.9 against the H&P; no complication documented."})
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.VERIFIED
    assert draft_case.verified_by == other_instructor
    assert draft_case.verified_key_id == draft_case.current_key_id
    event = _events(draft_case, "exercises.case_verified").get()
    assert event.actor == other_instructor and "no complication documented" in event.reason
    assert event.after["key_version"] == 1


def test_the_author_cannot_verify_their_own_case(instructor_client, instructor, draft_case):
    instructor_client.post(reverse("exercises:case_review_send", args=[draft_case.slug]))
    page = instructor_client.get(reverse("exercises:case_review", args=[draft_case.slug]))
    assert b"Verify the key" not in page.content and b"A second instructor verifies it" in page.content
    response = instructor_client.post(reverse("exercises:case_review_verify", args=[draft_case.slug]), {"note": "fine"})
    assert response.status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.IN_REVIEW
    assert not _events(draft_case, "exercises.case_verified").exists()


def test_whoever_wrote_the_current_key_cannot_verify_it(other_instructor, draft_case):
    from exercises.services.case_review import case_review_request, case_verify
    from django.core.exceptions import ValidationError

    key, _ = answer_key_publish(actor=other_instructor, case=draft_case, lines=[
        {"role": "principal", "code": "E1165", "rationale": "Hyperglycemia documented.", "guideline_refs": "I.C.4.a"}])
    case_review_request(actor=other_instructor, case=draft_case)
    with pytest.raises(ValidationError):
        case_verify(actor=other_instructor, case=draft_case, note="Looks right")


def test_a_note_is_required_and_students_cannot_review(student_client, other_instructor_client, draft_case):
    from exercises.services.case_review import case_review_request

    case_review_request(actor=draft_case.author, case=draft_case)
    other_instructor_client.post(reverse("exercises:case_review_verify", args=[draft_case.slug]), {"note": "  "})
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.IN_REVIEW
    assert student_client.get(reverse("exercises:case_review", args=[draft_case.slug])).status_code == 403
    assert student_client.post(reverse("exercises:case_review_verify", args=[draft_case.slug]),
                               {"note": "ok"}).status_code == 403
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.IN_REVIEW


def test_a_key_with_blocking_problems_is_not_sent_for_review(instructor_client, release, instructor):
    case = CaseFactory(slug="bad-key", icd10cm_release=release, author=instructor, review_status=ReviewStatus.DRAFT,
                       is_published=False)
    make_key(case, [{"role": "principal", "code": "E11"}])  # a header: not billable
    instructor_client.post(reverse("exercises:case_review_send", args=[case.slug]))
    case.refresh_from_db()
    assert case.review_status == ReviewStatus.DRAFT


def test_the_reviewer_sends_a_case_back_with_a_note(other_instructor_client, draft_case):
    from exercises.services.case_review import case_review_request

    case_review_request(actor=draft_case.author, case=draft_case)
    other_instructor_client.post(reverse("exercises:case_review_send_back", args=[draft_case.slug]),
                                 {"note": "The H&P says hyperglycemia: E11.65, not E11.9."})
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.DRAFT
    assert "E11.65" in _events(draft_case, "exercises.case_review_returned").get().reason


def test_a_new_key_version_on_a_verified_case_sends_it_back_to_review(instructor, other_instructor, draft_case):
    from exercises.services.case_review import case_review_request, case_verify

    case_review_request(actor=instructor, case=draft_case)
    case_verify(actor=other_instructor, case=draft_case, note="Checked")
    answer_key_publish(actor=instructor, case=draft_case, lines=[
        {"role": "principal", "code": "E1165", "rationale": "Hyperglycemia.", "guideline_refs": "I.C.4.a"}])
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.IN_REVIEW
    assert _events(draft_case, "exercises.case_review_reopened").count() == 1


def test_students_see_verified_cases_everywhere_and_unverified_ones_only_in_a_pilot_cohort(
        student, student_client, other_student_client, instructor, instructor_client, draft_case, cohort):
    slug = draft_case.slug

    def sees(client) -> tuple[bool, bool, int]:
        listed = slug.encode() in client.get(reverse("exercises:case_list")).content
        api = any(row["slug"] == slug for row in client.get(reverse("exercises-api-case-list")).json()["results"])
        return listed, api, client.get(reverse("exercises:case_workspace", args=[slug])).status_code

    assert sees(student_client) == (False, False, 404)  # published, not verified, piloted with nobody

    response = instructor_client.post(reverse("exercises:case_pilot_cohorts", args=[slug]), {"cohort": [cohort.pk]})
    assert response.status_code == 302
    assert sees(student_client) == (True, True, 200)
    assert b"Pilot" in student_client.get(reverse("exercises:case_workspace", args=[slug])).content
    assert sees(other_student_client) == (False, False, 404)  # not in the pilot cohort
    assert AuditEvent.objects.filter(action="exercises.case_pilot_cohorts_changed", target_id=str(draft_case.pk)).exists()

    Case.objects.filter(pk=draft_case.pk).update(review_status=ReviewStatus.VERIFIED)
    assert sees(other_student_client) == (True, True, 200)
    assert b"Verified" in other_student_client.get(reverse("exercises:case_workspace", args=[slug])).content


def test_only_the_author_chooses_pilot_cohorts_and_only_among_their_own(
        other_instructor_client, instructor_client, draft_case, other_cohort, cohort):
    response = other_instructor_client.post(reverse("exercises:case_pilot_cohorts", args=[draft_case.slug]),
                                            {"cohort": [other_cohort.pk]})
    assert response.status_code == 403
    instructor_client.post(reverse("exercises:case_pilot_cohorts", args=[draft_case.slug]), {"cohort": [other_cohort.pk]})
    assert list(draft_case.pilot_cohorts.all()) == []
    instructor_client.post(reverse("exercises:case_pilot_cohorts", args=[draft_case.slug]), {"cohort": [cohort.pk]})
    assert list(draft_case.pilot_cohorts.all()) == [cohort]


def test_the_editor_shows_the_review_panel(instructor_client, draft_case, cohort):
    page = instructor_client.get(reverse("exercises:case_edit", args=[draft_case.slug]))
    assert page.status_code == 200
    assert b"Review before students see it" in page.content and b"Send for review" in page.content
    assert cohort.name.encode() in page.content
    assert b"no student sees this case yet" in page.content


def test_a_submitted_unpiloted_case_is_closed_to_an_outside_student(other_student_client, draft_case):
    response = other_student_client.post(reverse("exercises:submit", args=[draft_case.slug]),
                                         {"principal_code": "E11.9"})
    assert response.status_code == 404
    assert not draft_case.submissions.exists()


def test_a_case_of_another_cohort_is_hidden_from_a_student_in_no_pilot_cohort(student_client, draft_case, other_cohort):
    draft_case.pilot_cohorts.add(CohortFactory(name="Third cohort"))
    assert student_client.get(reverse("exercises:case_workspace", args=[draft_case.slug])).status_code == 404


def test_the_api_says_whether_a_case_is_verified(student_client, draft_case, cohort):
    draft_case.pilot_cohorts.add(cohort)
    detail = student_client.get(reverse("exercises-api-case-detail", args=[draft_case.slug])).json()
    assert detail["verified"] is False
    Case.objects.filter(pk=draft_case.pk).update(review_status=ReviewStatus.VERIFIED)
    rows = student_client.get(reverse("exercises-api-case-list")).json()["results"]
    assert [row["verified"] for row in rows if row["slug"] == draft_case.slug] == [True]


@pytest.mark.parametrize("name, method", [
    ("exercises:case_review", "get"), ("exercises:case_review_send", "post"), ("exercises:case_review_verify", "post"),
    ("exercises:case_review_send_back", "post"), ("exercises:case_pilot_cohorts", "post"),
])
def test_students_are_refused_every_review_url_and_nothing_changes(student_client, draft_case, cohort, name, method):
    response = getattr(student_client, method)(reverse(name, args=[draft_case.slug]), {"note": "x", "cohort": [cohort.pk]})
    assert response.status_code == 403
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.DRAFT and not draft_case.pilot_cohorts.exists()
    assert AuditEvent.objects.filter(action__startswith="exercises.case_", target_id=str(draft_case.pk)).exclude(
        action__endswith="_denied").count() == 0


def test_an_instructor_who_may_not_edit_the_case_cannot_send_it_for_review(other_instructor_client, draft_case):
    response = other_instructor_client.post(reverse("exercises:case_review_send", args=[draft_case.slug]))
    assert response.status_code == 403
    draft_case.refresh_from_db()
    assert draft_case.review_status == ReviewStatus.DRAFT


def test_an_unknown_case_is_404_for_reviewers(other_instructor_client):
    assert other_instructor_client.get(reverse("exercises:case_review", args=["no-such-case"])).status_code == 404
