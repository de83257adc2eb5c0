"""Sign-in brute force is throttled per (username, address) and per address, without locking others out."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # pick up the changed settings
    yield
    AxesProxyHandler.implementation = None


def _attempt(client: Client, username: str, password: str, address: str, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


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


def test_the_default_address_limit_is_higher_than_the_username_limit():
    from django.conf import settings

    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    assert settings.AXES_HANDLER == "accounts.throttling.AddressLimitAxesHandler"
    assert settings.TRUSTED_PROXY_COUNT == 0  # X-Forwarded-For is ignored unless a proxy is configured


@pytest.mark.django_db
def test_one_address_guessing_across_many_usernames_is_locked(axes_on, student):
    attacker = Client()
    # Two wrong passwords each for four usernames: no username reaches its limit of 3, the address reaches 8.
    codes = [_attempt(attacker, f"someone{n}", "wrong", "203.0.113.9").status_code for n in range(4) for _ in range(2)]
    assert codes == [200] * 7 + [429]
    assert _attempt(attacker, "student", TEST_PASSWORD, "203.0.113.9").status_code == 429
    # Only that address: the student signs in from anywhere else.
    assert _attempt(Client(), "student", TEST_PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(axes_on, student, other_student):
    attacker = Client()
    for n in range(7):
        _attempt(attacker, f"someone{n}", "wrong", "203.0.113.9")
    assert _attempt(Client(), "other_student", TEST_PASSWORD, "203.0.113.9").status_code == 302
    _attempt(attacker, "someone-else", "wrong", "203.0.113.9")
    assert _attempt(Client(), "student", TEST_PASSWORD, "203.0.113.9").status_code == 429


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(axes_on, student):
    attacker = Client()
    # Forging the victim's address in X-Forwarded-For neither locks the victim out...
    for _ in range(3):
        _attempt(attacker, "student", "wrong", "203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _attempt(Client(), "student", TEST_PASSWORD, "198.51.100.7").status_code == 302
    # ...nor lets the attacker escape by inventing a new address for every guess.
    assert _attempt(attacker, "student", TEST_PASSWORD, "203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.44").status_code == 429


@pytest.mark.django_db
def test_behind_the_trusted_proxy_each_client_is_throttled_by_its_own_address(axes_on, settings, student):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24"]
    proxy = "10.0.0.2"
    attacker = Client()
    for _ in range(3):  # the left entry is the attacker's forgery; the proxy appended the real address
        _attempt(attacker, "student", "wrong", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert _attempt(attacker, "student", TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Everyone arrives from the proxy's address, yet the real user is not locked out.
    assert _attempt(Client(), "student", TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


@pytest.mark.parametrize("remote, forwarded, count, trusted, expected", [
    ("203.0.113.9", "198.51.100.7", 0, [], "203.0.113.9"),  # no proxy configured: the header is ignored
    ("10.0.0.2", "198.51.100.7", 1, [], "198.51.100.7"),
    ("10.0.0.2", "192.0.2.1, 198.51.100.7", 1, [], "198.51.100.7"),  # the forged left entry is skipped
    ("10.0.0.2", "192.0.2.1, 198.51.100.7, 10.0.0.9", 2, [], "198.51.100.7"),  # two proxies
    ("10.0.0.2", "198.51.100.7", 1, ["10.0.0.0/24"], "198.51.100.7"),
    ("203.0.113.9", "198.51.100.7", 1, ["10.0.0.0/24"], "203.0.113.9"),  # not from the proxy: header ignored
    ("10.0.0.2", "", 1, [], "10.0.0.2"),
    ("10.0.0.2", "not-an-address", 1, [], "10.0.0.2"),
])
def test_client_address(settings, rf, remote, forwarded, count, trusted, expected):
    from accounts.throttling import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXY_IPS = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_a_failed_sign_in_is_audited_with_the_client_address(settings, student):
    from accounts.models import AuditEvent

    settings.TRUSTED_PROXY_COUNT = 1
    _attempt(Client(), "student", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.target_id == "student" and event.ip_address == "198.51.100.7"
