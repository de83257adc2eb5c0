"""Cases belong to the course: module and lesson pages list their practice cases; the catalog filters by domain."""

from __future__ import annotations

import pytest

from exercises.models import ReviewStatus, Submission, SubmissionStatus
from tests.exercises.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def module_cases(program):
    module = program.modules.get(slug="diabetes-coding")
    return module, {
        "own": CaseFactory(title="Type 2 follow-up visit", slug="t2-follow-up", module_slug="diabetes-coding"),
        "scored": CaseFactory(title="Insulin start", slug="insulin-start", module_slug="diabetes-coding"),
        "other": CaseFactory(title="Word parts chart", slug="word-chart", module_slug="terminology"),
        "unverified": CaseFactory(title="Unreviewed diabetes chart", slug="unreviewed", module_slug="diabetes-coding",
                                  review_status=ReviewStatus.IN_REVIEW),
    }


def test_the_module_page_lists_its_practice_cases_with_the_students_status(student_client, student, module_cases):
    module, cases = module_cases
    Submission.objects.create(student=student, case=cases["scored"], status=SubmissionStatus.SCORED)
    body = student_client.get(f"/courses/modules/{module.pk}/").content.decode()
    assert "Practice cases" in body
    assert '<a href="/cases/t2-follow-up/">Type 2 follow-up visit</a>' in body
    assert '<a href="/cases/insulin-start/">Insulin start</a>' in body
    assert "Word parts chart" not in body  # another module's case
    assert "Unreviewed diabetes chart" not in body  # not verified, not piloted with the student's cohort
    assert "1 of 2 not tried yet" in body
    assert "/cases/?module=diabetes-coding" in body


def test_every_lesson_page_of_the_module_lists_them_too(student_client, program, module_cases):
    module, _ = module_cases
    for lesson in module.lessons.all():
        body = student_client.get(f"/courses/lessons/{lesson.pk}/").content.decode()
        assert "Practice cases" in body and "Type 2 follow-up visit" in body, lesson.slug
        assert "Word parts chart" not in body


def test_instructors_see_unverified_practice_cases(instructor_client, module_cases):
    module, _ = module_cases
    body = instructor_client.get(f"/courses/modules/{module.pk}/").content.decode()
    assert "Unreviewed diabetes chart" in body


def test_the_catalog_honours_the_domain_filter(student_client, program):
    plain = student_client.get("/courses/").content.decode()
    assert "Lessons for" not in plain
    body = student_client.get("/courses/?domain=icd10cm").content.decode()
    assert "Lessons for ICD-10-CM diagnosis coding" in body
    assert "Type 2 diabetes without complications" in body  # a lesson of the module tagged icd10cm
    assert "Roots, prefixes and suffixes" not in body.split("Lessons for")[1].split("<h2>Programs</h2>")[0]
    assert "/cases/?domain=icd10cm" in body
    terminology = student_client.get("/courses/?domain=medical-terminology").content.decode()
    section = terminology.split("Lessons for")[1].split("<h2>Programs</h2>")[0]
    assert "Type 2 diabetes without complications" not in section


def test_an_unknown_domain_is_ignored(student_client, program):
    body = student_client.get("/courses/?domain=not-a-domain").content.decode()
    assert "Lessons for" not in body
