"""Exam facts still to verify are notes for the people who maintain the exams, never for students."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certification.models import Blueprint
from certification.services.blueprints import blueprints_ensure_builtin

from .conftest import correct_post_value
from .test_exams import items, start

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-VERIFY-5c1e"


@pytest.fixture
def noted(short_blueprint):
    blueprints_ensure_builtin()
    Blueprint.objects.update(facts_to_verify=f"verify: {SENTINEL} count and weights from a secondary source")
    short_blueprint.refresh_from_db()
    return short_blueprint


def test_students_never_see_verify_notes_on_any_exam_page_or_api(
    student, student_client, noted, django_capture_on_commit_callbacks
):
    pages = [reverse("certification:exam_list"), "/", reverse("certification:my_dashboard")]
    attempt = start(student_client, noted)
    rows = items(attempt)
    student_client.post(reverse("certification:answer", args=[attempt.pk, 1]),
                        {"answer": correct_post_value(rows[0]), "question_id": rows[0].question_id}, HTTP_HX_REQUEST="true")
    pages += [reverse("certification:question", args=[attempt.pk, 1]), reverse("certification:attempt_submit", args=[attempt.pk])]
    for url in pages:
        response = student_client.get(url)
        assert response.status_code == 200, url
        assert SENTINEL not in response.content.decode(), url
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    for url in (reverse("certification:attempt_report", args=[attempt.pk]), reverse("certification:exam_list"),
                reverse("certification:my_dashboard"), "/"):
        response = student_client.get(url)
        assert response.status_code == 200, url
        assert SENTINEL not in response.content.decode(), url

    api = APIClient()
    api.force_login(student)
    for url in ("/api/v1/exams/blueprints/", f"/api/v1/exams/attempts/{attempt.pk}/",
                f"/api/v1/exams/attempts/{attempt.pk}/report/", "/api/v1/readiness/me/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert SENTINEL not in response.content.decode(), url


def test_instructors_and_admins_see_the_notes_on_the_exam_list(instructor_client, admin_client_, noted):
    for client in (instructor_client, admin_client_):
        body = client.get(reverse("certification:exam_list")).content.decode()
        assert SENTINEL in body and "verify-note" in body
