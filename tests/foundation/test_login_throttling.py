"""Sign-in brute force is throttled per (username, address) without locking others out."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # pick up the changed settings
    yield
    AxesProxyHandler.implementation = None


def _attempt(client: Client, username: str, password: str, address: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_repeated_failures_lock_that_username_from_that_address(axes_on, student):
    attacker = Client()
    for _ in range(3):
        _attempt(attacker, "student", "wrong", "203.0.113.9")
    response = _attempt(attacker, "student", TEST_PASSWORD, "203.0.113.9")
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


@pytest.mark.django_db
def test_the_real_user_from_another_address_can_still_sign_in(axes_on, student):
    attacker = Client()
    for _ in range(3):
        _attempt(attacker, "student", "wrong", "203.0.113.9")
    response = _attempt(Client(), "student", TEST_PASSWORD, "198.51.100.7")
    assert response.status_code == 302


@pytest.mark.django_db
def test_session_key_rotates_at_login(student):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session"
    client.post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session"
