"""Reads for the code lookup: releases, tabular nodes, notes and history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from codesets.models import Code, CodeKind, CodeSetRelease, CodeSystem, ReleaseChange, ReleaseStatus

# Instructional notes in the order the Tabular prints them, with the label a coder knows.
NOTE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("includes", "Includes"),
    ("inclusion_terms", "Inclusion terms"),
    ("excludes1", "Excludes1"),
    ("excludes2", "Excludes2"),
    ("code_first", "Code first"),
    ("use_additional", "Use additional code"),
    ("code_also", "Code also"),
    ("seven_chr_note", "7th character"),
    ("notes", "Notes"),
)


class ReleaseNotFound(Exception):
    """An unknown or unusable release or system was asked for; the message says which."""


def lookup_releases(*, system: str | None = None) -> QuerySet[CodeSetRelease]:
    """Releases anyone may browse: the ready ones."""
    releases = CodeSetRelease.objects.ready().order_by("system", "-effective_from", "-id")
    return releases.filter(system=system) if system else releases


def release_for_lookup(*, system: str = CodeSystem.ICD10CM, release_id: int | str | None = None) -> CodeSetRelease:
    """The release a lookup reads: the one asked for (ready, of that system) or the system's current one."""
    if system not in CodeSystem.values:
        raise ReleaseNotFound(f"Unknown code system {str(system)[:20]!r}; use one of: {', '.join(CodeSystem.values)}.")
    releases = lookup_releases(system=system)
    if release_id not in (None, ""):
        try:
            pk = int(release_id)
        except (TypeError, ValueError):
            raise ReleaseNotFound("The release must be a number.") from None
        release = releases.filter(pk=pk).first()
        if release is None:
            raise ReleaseNotFound(f"There is no ready {CodeSystem(system).label} release with id {pk}.")
        return release
    release = releases.filter(is_current=True).first()
    if release is None:
        raise ReleaseNotFound(f"No {CodeSystem(system).label} release has been activated yet.")
    return release


def release_for_lookup_or_404(*, system: str = CodeSystem.ICD10CM, release_id: int | str | None = None) -> CodeSetRelease:
    try:
        return release_for_lookup(system=system, release_id=release_id)
    except ReleaseNotFound as exc:
        raise Http404(str(exc)) from None


def code_key(text: str) -> str:
    """What a Code row stores: E11.40 -> E1140; blocks (E08-E13) and chapters (4) as they are."""
    text = (text or "").strip().upper()[:20]
    if "-" in text.strip("-") or text.isdigit():
        return text
    return text.replace(".", "").rstrip("-")


def code_for_lookup_or_404(*, release: CodeSetRelease, code: str) -> Code:
    node = Code.objects.filter(release=release, code=code_key(code)).first()
    if node is None:
        raise Http404(f"{code[:20]} is not in {release}.")
    return node


def chapter_list(*, release: CodeSetRelease) -> QuerySet[Code]:
    return Code.objects.filter(release=release, kind=CodeKind.CHAPTER).order_by("sort_order").only(
        "code", "display_code", "long_title", "kind", "sort_order"
    )


def code_children(*, release: CodeSetRelease, node: Code) -> QuerySet[Code]:
    return Code.objects.filter(release=release, parent_code=node.code).order_by("sort_order").only(
        "code", "display_code", "long_title", "billable", "kind", "sort_order"
    )


def code_ancestors(*, release: CodeSetRelease, node: Code) -> list[Code]:
    """From the chapter down to the node's parent; a constant handful of queries."""
    prefixes = [node.code[:n] for n in range(3, len(node.code))]
    known = {c.code: c for c in Code.objects.filter(release=release, code__in=prefixes)} if prefixes else {}
    chain: list[Code] = []
    current = node
    for _ in range(12):
        if not current.parent_code or current.parent_code == current.code:
            break
        parent = known.get(current.parent_code) or Code.objects.filter(release=release, code=current.parent_code).first()
        if parent is None:
            break
        chain.append(parent)
        current = parent
    chain.reverse()
    return chain


@dataclass(frozen=True)
class NoteSection:
    key: str
    label: str
    items: list[str]


@dataclass(frozen=True)
class NoteGroup:
    """The notes printed at one level of the Tabular (the code itself, or an ancestor that governs it)."""

    node: Code
    own: bool
    sections: list[NoteSection]


def note_sections(notes: dict) -> list[NoteSection]:
    sections = []
    for key, label in NOTE_SECTIONS:
        items = [str(item) for item in (notes or {}).get(key) or [] if str(item).strip()]
        if items:
            sections.append(NoteSection(key=key, label=label, items=items))
    return sections


def code_note_groups(*, node: Code, ancestors: list[Code]) -> list[NoteGroup]:
    """The node's own notes, then those of each ancestor (nearest first) that has any."""
    groups = [NoteGroup(node=node, own=True, sections=note_sections(node.notes))]
    for ancestor in reversed(ancestors):
        if ancestor.kind == CodeKind.CHAPTER and not ancestor.notes:
            continue
        sections = note_sections(ancestor.notes)
        if sections:
            groups.append(NoteGroup(node=ancestor, own=False, sections=sections))
    return groups


def seven_character_table(*, node: Code, ancestors: list[Code]) -> tuple[Code, list[tuple[str, str]]] | None:
    """The 7th-character table that applies to the node (its own or the nearest ancestor's)."""
    for candidate in [node, *reversed(ancestors)]:
        table = (candidate.notes or {}).get("seven_chr")
        if table:
            return candidate, list(table.items())
    return None


def seventh_character_of(*, node: Code, seven: tuple[Code, list[tuple[str, str]]] | None) -> str:
    """The node's own 7th character when it is an extension of the table's codes (S72.001A -> A)."""
    if seven is None or len(node.code) != 7 or seven[0].pk == node.pk:
        return ""
    return node.code[6] if any(char == node.code[6] for char, _ in seven[1]) else ""


@dataclass(frozen=True)
class HistoryLine:
    release: CodeSetRelease
    kind: str
    label: str
    old_title: str
    new_title: str


def code_history(*, system: str, code: str) -> list[HistoryLine]:
    """Added in / revised in / deleted in, across every ready release of the system, oldest first."""
    changes = (
        ReleaseChange.objects.filter(release__system=system, release__status=ReleaseStatus.READY, code=code)
        .select_related("release")
        .order_by("release__effective_from", "release_id", "kind")
    )
    labels = {"added": "Added in", "revised": "Title revised in", "deleted": "Deleted in"}
    return [
        HistoryLine(release=c.release, kind=c.kind, label=labels.get(c.kind, c.kind), old_title=c.old_title, new_title=c.new_title)
        for c in changes
    ]


def releases_containing(*, system: str, code: str) -> list[CodeSetRelease]:
    return list(lookup_releases(system=system).filter(codes__code=code).order_by("effective_from", "id"))
