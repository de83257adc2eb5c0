"""The tool's signing keys: made on first use, rotated on demand, published as a JWKS.

Keys live in the database (ToolKey), never in the repository or in settings. Rotation makes a new
active key and keeps the previous one published (``retiring``) for RETIRING_DAYS, so a platform
that cached our key set still verifies what we signed just before; after that it is retired.
"""

from __future__ import annotations

import datetime as dt
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto.jwk import JWK

from accounts.services import audit_record

from .models import KeyState, ToolKey

RETIRING_DAYS = 7
KEY_BITS = 2048


def _new_key_material() -> tuple[str, str, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = secrets.token_urlsafe(16)
    jwk = JWK.from_pem(pem.encode()).export_public(as_dict=True)
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return kid, pem, jwk


def tool_key_active() -> ToolKey:
    """The key that signs now; made on first use (two first uses at once agree on one)."""
    key = ToolKey.objects.filter(state=KeyState.ACTIVE).first()
    if key is not None:
        return key
    kid, pem, jwk = _new_key_material()
    try:
        with transaction.atomic():
            return ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk, state=KeyState.ACTIVE)
    except IntegrityError:  # another process made the first key meanwhile
        return ToolKey.objects.get(state=KeyState.ACTIVE)


def tool_key_rotate(*, actor=None) -> ToolKey:
    """Make a new active key; the old one keeps being published until it retires."""
    kid, pem, jwk = _new_key_material()
    now = timezone.now()
    with transaction.atomic():
        previous = list(ToolKey.objects.select_for_update().filter(state=KeyState.ACTIVE))
        ToolKey.objects.filter(pk__in=[k.pk for k in previous]).update(state=KeyState.RETIRING, retiring_since=now)
        key = ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk, state=KeyState.ACTIVE)
        retired = tool_keys_retire_old(now=now)
        audit_record(actor=actor, action="lti.tool_key_rotated", target=key,
                     before={"active": [k.kid for k in previous]}, after={"active": key.kid, "retired": retired})
    return key


def tool_keys_retire_old(*, now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=RETIRING_DAYS)
    old = list(ToolKey.objects.filter(state=KeyState.RETIRING, retiring_since__lt=cutoff).values_list("kid", flat=True))
    ToolKey.objects.filter(kid__in=old).update(state=KeyState.RETIRED)
    return old


def tool_jwks() -> dict:
    """The public key set platforms fetch to check what the tool signs."""
    tool_key_active()
    keys = ToolKey.objects.filter(state__in=[KeyState.ACTIVE, KeyState.RETIRING]).order_by("-created_at")
    return {"keys": [key.public_jwk for key in keys]}
