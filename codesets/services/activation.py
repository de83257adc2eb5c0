"""Making a release current: explicit, audited, one current release per system."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from ..models import CodeSetRelease, ReleaseStatus
from .errors import CodeSetImportError


def release_activate(*, release: CodeSetRelease, actor, ip_address: str | None = None) -> CodeSetRelease:
    """Switch the system's current release to ``release`` and write the audit event."""
    with transaction.atomic():
        release = CodeSetRelease.objects.select_for_update().get(pk=release.pk)
        if release.status != ReleaseStatus.READY:
            raise CodeSetImportError("Only a fully imported release can be made current.", release=release)
        if release.is_current:
            return release
        previous = (
            CodeSetRelease.objects.select_for_update().filter(system=release.system, is_current=True).exclude(pk=release.pk).first()
        )
        before = None
        if previous is not None:
            before = {"current_release_id": previous.pk, "label": previous.label}
            previous.is_current = False
            fields = ["is_current"]
            if previous.effective_to is None and previous.effective_from < release.effective_from:
                previous.effective_to = release.effective_from - datetime.timedelta(days=1)
                fields.append("effective_to")
            previous.save(update_fields=fields)
        release.is_current = True
        release.activated_at = timezone.now()
        release.save(update_fields=["is_current", "activated_at"])
        audit_record(
            actor=actor,
            action="codeset.release_activated",
            target=release,
            before=before,
            after={"current_release_id": release.pk, "label": release.label, "system": release.system},
            ip_address=ip_address,
        )
    return release
