"""An admin imports a release through the real page and reads its diff in Chromium."""

from __future__ import annotations

import datetime

import pytest

from codesets.services import release_import

from .conftest import fixture_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_a_release_and_browses_the_changes(page, browser_login, admin_user):
    release_import(system="icd10cm", path=fixture_path("tabular_fy2025.xml"), label="FY2025", effective_from=datetime.date(2024, 10, 1), activate=True)
    browser_login(page, admin_user.username)
    page.goto("/codesets/upload/")
    page.get_by_label("Code system").select_option("icd10cm")
    page.get_by_label("Release label").fill("FY2026")
    page.get_by_label("Effective from").fill("2025-10-01")
    page.get_by_label("Release file").set_input_files(str(fixture_path("tabular_fy2026.xml")))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_url("**/codesets/releases/**")
    assert page.get_by_role("heading", name="FY2026").is_visible()
    assert page.get_by_text("18", exact=True).first.is_visible()
    page.get_by_role("link", name="Browse changes").click()
    page.get_by_role("link", name="Revised 4").click()
    page.wait_for_url("**kind=revised**")
    page.wait_for_load_state()  # the chapter filter submits itself from a deferred script
    assert page.get_by_text("S06.0X0A").is_visible()
    page.get_by_label("Chapter", exact=True).select_option("1")
    page.wait_for_url("**chapter=1**")
    assert page.get_by_text("A00.0").is_visible() and not page.get_by_text("S06.0X0A").is_visible()
    assert page.console_errors == []


def test_a_bad_file_shows_the_message_on_the_page(page, browser_login, admin_user):
    browser_login(page, admin_user.username)
    page.goto("/codesets/upload/")
    page.get_by_label("Release label").fill("EVIL")
    page.get_by_label("Effective from").fill("2025-10-01")
    page.get_by_label("Release file").set_input_files(str(fixture_path("billion_laughs.xml")))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_selector("#upload-error")
    assert "refused for safety" in page.locator("#upload-error").inner_text()
