"""Every URL needs login except the explicit allowlist (RELIABILITY 8)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The LMS integration's key set and login initiation are public by design (the id_token is the credential).
PUBLIC = {"/accounts/login/", "/health/", "/lti/jwks/", "/lti/login/"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + route.lstrip("/")


def all_routes():
    routes = sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)})
    return [r for r in routes if not any(c in r for c in "()?*+[]|")]


@pytest.mark.django_db
def test_every_route_needs_login_except_the_allowlist(client):
    exposed = []
    for route in all_routes():
        if route in PUBLIC or route.startswith(("/certificates/verify/", "/accounts/password-reset/", "/lti/register/")):
            continue
        response = client.get(route)
        if response.status_code not in (301, 302, 401, 403, 405):
            exposed.append((route, response.status_code))
    assert exposed == []


@pytest.mark.django_db
def test_health_is_public_and_reports_the_database(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


@pytest.mark.django_db
def test_anonymous_api_gets_json_401(client):
    response = client.get("/api/v1/codesets/")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_login_page_renders_and_sets_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_student_signs_in_and_sees_the_dashboard(client, student):
    from tests.factories import TEST_PASSWORD

    response = client.post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Sam Student" in response.content


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_message_and_is_audited(client, student):
    from accounts.models import AuditEvent

    response = client.post("/accounts/login/", {"username": "student", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert AuditEvent.objects.filter(action="auth.login_failed", target_id="student").count() == 1


@pytest.mark.django_db
def test_logout_ends_the_session(student_client):
    assert student_client.get("/").status_code == 200
    student_client.post("/accounts/logout/")
    assert student_client.get("/").status_code == 302


@pytest.mark.django_db
def test_an_active_session_is_refreshed_at_most_once_a_minute(student_client, django_assert_num_queries):
    from django.contrib.sessions.models import Session

    student_client.get("/health/")
    first_expiry = Session.objects.get().expire_date
    student_client.get("/health/")
    assert Session.objects.get().expire_date == first_expiry  # no write within the minute


@pytest.mark.django_db
def test_an_idle_session_expires(student_client, settings):
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache

    # Drop the cached copies of the sessions (never cache.clear(): a shared Redis holds the broker too).
    cache.delete_many([KEY_PREFIX + key for key in Session.objects.values_list("session_key", flat=True)])
    assert student_client.get("/").status_code == 302
