"""Instructor side: case editor with documents and a versioned answer key, live validation, release moves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import require_author
from codesets.models import CodeSetRelease, ContentFlag

from ..access import case_for_author_or_404
from ..forms import CaseForm, MoveReleaseForm
from ..grading import display_code
from ..grading.poa import CHOICES as POA_CHOICES
from ..models import DocumentKind, LineRole, LineSystem
from ..services import answer_key_publish, case_move_to_release, case_privacy_warnings, case_save, key_validate
from ..services.authoring import KEY_FIELDS, case_key_check, key_errors, key_line_clean


def documents_from_post(post) -> list[dict]:
    kinds, titles, bodies = post.getlist("doc_kind"), post.getlist("doc_title"), post.getlist("doc_body")
    documents = []
    for index, body in enumerate(bodies):
        title = titles[index].strip() if index < len(titles) else ""
        if not body.strip() and not title:
            continue
        kind = kinds[index] if index < len(kinds) and kinds[index] in DocumentKind.values else DocumentKind.OTHER
        documents.append({"kind": kind, "title": title or "Document", "body": body})
    return documents


def key_rows_from_post(post) -> list[dict]:
    columns = {name: post.getlist(f"key_{name}") for name in KEY_FIELDS}
    rows = []
    for index in range(len(columns["code"])):
        rows.append({name: (values[index] if index < len(values) else "") for name, values in columns.items()})
    return rows


def _release_map(form: CaseForm, case) -> dict:
    def pick(name):
        if case is not None and getattr(case, name + "_id"):
            return getattr(case, name)
        value = form.data.get(name) if form.is_bound else None
        if value:
            return CodeSetRelease.objects.filter(pk=value).first()
        return getattr(case, name) if case is not None else None

    return {"icd10cm": pick("icd10cm_release"), "cpt": pick("cpt_release"), "hcpcs": pick("hcpcs_release"),
            "icd10pcs": pick("icd10pcs_release")}


def _key_rows_for(case) -> list[dict]:
    key = case.answer_keys.order_by("-version").first() if case else None
    if key is None:
        return []
    rows = []
    for line in key.lines.all():
        rows.append({
            "role": line.role, "system": line.system, "code": display_code(line.code, line.system),
            "modifiers": ", ".join(line.modifiers or []), "units": line.units, "points": line.points,
            "alternates": ", ".join(display_code(a, line.system) for a in line.alternates or []),
            "optional": "1" if line.optional else "", "rationale": line.rationale, "guideline_refs": line.guideline_refs,
            "poa": line.poa,
        })
    return rows


def _editor(request: HttpRequest, case=None) -> HttpResponse:
    form = CaseForm(request.POST or None, instance=case)
    documents = [{"kind": d.kind, "title": d.title, "body": d.body} for d in case.documents.all()] if case else []
    key_rows = _key_rows_for(case)
    errors: list[str] = []
    if request.method == "POST":
        documents = documents_from_post(request.POST)
        key_rows = key_rows_from_post(request.POST)
        clean_rows = []
        for number, row in enumerate(key_rows, start=1):
            line, line_errors = key_line_clean(row, number)
            errors.extend(line_errors)
            if line:
                clean_rows.append(line)
        if not documents:
            errors.append("Add at least one chart document.")
        if form.is_valid() and not errors:
            try:
                with transaction.atomic():
                    saved = case_save(actor=request.user, case=case, fields=form.cleaned_data, documents=documents)
                    key, created = answer_key_publish(actor=request.user, case=saved, lines=clean_rows)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                note = f" Answer key saved as version {key.version}; submitted work is being regraded." if created and key.version > 1 else ""
                messages.success(request, f"Case saved.{note}")
                problems = [] if saved.is_published else key_errors(case_key_check(case=saved, lines=clean_rows))
                if problems:
                    messages.warning(request, f"Saved as a draft: the answer key has {len(problems)} problem(s) to fix "
                                              "before the case can be published (see Live validation).")
                return redirect("exercises:case_edit", slug=saved.slug)
    releases = _release_map(form, case)
    issues = key_validate(
        lines=[line for line in (key_line_clean(r, n)[0] for n, r in enumerate(key_rows, 1)) if line],
        releases=releases, patient_age=case.patient_age if case else None, patient_sex=case.patient_sex if case else None,
        inpatient=(form.data.get("setting") if form.is_bound else getattr(case, "setting", "")) == "inpatient",
    ) if key_rows else []
    flags = []
    move_form = None
    current_key = None
    if case is not None:
        current_key = case.answer_keys.order_by("-version").first()
        line_ids = [str(pk) for pk in current_key.lines.values_list("pk", flat=True)] if current_key else []
        flags = list(ContentFlag.objects.filter(target_type="exercises.answerkeyline", target_id__in=line_ids,
                                                resolved_at__isnull=True).select_related("release"))
        move_form = MoveReleaseForm(system="icd10cm")
    return render(request, "exercises/case_edit.html", {
        "case": case, "form": form, "documents": documents or [{}], "key_rows": key_rows or [{}], "errors": errors,
        "issues": issues, "privacy": case_privacy_warnings(title=form.data.get("title", case.title if case else ""),
                                                          summary=form.data.get("summary", case.summary if case else ""),
                                                          documents=documents),
        "flags": flags, "move_form": move_form, "current_key": current_key,
        "document_kinds": DocumentKind.choices, "roles": LineRole.choices, "systems": LineSystem.choices,
        "poa_choices": POA_CHOICES,
    })


def case_create(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    return _editor(request)


def case_edit(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_author_or_404(user=request.user, slug=slug)
    return _editor(request, case)


@require_POST
def case_validate(request: HttpRequest) -> HttpResponse:
    """htmx: validate the key lines and scan the documents while the author types."""
    if not request.user.can_author:
        raise PermissionDenied
    slug = request.POST.get("case_slug", "")
    case = case_for_author_or_404(user=request.user, slug=slug) if slug else None
    form = CaseForm(request.POST, instance=case)
    rows = key_rows_from_post(request.POST)
    lines, shape_errors = [], []
    for number, row in enumerate(rows, start=1):
        line, errs = key_line_clean(row, number)
        shape_errors.extend(errs)
        if line:
            lines.append(line)
    try:
        age = int(request.POST.get("patient_age") or 0) or None
    except ValueError:
        age = None
    issues = key_validate(lines=lines, releases=_release_map(form, case), patient_age=age,
                          patient_sex=request.POST.get("patient_sex") or None,
                          inpatient=request.POST.get("setting") == "inpatient")
    privacy = case_privacy_warnings(title=request.POST.get("title", ""), summary=request.POST.get("summary", ""),
                                    documents=documents_from_post(request.POST))
    return render(request, "exercises/partials/validation.html", {
        "issues": issues, "shape_errors": shape_errors, "privacy": privacy, "checked": bool(lines),
        "line_problems": any(issue.line for issue in issues),
    })


@require_POST
def case_move_release(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_author_or_404(user=request.user, slug=slug)
    form = MoveReleaseForm(request.POST, system="icd10cm")
    if not form.is_valid():
        messages.error(request, "Choose a ready ICD-10-CM release.")
        return redirect("exercises:case_edit", slug=case.slug)
    try:
        issues = case_move_to_release(actor=request.user, case=case, release=form.cleaned_data["release"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        warnings = [i for i in issues if i.level == "warning"]
        messages.success(request, f"Case moved to {form.cleaned_data['release']}; the answer key passed validation"
                                  + (f" with {len(warnings)} warning(s)." if warnings else "."))
    return redirect("exercises:case_edit", slug=case.slug)
