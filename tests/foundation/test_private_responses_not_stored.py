"""Pages and API answers with grades or personal data carry Cache-Control: no-store; static files do not."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.certification.factories import BlueprintFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_attempt(student, django_capture_on_commit_callbacks):
    for domain in ("icd10cm", "em"):
        for _ in range(2):
            QuestionFactory(domain=domain)
    blueprint = BlueprintFactory(question_count=4)
    client = APIClient()
    client.force_login(student)
    attempt_id = client.post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/exams/attempts/{attempt_id}/submit/").status_code == 200
    return attempt_id


def test_a_students_exam_result_page_is_not_stored(student_client, scored_attempt):
    response = student_client.get(f"/exams/attempts/{scored_attempt}/report/")
    assert response.status_code == 200 and b"Score by domain" in response.content
    assert "no-store" in response.headers["Cache-Control"]


def test_the_score_report_api_is_not_stored(student, scored_attempt):
    client = APIClient()
    client.force_login(student)
    response = client.get(f"/api/v1/exams/attempts/{scored_attempt}/report/")
    assert response.status_code == 200 and "percent" in response.json()
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/exams/readiness/", "/api/v1/readiness/me/"])
def test_signed_in_pages_and_apis_are_not_stored(student_client, path):
    response = student_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_an_api_refusal_to_an_anonymous_caller_is_not_stored(client):
    response = client.get("/api/v1/readiness/me/")
    assert response.status_code == 401
    assert "no-store" in response.headers["Cache-Control"]


def test_a_views_own_cache_control_is_kept(student_client):
    response = student_client.get("/health/")  # never_cache: its own, stricter header
    assert "max-age=0" in response.headers["Cache-Control"]


def test_static_files_are_left_alone(student_client):
    response = student_client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
