"""Fixtures for the courses tests: the small fixture program, a current ICD-10-CM release, helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesets.models import CodeKind, CodeSystem
from courses.content_loader import load_directory
from courses.models import ContentSource, Lesson
from courses.services.content import program_upsert_from_bundle
from tests.factories import CodeFactory, ReleaseFactory

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT_DIR = FIXTURES / "content"


@pytest.fixture
def program(db):
    return program_upsert_from_bundle(bundle=load_directory(CONTENT_DIR), source=ContentSource.DEMO)


@pytest.fixture
def word_parts_lesson(program) -> Lesson:
    return Lesson.objects.get(module__program=program, slug="word-parts")


@pytest.fixture
def diabetes_lesson(program) -> Lesson:
    return Lesson.objects.get(module__program=program, slug="type-2-basics")


@pytest.fixture
def icd_release(db):
    release = ReleaseFactory(system=CodeSystem.ICD10CM, label="FY2026", is_current=True)
    CodeFactory(release=release, code="E11", display_code="E11", kind=CodeKind.CATEGORY, billable=False)
    CodeFactory(release=release, code="E119", display_code="E11.9")
    CodeFactory(release=release, code="E1165", display_code="E11.65")
    CodeFactory(release=release, code="I10", display_code="I10")
    return release


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")
