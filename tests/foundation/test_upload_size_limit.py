"""An upload whose declared length is over the limit is refused with 413 before its body is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from rest_framework.test import APIClient

from codesets.models import CodeSetRelease

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32


@pytest.fixture
def small_limit(settings):
    # The refusal threshold is 2 × MAX_UPLOAD_BYTES plus 1 MB of form overhead; a ~1.2 MB body is over it.
    settings.MAX_UPLOAD_BYTES = 1000


@pytest.fixture
def body_reads(monkeypatch):
    """Records every time Django's multipart parser runs (it is what reads an upload's body)."""
    calls: list[int] = []
    original = multipartparser.MultiPartParser.parse

    def spy(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", spy)
    return calls


def big_upload() -> dict:
    return {
        "system": "icd10cm",
        "label": "FY2099",
        "effective_from": "2098-10-01",
        "file": SimpleUploadedFile("tabular.xml", b"<x/>" + b" " * 1_200_000),
    }


def test_oversized_api_upload_is_413_before_authentication_reads_the_body(admin_user, small_limit, body_reads):
    # With CSRF enforced, session authentication reads the form to look for a token: that read must not happen.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post("/api/v1/codesets/upload/", big_upload(), format="multipart", HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 413
    assert "larger than the" in response.json()["detail"] and "nothing was stored" in response.json()["detail"]
    assert body_reads == []
    assert CodeSetRelease.objects.count() == 0


def test_oversized_upload_page_post_is_413_and_not_read(admin_client_, small_limit, body_reads):
    response = admin_client_.post("/codesets/upload/", big_upload())
    assert response.status_code == 413
    assert "larger than the" in response.content.decode()
    assert body_reads == []
    assert CodeSetRelease.objects.count() == 0


def test_an_upload_under_the_limit_is_still_read(admin_user, body_reads):
    client = APIClient()
    client.force_login(admin_user)
    response = client.post("/api/v1/codesets/upload/", {"system": "icd9"}, format="multipart")
    assert response.status_code == 400 and "system" in response.json()
    assert body_reads
