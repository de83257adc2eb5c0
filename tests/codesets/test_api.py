"""REST: release list, changes (filtered, paginated), upload and activation for admins."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from codesets.models import CodeSetRelease, ReleaseStatus

from .conftest import fixture_path

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def upload_payload(name="tabular_fy2025.xml", content=None, **overrides):
    payload = {
        "system": "icd10cm",
        "label": "FY2025",
        "effective_from": "2024-10-01",
        "file": SimpleUploadedFile(name, content if content is not None else fixture_path(name).read_bytes()),
    }
    payload.update(overrides)
    return payload


def test_release_list_fields(fy2026, student):
    response = api_for(student).get("/api/v1/codesets/")
    assert response.status_code == 200
    rows = {row["label"]: row for row in response.json()}
    assert set(rows["FY2026"]) == {
        "id", "system", "label", "effective_from", "effective_to", "billable_count", "header_count", "is_current", "status",
    }
    assert rows["FY2026"]["billable_count"] == 18 and rows["FY2025"]["is_current"] is True
    assert rows["FY2026"]["effective_from"] == "2025-10-01"


def test_non_admins_do_not_see_failed_releases(fy2025, student, admin_user):
    CodeSetRelease.objects.create(system="icd10cm", label="BAD", effective_from=datetime.date(2026, 10, 1), status=ReleaseStatus.FAILED)
    assert [r["label"] for r in api_for(student).get("/api/v1/codesets/").json()] == ["FY2025"]
    assert {r["label"] for r in api_for(admin_user).get("/api/v1/codesets/").json()} == {"FY2025", "BAD"}


def test_changes_filtered_by_kind_and_chapter(fy2026, instructor):
    client = api_for(instructor)
    response = client.get(f"/api/v1/codesets/{fy2026.pk}/changes/?kind=added")
    body = response.json()
    assert body["count"] == 4 and {row["code"] for row in body["results"]} == {"A001", "B10810", "B10818", "E11A"}
    assert body["counts"] == {"added": 4, "deleted": 2, "revised": 4}
    row = body["results"][0]
    assert set(row) == {"kind", "code", "display_code", "chapter", "old_title", "new_title"}
    body = client.get(f"/api/v1/codesets/{fy2026.pk}/changes/?kind=revised&chapter=19").json()
    assert {row["code"] for row in body["results"]} == {"S060X0A", "S060X0D", "S060X0S"}


def test_changes_are_paginated(fy2026, instructor):
    body = api_for(instructor).get(f"/api/v1/codesets/{fy2026.pk}/changes/?limit=3").json()
    assert body["count"] == 10 and len(body["results"]) == 3 and body["next"]


def test_an_unknown_kind_is_a_400(fy2026, instructor):
    response = api_for(instructor).get(f"/api/v1/codesets/{fy2026.pk}/changes/?kind=moved")
    assert response.status_code == 400 and "kind" in response.json()


def test_unknown_release_is_json_404(instructor):
    response = api_for(instructor).get("/api/v1/codesets/999/changes/")
    assert response.status_code == 404 and "detail" in response.json()


def test_admin_upload_returns_202_and_imports(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(admin_user).post("/api/v1/codesets/upload/", upload_payload(), format="multipart")
    assert response.status_code == 202
    body = response.json()
    assert body["created"] is True and body["status_url"] == f"/api/v1/codesets/{body['id']}/"
    detail = api_for(admin_user).get(body["status_url"]).json()
    assert detail["status"] == "ready" and detail["billable_count"] == 16 and detail["progress_percent"] == 100


def test_upload_twice_answers_200_and_creates_nothing(fy2025, admin_user):
    response = api_for(admin_user).post("/api/v1/codesets/upload/", upload_payload(label="Again"), format="multipart")
    assert response.status_code == 200 and response.json()["created"] is False and response.json()["id"] == fy2025.pk
    assert CodeSetRelease.objects.count() == 1


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("lol.xml", fixture_path("billion_laughs.xml").read_bytes(), "DTD, entities or external references"),
        ("xxe.xml", fixture_path("external_entity.xml").read_bytes(), "DTD, entities or external references"),
        ("cut.xml", fixture_path("tabular_fy2025.xml").read_bytes()[:1500], "not well-formed XML"),
        ("sheet.xlsx", b"PK\x03\x04" + b"\x00" * 64, "ZIP archive or an Excel workbook"),
    ],
)
def test_bad_uploads_are_400_with_a_message(name, content, message, admin_user):
    response = api_for(admin_user).post("/api/v1/codesets/upload/", upload_payload(name, content), format="multipart")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert CodeSetRelease.objects.count() == 0


def test_oversized_upload_is_400(admin_user, settings):
    settings.MAX_UPLOAD_BYTES = 500
    response = api_for(admin_user).post("/api/v1/codesets/upload/", upload_payload(), format="multipart")
    assert response.status_code == 400 and "larger than" in response.json()["detail"]
    assert CodeSetRelease.objects.count() == 0


def test_upload_validation_errors_are_400(admin_user):
    response = api_for(admin_user).post("/api/v1/codesets/upload/", {"system": "icd9"}, format="multipart")
    assert response.status_code == 400 and "system" in response.json()


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_cannot_upload_or_activate(role, fy2026, request):
    client = api_for(request.getfixturevalue(role))
    assert client.post("/api/v1/codesets/upload/", upload_payload(label="X"), format="multipart").status_code == 403
    assert client.post(f"/api/v1/codesets/{fy2026.pk}/activate/").status_code == 403
    fy2026.refresh_from_db()
    assert not fy2026.is_current and CodeSetRelease.objects.count() == 2


def test_admin_activation_is_audited(fy2026, admin_user):
    response = api_for(admin_user).post(f"/api/v1/codesets/{fy2026.pk}/activate/", {"is_current": False, "label": "hacked"})
    assert response.status_code == 200 and response.json()["is_current"] is True and response.json()["label"] == "FY2026"
    assert AuditEvent.objects.filter(action="codeset.release_activated", target_id=str(fy2026.pk), actor=admin_user).exists()


def test_session_api_upload_needs_csrf(admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/v1/codesets/upload/", upload_payload(), format="multipart")
    assert response.status_code == 403
    assert CodeSetRelease.objects.count() == 0
