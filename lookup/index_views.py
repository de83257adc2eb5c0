"""Pages of the Alphabetic Index browser: the Index, the External Cause Index, the Neoplasm Table and the
Table of Drugs and Chemicals of a release, each code one click from its Tabular entry."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from codesets.models import CodeSystem
from codesets.uploads_http import admin_upload

from .alphaindex import TABLE_KINDS
from .forms import IndexUploadForm
from .index_selectors import (
    index_find_main_terms,
    index_letter_rows,
    index_letter_terms,
    index_letters,
    index_main_term_of,
    index_reference_target,
    index_subtree,
    index_table_key,
    index_tables,
)
from .models import IndexTerm
from .selectors import lookup_releases, release_for_lookup_or_404
from .services.index_import import IndexImportError, index_uploads_import

MAX_FIND_CHARS = 100


def _context(request: HttpRequest, table: str):
    release = release_for_lookup_or_404(system=CodeSystem.ICD10CM, release_id=request.GET.get("release"))
    tables = index_tables(release=release)
    current = next(t for t in tables if t.key == table)
    return release, {
        "release": release,
        "releases": list(lookup_releases(system=CodeSystem.ICD10CM)),
        "system": CodeSystem.ICD10CM,
        "tables": tables,
        "table": current,
        "any_imported": any(t.source for t in tables),
    }


def index_browse(request: HttpRequest) -> HttpResponse:
    """One table of the Index: its letters, then a letter's main terms (or rows), or the main terms found."""
    table = index_table_key(request.GET.get("table"))
    release, context = _context(request, table)
    letters = index_letters(release=release, table=table) if context["table"].source else []
    letter = (request.GET.get("letter") or "").strip()[:8]
    find = (request.GET.get("q") or "").strip()[:MAX_FIND_CHARS]
    if letter not in letters:
        letter = letters[0] if letters else ""
    context.update(letters=letters, letter=letter, find=find, terms=[], rows=[], found=None)
    if context["table"].source:
        if find:
            context["found"] = list(index_find_main_terms(release=release, table=table, text=find))
        elif letter and context["table"].is_table:
            context["rows"] = index_letter_rows(release=release, table=table, letter=letter)
        elif letter:
            context["terms"] = list(index_letter_terms(release=release, table=table, letter=letter))
    return render(request, "lookup/index_browse.html", context)


def index_term(request: HttpRequest, table: str, position: int) -> HttpResponse:
    """A main term with its subterms indented (or a table row with its subrows); codes open the Tabular."""
    if table not in TABLE_KINDS:
        raise Http404("There is no such Index table.")
    release, context = _context(request, table)
    term = IndexTerm.objects.filter(release=release, table=table, sort_order=position).first()
    if term is None:
        raise Http404(f"There is no such term in the {context['table'].name} of {release}.")
    main = index_main_term_of(release=release, table=table, term=term)
    context.update(main=main, rows=index_subtree(release=release, table=table, main=main), target=term)
    return render(request, "lookup/index_term.html", context)


def index_see(request: HttpRequest) -> HttpResponse:
    """Follow a "see" / "see also" reference to the term it names, or say that it names none."""
    table = index_table_key(request.GET.get("table"))
    release, context = _context(request, table)
    reference = (request.GET.get("ref") or "").strip()[:500]
    found = index_reference_target(release=release, table=table, reference=reference) if reference else None
    if found is not None:
        target_table, term = found
        url = reverse("lookup:index_term", args=[target_table, index_main_term_of(
            release=release, table=target_table, term=term).sort_order])
        return redirect(f"{url}?{urlencode({'release': release.pk})}#term-{term.sort_order}")
    context.update(reference=reference)
    return render(request, "lookup/index_see.html", context, status=404)


@csrf_exempt
def index_upload(request: HttpRequest) -> HttpResponse:
    """Administrators: import the Index files of a release (checked completely before anything is stored)."""
    return admin_upload(request, form_class=IndexUploadForm, page=_upload_page, handle=_upload_post,
                        initial={"release": request.GET.get("release")})


def _upload_post(request: HttpRequest, form: IndexUploadForm) -> HttpResponse:
    release = form.cleaned_data["release"]
    try:
        outcomes = index_uploads_import(release=release, uploads=form.uploads(), actor=request.user)
    except IndexImportError as exc:
        return _upload_page(request, form, str(exc), status=400)
    for outcome in outcomes:
        if outcome.created:
            unknown = (f" {len(outcome.unknown_codes)} codes it names are not in {release}."
                       if outcome.unknown_codes else "")
            messages.success(request, f"{outcome.table_name}: {outcome.term_count:,} terms imported from "
                                      f"{outcome.file_name}.{unknown}")
        else:
            messages.info(request, f"{outcome.file_name} was already imported as the {outcome.table_name}.")
    first = outcomes[0].table if outcomes else "index"
    return redirect(f"{reverse('lookup:index_browse')}?{urlencode({'release': release.pk, 'table': first})}")


def _upload_page(request: HttpRequest, form: IndexUploadForm, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "lookup/index_upload.html",
                  {"form": form, "error": error, "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
                  status=status)
