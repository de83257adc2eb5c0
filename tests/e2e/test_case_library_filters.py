"""The case list's filters in the browser: each control is labelled, changing one swaps the results with htmx,
updates the address and announces the count; the page works the same when reloaded from that address."""

from __future__ import annotations

import pytest
from django.utils import timezone

from exercises.models import Submission, SubmissionStatus
from tests.exercises.browser_support import sign_in
from tests.exercises.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filters_narrow_the_list_without_a_page_load(page, student):
    CaseFactory(title="Knee injection", slug="knee", module_slug="orthopedic-coding", setting="outpatient",
                specialty="orthopedics", difficulty=1)
    CaseFactory(title="Hip fracture admission", slug="hip", module_slug="orthopedic-coding", setting="inpatient",
                specialty="orthopedics", difficulty=3)
    scored = CaseFactory(title="Echo reading", slug="echo", module_slug="cardiology-coding", setting="outpatient",
                         specialty="cardiology", difficulty=2)
    Submission.objects.create(student=student, case=scored, status=SubmissionStatus.SCORED, submitted_at=timezone.now())

    sign_in(page, "student", "/cases/")
    count = page.locator("#case-count")
    assert "3 cases" in count.inner_text() and "2 not tried yet" in count.inner_text()
    page.evaluate("window.__samePage = true")

    page.get_by_label("Specialty").select_option("orthopedics")
    page.locator("#case-count", has_text="2 cases match your filters").wait_for()
    page.get_by_label("My status").select_option("new")
    page.get_by_label("Difficulty").select_option("3")
    page.locator("#case-count", has_text="1 case matches your filters").wait_for()
    cards = page.get_by_role("list", name="Cases").get_by_role("listitem")
    assert cards.count() == 1 and "Hip fracture admission" in cards.first.inner_text()
    assert page.evaluate("window.__samePage") is True  # htmx swapped the results, the page did not reload
    assert "specialty=orthopedics" in page.url and "status=new" in page.url and "difficulty=3" in page.url

    page.reload()
    assert page.get_by_label("Difficulty").input_value() == "3"
    assert page.get_by_role("list", name="Cases").get_by_role("listitem").count() == 1
    page.get_by_role("link", name="Clear filters").click()
    page.locator("#case-count", has_text="3 cases").wait_for()
    assert page.console_errors == []


def test_the_new_pages_have_no_serious_accessibility_violation(page, student, instructor, other_instructor, cohort):
    from courses.models import Lesson, Module, Program
    from exercises.models import ReviewStatus
    from tests.e2e.test_accessibility import axe_violations
    from tests.exercises.factories import make_key

    program = Program.objects.create(slug="p", title="Program")
    module = Module.objects.create(program=program, slug="orthopedic-coding", title="Orthopedic coding",
                                   domains=["surgery-musculoskeletal"])
    lesson = Lesson.objects.create(module=module, slug="fractures", title="Fractures", body="Fracture care.")
    case = CaseFactory(title="Knee injection", slug="knee", module_slug="orthopedic-coding", author=instructor,
                       review_status=ReviewStatus.IN_REVIEW)
    make_key(case, [{"role": "principal", "code": "M1711", "rationale": "Right knee.", "guideline_refs": "I.B.2"}])
    case.pilot_cohorts.add(cohort)

    report = []
    sign_in(page, "student", "/cases/")
    for path in ("/cases/?module=orthopedic-coding&status=new", f"/courses/modules/{module.pk}/",
                 f"/courses/lessons/{lesson.pk}/", "/courses/?domain=surgery-musculoskeletal", "/cases/knee/"):
        assert page.goto(path).status == 200, path
        page.wait_for_load_state("networkidle")
        report += [f"{path}: {line}" for line in axe_violations(page)]
    page.context.clear_cookies()
    sign_in(page, "other_instructor", "/cases/knee/review/")
    report += [f"review page: {line}" for line in axe_violations(page)]
    page.context.clear_cookies()
    sign_in(page, "instructor", "/cases/knee/edit/")
    report += [f"editor: {line}" for line in axe_violations(page)]
    assert report == [], "\n".join(report)
