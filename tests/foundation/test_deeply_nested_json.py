"""JSON nested thousands of levels deep is a 400 with a message, on every API and on course-package import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from coding_lms.json_input import MAX_JSON_DEPTH, JSONTooDeep, loads_untrusted
from courses.package_format import FORMAT_NAME, FORMAT_VERSION, PackageError, build_package, open_package
from courses.models import Program
from tests.certification.factories import BlueprintFactory, QuestionFactory
from tests.exercises.factories import CaseFactory
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
# Parses without a RecursionError, but deeper than any payload the platform uses.
MODERATELY_DEEP = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def exam_attempt(student):
    for domain in ("icd10cm", "em"):
        for _ in range(2):
            QuestionFactory(domain=domain)
    blueprint = BlueprintFactory(question_count=4)
    response = api_for(student).post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/")
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


@pytest.fixture
def published_case():
    return CaseFactory(slug="deep-json-case", icd10cm_release=ReleaseFactory(is_current=True))


def _endpoints(exam_attempt: int) -> list[tuple[str, str]]:
    return [
        ("post", "/api/v1/courses/cohorts/join/"),
        ("put", f"/api/v1/exams/attempts/{exam_attempt}/items/1/"),
        ("post", f"/api/v1/exams/attempts/{exam_attempt}/items/1/flag/"),
        ("post", "/api/v1/cases/deep-json-case/submissions/"),
    ]


@pytest.mark.parametrize("body", [DEEP, MODERATELY_DEEP], ids=["100000-levels", "just-over-the-limit"])
def test_deeply_nested_json_is_a_400_with_a_message_on_the_apis(student, exam_attempt, published_case, body):
    client = api_for(student)
    for method, url in _endpoints(exam_attempt):
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code, response.content[:200])
        assert "nested too deeply" in response.json()["detail"], url


def test_ordinary_nesting_still_parses(student, exam_attempt):
    response = api_for(student).post(
        f"/api/v1/exams/attempts/{exam_attempt}/items/1/flag/", {"flagged": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["flagged"] is True


def test_loads_untrusted_refuses_deep_documents_and_reads_normal_ones():
    with pytest.raises(JSONTooDeep):
        loads_untrusted(DEEP)
    with pytest.raises(JSONTooDeep):
        loads_untrusted(MODERATELY_DEEP)
    assert loads_untrusted('{"a": [1, {"b": [2]}]}') == {"a": [1, {"b": [2]}]}
    assert isinstance(JSONTooDeep(), ValueError)


def _deep_package() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", '{"format": "%s", "version": %d, "program": %s}' % (FORMAT_NAME, FORMAT_VERSION, DEEP))
    return buffer.getvalue()


def test_course_package_with_a_deep_manifest_is_refused_with_a_message():
    with pytest.raises(PackageError, match="nested too deeply"):
        open_package(_deep_package())
    # A normal manifest still opens.
    manifest, bodies = open_package(build_package(manifest={"format": FORMAT_NAME, "version": FORMAT_VERSION}, lesson_bodies={}))
    assert manifest["format"] == FORMAT_NAME and bodies == {}


def test_course_package_import_page_answers_400_for_a_deep_manifest(instructor_client):
    upload = SimpleUploadedFile("deep.course.zip", _deep_package(), content_type="application/zip")
    response = instructor_client.post("/courses/author/import/", {"package": upload})
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()
    assert not Program.objects.exists()
