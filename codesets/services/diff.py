"""The stored difference between a release and the one before it (billable codes only).

added   = billable in this release, not billable (or absent) in the previous one
deleted = billable in the previous release, not billable (or absent) in this one
revised = billable in both, long title changed (whitespace differences ignored)

These are the definitions behind the official addenda counts (FY2026:
487 added, 28 deleted, 38 revised).

"The one before it" is the nearest ready release of the same system by effective date, whatever
order the files were imported in: a release imported between two others becomes the previous
release of the one after it, whose diff is computed again (``release_rebase``).
"""

from __future__ import annotations

from django.db import transaction

from ..models import ChangeKind, Code, CodeSetRelease, ReleaseChange, ReleaseStatus

BATCH_SIZE = 2000


def release_before(release: CodeSetRelease) -> CodeSetRelease | None:
    """The nearest ready release of the same system effective before ``release``."""
    return (
        CodeSetRelease.objects.filter(system=release.system, status=ReleaseStatus.READY, effective_from__lt=release.effective_from)
        .exclude(pk=release.pk)
        .order_by("-effective_from", "-created_at")
        .first()
    )


def release_after(release: CodeSetRelease) -> CodeSetRelease | None:
    """The nearest ready release of the same system effective after ``release``."""
    return (
        CodeSetRelease.objects.filter(system=release.system, status=ReleaseStatus.READY, effective_from__gt=release.effective_from)
        .exclude(pk=release.pk)
        .order_by("effective_from", "created_at")
        .first()
    )


def release_ready_message(release: CodeSetRelease, counts: dict[str, int]) -> str:
    text = f"Imported {release.billable_count:,} billable codes and {release.header_count:,} headers"
    if release.previous_release_id:
        text += (f"; {counts['added']:,} added, {counts['deleted']:,} deleted, {counts['revised']:,} revised"
                 f" since {release.previous_release.label}")
    return text[:255]


def release_rebase(*, release: CodeSetRelease) -> bool:
    """Compare ``release`` with the release now before it by date; recompute its diff if that changed.

    Returns True when the diff was recomputed (the caller re-announces the release so content flags
    and the review lesson follow the new diff). Flags that no longer match a change are withdrawn.
    """
    from .flags import content_flags_withdraw_stale

    with transaction.atomic():
        release = CodeSetRelease.objects.select_for_update().get(pk=release.pk)
        previous = release_before(release)
        if release.previous_release_id == (previous.pk if previous else None):
            return False
        release.previous_release = previous
        counts = release_diff_compute(release=release)
        release.progress_message = release_ready_message(release, counts)
        release.save(update_fields=["previous_release", "progress_message"])
        content_flags_withdraw_stale(release=release)
    return True


def _billable(release: CodeSetRelease) -> dict[str, tuple[str, str, str]]:
    rows = Code.objects.filter(release=release, billable=True).values_list("code", "display_code", "long_title", "chapter")
    return {code: (display, title, chapter) for code, display, title, chapter in rows.iterator(chunk_size=10_000)}


def _same_title(a: str, b: str) -> bool:
    return a == b or " ".join(a.split()) == " ".join(b.split())


def release_diff_compute(*, release: CodeSetRelease) -> dict[str, int]:
    """(Re)compute and store ``release``'s changes against ``release.previous_release``."""
    counts = {ChangeKind.ADDED.value: 0, ChangeKind.DELETED.value: 0, ChangeKind.REVISED.value: 0}
    with transaction.atomic():
        ReleaseChange.objects.filter(release=release).delete()
        previous = release.previous_release
        if previous is None:
            return counts
        old = _billable(previous)
        new = _billable(release)
        changes: list[ReleaseChange] = []
        for code in sorted(new.keys() - old.keys()):
            display, title, chapter = new[code]
            changes.append(ReleaseChange(release=release, kind=ChangeKind.ADDED, code=code, display_code=display, chapter=chapter, new_title=title))
        for code in sorted(old.keys() - new.keys()):
            display, title, chapter = old[code]
            changes.append(ReleaseChange(release=release, kind=ChangeKind.DELETED, code=code, display_code=display, chapter=chapter, old_title=title))
        for code in sorted(new.keys() & old.keys()):
            display, title, chapter = new[code]
            old_title = old[code][1]
            if not _same_title(old_title, title):
                changes.append(
                    ReleaseChange(
                        release=release, kind=ChangeKind.REVISED, code=code, display_code=display, chapter=chapter,
                        old_title=old_title, new_title=title,
                    )
                )
        ReleaseChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        for change in changes:
            counts[change.kind] += 1
    return counts
