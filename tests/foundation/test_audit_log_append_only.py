"""The audit log is append-only in the model, its queries and the Django admin (property 11)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AuditEvent
from accounts.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin_user, student):
    audit_record(actor=admin_user, action="test.recorded", target=student, before={"a": 1}, after={"a": 2})
    return AuditEvent.objects.get(action="test.recorded")


def test_a_recorded_event_names_actor_target_before_and_after(event, admin_user, student):
    assert (event.actor, event.target_id, event.before, event.after) == (admin_user, str(student.pk), {"a": 1}, {"a": 2})
    assert event.created_at is not None


def test_an_event_cannot_be_changed_or_deleted(event):
    event.action = "test.rewritten"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.recorded"


def test_the_admin_shows_events_but_offers_no_change_or_delete(event, admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "test.rewritten"})
    assert AuditEvent.objects.get(pk=event.pk).action == "test.recorded"
