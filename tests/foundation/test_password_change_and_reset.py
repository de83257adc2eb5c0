"""Students and instructors change their own password; a forgotten one is reset by an e-mailed one-time link."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a-new-Passphrase-2026"


def signs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_a_user_changes_their_own_password(role, request):
    user = request.getfixturevalue(role)
    client = request.getfixturevalue(f"{role}_client")
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and b"Change your password" in page.content
    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert client.get("/accounts/password/done/").status_code == 200
    assert client.get("/").status_code == 200  # this session stays signed in
    assert signs_in(user.username, NEW_PASSWORD)
    assert not signs_in(user.username, TEST_PASSWORD)


def test_changing_the_password_needs_the_current_one(student, student_client):
    response = student_client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200 and b"Your old password was entered incorrectly" in response.content
    student.refresh_from_db()
    assert student.check_password(TEST_PASSWORD)


def test_changing_the_password_signs_out_the_accounts_other_sessions(student, student_client, login_as):
    elsewhere = login_as(student)
    assert elsewhere.get("/").status_code == 200
    student_client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert elsewhere.get("/").status_code == 302


def test_the_user_menu_links_to_the_password_page(student_client):
    assert b'href="/accounts/password/"' in student_client.get("/").content


def test_the_password_page_needs_sign_in(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, student):
    student.email = "sam@example.org"
    student.save()
    login_page = client.get("/accounts/login/")
    assert b'href="/accounts/password-reset/"' in login_page.content
    assert client.get("/accounts/password-reset/").status_code == 200
    response = client.post("/accounts/password-reset/", {"email": "sam@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert client.get("/accounts/password-reset/sent/").status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    assert mail.outbox[0].subject == "Reset your Codewise password"
    form = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert form.status_code == 200 and b"Choose a new password" in form.content
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/complete/"
    assert client.get("/accounts/password-reset/complete/").status_code == 200
    assert signs_in("student", NEW_PASSWORD)
    # The link works once.
    again = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert b"This link no longer works" in again.content


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, student):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_tampered_reset_link_is_refused(client, student):
    student.email = "sam@example.org"
    student.save()
    response = client.get("/accounts/password-reset/MQ/bad-token/", follow=True)
    assert b"This link no longer works" in response.content
    assert get_user_model().objects.get(pk=student.pk).check_password(TEST_PASSWORD)


def _email_settings(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k not in ("DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS")}
    clean.update(env)
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=clean,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_embedded_mode_prints_emails_and_production_sends_them_over_smtp():
    assert _email_settings().startswith("django.core.mail.backends.console.EmailBackend")
    production = _email_settings(
        DJANGO_ENV="production", SECRET_KEY="k3y-" + "q8Zr!vT2" * 8, ALLOWED_HOSTS="lms.example.org",
        EMAIL_HOST="smtp.example.org",
    )
    assert production == "django.core.mail.backends.smtp.EmailBackend smtp.example.org 587 True"
