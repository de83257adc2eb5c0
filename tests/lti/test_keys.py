"""The tool's keys: made at run time, rotated with the old key still published for a week."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from lti.keys import tool_jwks, tool_key_active, tool_keys_retire_old
from lti.models import KeyState, ToolKey

pytestmark = pytest.mark.django_db


def test_rotation_signs_with_a_new_key_and_keeps_the_old_one_published(client):
    old = tool_key_active()
    call_command("lti_rotate_keys", stdout=io.StringIO())

    new = tool_key_active()
    assert new.kid != old.kid
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [new.kid, old.kid]
    assert AuditEvent.objects.filter(action="lti.tool_key_rotated").exists()

    ToolKey.objects.filter(pk=old.pk).update(retiring_since=old.created_at - dt.timedelta(days=8))
    assert tool_keys_retire_old() == [old.kid]
    assert [k["kid"] for k in tool_jwks()["keys"]] == [new.kid]
    assert ToolKey.objects.get(pk=old.pk).state == KeyState.RETIRED


def test_no_private_key_reaches_the_admin(admin_client_):
    key = tool_key_active()
    page = admin_client_.get(f"/admin/lti/toolkey/{key.pk}/change/").content.decode()
    assert key.kid in page
    assert "PRIVATE KEY" not in page


def test_the_platform_form_shows_the_values_to_paste_into_the_lms(admin_client_):
    page = admin_client_.get("/admin/lti/platform/add/").content.decode()
    assert "http://testserver/lti/login/" in page and "http://testserver/lti/jwks/" in page
