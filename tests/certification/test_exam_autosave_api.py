"""The autosave endpoints (answer save, flag) answer ordinary browser requests without DRF's layers:
the same checks, the same answers and errors, the same OpenAPI documentation, one query fewer."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from certification.models import AttemptItem

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def started(student, short_blueprint):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    return client, state, state["items"][0]


def answer_for(item: dict, n: int = 0):
    if item["kind"] == "code":
        return ["E11.9", "I10"][n]
    choice = item["choices"][n]["id"]
    return [choice] if item["kind"] == "multiple" else choice


def stored_shape(item: dict, n: int) -> dict:
    """The answer as the API returns and stores it (and accepts it back)."""
    value = answer_for(item, n)
    return {"code": {"text": value}, "multiple": {"choices": value}}.get(item["kind"], {"choice": value})


def _save_url(state, item) -> str:
    return f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/"


def test_a_save_answers_as_the_framework_did(started):
    client, state, item = started
    saved = client.put(_save_url(state, item), {"question_id": item["question_id"], "response": answer_for(item), "revision": 0},
                       format="json")
    assert saved.status_code == 200 and saved["Content-Type"] == "application/json"
    body = saved.json()
    assert set(body) == {"position", "revision", "answered_at", "merged"}
    assert (body["position"], body["revision"], body["merged"]) == (item["position"], 1, False)
    assert body["answered_at"].endswith("Z")
    stale = client.put(_save_url(state, item), {"question_id": item["question_id"], "response": stored_shape(item, 1),
                                                "revision": 0}, format="json")
    assert stale.json()["merged"] is True
    assert AttemptItem.objects.get(attempt_id=state["id"], position=item["position"]).response == stored_shape(item, 1)


def test_without_a_csrf_token_a_browser_session_cannot_save_or_flag(student, started):
    _, state, item = started
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(student)
    payload = json.dumps({"question_id": item["question_id"], "response": answer_for(item)})
    refused = browser.put(_save_url(state, item), payload, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    flag = browser.post(_save_url(state, item) + "flag/", json.dumps({"flagged": True}), content_type="application/json")
    assert flag.status_code == 403
    row = AttemptItem.objects.get(attempt_id=state["id"], position=item["position"])
    assert (row.response, row.flagged) == (None, False)

    token = "k" * 32  # a CSRF secret as the cookie holds it, and the same in the header
    browser.cookies["csrftoken"] = token
    accepted = browser.put(_save_url(state, item), payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_another_students_attempt_is_404_and_audited_and_unchanged(other_student, started):
    _, state, item = started
    outsider = api_for(other_student)
    save = outsider.put(_save_url(state, item), {"question_id": item["question_id"], "response": answer_for(item)}, format="json")
    flag = outsider.post(_save_url(state, item) + "flag/", {"flagged": True}, format="json")
    assert (save.status_code, flag.status_code) == (404, 404)
    assert save.json() == {"detail": "No such exam attempt."}
    assert AuditEvent.objects.filter(action="exam.access_denied", actor=other_student).count() == 2
    row = AttemptItem.objects.get(attempt_id=state["id"], position=item["position"])
    assert (row.response, row.flagged) == (None, False)


def test_a_position_outside_the_exam_is_refused_like_a_tampered_item(started):
    client, state, item = started
    refused = client.put(f"/api/v1/exams/attempts/{state['id']}/items/99/",
                         {"question_id": item["question_id"], "response": answer_for(item)}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_answer"
    assert AuditEvent.objects.filter(action="exam.tampered_item").exists()
    assert client.post(f"/api/v1/exams/attempts/{state['id']}/items/99/flag/", {"flagged": True},
                       format="json").status_code == 400


@pytest.mark.parametrize("payload", [
    {"question_id": "abc", "response": "I10"},
    {"response": "I10"},
    {"question_id": 1},
    {"question_id": 1, "response": "I10", "revision": "x"},
    [1, 2],
])
def test_bad_bodies_get_the_frameworks_400_messages(started, payload):
    client, state, item = started
    bad = client.put(_save_url(state, item), payload, format="json")
    assert bad.status_code == 400
    assert bad.json()  # a message per field, from the serializer
    assert AttemptItem.objects.get(attempt_id=state["id"], position=item["position"]).revision == 0


def test_malformed_json_and_a_non_boolean_flag_are_400(started):
    client, state, item = started
    broken = client.generic("PUT", _save_url(state, item), "{not json", content_type="application/json")
    assert broken.status_code == 400 and "detail" in broken.json()
    flag = client.post(_save_url(state, item) + "flag/", {"flagged": "maybe"}, format="json")
    assert flag.status_code == 400 and "flagged" in flag.json()


def test_other_methods_are_405(started):
    client, state, item = started
    assert client.get(_save_url(state, item)).status_code == 405
    assert client.get(_save_url(state, item) + "flag/").status_code == 405


def test_an_api_token_request_goes_through_the_frameworks_authentication(started):
    _, state, item = started
    stranger = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    refused = stranger.put(_save_url(state, item), json.dumps({"question_id": item["question_id"], "response": answer_for(item)}),
                           content_type="application/json")
    assert refused.status_code in (401, 403)
    assert AttemptItem.objects.get(attempt_id=state["id"], position=item["position"]).response is None


def test_the_endpoints_are_still_documented(student):
    schema = api_for(student).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    answer = schema["paths"]["/api/v1/exams/attempts/{attempt_id}/items/{position}/"]
    assert "put" in answer and "ExamAnswerInput" in json.dumps(answer["put"])
    flag = schema["paths"]["/api/v1/exams/attempts/{attempt_id}/items/{position}/flag/"]
    assert "post" in flag and "ExamFlagInput" in json.dumps(flag["post"])


def test_a_save_costs_one_query_fewer_than_an_access_check_and_a_locking_read(started, django_assert_max_num_queries):
    client, state, item = started
    # Session user, then the transaction: savepoint pair (the test's), the locking read (the access
    # check), the answer, the time on the question left, the focus.
    with django_assert_max_num_queries(7):
        saved = client.put(_save_url(state, item), {"question_id": item["question_id"], "response": answer_for(item)}, format="json")
    assert saved.status_code == 200
    with django_assert_max_num_queries(5):
        assert client.post(_save_url(state, item) + "flag/", {"flagged": True}, format="json").status_code == 200


def test_the_state_a_start_returns_is_the_state_read_back(student, short_blueprint, django_assert_max_num_queries):
    client = api_for(student)
    started = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/")
    assert started.status_code == 201
    read_back = client.get(f"/api/v1/exams/attempts/{started.json()['id']}/").json()
    fresh = started.json()
    fresh.pop("server_now"), read_back.pop("server_now")
    assert fresh == read_back
    assert all(item["choices"] or item["kind"] == "code" for item in fresh["items"])
    assert "is_correct" not in json.dumps(fresh)


def test_the_written_out_item_state_is_what_the_documented_serializer_gives(student, short_blueprint):
    from certification.api import ItemOutputSerializer, _item_state

    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    client.put(_save_url(state, state["items"][0]), {"question_id": state["items"][0]["question_id"],
                                                     "response": answer_for(state["items"][0])}, format="json")
    client.post(_save_url(state, state["items"][1]) + "flag/", {"flagged": True}, format="json")
    items = (AttemptItem.objects.filter(attempt_id=state["id"]).select_related("question", "question__scenario")
             .prefetch_related("question__choices").order_by("position"))
    assert [_item_state(item) for item in items] == json.loads(json.dumps(ItemOutputSerializer(items, many=True).data))


def test_the_written_out_attempt_fields_are_what_the_documented_serializer_gives(student, short_blueprint, clock):
    from certification.api import AttemptOutputSerializer, _attempt_fields
    from certification.models import ExamAttempt

    client = api_for(student)
    clock.current = clock.current.replace(microsecond=123456)  # sub-second times are written the same way
    started = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    attempt = ExamAttempt.objects.select_related("blueprint").get(pk=started["id"])
    documented = json.loads(json.dumps(AttemptOutputSerializer(attempt).data))
    assert _attempt_fields(attempt) == documented
    assert {key: started[key] for key in documented} == documented
