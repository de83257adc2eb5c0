"""Pages shown inside the LMS: a placement (what a course link opens) and the course's sync page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from ..access import context_for_instructor_or_404, resource_link_for_member_or_404
from ..models import TargetKind
from ..services.launches import target_url


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
    return render(request, "lti/course.html", {"context": context})
