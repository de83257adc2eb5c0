"""Real Chromium: Swagger UI and Redoc render from Codewise's own files under their CSP."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_api_reference_renders_without_a_policy_violation(page, browser_login, instructor, url):
    browser_login(page, "instructor")
    page.goto(url)
    page.get_by_text("Coding LMS API").first.wait_for(timeout=20_000)
    page.get_by_text("/api/v1/integrations/cohorts/").first.wait_for(timeout=20_000)
    violations = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    # Redoc's "powered by" badge points at its CDN: refused, as every third-party load is, and not needed.
    assert [e for e in violations if "cdn.redoc.ly/redoc/logo-mini.svg" not in e] == []
