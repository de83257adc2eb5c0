"""The exam API: explicit serializers, object-level checks, JSON errors, no answer keys before scoring."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from certification.models import AttemptItem, AttemptScore, ExamAttempt

from .conftest import SENTINEL_CODE

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_full_exam_through_the_api(student, short_blueprint, django_capture_on_commit_callbacks):
    client = api_for(student)
    blueprints = client.get("/api/v1/exams/blueprints/").json()
    assert any(b["id"] == short_blueprint.pk for b in blueprints)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    assert len(state["items"]) == 6 and "deadline" in state and "server_now" in state
    first = state["items"][0]
    assert set(first) == {"position", "question_id", "kind", "domain", "stem", "scenario", "choices", "response", "flagged", "revision"}
    assert all(set(c) == {"id", "text"} for c in first["choices"])
    attempt_id = state["id"]
    for item in state["items"]:
        response = item["choices"][0]["id"] if item["choices"] else "E11.9"
        if item["kind"] == "multiple":
            response = [item["choices"][0]["id"]]
        saved = client.put(f"/api/v1/exams/attempts/{attempt_id}/items/{item['position']}/",
                           {"question_id": item["question_id"], "response": response, "revision": item["revision"]}, format="json")
        assert saved.status_code == 200, saved.json()
    assert client.post(f"/api/v1/exams/attempts/{attempt_id}/items/1/flag/", {"flagged": True}, format="json").json()["flagged"]
    early = client.get(f"/api/v1/exams/attempts/{attempt_id}/report/")
    assert early.status_code == 409 and "SENTINEL" not in early.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"/api/v1/exams/attempts/{attempt_id}/submit/").json()
    assert submitted["already_submitted"] is False
    again = client.post(f"/api/v1/exams/attempts/{attempt_id}/submit/").json()
    assert again["already_submitted"] is True and again["status"] == "scored"
    report = client.get(f"/api/v1/exams/attempts/{attempt_id}/report/").json()
    assert report["total"] == 6 and len(report["items"]) == 6
    assert all("SENTINEL-RATIONALE" in i["rationale"] for i in report["items"])
    readiness = client.get("/api/v1/readiness/me/").json()
    assert readiness["student"] == student.pk and readiness["domains"]


def test_mass_assignment_is_ignored(student, short_blueprint):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    item = state["items"][0]
    client.put(f"/api/v1/exams/attempts/{state['id']}/items/1/",
               {"question_id": item["question_id"], "response": None, "is_correct": True, "score": 100, "flagged": True,
                "student": 999}, format="json")
    saved = AttemptItem.objects.get(attempt_id=state["id"], position=1)
    assert saved.is_correct is None and saved.flagged is False and saved.attempt.student == student
    assert not AttemptScore.objects.exists()


def test_bad_input_gets_json_400_not_500(student, short_blueprint):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    url = f"/api/v1/exams/attempts/{state['id']}/items/1/"
    assert client.put(url, {"response": 1}, format="json").status_code == 400  # no question_id
    assert client.put(url, {"question_id": "abc", "response": 1}, format="json").status_code == 400
    bad = client.put(url, {"question_id": state["items"][0]["question_id"], "response": {"text": "<script>"}}, format="json")
    assert bad.status_code == 400 and "detail" in bad.json()
    missing = client.put(f"/api/v1/exams/attempts/{state['id']}/items/99/", {"question_id": 1, "response": 1}, format="json")
    assert missing.status_code == 400


def test_outsiders_get_404_on_every_attempt_endpoint(student, other_student, other_instructor, short_blueprint):
    state = api_for(student).post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    attempt_id = state["id"]
    for outsider in (other_student, other_instructor):
        client = api_for(outsider)
        assert client.get(f"/api/v1/exams/attempts/{attempt_id}/").status_code == 404
        assert client.get(f"/api/v1/exams/attempts/{attempt_id}/report/").status_code == 404
        assert client.put(f"/api/v1/exams/attempts/{attempt_id}/items/1/", {"question_id": 1, "response": 1},
                          format="json").status_code == 404
        assert client.post(f"/api/v1/exams/attempts/{attempt_id}/submit/").status_code == 404
        assert client.get(f"/api/v1/readiness/students/{student.pk}/").status_code == 404
    assert ExamAttempt.objects.get(pk=attempt_id).status == "in_progress"


def test_late_answers_are_rejected_by_the_api(student, short_blueprint, clock):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    clock.advance(minutes=11)
    item = state["items"][0]
    response = client.put(f"/api/v1/exams/attempts/{state['id']}/items/1/",
                          {"question_id": item["question_id"], "response": item["choices"][0]["id"] if item["choices"] else "A1"},
                          format="json")
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"


def test_anonymous_api_is_401(short_blueprint):
    assert APIClient().get("/api/v1/exams/blueprints/").status_code == 401


def test_sentinel_code_key_is_not_in_the_attempt_state(student, short_blueprint):
    state = api_for(student).post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/")
    assert SENTINEL_CODE not in state.content.decode()
