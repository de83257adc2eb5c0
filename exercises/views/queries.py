"""Provider queries: sending the student's query from the workspace, and the instructor's rubric override."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import case_for_student_or_404, score_for_reviewer_or_404
from ..forms import OverrideQueryForm
from ..grading.query_rubric import CRITERION_LABELS, FORMAT_LABELS, FORMATS
from ..markdown import render_markdown
from ..models import ProviderQuery, Submission
from ..services import provider_reply_for, query_send, score_override_query
from ..services.queries import rubric_score_of


def workspace_query_context(case, draft: Submission) -> dict:
    """The query panel of the workspace. The provider's reply is rendered only once the query was sent."""
    query = ProviderQuery.objects.filter(submission=draft).first() if draft.pk else None
    sent = query is not None and query.is_sent
    return {
        "provider_query": query,
        "query_sent": sent,
        "query_formats": [(value, FORMAT_LABELS[value]) for value in FORMATS],
        "query_options_text": "\n".join(query.options or []) if query else "",
        "provider_reply_html": render_markdown(provider_reply_for(case, query)) if sent else "",
    }


def query_result_context(submission: Submission, score, *, can_review: bool) -> dict:
    """The query card of the result page: the query, the reply, and the rubric's findings once scored."""
    query = ProviderQuery.objects.filter(submission=submission, sent_at__isnull=False).first()
    rubric = (score.result.get("query_rubric") if score is not None else None) or None
    context = {
        "provider_query": query,
        "provider_query_format": FORMAT_LABELS.get(query.format, "") if query else "",
        "provider_reply_html": render_markdown(provider_reply_for(submission.case, query)) if query else "",
        "query_rubric": None,
        "query_override_form": None,
    }
    if rubric:
        context["query_rubric"] = {
            **rubric,
            "criteria": [{**c, "label": c.get("label") or CRITERION_LABELS.get(c["name"], c["name"])}
                         for c in rubric.get("criteria", [])],
            "final": rubric_score_of(score.result),
            "weight_percent": round(100 * float(rubric.get("weight", 0.0))),
            "coding_percent": round(100 * (1 - float(rubric.get("weight", 0.0)))),
            "coding_score": score.result.get("coding_score"),
        }
        context["query_override_form"] = OverrideQueryForm() if can_review else None
    return context


@require_POST
def query_send_view(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_student_or_404(user=request.user, slug=slug)
    try:
        _, sent = query_send(
            student=request.user, case=case, format=request.POST.get("query_format", ""),
            question=request.POST.get("query_question", ""), indicators=request.POST.get("query_indicators", ""),
            options=request.POST.get("query_options", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("exercises:case_workspace", args=[case.slug]) + "#query-panel")
    if sent:
        messages.success(request, "Query sent. The provider's reply is below: now code the final claim.")
    else:
        messages.info(request, "Your query on this attempt was already sent; a query is sent once.")
    return redirect(reverse("exercises:case_workspace", args=[case.slug]) + "#provider-reply")


@require_POST
def override_query(request: HttpRequest, pk: int) -> HttpResponse:
    score = score_for_reviewer_or_404(user=request.user, score_id=pk)
    form = OverrideQueryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a query score from 0 to 100 and a reason.")
    else:
        try:
            score_override_query(actor=request.user, score=score, rubric_score=form.cleaned_data["query_score"],
                                 reason=form.cleaned_data["reason"])
            messages.success(request, "Query score updated; the student sees the change and your reason.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("exercises:submission_detail", pk=score.submission_id)
