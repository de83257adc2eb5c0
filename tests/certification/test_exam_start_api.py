"""The exam start answers ordinary browser requests without DRF's layers, exactly as the DRF view does:
the same state, the same refusals (method, sign-in, CSRF, access to the exam, who may sit it)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from certification import api
from certification.models import ExamAttempt

from .factories import BlueprintFactory

pytestmark = pytest.mark.django_db


def start_url(blueprint_id: int) -> str:
    return f"/api/v1/exams/blueprints/{blueprint_id}/attempts/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def through_drf(monkeypatch):
    """Run a request as the DRF view answers it (the lean view hands every request over)."""
    def run(request):
        with monkeypatch.context() as patched:
            patched.setattr(api, "_lean_request", lambda request: False)
            return request()
    return run


@pytest.fixture
def drf_answers(monkeypatch):
    """The requests the DRF view answered (the lean view answers the rest)."""
    answered: list[str] = []
    post = api.AttemptStartApi.post

    def recorded(self, request, *args, **kwargs):
        answered.append(request.method)
        return post(self, request, *args, **kwargs)

    monkeypatch.setattr(api.AttemptStartApi, "post", recorded)
    return answered


def without_clock(state: dict) -> dict:
    return {key: value for key, value in state.items() if key != "server_now"}


def test_a_start_returns_the_state_the_drf_view_returns(student, short_blueprint, through_drf, drf_answers):
    client = api_for(student)
    lean = client.post(start_url(short_blueprint.pk), {}, format="json")
    assert lean.status_code == 201 and lean["Content-Type"] == "application/json"
    assert drf_answers == []
    resumed = through_drf(lambda: client.post(start_url(short_blueprint.pk), {}, format="json"))
    assert drf_answers == ["POST"]
    assert resumed.status_code == 201 and resumed["Content-Type"] == "application/json"
    assert without_clock(lean.json()) == without_clock(resumed.json())
    assert set(lean.json()) == set(resumed.json()) == {"id", "blueprint", "status", "started_at", "deadline",
                                                         "server_now", "items"}
    assert ExamAttempt.objects.filter(student=student).count() == 1


def test_a_fresh_start_through_drf_is_what_the_lean_view_resumes(student, short_blueprint, through_drf):
    client = api_for(student)
    fresh = through_drf(lambda: client.post(start_url(short_blueprint.pk)))
    lean = client.post(start_url(short_blueprint.pk))
    assert (fresh.status_code, lean.status_code) == (201, 201)
    assert without_clock(fresh.json()) == without_clock(lean.json())


def test_a_token_request_goes_to_the_drf_view(student, short_blueprint):
    refused = Client(HTTP_AUTHORIZATION="Bearer not-a-token").post(start_url(short_blueprint.pk))
    assert refused.status_code in (401, 403) and "detail" in refused.json()
    assert not ExamAttempt.objects.exists()


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ("[1, 2]", "application/json"),
    ("a=1", "application/x-www-form-urlencoded"),
    ("", ""),
])
def test_the_start_takes_no_body_so_any_body_is_ignored_as_drf_ignores_it(student, short_blueprint, through_drf,
                                                                          body, content_type):
    client = api_for(student)
    lean = client.generic("POST", start_url(short_blueprint.pk), body, content_type=content_type)
    drf = through_drf(lambda: client.generic("POST", start_url(short_blueprint.pk), body, content_type=content_type))
    assert (lean.status_code, drf.status_code) == (201, 201)
    assert without_clock(lean.json()) == without_clock(drf.json())


def refusals(student, instructor, blueprint, hidden, inactive) -> dict:
    """Each refused request, sent by a fresh client, and what it must leave behind."""
    def signed_in(user, **extra):
        client = APIClient(**extra)
        client.force_login(user)
        return client

    def no_csrf():
        client = Client(enforce_csrf_checks=True)
        client.force_login(student)
        return client.post(start_url(blueprint.pk), "{}", content_type="application/json")

    return {
        "another method": lambda: signed_in(student).get(start_url(blueprint.pk)),
        "signed out": lambda: APIClient().post(start_url(blueprint.pk), {}, format="json"),
        "a bad API token": lambda: Client(HTTP_AUTHORIZATION="Bearer not-a-token").post(start_url(blueprint.pk)),
        "no CSRF token": no_csrf,
        "an instructor": lambda: signed_in(instructor).post(start_url(blueprint.pk), {}, format="json"),
        "another cohort's exam": lambda: signed_in(student).post(start_url(hidden.pk), {}, format="json"),
        "a retired exam": lambda: signed_in(student).post(start_url(inactive.pk), {}, format="json"),
        "no such exam": lambda: signed_in(student).post(start_url(987654), {}, format="json"),
        "HTML only": lambda: signed_in(student).post(start_url(blueprint.pk), {}, format="json", HTTP_ACCEPT="text/html"),
    }


@pytest.mark.parametrize("case", ["another method", "signed out", "a bad API token", "no CSRF token", "an instructor",
                                  "another cohort's exam", "a retired exam", "no such exam", "HTML only"])
def test_each_refusal_is_the_drf_views_refusal(case, student, instructor, other_cohort, short_blueprint, through_drf):
    hidden = BlueprintFactory(cohort=other_cohort)
    inactive = BlueprintFactory(is_active=False)
    send = refusals(student, instructor, short_blueprint, hidden, inactive)[case]
    before = AuditEvent.objects.count()
    lean = send()
    between = AuditEvent.objects.count()
    drf = through_drf(send)
    assert lean.status_code >= 400
    assert (lean.status_code, lean.content) == (drf.status_code, drf.content)
    assert AuditEvent.objects.count() - between == between - before  # the same records
    assert not ExamAttempt.objects.exists()
