"""A student takes a short timed exam in Chromium; the server enforces the deadline."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certification.models import AttemptItem, AttemptScore, ExamAttempt
from certification.services.blueprints import blueprints_ensure_builtin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_current_question(page) -> None:
    code = page.locator("#answer-code")
    if code.count():
        code.fill("E11.9")
        code.blur()
    else:
        page.locator(".choice").first.click()
    page.get_by_text("Saved", exact=False).first.wait_for()


def test_student_takes_a_timed_exam_and_the_dashboard_moves(page, browser_login, student, short_blueprint):
    blueprints_ensure_builtin()
    browser_login(page, "student")
    page.goto("/exams/readiness/")
    assert page.get_by_text("No evidence yet").is_visible()

    page.goto("/exams/")
    page.get_by_role("button", name=f"Start {short_blueprint.name}").click()
    page.wait_for_url("**/q/1/")
    assert page.locator("[data-timer-value]").inner_text().startswith("0:09:") or \
        page.locator("[data-timer-value]").inner_text().startswith("0:10:")

    answer_current_question(page)
    page.get_by_role("button", name="Flag for review").click()
    page.get_by_role("button", name="Flagged for review").wait_for()
    # Free navigation through the palette: jump to question 4, answer it, come back with Previous.
    page.get_by_role("link", name="Question 4, not answered").click()
    page.wait_for_url("**/q/4/")
    answer_current_question(page)
    page.get_by_role("link", name="← Previous").click()
    page.wait_for_url("**/q/3/")
    answer_current_question(page)
    palette = page.get_by_role("navigation", name="Question palette")
    assert palette.get_by_role("link", name="Question 1, answered, flagged for review").is_visible()

    page.get_by_role("link", name="Review and submit").first.click()
    page.wait_for_url("**/submit/")
    assert page.get_by_role("heading", name="Not answered yet").is_visible()
    page.get_by_role("button", name="Submit exam").click()
    page.wait_for_url("**/report/")
    page.get_by_role("heading", name="Every question, with its rationale").wait_for()
    assert page.get_by_test_id("score-percent").is_visible()
    attempt = ExamAttempt.objects.get()
    assert attempt.status == "scored" and AttemptScore.objects.filter(attempt=attempt).count() == 1
    assert AttemptItem.objects.filter(attempt=attempt, flagged=True).count() == 1

    page.get_by_role("link", name="See my readiness").click()
    page.get_by_role("heading", name="Readiness per credential").wait_for()
    assert page.get_by_text("No evidence yet").count() == 0
    # Two domains of the CPC's seventeen: too little for a probability, so the card says what to practise.
    thin = page.get_by_test_id("thin-cpc")
    assert thin.is_visible() and "practise" in thin.inner_text().lower()
    assert page.get_by_test_id("predicted-cpc").count() == 0
    assert page.console_errors == []


def test_the_server_rejects_an_answer_after_the_deadline(page, browser_login, student, short_blueprint, monkeypatch):
    browser_login(page, "student")
    page.goto("/exams/")
    page.get_by_role("button", name=f"Start {short_blueprint.name}").click()
    page.wait_for_url("**/q/1/")
    # The browser still shows time left; the server's clock has moved past deadline + grace.
    late = timezone.now() + datetime.timedelta(minutes=11)
    monkeypatch.setattr("certification.clock.now", lambda: late)
    code = page.locator("#answer-code")
    if code.count():
        code.fill("E11.9")
        code.blur()
    else:
        page.locator(".choice").first.click()
    error = page.get_by_test_id("save-error")
    error.wait_for()
    assert "Time is up" in error.inner_text()
    assert not AttemptItem.objects.exclude(response=None).exists()
    assert page.console_errors == []
