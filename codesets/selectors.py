"""Reads for the code-set pages and API: releases, their changes, progress, flags, the review lesson."""

from __future__ import annotations

from collections import Counter

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.services import audit_access_denied

from .models import ChangeKind, Code, CodeKind, CodeSetRelease, CodeSystem, ContentFlag, ReleaseChange, ReleaseStatus
from .services.imports import progress_cache_key

CHANGE_KINDS = [kind.value for kind in ChangeKind]


# --- Releases -----------------------------------------------------------------------------------
def release_list_for_user(*, user) -> QuerySet[CodeSetRelease]:
    """Admins see every release (importing and failed ones too); everyone else the ready ones."""
    releases = CodeSetRelease.objects.select_related("previous_release", "imported_by").order_by("system", "-effective_from", "-id")
    if not user.is_admin:
        releases = releases.filter(status=ReleaseStatus.READY)
    return releases


def release_for_user_or_404(*, user, release_id: int) -> CodeSetRelease:
    """The one access helper for every release URL (pages and API)."""
    release = release_list_for_user(user=user).filter(pk=release_id).first()
    if release is None:
        if CodeSetRelease.objects.filter(pk=release_id).exists():
            audit_access_denied(actor=user, target_type="codesets.codesetrelease", target_id=release_id,
                                action="codesets.release_access_denied")
        raise Http404("No such release")
    return release


def current_release(*, system: str) -> CodeSetRelease | None:
    return CodeSetRelease.objects.current().filter(system=system).first()


def release_progress(*, release: CodeSetRelease) -> dict:
    """Percent and message of an import; the cache carries progress made inside the write transaction."""
    percent, message = release.progress_percent, release.progress_message
    if release.status == ReleaseStatus.IMPORTING:
        cached = cache.get(progress_cache_key(release.pk))
        if cached and cached.get("percent", 0) >= percent:
            percent, message = cached["percent"], cached["message"]
    return {"percent": percent, "message": message, "status": release.status, "done": release.status != ReleaseStatus.IMPORTING}


# --- Changes ------------------------------------------------------------------------------------
def release_change_counts(*, release: CodeSetRelease, chapter: str = "") -> dict[str, int]:
    changes = ReleaseChange.objects.filter(release=release)
    if chapter:
        changes = changes.filter(chapter=chapter)
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    counts.update({row["kind"]: row["n"] for row in changes.values("kind").annotate(n=Count("id"))})
    return counts


def release_changes(*, release: CodeSetRelease, kind: str = "", chapter: str = "") -> QuerySet[ReleaseChange]:
    changes = ReleaseChange.objects.filter(release=release).order_by("code", "kind")
    if kind:
        changes = changes.filter(kind=kind)
    if chapter:
        changes = changes.filter(chapter=chapter)
    return changes


def chapter_titles(*, release: CodeSetRelease) -> dict[str, str]:
    """Chapter id -> title, from this release and the one before (for deleted codes' chapters)."""
    releases = [release.pk] + ([release.previous_release_id] if release.previous_release_id else [])
    rows = Code.objects.filter(release_id__in=releases, kind=CodeKind.CHAPTER).values_list("release_id", "code", "long_title")
    titles: dict[str, str] = {}
    for release_id, code, title in sorted(rows, key=lambda row: row[0] != release.pk):
        titles.setdefault(code, title)
    return titles


def chapter_label(system: str, chapter: str, title: str) -> str:
    if system == CodeSystem.ICD10CM and chapter.isdigit():
        return f"Chapter {chapter}: {title}" if title else f"Chapter {chapter}"
    return f"{chapter}: {title}" if title else chapter


def release_chapter_summary(*, release: CodeSetRelease) -> list[dict]:
    """Chapters that have changes, with counts per kind, in chapter order."""
    titles = chapter_titles(release=release)
    rows = (
        ReleaseChange.objects.filter(release=release)
        .values("chapter")
        .annotate(
            added=Count("id", filter=Q(kind=ChangeKind.ADDED)),
            deleted=Count("id", filter=Q(kind=ChangeKind.DELETED)),
            revised=Count("id", filter=Q(kind=ChangeKind.REVISED)),
        )
    )
    order = {code: index for index, code in enumerate(titles)}
    summary = [
        {
            "chapter": row["chapter"],
            "label": chapter_label(release.system, row["chapter"], titles.get(row["chapter"], "")),
            "added": row["added"],
            "deleted": row["deleted"],
            "revised": row["revised"],
            "total": row["added"] + row["deleted"] + row["revised"],
        }
        for row in rows
    ]
    return sorted(summary, key=lambda item: (order.get(item["chapter"], 10_000), item["chapter"]))


# --- Content flags ----------------------------------------------------------------------------
def flag_queue(*, user, release_id: int | None = None, include_resolved: bool = False) -> QuerySet[ContentFlag]:
    """Flags instructors and admins work through; students get nothing."""
    if not user.can_author:
        return ContentFlag.objects.none()
    flags = ContentFlag.objects.select_related("release", "resolved_by").order_by("release__system", "-release__effective_from", "code", "id")
    if not include_resolved:
        flags = flags.filter(resolved_at__isnull=True)
    if release_id:
        flags = flags.filter(release_id=release_id)
    return flags


