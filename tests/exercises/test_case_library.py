"""The case list filters by module, setting, specialty, difficulty, exam domain and the student's own status."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exercises.models import Submission, SubmissionStatus

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(release):
    """Four verified cases across two modules; the student scored one and has a draft of another."""
    return {
        "knee": CaseFactory(title="Knee injection", slug="knee", module_slug="orthopedic-coding", setting="outpatient",
                            specialty="orthopedics", difficulty=1, exam_domain="surgery-musculoskeletal"),
        "hip": CaseFactory(title="Hip fracture", slug="hip", module_slug="orthopedic-coding", setting="inpatient",
                           specialty="orthopedics", difficulty=3, exam_domain="inpatient-coding"),
        "echo": CaseFactory(title="Echo reading", slug="echo", module_slug="cardiology-coding", setting="outpatient",
                            specialty="cardiology", difficulty=2, exam_domain="medicine"),
        "afib": CaseFactory(title="New irregular rhythm", slug="afib", module_slug="cardiology-coding",
                            setting="emergency", specialty="cardiology", difficulty=2, exam_domain="icd10cm"),
    }


@pytest.fixture
def worked(student, library):
    Submission.objects.create(student=student, case=library["knee"], status=SubmissionStatus.SCORED,
                              submitted_at=timezone.now())
    Submission.objects.create(student=student, case=library["echo"], status=SubmissionStatus.DRAFT)
    return library


def _titles(response) -> set[str]:
    return {case.title for case in response.context["cases"]}


@pytest.mark.parametrize("query, expected", [
    ("module=orthopedic-coding", {"Knee injection", "Hip fracture"}),
    ("setting=emergency", {"New irregular rhythm"}),
    ("specialty=cardiology", {"Echo reading", "New irregular rhythm"}),
    ("difficulty=3", {"Hip fracture"}),
    ("domain=medicine", {"Echo reading"}),
    ("status=new", {"Hip fracture", "New irregular rhythm"}),
    ("status=in_progress", {"Echo reading"}),
    ("status=scored", {"Knee injection"}),
    ("module=cardiology-coding&status=new", {"New irregular rhythm"}),
    ("difficulty=banana&status=nonsense", {"Knee injection", "Hip fracture", "Echo reading", "New irregular rhythm"}),
])
def test_each_filter_narrows_the_list(student_client, worked, query, expected):
    response = student_client.get(reverse("exercises:case_list") + "?" + query)
    assert response.status_code == 200
    assert _titles(response) == expected


@pytest.mark.parametrize("query, expected", [
    ("module=orthopedic-coding", {"knee": "scored", "hip": "new"}),
    ("specialty=cardiology&status=new", {"afib": "new"}),
    ("domain=medicine", {"echo": "in_progress"}),
    ("difficulty=3&setting=inpatient", {"hip": "new"}),
])
def test_the_case_list_api_takes_the_same_filters_and_reports_the_students_status(student_client, worked, query,
                                                                                     expected):
    response = student_client.get("/api/v1/cases/?" + query)
    assert response.status_code == 200
    assert {row["slug"]: row["status"] for row in response.json()["results"]} == expected


def test_the_case_list_api_refuses_an_unknown_filter_value_by_name(student_client, worked):
    response = student_client.get("/api/v1/cases/?difficulty=banana&setting=moon&specialty=cardiology")
    assert response.status_code == 400
    assert set(response.json()) == {"difficulty", "setting"}


def test_a_student_sees_which_cases_they_have_not_tried(student_client, worked):
    page = student_client.get(reverse("exercises:case_list")).content.decode()
    assert "2 not tried yet" in page
    assert page.count("Not tried yet</span>") == 2
    assert "Draft saved" in page


def test_the_filters_are_labelled_controls(student_client, worked):
    page = student_client.get(reverse("exercises:case_list")).content.decode()
    for control in ("module", "setting", "specialty", "difficulty", "status", "domain"):
        assert f'<label for="filter-{control}">' in page and f'id="filter-{control}" name="{control}"' in page
    assert 'role="status"' in page
    assert 'id="filter-review"' not in page  # the review step filter is for instructors


def test_the_module_filter_offers_course_modules_by_title(student_client, worked):
    from courses.models import Module, Program

    program = Program.objects.create(slug="p", title="Program")
    Module.objects.create(program=program, slug="orthopedic-coding", title="Specialty track: orthopedic coding")
    page = student_client.get(reverse("exercises:case_list")).content.decode()
    assert '<option value="orthopedic-coding" >Specialty track: orthopedic coding</option>' in page
    assert "Module: <a" in page


def test_htmx_gets_only_the_results_and_the_count(student_client, worked):
    response = student_client.get(reverse("exercises:case_list") + "?status=new", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<form" not in body and "Hip fracture" in body and "Knee injection" not in body
    assert 'id="case-count"' in body and 'hx-swap-oob="true"' in body


def test_instructors_filter_by_review_step(instructor_client, library):
    from exercises.models import Case, ReviewStatus

    Case.objects.filter(slug="echo").update(review_status=ReviewStatus.IN_REVIEW)
    response = instructor_client.get(reverse("exercises:case_list") + "?review=in_review")
    assert _titles(response) == {"Echo reading"}
    assert b"Cases to review" in response.content


def test_the_list_costs_the_same_queries_for_many_cases(student_client, student, worked):
    url = reverse("exercises:case_list")
    student_client.get(url)
    with CaptureQueriesContext(connection) as few:
        student_client.get(url)
    for n in range(8):
        CaseFactory(title=f"Extra {n}", slug=f"extra-{n}", module_slug="cardiology-coding")
    with CaptureQueriesContext(connection) as many:
        response = student_client.get(url)
    assert len(response.context["cases"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
