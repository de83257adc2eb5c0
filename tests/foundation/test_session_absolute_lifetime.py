"""A session ends SESSION_ABSOLUTE_AGE after sign-in, however active it has been."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from coding_lms.middleware import SessionAbsoluteLifetimeMiddleware, SessionIdleRefreshMiddleware
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

KEY = SessionAbsoluteLifetimeMiddleware.KEY


def _age_session(client: Client, seconds: int) -> None:
    session = client.session
    session[KEY] = int(time.time()) - seconds
    # Used a moment ago: the idle timeout would keep it alive.
    session[SessionIdleRefreshMiddleware.KEY] = int(time.time())
    session.save()


def test_signing_in_starts_the_clock(student):
    client = Client()
    before = int(time.time())
    assert client.post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD}).status_code == 302
    assert before <= client.session[KEY] <= int(time.time())


def test_the_default_lifetime_is_twelve_hours(settings):
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60


def test_a_session_within_its_lifetime_goes_on(student_client, settings):
    _age_session(student_client, settings.SESSION_ABSOLUTE_AGE - 60)
    assert student_client.get("/").status_code == 200


def test_a_busy_session_past_its_lifetime_is_signed_out(student_client, settings):
    _age_session(student_client, settings.SESSION_ABSOLUTE_AGE + 1)
    response = student_client.get("/exams/readiness/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # Signed out for good, not just redirected once.
    assert "_auth_user_id" not in student_client.session
    assert student_client.get("/").status_code == 302


def test_an_expired_session_gets_401_from_the_api(student_client, settings):
    _age_session(student_client, settings.SESSION_ABSOLUTE_AGE + 1)
    assert student_client.get("/api/v1/readiness/me/").status_code == 401


def test_the_lifetime_is_configurable(student_client, settings):
    settings.SESSION_ABSOLUTE_AGE = 60
    _age_session(student_client, 61)
    assert student_client.get("/").status_code == 302


def test_signing_in_again_starts_a_new_lifetime(student, settings):
    client = Client()
    client.post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD})
    _age_session(client, settings.SESSION_ABSOLUTE_AGE + 1)
    assert client.get("/").status_code == 302
    client.post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD})
    assert client.get("/").status_code == 200
