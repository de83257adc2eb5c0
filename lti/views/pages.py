"""Pages shown inside the LMS: a placement (what a course link opens) and the course's Codewise page
(its cohort, roster sync, and every grade that has not reached the gradebook)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.services import audit_access_denied

from ..access import context_for_instructor_or_404, resource_link_for_member_or_404
from ..models import GradePassback, PassbackStatus, TargetKind
from ..services.launches import target_url
from ..services.passback import passback_retry
from ..services.roster import roster_sync_request


def placement(request: HttpRequest, pk: int) -> HttpResponse:
    link = resource_link_for_member_or_404(user=request.user, pk=pk)
    url = target_url(link.target_kind, link.target_ref) if link.target_kind else None
    if url:
        return redirect(url)
    return render(request, "lti/placement.html", {"link": link, "start_url": _start_url(link)})


def _start_url(link) -> str | None:
    from certification.models import Blueprint

    try:
        if link.target_kind == TargetKind.EXAM:
            blueprint = Blueprint.objects.active().filter(slug=link.target_ref).first()
            return reverse("certification:attempt_start", args=[blueprint.pk]) if blueprint else None
        if link.target_kind == TargetKind.DRILL:
            return reverse("certification:drill_start", args=[link.target_ref])
    except NoReverseMatch:
        return None
    return None


def course(request: HttpRequest, pk: int) -> HttpResponse:
    context = context_for_instructor_or_404(user=request.user, pk=pk)
    passbacks = GradePassback.objects.filter(line_item__context=context).select_related("line_item", "user_link__user")
    counts = {status: 0 for status in PassbackStatus.values}
    for status in passbacks.values_list("status", flat=True):
        counts[status] += 1
    return render(request, "lti/course.html", {
        "context": context,
        "line_items": context.line_items.order_by("label"),
        "counts": counts,
        "problems": passbacks.exclude(status=PassbackStatus.SENT).order_by("-status", "-updated_at")[:200],
        "members": context.memberships.filter(is_active=True).select_related("user_link__user")
                          .order_by("-is_instructor", "user_link__user__display_name"),
    })


@require_POST
def roster_sync_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = context_for_instructor_or_404(user=request.user, pk=pk)
    roster_sync_request(actor=request.user, context=context)
    messages.success(request, "The roster is being read from the course; reload this page in a moment.")
    return redirect("lti:course", pk=context.pk)


@require_POST
def passback_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    passback = GradePassback.objects.select_related("line_item__context").filter(pk=pk).first()
    if passback is None:
        raise Http404
    context = context_for_instructor_or_404(user=request.user, pk=passback.line_item.context_id)
    if passback.status == PassbackStatus.SENT:
        audit_access_denied(actor=request.user, target=passback, action="lti.passback_retry_refused")
    else:
        passback_retry(actor=request.user, passback=passback)
        messages.success(request, "The score is on its way to the gradebook again.")
    return redirect("lti:course", pk=context.pk)
