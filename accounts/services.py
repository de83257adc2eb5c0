"""Account and audit services."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
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
    """The one way a role changes (admin site included): staff and superuser flags follow it, and it is audited."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        before = {"role": current.role, "is_staff": current.is_staff, "is_superuser": current.is_superuser}
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMIN
        after = {"role": user.role, "is_staff": user.is_staff, "is_superuser": user.is_superuser}
        if before == after:
            return user
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        audit_record(actor=actor, action="user.role_changed", target=user, before=before, after=after)
    return user


def audit_denied_limit_per_minute() -> int:
    return int(getattr(settings, "AUDIT_DENIED_PER_MINUTE", 20))


def current_minute() -> int:
    return int(time.time() // 60)


def audit_denied_key(actor: User | None, minute: int | None = None) -> str:
    """The counter of one actor's recorded refusals in one minute (id and creation time, so a recycled id starts afresh)."""
    minute = current_minute() if minute is None else minute
    if actor is None or not actor.is_authenticated:
        return f"audit:denied:anonymous:{minute}"
    joined = int(actor.date_joined.timestamp() * 1_000_000) if actor.date_joined else 0
    return f"audit:denied:{actor.pk}:{joined}:{minute}"


def audit_access_denied(
    *,
    actor: User | None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    action: str = "access.denied",
    detail: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent | None:
    """Record a refused attempt on an object that exists (a 403, or a 404 that hides it).

    At most AUDIT_DENIED_PER_MINUTE events per actor per minute, then one "access.denied_rate_limited"
    event, then nothing until the next minute: probing ids cannot flood the log.
    """
    key = audit_denied_key(actor)
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    limit = audit_denied_limit_per_minute()
    if count > limit + 1:
        return None
    if count == limit + 1:
        return audit_record(actor=actor, action="access.denied_rate_limited", target=target, target_type=target_type,
                            target_id=target_id, after={"limit_per_minute": limit, "last_action": action},
                            ip_address=ip_address)
    return audit_record(actor=actor, action=action, target=target, target_type=target_type, target_id=target_id,
                        after=detail, ip_address=ip_address)