def flag_for_author_or_404(*, user, flag_id: int) -> ContentFlag:
    flag = flag_queue(user=user, include_resolved=True).filter(pk=flag_id).first()
    if flag is None:
        if ContentFlag.objects.filter(pk=flag_id).exists():
            audit_access_denied(actor=user, target_type="codesets.contentflag", target_id=flag_id,
                                action="codesets.flag_access_denied")
        raise Http404("No such flag")
    return flag


def flag_release_summary(*, user) -> list[dict]:
    """Unresolved flag counts per release, for the queue's release filter."""
    rows = flag_queue(user=user).values("release_id").annotate(n=Count("id"))
    counts = {row["release_id"]: row["n"] for row in rows}
    releases = CodeSetRelease.objects.filter(pk__in=counts.keys())
    return [{"release": release, "open": counts[release.pk]} for release in releases]


# --- The review lesson ------------------------------------------------------------------------
NOTABLE_PER_CHAPTER = 5


def _markdown_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")


def whats_new_markdown(*, release: CodeSetRelease) -> str:
    """A "What's new in <release>" review lesson in Markdown, written from the stored diff."""
    counts = release_change_counts(release=release)
    system = release.get_system_display()
    lines = [f"# What's new in {system} {release.label}", ""]
    effective = release.effective_from.strftime("%B %-d, %Y")
    if release.previous_release_id is None:
        lines += [
            f"{system} {release.label} takes effect on {effective}. There is no earlier release in the catalog to compare it with, "
            "so this lesson lists no changes.",
            "",
        ]
        return "\n".join(lines)
    previous = release.previous_release
    total = sum(counts.values())
    lines += [
        f"{system} {release.label} takes effect on **{effective}** and replaces {previous.label}. "
        f"Compared with {previous.label} it has **{counts['added']:,} new codes**, **{counts['deleted']:,} deleted codes** "
        f"and **{counts['revised']:,} codes with a revised title** ({total:,} changes in all).",
        "",
        "## Why it matters",
        "",
        "- Code to the release in effect on the date of service: a claim with a deleted code is rejected.",
        "- A code that became a header now needs more characters: look for its new, more specific codes.",
        "- A revised title can change what the code includes: re-read it and its notes in the Tabular List.",
        "",
        "## Changes by chapter",
        "",
        "| Chapter | Added | Deleted | Revised |",
        "| --- | ---: | ---: | ---: |",
    ]
    summary = release_chapter_summary(release=release)
    for row in summary:
        lines.append(f"| {_markdown_escape(row['label'])} | {row['added']} | {row['deleted']} | {row['revised']} |")
    lines.append("")
    changes = list(release_changes(release=release).only("kind", "code", "display_code", "chapter", "old_title", "new_title"))
    by_chapter: dict[str, list[ReleaseChange]] = {}
    for change in changes:
        by_chapter.setdefault(change.chapter, []).append(change)
    lines += ["## Notable changes", ""]
    for row in summary:
        chapter_changes = by_chapter.get(row["chapter"], [])
        lines += [f"### {_markdown_escape(row['label'])}", ""]
        for kind, heading in (("added", "New codes"), ("deleted", "Deleted codes"), ("revised", "Revised titles")):
            of_kind = [change for change in chapter_changes if change.kind == kind]
            if not of_kind:
                continue
            lines.append(f"**{heading}** ({len(of_kind)})")
            lines.append("")
            for change in _notable(of_kind):
                if kind == "added":
                    lines.append(f"- `{change.display_code}` {_markdown_escape(change.new_title)}")
                elif kind == "deleted":
                    lines.append(f"- `{change.display_code}` {_markdown_escape(change.old_title)}")
                else:
                    lines.append(f"- `{change.display_code}` was “{_markdown_escape(change.old_title)}”, now “{_markdown_escape(change.new_title)}”")
            if len(of_kind) > NOTABLE_PER_CHAPTER:
                lines.append(f"- … and {len(of_kind) - NOTABLE_PER_CHAPTER} more")
            lines.append("")
    lines += [
        "## Check yourself",
        "",
        "1. Pick one deleted code above and find the code or codes that replace it.",
        "2. Pick one revised title and say what the new wording includes or excludes that the old one did not.",
        "3. Which of the new codes would you expect to see in your own specialty?",
        "",
    ]
    return "\n".join(lines)


def _notable(changes: list[ReleaseChange]) -> list[ReleaseChange]:
    """A spread across categories rather than the first few siblings of one category."""
    per_category = Counter()
    picked: list[ReleaseChange] = []
    for change in changes:
        category = change.code[:3]
        if per_category[category] == 0:
            picked.append(change)
            per_category[category] += 1
        if len(picked) == NOTABLE_PER_CHAPTER:
            return picked
    for change in changes:
        if change not in picked:
            picked.append(change)
        if len(picked) == NOTABLE_PER_CHAPTER:
            break
    return picked
