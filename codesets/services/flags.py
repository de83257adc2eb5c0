"""Content flags: course content that names a code a new release deleted or revised."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from ..models import ChangeKind, CodeSetRelease, ContentFlag, ReleaseChange


def content_flag_raise(
    *,
    release: CodeSetRelease,
    code: str,
    change_kind: str,
    target_type: str,
    target_id: str | int,
    target_label: str,
    target_url: str = "",
    reason: str = "",
) -> ContentFlag:
    """Flag one piece of content naming a changed code; raising the same flag twice is a no-op."""
    flag, _ = ContentFlag.objects.get_or_create(
        release=release,
        code=code.replace(".", "").upper(),
        target_type=target_type,
        target_id=str(target_id),
        defaults={
            "change_kind": change_kind,
            "target_label": target_label[:255],
            "target_url": target_url[:255],
            "reason": reason,
        },
    )
    return flag


def content_flag_resolve(*, flag: ContentFlag, actor, note: str) -> ContentFlag:
    """Close a flag with the reviewer's note; resolving twice keeps the first resolution."""
    note = (note or "").strip()
    if not note:
        raise ValueError("Write a short note saying what you checked or changed.")
    with transaction.atomic():
        flag = ContentFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.resolved_at is not None:
            return flag
        flag.resolved_at = timezone.now()
        flag.resolved_by = actor
        flag.resolution_note = note[:2000]
        flag.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit_record(actor=actor, action="codeset.flag_resolved", target=flag, after={"note": flag.resolution_note})
    return flag


def content_flags_withdraw_stale(*, release: CodeSetRelease) -> int:
    """Delete the open flags of ``release`` that its (recomputed) diff no longer supports.

    Resolved flags stay: they record what a reviewer checked.
    """
    changed = set(
        ReleaseChange.objects.filter(release=release, kind__in=[ChangeKind.DELETED, ChangeKind.REVISED])
        .values_list("code", "kind")
    )
    stale = [
        flag.pk
        for flag in ContentFlag.objects.filter(release=release, resolved_at__isnull=True).only("code", "change_kind")
        if (flag.code, flag.change_kind) not in changed
    ]
    if stale:
        ContentFlag.objects.filter(pk__in=stale).delete()
    return len(stale)
