"""Account and audit services."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from .models import AuditEvent, Role, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction that makes the change."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
        reason=reason,
        ip_address=ip_address,
    )


def user_create(*, username: str, password: str, role: str = Role.STUDENT, display_name: str = "", email: str = "") -> User:
    user = User(username=username, role=role, display_name=display_name, email=email)
    user.set_password(password)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_change_role(*, actor: User, user: User, role: str) -> User:
    before = user.role
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    audit_record(actor=actor, action="user.role_changed", target=user, before={"role": before}, after={"role": role})
    return user
