"""Coding a case in the browser: rows, autosave, tabular notes, guideline feedback; live key validation."""

from __future__ import annotations

import pytest

from exercises.models import Submission

from tests.exercises.browser_support import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rows_autosave_notes_and_feedback(page, student, instructor, cohort):
    make_case(instructor)
    sign_in(page, "student", "/cases/wrist-injury/")

    principal = page.get_by_role("combobox", name="ICD-10-CM code")
    principal.fill("s52.521")  # missing 7th character, typed without the typeahead
    principal.press("Tab")
    page.locator("#code-notes", has_text="Torus fracture of lower end of right radius").wait_for()
    page.get_by_role("button", name="+ Add diagnosis").click()
    page.get_by_role("combobox", name="Secondary diagnosis 2").fill("E11.9")
    page.get_by_role("combobox", name="Secondary diagnosis 1").fill("W09.2XXA")
    page.get_by_role("button", name="+ Add procedure").click()
    page.get_by_role("combobox", name="Procedure 2").fill("99283")
    page.get_by_role("button", name="Remove procedure 2").click()
    page.get_by_role("combobox", name="Procedure 1").fill("25600")
    page.get_by_role("combobox", name="Procedure 1").press("Escape")
    # The status only says "saved" once the last edit is saved, not after an earlier autosave.
    page.locator('#autosave-status[data-state="saved"]', has_text="Draft saved").wait_for()
    draft = Submission.objects.get(student=student, status="draft")
    assert {line["code"] for line in draft.lines} == {"S52521", "E119", "W092XXA", "25600"}

    page.reload()
    assert page.get_by_role("combobox", name="ICD-10-CM code").input_value() == "S52.521"
    page.get_by_role("button", name="Submit for grading").click()
    page.locator("[data-final-score]").wait_for()
    text = page.content()
    assert "needs a 7th character" in text
    assert page.locator('[data-verdict="extra"]').count() == 1  # E11.9 is not in the documentation
    assert page.locator('[data-verdict="partial"]').count() == 1
    assert page.console_errors == []


def test_instructor_sees_live_key_validation(page, instructor):
    case = make_case(instructor)
    sign_in(page, "instructor", f"/cases/{case.slug}/edit/")
    page.locator("#validation-panel", has_text="checks out").wait_for()
    page.get_by_label("Code", exact=True).first.fill("S52.521")
    page.get_by_label("Code", exact=True).first.press("Tab")
    page.locator('[data-issue-kind="missing_seventh"]').wait_for()
    page.get_by_label("Text (Markdown)").first.fill("Seen today. Call 555-123-4567 for results.")
    page.get_by_label("Text (Markdown)").first.press("Tab")
    page.locator("#validation-panel", has_text="looks like a phone number").wait_for()
    assert page.console_errors == []
