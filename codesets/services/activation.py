"""Making a release current: explicit, audited, one current release per system.

Going back to a release older than the current one is allowed (a release found faulty), but never
silently: the caller must say so with ``allow_older``, and the audit event names both releases.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from ..models import CodeSetRelease, ReleaseStatus
from .errors import CodeSetImportError


class OlderReleaseError(CodeSetImportError):
    """Activation would move the system back to an older release and the caller did not confirm it."""


def _day(date: datetime.date) -> str:
    return f"{date:%b} {date.day}, {date.year}"


def older_release_warning(*, release: CodeSetRelease, current: CodeSetRelease | None) -> str:
    """The warning shown before making an older release current ("" when it is not older)."""
    if current is None or current.pk == release.pk or release.effective_from >= current.effective_from:
        return ""
    return (
        f"{release.label} (effective {_day(release.effective_from)}) is older than the current "
        f"{current.label} (effective {_day(current.effective_from)}). Making {release.label} current sends "
        f"code lookups and new cases back to {release.label}; cases pinned to {current.label} keep it."
    )


def release_activate(
    *, release: CodeSetRelease, actor, ip_address: str | None = None, allow_older: bool = False
) -> CodeSetRelease:
    """Switch the system's current release to ``release`` and write the audit event.

    Raises OlderReleaseError when ``release`` is older than the current release and ``allow_older``
    is not set.
    """
    with transaction.atomic():
        release = CodeSetRelease.objects.select_for_update().get(pk=release.pk)
        if release.status != ReleaseStatus.READY:
            raise CodeSetImportError("Only a fully imported release can be made current.", release=release)
        if release.is_current:
            return release
        previous = (
            CodeSetRelease.objects.select_for_update().filter(system=release.system, is_current=True).exclude(pk=release.pk).first()
        )
        warning = older_release_warning(release=release, current=previous)
        if warning and not allow_older:
            raise OlderReleaseError(warning, release=release)
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
        after = {"current_release_id": release.pk, "label": release.label, "system": release.system,
                 "effective_from": release.effective_from.isoformat()}
        if warning:
            after["older_than_previous"] = True
            after["warning"] = warning
        audit_record(
            actor=actor,
            action="codeset.release_activated",
            target=release,
            before=before,
            after=after,
            ip_address=ip_address,
        )
    return release
