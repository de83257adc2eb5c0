"""Instructor tools in Chromium: the heat map scrolls inside its card with a cue and a frozen first
column; the question editor shows the fields of the chosen kind, searches and checks accepted codes
as the author types, and previews the question as the student will see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.exercises.browser_support import sign_in

from .site_tour import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(student, instructor, admin_user, cohort):
    return build_site(student=student, instructor=instructor, admin_user=admin_user, cohort=cohort)


def test_the_heat_map_scrolls_with_a_cue_and_keeps_the_cohort_column(page, site):
    page.set_viewport_size({"width": 1024, "height": 800})
    sign_in(page, "instructor", f"/exams/cohorts/?cohort={site.cohort_id}")
    region = page.get_by_role("region", name="Cohort × domain mastery (scrolls sideways)")
    expect(region).to_have_attribute("data-overflow", "true")
    expect(region.get_by_text("Scroll sideways for more domains")).to_be_visible()
    assert page.get_by_text("Colour shows the distance from the 70% pass mark").is_visible()
    cohort_cell = region.locator("tbody th").first
    before = cohort_cell.bounding_box()["x"]
    region.focus()
    page.keyboard.press("End")
    region.evaluate("(el) => { el.scrollLeft = el.scrollWidth; el.dispatchEvent(new Event('scroll')); }")
    expect(region).to_have_attribute("data-at-end", "true")
    assert abs(cohort_cell.bounding_box()["x"] - before) < 1  # frozen
    assert page.console_errors == []


def test_the_question_editor_follows_the_kind_and_checks_codes_live(page, site):
    sign_in(page, "instructor", f"/courses/author/questions/{site.question_id}/")
    options = page.get_by_role("group", name="Options")
    accepted = page.get_by_role("group", name="Accepted codes")
    expect(options).to_be_visible()
    expect(accepted).to_be_hidden()
    preview = page.locator("#question-preview")
    expect(preview.locator('input[type="radio"]').first).to_be_attached()

    page.get_by_label("Kind").select_option("code")
    expect(options).to_be_hidden()
    expect(accepted).to_be_visible()
    expect(page.get_by_label("Word parts in order")).to_be_hidden()
    page.get_by_label("System").select_option("icd10cm")
    page.get_by_label("Prompt").fill("An 8-year-old girl has a torus fracture of the right distal radius. Code it.")
    box = page.get_by_role("combobox", name="Accepted code 1")
    box.click()
    box.type("S52.521", delay=40)
    page.locator(".typeahead__list [role=option]", has_text="S52.521A").first.click()
    expect(box).to_have_value("S52.521A")
    expect(page.locator("#accepted_1-check")).to_contain_text("found in FY2026-E2E")
    expect(preview.get_by_label("ICD-10-CM code")).to_be_attached()
    expect(preview).to_contain_text("torus fracture of the right distal radius")

    second = page.get_by_role("combobox", name="Accepted code 2")
    second.fill("S52.52")
    expect(page.locator("#accepted_2-check")).to_contain_text("7th character")
    expect(preview).to_contain_text("Not ready to save yet")
    assert page.console_errors == []


def test_the_case_editor_numbers_key_lines_and_searches_key_codes(page, site):
    sign_in(page, "instructor", f"/cases/{site.case_slug}/edit/")
    rows = page.locator(".key-rows > li")
    expect(rows.locator("[data-key-line-number]")).to_have_text(["Key line 1", "Key line 2", "Key line 3"])
    page.get_by_role("button", name="+ Add key line").click()
    expect(rows.locator("[data-key-line-number]")).to_have_text(["Key line 1", "Key line 2", "Key line 3", "Key line 4"])
    new_code = rows.nth(3).get_by_role("combobox", name="Code")
    new_code.type("S52.522", delay=40)
    page.locator(".typeahead__list [role=option]", has_text="S52.522A").first.click()
    expect(new_code).to_have_value("S52.522A")
    rows.nth(1).get_by_role("button", name="Remove line").click()
    expect(rows.locator("[data-key-line-number]")).to_have_text(["Key line 1", "Key line 2", "Key line 3"])
    assert page.console_errors == []
