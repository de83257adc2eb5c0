"""The stored difference between a release and the one before it (billable codes only).

added   = billable in this release, not billable (or absent) in the previous one
deleted = billable in the previous release, not billable (or absent) in this one
revised = billable in both, long title changed (whitespace differences ignored)

These are the definitions behind the official addenda counts (FY2026:
487 added, 28 deleted, 38 revised).
"""

from __future__ import annotations

from django.db import transaction

from ..models import ChangeKind, Code, CodeSetRelease, ReleaseChange

BATCH_SIZE = 2000


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
