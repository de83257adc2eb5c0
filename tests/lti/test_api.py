"""The integrator API: personal tokens and OAuth 2 client credentials with scopes, audited; the
self-hosted API docs; and every endpoint of the schema answered without a server error."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from accounts.models import AuditEvent
from courses.models import Cohort, CohortMembership
from exercises.services import submission_score, submission_submit
from tests.exercises.conftest import PERFECT, _no_readiness_rollups, case, release  # noqa: F401

pytestmark = pytest.mark.django_db


def _make_token(client, scopes, days=30) -> str:
    page = client.post("/lti/api-tokens/", {"scope": scopes, "days": days})
    assert page.status_code == 200, page.content[:300]
    return re.search(r"<code>(cw_[^<]+)</code>", page.content.decode()).group(1)


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_personal_token_reads_results_with_its_scope_only(instructor_client, instructor, cohort, student, case):
    token = _make_token(instructor_client, ["results:read"])
    assert AccessToken.objects.get().token == ""  # stored as a checksum only
    api = _bearer(token)

    listed = api.get("/api/v1/integrations/cohorts/")
    assert listed.status_code == 200
    assert [c["name"] for c in listed.json()] == ["Spring cohort"]

    refused = api.post("/api/v1/integrations/cohorts/", {"name": "Sneaky"}, content_type="application/json")
    assert refused.status_code == 403
    assert not Cohort.objects.filter(name="Sneaky").exists()
    assert AuditEvent.objects.filter(action="api.token_refused", actor=instructor).exists()
    # Endpoints that declare no scope do not take tokens at all.
    assert api.get("/api/v1/cases/").status_code in (401, 403)
    assert api.get("/cases/").status_code == 302  # nor do HTML pages
    assert AuditEvent.objects.filter(action="api.token_created", actor=instructor).exists()


def test_results_list_current_scores_after_overrides_and_only_for_the_instructors_cohorts(
        instructor_client, other_instructor_client, cohort, student, case, django_assert_max_num_queries):
    submission, _ = submission_submit(student=student, case=case, lines=PERFECT)
    score = submission_score(submission_id=submission.pk)
    api = _bearer(_make_token(instructor_client, ["results:read"]))

    with django_assert_max_num_queries(12):
        response = api.get(f"/api/v1/integrations/cohorts/{cohort.pk}/results/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["username"] == "student"
    assert row["cases"] == [{"case": "chest-pain", "title": "Chest pain admission", "final_score": score.final_score,
                             "passed": score.passed, "submitted_at": row["cases"][0]["submitted_at"]}]
    other = _bearer(_make_token(other_instructor_client, ["results:read"]))
    assert other.get(f"/api/v1/integrations/cohorts/{cohort.pk}/results/").status_code == 404


def test_a_revoked_token_stops_working(instructor_client, cohort):
    token = _make_token(instructor_client, ["results:read"])
    pk = AccessToken.objects.get().pk
    assert instructor_client.post(f"/lti/api-tokens/{pk}/revoke/").status_code == 302
    assert _bearer(token).get("/api/v1/integrations/cohorts/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="api.token_revoked").exists()


def test_students_cannot_make_tokens(student_client):
    assert student_client.get("/lti/api-tokens/").status_code == 403
    assert student_client.post("/lti/api-tokens/", {"scope": ["results:read"], "days": 5}).status_code == 403
    assert not AccessToken.objects.exists()


def test_client_credentials_manage_cohorts_as_the_applications_owner(client, instructor, student):
    application = Application.objects.create(
        name="Student information system", user=instructor, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret="s3cret-for-tests",
        hash_client_secret=True,
    )
    issued = client.post("/o/token/", {"grant_type": "client_credentials", "client_id": application.client_id,
                                       "client_secret": "s3cret-for-tests", "scope": "cohorts:manage"})
    assert issued.status_code == 200, issued.content
    api = _bearer(issued.json()["access_token"])

    made = api.post("/api/v1/integrations/cohorts/", {"name": "Fall evening"}, content_type="application/json")
    assert made.status_code == 201
    cohort = Cohort.objects.get(name="Fall evening")
    assert list(cohort.instructors.all()) == [instructor]
    assert AuditEvent.objects.filter(action="cohort.created", actor=instructor).exists()

    roster = api.post(f"/api/v1/integrations/cohorts/{cohort.pk}/roster/",
                      {"members": [{"username": "new.learner", "display_name": "New Learner"}, {"username": "student"}]},
                      content_type="application/json")
    assert roster.status_code == 200
    assert roster.json()["created"] == ["new.learner"] and roster.json()["invited"] == ["student"]

    new = CohortMembership.objects.get(cohort=cohort).student
    assert api.delete(f"/api/v1/integrations/cohorts/{cohort.pk}/members/{new.pk}/").status_code == 204
    assert not CohortMembership.objects.filter(cohort=cohort).exists()
    # Its token has no results:read.
    assert api.get(f"/api/v1/integrations/cohorts/{cohort.pk}/results/").status_code == 403


def test_a_wrong_client_secret_gets_no_token(client, instructor):
    application = Application.objects.create(
        name="SIS", user=instructor, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret="right", hash_client_secret=True)
    response = client.post("/o/token/", {"grant_type": "client_credentials", "client_id": application.client_id,
                                         "client_secret": "wrong"})
    assert response.status_code == 401


# --- Docs and the whole schema ---------------------------------------------------------------------

def test_the_docs_are_self_hosted_and_allowed_by_the_csp(instructor_client):
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = instructor_client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        policy = page["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)
        assert script_src.strip() == "'self'"
        assert "<script>" not in html and "https://" not in html.replace("https://purl", "")
        for asset in re.findall(r'(?:src|href)="/static/([^"?]+)"', html):
            assert finders.find(asset), asset
    script = instructor_client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def _schema_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "chest-pain" if "slug" in m.group(0) else "1", path)


def test_every_endpoint_in_the_schema_answers_everyone_without_a_server_error(
        client, admin_client_, student_client, cohort, case, instructor_client):
    operations = list(_schema_operations())
    assert len(operations) > 20
    assert ("/api/v1/integrations/cohorts/{cohort_id}/results/", "get") in operations
    token = _bearer(_make_token(instructor_client, ["results:read", "cohorts:manage"]))
    for path, method in operations:
        url = _concrete(path)
        anonymous = getattr(client, method)(url, content_type="application/json")
        assert anonymous.status_code in (401, 403), (method, url, anonymous.status_code)
        for who in (admin_client_, student_client, token):
            response = getattr(who, method)(url, {}, content_type="application/json")
            assert response.status_code < 500, (method, url, response.status_code, response.content[:300])
            assert response.status_code == 204 or response["Content-Type"].startswith(
                ("application/json", "application/vnd.oai.openapi")), (method, url)


def test_integrator_applications_are_audited(instructor):
    Application.objects.create(name="SIS", user=instructor, client_type=Application.CLIENT_CONFIDENTIAL,
                               authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    event = AuditEvent.objects.get(action="api.application_created")
    assert event.after == {"name": "SIS", "owner": instructor.pk, "grant": "client-credentials"}
