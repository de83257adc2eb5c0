"""Personal API tokens: made by an instructor or administrator, shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value

from accounts.services import audit_record

from ..api_auth import SCOPES

MAX_DAYS = 365
PREFIX = "cw_"


@transaction.atomic
def personal_token_create(*, actor, scopes: list[str], days: int) -> tuple[AccessToken, str]:
    """Returns the token row and its value (the only time the value is available)."""
    if not actor.can_author:
        raise ValidationError("Only instructors and administrators make API tokens.")
    scopes = [s for s in dict.fromkeys(scopes) if s in SCOPES]
    if not scopes:
        raise ValidationError("Choose at least one scope.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A token lasts 1 to {MAX_DAYS} days.")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user=actor, scope=" ".join(scopes), expires=timezone.now() + dt.timedelta(days=days))
    set_token_value(token, raw)
    token.save()
    audit_record(actor=actor, action="api.token_created", target=token, after={"scopes": scopes, "days": days})
    return token, raw


@transaction.atomic
def personal_token_revoke(*, actor, token: AccessToken) -> None:
    audit_record(actor=actor, action="api.token_revoked", target_type="oauth2_provider.accesstoken",
                 target_id=token.pk, before={"scopes": token.scope, "user": token.user_id})
    token.revoke()


def personal_tokens_of(user):
    return AccessToken.objects.filter(user=user, application__isnull=True, expires__gt=timezone.now()).order_by("-created")
