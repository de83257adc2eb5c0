"""Failed authorisations go to the audit log; a sign-in starts the session's absolute lifetime."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    from .services import audit_record
    from .throttling import client_ip

    username = str(credentials.get("username", ""))[:64]
    ip = client_ip(request) if request is not None else None
    audit_record(actor=None, action="auth.login_failed", target_type="user", target_id=username, ip_address=ip)


@receiver(user_logged_in)
def stamp_session_sign_in_time(sender, request=None, user=None, **kwargs) -> None:
    """The start of the session's absolute lifetime (coding_lms.middleware.SessionAbsoluteLifetimeMiddleware)."""
    from coding_lms.middleware import SessionAbsoluteLifetimeMiddleware

    session = getattr(request, "session", None)
    if session is not None:
        session[SessionAbsoluteLifetimeMiddleware.KEY] = int(time.time())
