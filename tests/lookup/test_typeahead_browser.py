"""The typeahead in real Chromium: type, pick with the keyboard, get the code and the event."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .factories import make_release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_AND_STOP = """
(input) => {
  window.__picked = [];
  input.addEventListener("typeahead:select", (event) => {
    window.__picked.push({detail: event.detail, value: event.target.value, bubbles: event.bubbles});
    event.stopPropagation();  // keep the page (lookup.js would open the code)
  });
}
"""


def test_typing_then_arrow_and_enter_picks_a_code_and_dispatches_the_event(page, browser_login, student):
    make_release()
    browser_login(page, "student")
    page.goto("/lookup/")
    box = page.get_by_role("combobox", name="Search codes")
    box.evaluate(RECORD_AND_STOP)
    box.press_sequentially("diab neuro", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    first = listbox.get_by_role("option").first
    assert "E11.40" in first.inner_text() and "Billable" in first.inner_text()
    expect(page.locator(".typeahead [role=status]")).to_contain_text("found")

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    box.press("Enter")

    assert box.input_value() == "E11.40"
    picked = page.evaluate("window.__picked")
    assert picked == [{"detail": {"code": "E11.40", "title": "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
                                  "billable": True, "system": "icd10cm"}, "value": "E11.40", "bubbles": True}]
    assert box.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    assert page.url.endswith("/lookup/")
    assert page.console_errors == []


def test_escape_closes_and_a_pick_on_the_lookup_page_opens_the_code(page, browser_login, student):
    make_release()
    browser_login(page, "student")
    page.goto("/lookup/")
    box = page.get_by_role("combobox", name="Search codes")
    box.press_sequentially("e114", delay=30)
    page.locator(".typeahead__option").first.wait_for()
    box.press("Escape")
    assert page.get_by_role("listbox").is_hidden()
    box.press_sequentially("0", delay=30)
    page.locator(".typeahead__option").first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/lookup/code/E11.40/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("E11.40")
    assert page.console_errors == []


def test_typeaheads_added_later_by_htmx_are_bound_even_without_a_list(page, browser_login, student):
    make_release()
    browser_login(page, "student")
    page.goto("/lookup/")
    page.evaluate("""() => {
      const holder = document.createElement("div");
      holder.innerHTML = '<div class="typeahead"><label for="late">Late code</label>' +
        '<input id="late" type="text" data-typeahead data-system="icd10cm" data-release=""></div>';
      document.querySelector("main").appendChild(holder);
      document.dispatchEvent(new CustomEvent("htmx:load", {detail: {elt: holder}}));
    }""")
    late = page.get_by_role("combobox", name="Late code")
    late.press_sequentially("chf", delay=30)
    page.locator("#late-list [role=option]").first.wait_for()
    assert "I50.9" in page.locator("#late-list [role=option]").first.inner_text()
    assert page.console_errors == []
