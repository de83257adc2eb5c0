"""Failed authorisations go to the audit log."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    from .services import audit_record

    username = str(credentials.get("username", ""))[:64]
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    audit_record(actor=None, action="auth.login_failed", target_type="user", target_id=username, ip_address=ip)
