"""A student builds an ICD-10-PCS code in Chromium on the demo tables, with the keyboard: each pick extends the code
in the box and keeps the focus there; a partial set says so and never calls a missing code invalid."""

from __future__ import annotations

import pytest

from .test_pcs_demo import make_code_list, make_coder_database

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_builds_a_code_character_by_character(page, browser_login, student, tmp_path, settings,
                                                        monkeypatch):
    from codesets import pcs_demo
    from exercises.inpatient import demo

    settings.VAR_DIR = tmp_path / "var"
    database = make_coder_database(tmp_path / "pcs.db")
    monkeypatch.setattr(pcs_demo, "coder_database", lambda: database)
    monkeypatch.setattr(demo, "demo_order_file", lambda: make_code_list(tmp_path / "code_list.txt"))
    demo.load()
    browser_login(page, student.username)
    page.goto("/codesets/pcs/")
    assert "10 of ~79,000 codes" in page.locator("[data-partial-release]").inner_text()
    box = page.get_by_label("ICD-10-PCS code, or its first characters")
    box.fill("0dt")
    page.wait_for_selector("[data-pcs-choices]")
    appendix = page.locator('[data-pcs-pick="0DTJ"]')
    appendix.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-pcs-pick="0DTJ4"]')
    assert box.input_value() == "0DTJ"
    assert page.evaluate("document.activeElement.id") == "pcs-code"
    for pick in ("0DTJ4", "0DTJ4Z", "0DTJ4ZZ"):
        page.locator(f'[data-pcs-pick="{pick}"]').click()
        page.wait_for_function("code => document.getElementById('pcs-code').value === code", arg=pick)
    page.wait_for_selector("[data-pcs-valid]")
    box.fill("0DTJ3ZZ")
    page.wait_for_selector("[data-pcs-stuck]")
    assert page.locator("[data-pcs-invalid]").count() == 0
    box.fill("0DTI")
    page.wait_for_selector("[data-pcs-problem]")
    assert "I and O are never used" in page.locator("[data-pcs-problem]").inner_text()
    address = page.url
    box.fill("0DTJ0ZZ")
    box.press("Enter")  # submits through htmx: the page stays, the answer comes
    page.wait_for_selector("[data-pcs-valid]")
    assert page.url == address and "0DTJ0ZZ" in page.locator("[data-pcs-valid]").inner_text()
    assert page.console_errors == []
