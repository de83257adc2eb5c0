"""Role changes, also in the Django admin, go through user_change_role: audited, staff flags in step."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def _change_form(user: User, **overrides) -> dict:
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": user.email, "is_active": "on",
        "role": user.role, "display_name": user.display_name,
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_promoting_in_the_admin_is_audited_and_sets_the_staff_flags(admin_client_, admin_user, student):
    response = admin_client_.post(f"/admin/accounts/user/{student.pk}/change/", _change_form(student, role="admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    student.refresh_from_db()
    assert student.role == "admin" and student.is_staff and student.is_superuser
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.actor == admin_user and event.target_id == str(student.pk)
    assert event.before == {"role": "student", "is_staff": False, "is_superuser": False}
    assert event.after == {"role": "admin", "is_staff": True, "is_superuser": True}


def test_demoting_an_admin_in_the_admin_removes_the_staff_flags(admin_client_, admin_user):
    other = User.objects.create_user(username="second_admin", password="x", role="admin", is_staff=True, is_superuser=True)
    response = admin_client_.post(f"/admin/accounts/user/{other.pk}/change/", _change_form(other, role="instructor"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == "instructor" and not other.is_staff and not other.is_superuser and not other.is_admin
    assert AuditEvent.objects.filter(action="user.role_changed", target_id=str(other.pk)).count() == 1


def test_staff_flags_cannot_be_set_apart_from_the_role(admin_client_, student):
    form = _change_form(student, is_staff="on", is_superuser="on")
    assert admin_client_.post(f"/admin/accounts/user/{student.pk}/change/", form).status_code == 302
    student.refresh_from_db()
    assert not student.is_staff and not student.is_superuser and not student.is_admin
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()  # nothing changed


def test_saving_without_a_role_change_writes_no_role_event(admin_client_, student):
    admin_client_.post(f"/admin/accounts/user/{student.pk}/change/", _change_form(student, display_name="Sam S."))
    student.refresh_from_db()
    assert student.display_name == "Sam S." and student.role == "student"
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()
