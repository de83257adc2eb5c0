"""The workspace code box in Chromium: words are searched in full, only a chosen code is kept."""

from __future__ import annotations

import pytest

from exercises.models import Submission
from tests.exercises.browser_support import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_words_are_searched_in_full_and_only_a_code_is_submitted(page, student, instructor, cohort):
    make_case(instructor)
    queries: list[str] = []
    page.on("request", lambda request: queries.append(request.url) if "/api/v1/codes/search/" in request.url else None)
    sign_in(page, "student", "/cases/wrist-injury/")

    principal = page.get_by_role("combobox", name="ICD-10-CM code")
    words = "torus fracture right radius"
    principal.press_sequentially(words, delay=20)
    assert principal.input_value() == words, "the box keeps every word typed"
    option = page.get_by_role("option").filter(has_text="S52.521A")
    option.wait_for()
    assert any("q=torus+fracture+right+radius" in url or "q=torus%20fracture%20right%20radius" in url for url in queries)
    option.click()
    assert principal.input_value() == "S52.521A"

    # A search left in a box holds the submit, with the reason beside the box.
    secondary = page.get_by_role("combobox", name="Secondary diagnosis 1")
    secondary.fill("jungle gym fall")
    secondary.press("Escape")
    page.get_by_role("combobox", name="Procedure 1").fill("25600")
    page.get_by_role("combobox", name="Procedure 1").press("Escape")
    page.get_by_role("button", name="Submit for grading").click()
    error = page.locator("[data-code-error]")
    error.wait_for()
    assert "is a search, not a code" in error.inner_text()
    assert secondary.get_attribute("aria-invalid") == "true"
    assert page.url.endswith("/cases/wrist-injury/")
    assert not Submission.objects.exclude(status="draft").exists()
    assert page.get_by_role("button", name="Submit for grading").get_attribute("aria-disabled") != "true"

    # Choosing a code clears the message and the submit goes through with codes only.
    secondary.fill("")
    secondary.press_sequentially("jungle gym", delay=20)
    page.get_by_role("option").filter(has_text="W09.2XXA").click()
    assert page.locator("[data-code-error]").count() == 0
    page.get_by_role("button", name="Submit for grading").click()
    page.locator("[data-final-score]").wait_for()
    submitted = Submission.objects.exclude(status="draft").get()
    assert [line["code"] for line in submitted.lines] == ["S52521A", "W092XXA", "25600"]
    assert page.console_errors == []
