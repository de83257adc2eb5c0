"""Instructor review: the cohort queue, overrides, comments, bulk regrade and CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import score_for_reviewer_or_404, submission_for_reviewer_or_404
from ..forms import CommentForm, OverrideLineForm, OverrideTotalForm
from ..models import Case, SubmissionStatus
from ..selectors import REVIEW_STATES, attach_current_score, review_queue as review_queue_rows, review_state_counts
from ..selectors import reviewer_cohorts
from ..services.review_state import submission_review_mark
from ..services import comment_create, grades_csv, score_override_line, score_override_total, submissions_regrade

PAGE_SIZE = 50


def _require_reviewer(user) -> None:
    if not user.can_author:
        raise PermissionDenied("Only instructors and administrators can review submissions.")


def _filters(request: HttpRequest):
    cohorts = reviewer_cohorts(viewer=request.user)
    cohort = None
    case = None
    source = request.GET if request.method == "GET" else request.POST
    if source.get("cohort", "").isdigit():
        cohort = cohorts.filter(pk=int(source["cohort"])).first()
    if source.get("case", "").isdigit():
        case = Case.objects.filter(pk=int(source["case"])).first()
    status = source.get("status", "")
    if status not in (SubmissionStatus.PENDING, SubmissionStatus.SCORED):
        status = ""
    return cohorts, cohort, case, status


def _with_query(request: HttpRequest) -> bool:
    return (request.GET if request.method == "GET" else request.POST).get("query") == "1"


def review_queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    cohorts, cohort, case, status = _filters(request)
    review = request.GET.get("review", "")
    if review not in REVIEW_STATES:
        review = ""
    unfiltered = review_queue_rows(viewer=request.user, cohort=cohort, case=case, status=status,
                                   with_query=_with_query(request))
    counts = review_state_counts(unfiltered)
    queryset = review_queue_rows(viewer=request.user, cohort=cohort, case=case, status=status,
                                 with_query=_with_query(request), review=review)
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    total = queryset.count()
    rows = attach_current_score(queryset[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    return render(request, "exercises/review_queue.html", {
        "rows": rows, "cohorts": cohorts, "cohort": cohort, "cases": Case.objects.only("pk", "title"), "case": case,
        "status": status, "with_query": _with_query(request), "total": total, "page": page,
        "has_next": page * PAGE_SIZE < total,
        "query": request.GET.urlencode(), "review": review, "review_counts": counts,
        "filter_query": _query_without(request, "review", "page"),
    })


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_POST
def submission_review_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a submission reviewed, or back to needs review (the review queue's tabs)."""
    _require_reviewer(request.user)
    submission = submission_for_reviewer_or_404(user=request.user, submission_id=pk)
    reviewed = request.POST.get("reviewed") == "1"
    try:
        submission_review_mark(actor=request.user, submission=submission, reviewed=reviewed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked reviewed." if reviewed else "Back in “Needs review”.")
    next_url = request.POST.get("next", "")
    if next_url.startswith("/cases/review/"):
        return redirect(next_url)
    return redirect("exercises:submission_detail", pk=submission.pk)


def review_export(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    _, cohort, case, status = _filters(request)
    rows = attach_current_score(review_queue_rows(viewer=request.user, cohort=cohort, case=case, status=status,
                                                  with_query=_with_query(request)))
    response = HttpResponse(grades_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-grades.csv"'
    return response


@require_POST
def review_regrade(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    ids = [int(x) for x in request.POST.getlist("submission") if x.isdigit()]
    if not ids:
        messages.error(request, "Select at least one submission to regrade.")
        return redirect("exercises:review_queue")
    visible = review_queue_rows(viewer=request.user).filter(pk__in=ids)
    queued = 0
    for case_id in set(visible.values_list("case_id", flat=True)):
        case = Case.objects.get(pk=case_id)
        key = case.answer_keys.order_by("-version").first()
        if key is not None:
            queued += submissions_regrade(submissions=visible.filter(case=case), key=key)
    messages.success(request, f"{queued} submission(s) queued for regrading against each case's current key. "
                              "Work already graded against that key keeps its score.")
    if _safe_next(request):
        return redirect(request.POST["next"])
    return redirect("exercises:review_queue")


def _safe_next(request: HttpRequest) -> bool:
    value = request.POST.get("next", "")
    return value.startswith("/cases/review/") and "//" not in value


@require_POST
def override_line(request: HttpRequest, pk: int) -> HttpResponse:
    score = score_for_reviewer_or_404(user=request.user, score_id=pk)
    form = OverrideLineForm(request.POST)
    if not form.is_valid():
        if "credit" in form.errors and not request.POST.get("credit"):
            messages.error(request, "Nothing changed: choose the new credit for the line (it was left at no change).")
        else:
            messages.error(request, "Choose the credit and give a reason for the change.")
    else:
        try:
            score_override_line(actor=request.user, score=score, line_index=form.cleaned_data["line_index"],
                                credit=form.cleaned_data["credit"], reason=form.cleaned_data["reason"])
            messages.success(request, "Line updated; the student sees the change and your reason.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("exercises:submission_detail", pk=score.submission_id)


@require_POST
def override_total(request: HttpRequest, pk: int) -> HttpResponse:
    score = score_for_reviewer_or_404(user=request.user, score_id=pk)
    form = OverrideTotalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a total from 0 to 100 and a reason.")
    else:
        try:
            score_override_total(actor=request.user, score=score, total=form.cleaned_data["total"],
                                 reason=form.cleaned_data["reason"])
            messages.success(request, "Total updated; the student sees the change and your reason.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("exercises:submission_detail", pk=score.submission_id)


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_reviewer_or_404(user=request.user, submission_id=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_create(actor=request.user, submission=submission, body=form.cleaned_data["body"])
            messages.success(request, "Comment sent to the student.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Write a comment first (up to 5,000 characters).")
    return redirect("exercises:submission_detail", pk=submission.pk)
