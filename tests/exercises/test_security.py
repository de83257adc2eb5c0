"""The answer key never reaches a student before they submit; API access, bad input and mass assignment."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from exercises.models import Submission, SubmissionScore
from exercises.services import submission_score, submission_submit

from .conftest import SENTINEL_GUIDELINE, SENTINEL_RATIONALE

pytestmark = pytest.mark.django_db


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str, slug: str, ids: list[int]) -> list[str]:
    if any(c in route for c in "()?*+[]|^$\\"):
        return []
    urls = []
    for pk in ids:
        url = re.sub(r"<int:[^>]+>", str(pk), route)
        url = re.sub(r"<slug:[^>]+>", slug, url)
        url = re.sub(r"<str:code>", "I21.4", url)
        url = re.sub(r"<[^>]+>", slug, url)
        urls.append("/" + url.lstrip("/"))
    return sorted(set(urls))


def test_no_page_or_api_shows_the_key_to_a_student_before_submitting(student, case, cohort):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    client.post(f"/cases/{case.slug}/draft/", {})  # the first autosave creates the draft
    draft = Submission.objects.get(student=student, case=case)
    ids = [draft.pk, case.pk, case.answer_keys.first().pk, 1]
    visited = 0
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(("admin/", "accounts/logout")):
            continue
        for url in _concrete(route, case.slug, ids):
            for suffix in ("", "?code=I21.4&system=icd10cm", "?format=json"):
                response = client.get(url + suffix)
                visited += 1
                body = response.content.decode(errors="ignore")
                assert SENTINEL_RATIONALE not in body, url
                assert SENTINEL_GUIDELINE not in body, url
    draft_post = client.post(f"/cases/{case.slug}/draft/", {"principal_code": "I21.4"})
    assert SENTINEL_RATIONALE not in draft_post.content.decode()
    assert visited > 30


def test_after_scoring_the_student_sees_rationales(student_client, student, case):
    submission, _ = submission_submit(student=student, case=case, lines=[{"role": "principal", "code": "I21.4"}])
    pending = student_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    assert SENTINEL_RATIONALE not in pending
    submission_score(submission_id=submission.pk)
    assert SENTINEL_RATIONALE in student_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    api = student_client.get(f"/api/v1/case-submissions/{submission.pk}/").json()
    assert api["score"]["findings"][0]["rationale"] == SENTINEL_RATIONALE


def test_api_lists_cases_and_details_without_key(student_client, case):
    listing = student_client.get("/api/v1/cases/").json()
    assert [c["slug"] for c in listing["results"]] == [case.slug]
    detail = student_client.get(f"/api/v1/cases/{case.slug}/").json()
    assert set(detail) == {"slug", "title", "summary", "setting", "specialty", "difficulty", "module", "exam_domain",
                           "verified", "patient_age", "patient_sex", "icd10cm_release", "documents"}
    assert "is_query_case" not in listing["results"][0]  # part of the key: hidden until the student submits


def test_api_submit_scores_and_ignores_mass_assignment(student_client, student, other_student, case, django_capture_on_commit_callbacks):
    payload = {
        "lines": [{"role": "principal", "code": "i21.4"}], "score": 100, "student": other_student.pk,
        "status": "scored", "key": 999,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(f"/api/v1/cases/{case.slug}/submissions/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.student == student and submission.key == case.answer_keys.first()
    assert SubmissionScore.objects.get(submission=submission).score < 100
    again = student_client.post(f"/api/v1/cases/{case.slug}/submissions/", payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == submission.pk  # double submit: same submission


@pytest.mark.parametrize("payload, message", [
    ({"lines": "nope"}, "lines"),
    ({"lines": [{"role": "boss", "code": "I10"}]}, "lines"),
    ({"lines": [{"role": "principal", "code": "I10", "units": 0}]}, "lines"),
    ({"lines": [{"role": "principal", "code": "<b>x</b>"}]}, "not a code"),
    ({"lines": [{"role": "secondary", "code": "I10"}] * 500}, "at most 100 lines"),
    ({"lines": []}, "at least one code"),
])
def test_api_bad_input_is_a_clear_400(student_client, case, payload, message):
    response = student_client.post(f"/api/v1/cases/{case.slug}/submissions/", payload, content_type="application/json")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exclude(status="draft").exists()


def test_api_outsiders_and_anonymous(client, other_student_client, other_instructor_client, student, case):
    submission, _ = submission_submit(student=student, case=case, lines=[{"role": "principal", "code": "I21.4"}])
    assert other_student_client.get(f"/api/v1/case-submissions/{submission.pk}/").status_code == 404
    assert other_instructor_client.get(f"/api/v1/case-submissions/{submission.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").status_code == 401
    assert client.get(f"/cases/{case.slug}/").status_code == 302


def test_unpublished_cases_are_hidden_from_students(student_client, instructor_client, case):
    case.is_published = False
    case.save()
    assert student_client.get("/api/v1/cases/").json()["results"] == []
    assert student_client.get(f"/api/v1/cases/{case.slug}/").status_code == 404
    assert student_client.post(f"/api/v1/cases/{case.slug}/submissions/", {"lines": []},
                               content_type="application/json").status_code == 404
    assert instructor_client.get(f"/cases/{case.slug}/").status_code == 200  # preview


def test_a_student_cannot_submit_someone_elses_draft(student_client, other_student, case):
    other_client = Client()
    other_client.force_login(other_student)
    other_client.post(f"/cases/{case.slug}/draft/", {})
    foreign = Submission.objects.get(student=other_student)
    response = student_client.post(f"/cases/{case.slug}/submit/", {"principal_code": "I21.4", "draft_id": foreign.pk}, follow=True)
    assert b"does not exist" in response.content
    foreign.refresh_from_db()
    assert foreign.status == "draft"
