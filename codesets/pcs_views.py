"""ICD-10-PCS table browser and code builder (every signed-in user: the tables are public reference).

Browse: section, then body system, then the tables (root operation with its definition), then one table with its
axes and rows. Build: pick each character from what the table allows after the ones already chosen, or type a
code and see every character explained. Each builder step is one indexed read of the table row.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Code, CodeSetRelease, ReleaseStatus
from .pcs_tables import explain, next_choice, read_code


def _release(request: HttpRequest) -> CodeSetRelease | None:
    wanted = request.GET.get("release")
    releases = CodeSetRelease.objects.filter(system="icd10pcs", status=ReleaseStatus.READY)
    if wanted and wanted.isdigit():
        return releases.filter(pk=int(wanted)).first()
    return releases.filter(is_current=True).first()


def _complete(release: CodeSetRelease | None) -> bool:
    return release is not None and (release.source_files or {}).get("complete") is not False


def _completeness(release: CodeSetRelease | None) -> str:
    """What a partial release covers, as its loader wrote it ("FY2025 tables, 68,672 of ~79,000 codes; ...")."""
    if release is None or _complete(release):
        return ""
    return str((release.source_files or {}).get("note") or "Partial demo set: codes it lacks are not checked.")


def _clean(raw: str, size: int) -> str:
    return read_code(raw, size)[0]


@require_GET
def pcs_browse(request: HttpRequest) -> HttpResponse:
    release = _release(request)
    prefix, problem = read_code(request.GET.get("at", ""), 2)
    rows = []
    has_tables = False
    if release is not None:
        depth = len(prefix)
        # The rows one level down are the children of the prefix: an indexed (release, parent_code) read.
        query = Code.objects.filter(release=release, depth=depth, parent_code=prefix).only(
            "code", "long_title", "short_title", "notes", "kind")
        rows = [{"code": row.code, "title": row.long_title,
                 "definition": ((row.notes or {}).get("axes") or {}).get("3", {}).get("definition", ""),
                 "is_table": depth == 2} for row in sorted(query.order_by()[:500], key=lambda row: row.code)]
        has_tables = Code.objects.filter(release=release, kind="category", notes__has_key="rows").exists() \
            if release.pk else False
    trail = []
    if release is not None:
        for size in range(1, len(prefix) + 1):
            row = Code.objects.filter(release=release, code=prefix[:size]).only("code", "long_title").first()
            trail.append({"code": prefix[:size], "title": row.long_title if row else prefix[:size]})
    return render(request, "codesets/pcs_browse.html", {
        "release": release, "rows": rows, "prefix": prefix, "trail": trail, "complete": _complete(release),
        "has_tables": has_tables, "completeness": _completeness(release), "problem": problem,
    })


@require_GET
def pcs_table(request: HttpRequest, table: str) -> HttpResponse:
    release = _release(request)
    table = _clean(table, 3)
    row = Code.objects.filter(release=release, code=table).first() if release is not None and len(table) == 3 else None
    if row is None:
        raise Http404("No such ICD-10-PCS table in this release.")
    notes = row.notes or {}
    codes = Code.objects.filter(release=release, parent_code=table, billable=True).count()
    return render(request, "codesets/pcs_table.html", {
        "release": release, "table": row, "axes": notes.get("axes") or {}, "rows": notes.get("rows") or [],
        "codes": codes, "complete": _complete(release), "completeness": _completeness(release),
    })


@require_GET
def pcs_build(request: HttpRequest) -> HttpResponse:
    """htmx partial: the next character's choices for a partial code, or every character of a whole code explained."""
    release = _release(request)
    code, problem = read_code(request.GET.get("code", ""), 7)
    context = {"release": release, "code": code, "choice": None, "characters": [], "valid": None, "table": None,
               "complete": _complete(release), "problem": problem}
    if problem:
        pass
    elif release is not None and len(code) >= 3:
        table = Code.objects.filter(release=release, code=code[:3]).only("code", "long_title", "notes").first()
        context["table"] = table
        if table is not None:
            notes = table.notes or {}
            context["characters"] = explain(code, notes)
            context["stuck"] = next((c for c in context["characters"] if not c.allowed), None)
            if len(code) < 7:
                context["choice"] = next_choice(notes, code[3:]) if context["stuck"] is None else None
            else:
                context["valid"] = Code.objects.filter(release=release, code=code, billable=True).exists()
    elif release is not None:
        # Sorted here: ORDER BY code would lead SQLite to walk the release's (release, code) index instead.
        context["starts"] = sorted(Code.objects.filter(release=release, depth=len(code), parent_code=code)
                                   .order_by().values_list("code", "long_title")[:200])
    return render(request, "codesets/partials/pcs_build.html", context)
