"""The vertical slice in a real browser: a student codes a chart case, the score arrives by itself,
the instructor finds the submission in the cohort review queue and overrides a line, the student sees it."""

from __future__ import annotations

import pytest

from exercises.models import ScoreOverride, Submission

from tests.exercises.browser_support import make_case, score_later, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_codes_a_case_and_the_instructor_overrides_a_line(page, chromium_browser, live_server,
                                                                  student, instructor, cohort, monkeypatch):
    make_case(instructor)
    score_later(monkeypatch)

    sign_in(page, "student", "/cases/")
    page.get_by_role("heading", name="Chart cases").wait_for()
    page.get_by_role("link", name="Wrist injury on the playground").click()
    page.get_by_role("heading", name="Wrist injury on the playground").wait_for()

    principal = page.get_by_role("combobox", name="ICD-10-CM code")
    principal.click()
    principal.type("S52.521", delay=40)
    option = page.locator(".typeahead__list [role=option]", has_text="S52.521A").first
    option.wait_for()
    option.click()
    assert principal.input_value() == "S52.521A"

    page.get_by_role("combobox", name="Procedure 1").fill("25600")
    page.get_by_role("combobox", name="Procedure 1").press("Escape")
    page.get_by_role("button", name="Submit for grading").click()

    page.get_by_role("heading", name="Scoring…").wait_for()
    page.locator("[data-final-score]").wait_for(timeout=15_000)  # htmx polling, no reload
    assert page.locator("[data-final-score]").inner_text() == "100.0%"
    assert page.locator('[data-verdict="correct"]').count() == 2
    assert "Torus fracture, right radius" in page.content()
    submission = Submission.objects.get(student=student, status="scored")

    instructor_context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    teacher = instructor_context.new_page()
    teacher_errors: list[str] = []
    teacher.on("console", lambda msg: teacher_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(teacher, "instructor", "/cases/review/")
    teacher.get_by_label("Cohort").select_option(str(cohort.pk))
    teacher.get_by_role("button", name="Filter").click()
    teacher.wait_for_url(f"**cohort={cohort.pk}**")
    row = teacher.locator("tr", has_text="Sam Student")
    assert "Wrist injury on the playground" in row.inner_text()
    row.get_by_role("link", name="Review").click()
    teacher.locator("summary", has_text="Override this line").first.click()
    form = teacher.locator(".override-form form").first
    form.get_by_label("Credit").select_option("0.5")
    form.get_by_label("Reason (the student sees it)").fill("Laterality was guessed, not documented.")
    form.get_by_role("button", name="Save override").click()
    teacher.get_by_text("Line updated").wait_for()
    assert ScoreOverride.objects.filter(score__submission=submission).count() == 1
    assert teacher_errors == []
    instructor_context.close()

    page.reload()
    page.locator("[data-override]").wait_for()
    assert "Laterality was guessed, not documented." in page.locator("[data-override]").inner_text()
    assert page.locator("[data-final-score]").inner_text() == "75.0%"
    assert page.locator("[data-adjusted]").is_visible()
    assert page.console_errors == []
