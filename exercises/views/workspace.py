"""Student side: coding workspace, autosave, submit, result polling, code notes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from codesets.models import Code

from ..access import case_for_student_or_404, submission_for_viewer_or_404
from ..grading import display_code, normalize_code
from ..grading.poa import CHOICES as POA_CHOICES
from ..markdown import render_markdown
from ..models import Setting, Submission, SubmissionStatus
from ..selectors import (
    attach_current_score,
    comments_for,
    draft_for_student,
    submissions_for_student,
)
from ..services import draft_save, submission_submit
from .queries import workspace_query_context
from .results import result_context

NOTE_LABELS = [
    ("inclusion_terms", "Inclusion terms"), ("includes", "Includes"), ("excludes1", "Excludes1"),
    ("excludes2", "Excludes2"), ("code_first", "Code first"), ("use_additional", "Use additional code"),
    ("code_also", "Code also"), ("seven_chr_note", "7th character"),
]


def lines_from_post(post) -> list[dict]:
    """The coding form: one principal, rows of secondary diagnoses, rows of procedure lines.

    Inpatient cases add a POA indicator to each diagnosis (``principal_poa``, ``dx_poa`` beside ``dx_code``)."""
    lines: list[dict] = []
    principal = post.get("principal_code", "").strip()
    if principal:
        lines.append({"role": "principal", "system": "icd10cm", "code": principal, "poa": post.get("principal_poa", "")})
    dx_poa = post.getlist("dx_poa")
    for index, code in enumerate(post.getlist("dx_code")):
        if code.strip():
            lines.append({"role": "secondary", "system": "icd10cm", "code": code,
                          "poa": dx_poa[index] if index < len(dx_poa) else ""})
    codes = post.getlist("px_code")
    systems = post.getlist("px_system")
    modifiers = post.getlist("px_modifiers")
    units = post.getlist("px_units")
    for index, code in enumerate(codes):
        if not code.strip():
            continue
        system = systems[index] if index < len(systems) else "cpt"
        clean = normalize_code(code)
        role = "em" if system == "cpt" and clean.isdigit() and 99202 <= int(clean) <= 99499 else "procedure"
        if system == "icd10pcs":  # inpatient procedures: no modifiers or units
            lines.append({"role": "procedure", "system": system, "code": code})
            continue
        lines.append({
            "role": role, "system": system, "code": code,
            "modifiers": modifiers[index] if index < len(modifiers) else "",
            "units": units[index] if index < len(units) and units[index].strip() else 1,
        })
    return lines


def _elapsed(post) -> int:
    try:
        return max(0, int(post.get("elapsed_seconds", 0)))
    except (TypeError, ValueError):
        return 0


def _documents(case) -> list[dict]:
    return [
        {"title": doc.title, "kind": doc.get_kind_display(), "html": render_markdown(doc.body)}
        for doc in case.documents.all()
    ]


def _notes_url(case) -> str:
    """The shared lookup's notes partial when it is installed, else this app's own (pinned release)."""
    try:
        return reverse("lookup:code_notes")
    except NoReverseMatch:
        return reverse("exercises:code_notes", args=[case.slug])


def _typeahead_script_exists() -> bool:
    return bool(finders.find("js/typeahead.js"))


def _form_rows(lines: list[dict]) -> dict:
    principal = next((line for line in lines if line["role"] == "principal"), None)
    dx = [line for line in lines if line["role"] == "secondary"]
    px = [line for line in lines if line["role"] in ("procedure", "em")]
    for line in dx + px + ([principal] if principal else []):
        line["display"] = display_code(line["code"], line["system"])
        line["modifiers_text"] = ", ".join(line.get("modifiers") or [])
    return {"principal": principal, "dx_rows": dx or [{}], "px_rows": px or [{}]}


def case_workspace(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_student_or_404(user=request.user, slug=slug)
    # Opening the page writes nothing: the first autosave (or the submit) creates the draft.
    draft = draft_for_student(student=request.user, case=case) or Submission(student=request.user, case=case)
    previous = attach_current_score(submissions_for_student(student=request.user, case=case)[:5])
    return render(request, "exercises/workspace.html", {
        "case": case, "documents": _documents(case), "draft": draft, "rows": _form_rows(list(draft.lines)),
        "previous": previous, "typeahead_js": _typeahead_script_exists(),
        "icd_release_id": case.icd10cm_release_id or "", "cpt_release_id": case.cpt_release_id or "",
        "hcpcs_release_id": case.hcpcs_release_id or "", "notes_url": _notes_url(case),
        "inpatient": case.setting == Setting.INPATIENT, "poa_choices": POA_CHOICES,
        "pcs_release_id": case.icd10pcs_release_id or "",
        **workspace_query_context(case, draft),
    })


@require_POST
def draft_autosave(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_student_or_404(user=request.user, slug=slug)
    try:
        draft_save(student=request.user, case=case, lines=lines_from_post(request.POST),
                   query_provider=request.POST.get("query_provider") == "on", elapsed_seconds=_elapsed(request.POST))
    except ValidationError as exc:
        return HttpResponse(format_html('<span class="autosave autosave--error">{}</span>', exc.messages[0]))
    stamp = timezone.localtime().strftime("%H:%M:%S")
    return HttpResponse(format_html('<span class="autosave autosave--ok">Draft saved at {}</span>', stamp))


@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_student_or_404(user=request.user, slug=slug)
    try:
        draft_id = int(request.POST.get("draft_id") or 0) or None
    except ValueError:
        draft_id = None
    lines = lines_from_post(request.POST)
    try:
        submission, created = submission_submit(
            student=request.user, case=case, lines=lines, query_provider=request.POST.get("query_provider") == "on",
            elapsed_seconds=_elapsed(request.POST), draft_id=draft_id,
        )
    except ValidationError as exc:
        # Keep what they typed: save it as the draft, then show the form again with the message.
        try:
            draft_save(student=request.user, case=case, lines=lines,
                       query_provider=request.POST.get("query_provider") == "on", elapsed_seconds=_elapsed(request.POST))
        except ValidationError:
            pass
        for message in exc.messages:
            messages.error(request, message)
        return redirect("exercises:case_workspace", slug=case.slug)
    if not created:
        messages.info(request, "This attempt was already submitted; here is its result.")
    return redirect("exercises:submission_detail", pk=submission.pk)


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_viewer_or_404(user=request.user, submission_id=pk)
    if submission.status == SubmissionStatus.DRAFT:
        return redirect("exercises:case_workspace", slug=submission.case.slug)
    case = submission.case
    context = result_context(request, submission)
    context.update({"case": case, "documents": _documents(case), "comments": comments_for(submission)})
    return render(request, "exercises/submission_detail.html", context)


@require_GET
def submission_result(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_viewer_or_404(user=request.user, submission_id=pk)
    if submission.status == SubmissionStatus.DRAFT:
        return HttpResponse(status=204)
    return render(request, "exercises/partials/result.html", result_context(request, submission))


@require_GET
def code_notes(request: HttpRequest, slug: str) -> HttpResponse:
    """Tabular notes of one code in the case's pinned release (public reference, not the key)."""
    case = case_for_student_or_404(user=request.user, slug=slug)
    system = request.GET.get("system", "icd10cm")
    code = normalize_code(request.GET.get("code", ""))[:8]
    release = case.release_for(system) if system in ("icd10cm", "cpt", "hcpcs") else None
    row = None
    lineage = []
    if code and release is not None:
        prefixes = [code[:n] for n in range(3, len(code) + 1)] if system == "icd10cm" else [code]
        rows = {r.code: r for r in Code.objects.filter(release=release, code__in=prefixes)}
        row = rows.get(code)
        lineage = [rows[p] for p in prefixes if p in rows and p != code]
    notes = []
    for item in (*lineage, row) if row else ():
        for key, label in NOTE_LABELS:
            values = (item.notes or {}).get(key) or []
            if values:
                notes.append({"label": label, "from": item.display_code, "values": values})
        seven = (item.notes or {}).get("seven_chr") or {}
        if seven:
            notes.append({"label": "7th characters", "from": item.display_code,
                          "values": [f"{char}: {meaning}" for char, meaning in seven.items()]})
    return render(request, "exercises/partials/code_notes.html", {
        "code": display_code(code, system) if code else "", "row": row, "notes": notes, "release": release,
        "searched": bool(code),
    })
