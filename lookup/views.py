"""Pages of the code lookup: search and tabular browser, code pages, and the notes partial."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from codesets.models import Code, CodeKind, CodeSystem
from lookup.search.text import MAX_QUERY_CHARS
from lookup.selectors import (
    ReleaseNotFound,
    chapter_list,
    code_ancestors,
    code_children,
    code_for_lookup_or_404,
    code_history,
    code_key,
    code_note_groups,
    lookup_releases,
    release_for_lookup,
    release_for_lookup_or_404,
    releases_containing,
    seven_character_table,
    seventh_character_of,
)
from lookup.services.search import code_search

SEARCH_PAGE_LIMIT = 25


def _system(request: HttpRequest) -> str:
    system = request.GET.get("system", CodeSystem.ICD10CM)
    return system if system in CodeSystem.values else CodeSystem.ICD10CM


def browse(request: HttpRequest) -> HttpResponse:
    """The lookup home: search box, release switcher, chapters of the release."""
    system = _system(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    release, problem = None, ""
    try:
        release = release_for_lookup(system=system, release_id=request.GET.get("release"))
    except ReleaseNotFound as exc:
        problem = str(exc)
    hits = code_search(release=release, query=query, limit=SEARCH_PAGE_LIMIT) if release and query else []
    context = {
        "system": system,
        "systems": CodeSystem.choices,
        "releases": list(lookup_releases()),
        "release": release,
        "problem": problem,
        "query": query,
        "hits": hits,
        "chapters": list(chapter_list(release=release)) if release and not query else [],
    }
    return render(request, "lookup/browse.html", context)


def code_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One node of the Tabular: a chapter, block, category or code, with its notes and history."""
    system = _system(request)
    release = release_for_lookup_or_404(system=system, release_id=request.GET.get("release"))
    node = code_for_lookup_or_404(release=release, code=code)
    ancestors = code_ancestors(release=release, node=node)
    seven = seven_character_table(node=node, ancestors=ancestors) if node.kind != CodeKind.CHAPTER else None
    context = {
        "system": system,
        "releases": list(lookup_releases(system=system)),
        "release": release,
        "node": node,
        "ancestors": ancestors,
        "children": list(code_children(release=release, node=node)),
        "note_groups": code_note_groups(node=node, ancestors=ancestors),
        "seven": seven,
        "seventh": seventh_character_of(node=node, seven=seven),
        "history": code_history(system=release.system, code=node.code),
        "present_in": releases_containing(system=release.system, code=node.code),
        "is_header": node.kind in (CodeKind.CHAPTER, CodeKind.BLOCK) or not node.billable,
    }
    return render(request, "lookup/code_detail.html", context)


def code_notes(request: HttpRequest) -> HttpResponse:
    """htmx partial: the Tabular notes of one code, for showing beside a chart (release-aware)."""
    system = _system(request)
    # hx-include sends the typeahead input under its form name (e.g. "lines-0-code").
    code = request.GET.get("code") or next((v for k, v in request.GET.items() if k.endswith("code")), "")
    context: dict = {"code": code[:20], "problem": ""}
    try:
        release = release_for_lookup(system=system, release_id=request.GET.get("release"))
    except ReleaseNotFound as exc:
        context["problem"] = str(exc)
        return render(request, "lookup/code_notes.html", context)


    node = Code.objects.filter(release=release, code=code_key(code)).first() if code else None
    if node is None:
        context["problem"] = f"{code[:20] or 'No code'} is not in {release}." if code else "Pick a code to see its notes."
        return render(request, "lookup/code_notes.html", context)
    ancestors = code_ancestors(release=release, node=node)
    seven = seven_character_table(node=node, ancestors=ancestors)
    context.update(
        release=release,
        node=node,
        note_groups=code_note_groups(node=node, ancestors=ancestors),
        seven=seven,
        seventh=seventh_character_of(node=node, seven=seven),
    )
    return render(request, "lookup/code_notes.html", context)
