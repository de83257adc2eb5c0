"""Case review: send for review, the second instructor's review page (verify or send back), pilot cohorts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import case_for_author_or_404, case_for_reviewer_or_404, case_for_sharing_or_404, can_edit_case
from ..grading import display_code
from ..markdown import render_markdown
from ..models import ReviewStatus
from ..services.authoring import KEY_FIELDS, case_key_check
from ..services.case_review import (
    can_verify_case,
    case_pilot_cohorts_set,
    case_review_history,
    case_review_request,
    case_review_return,
    case_verify,
)


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def case_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The page a second instructor reads before verifying: the chart, the key with rationales, the checks."""
    case = case_for_reviewer_or_404(user=request.user, slug=slug)
    key = case.answer_keys.order_by("-version").first()
    lines = list(key.lines.order_by("order", "id")) if key else []
    for line in lines:
        line.display = display_code(line.code, line.system)
        line.alternates_display = [display_code(code, line.system) for code in line.alternates or []]
    key_lines = [{name: getattr(line, name) for name in KEY_FIELDS} for line in lines]
    issues = case_key_check(case=case, lines=key_lines) if lines else []
    documents = [{"title": d.title, "kind": d.get_kind_display(), "html": render_markdown(d.body)}
                 for d in case.documents.all()]
    return render(request, "exercises/case_review.html", {
        "case": case, "key": key, "lines": lines, "documents": documents,
        "errors": [i for i in issues if i.level == "error"], "warnings": [i for i in issues if i.level == "warning"],
        "can_verify": can_verify_case(user=request.user, case=case) and case.review_status == ReviewStatus.IN_REVIEW,
        "is_writer": not can_verify_case(user=request.user, case=case),
        "can_edit": can_edit_case(user=request.user, case=case), "history": case_review_history(case=case),
    })


def _review_step(request: HttpRequest, *, case, step, success: str, back_to: str) -> HttpResponse:
    """Run one review step with the posted note; show its refusal or its success, then go back."""
    try:
        step(actor=request.user, case=case, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, success)
    return redirect(back_to, slug=case.slug)


@require_POST
def case_review_send(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_author_or_404(user=request.user, slug=slug)
    return _review_step(request, case=case, step=case_review_request, back_to="exercises:case_edit",
                        success="Sent for review: a second instructor checks the key and verifies it.")


@require_POST
def case_review_verify(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_reviewer_or_404(user=request.user, slug=slug)
    return _review_step(request, case=case, step=case_verify, back_to="exercises:case_review",
                        success=f"“{case.title}” is verified: once published, every student sees it.")


@require_POST
def case_review_send_back(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_reviewer_or_404(user=request.user, slug=slug)
    return _review_step(request, case=case, step=case_review_return, back_to="exercises:case_review",
                        success="Sent back to the author as a draft with your note.")


@require_POST
def case_pilot_cohorts(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_sharing_or_404(user=request.user, slug=slug)
    try:
        ids = [int(value) for value in request.POST.getlist("cohort")]
    except ValueError:
        ids = None
    try:
        if ids is None:
            raise ValidationError("Choose among the cohorts you teach.")
        cohorts = case_pilot_cohorts_set(actor=request.user, case=case, cohort_ids=ids)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        names = ", ".join(cohort.name for cohort in cohorts)
        messages.success(request, f"Before verification this case reaches: {names}." if names
                         else "Before verification this case reaches no student.")
    return redirect("exercises:case_edit", slug=case.slug)
