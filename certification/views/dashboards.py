"""Readiness dashboards: student, instructor (cohort view, CSV) and admin."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import User
from accounts.permissions import require_admin, require_author
from accounts.services import audit_access_denied, audit_record
from coding_lms.csv_export import csv_writer
from courses.models import Cohort
from courses.selectors import can_view_student, cohorts_for_instructor

from ..dashboards import admin_dashboard, cohort_export_rows, instructor_dashboard, student_dashboard
from ..models import Blueprint
from ..readiness_presenters import mastery_legend, readiness_groups


def _readiness_page(context: dict) -> dict:
    """The readiness page's extras: thin credentials grouped in one card, and the mastery bars' legend."""
    focus = context.get("focus")
    return {**context, **readiness_groups(context["readiness"]),
            "mastery_legend": mastery_legend(focus.pass_percent if focus else None)}


def my_dashboard(request):
    if not request.user.is_student:
        raise Http404("Readiness dashboards belong to students; instructors use the cohort view.")
    context = _readiness_page(student_dashboard(student=request.user, focus_slug=request.GET.get("credential")))
    return render(request, "certification/student_dashboard.html", {**context, "subject": request.user, "is_self": True})


def student_detail(request, student_id: int):
    student = User.objects.filter(pk=student_id, role="student").first()
    if student is None or not can_view_student(viewer=request.user, student=student):
        if student is not None:
            audit_access_denied(actor=request.user, action="readiness.access_denied", target=student)
        raise Http404("No such student.")
    context = _readiness_page(student_dashboard(student=student, focus_slug=request.GET.get("credential")))
    return render(
        request, "certification/student_dashboard.html", {**context, "subject": student, "is_self": student.pk == request.user.pk}
    )


def _cohort_param(request) -> int | None:
    try:
        return int(request.GET["cohort"]) if request.GET.get("cohort") else None
    except ValueError:
        return None


def instructor_view(request):
    require_author(request.user)
    context = instructor_dashboard(
        viewer=request.user, cohort_id=_cohort_param(request), focus_slug=request.GET.get("credential") or "cpc"
    )
    credentials = Blueprint.objects.filter(is_builtin=True, is_active=True).only("slug", "credential", "name")
    return render(request, "certification/instructor_dashboard.html", {**context, "credentials": credentials})


def cohort_export(request, cohort_id: int):
    require_author(request.user)
    cohort = cohorts_for_instructor(instructor=request.user).filter(pk=cohort_id).first()
    if cohort is None:
        if Cohort.objects.filter(pk=cohort_id).exists():
            audit_access_denied(actor=request.user, action="readiness.export_denied", target_type="courses.cohort",
                                target_id=cohort_id)
        raise Http404("No such cohort.")
    focus = get_object_or_404(Blueprint, slug=request.GET.get("credential") or "cpc")
    header, rows = cohort_export_rows(cohort=cohort, focus=focus)
    audit_record(actor=request.user, action="readiness.exported", target=cohort, after={"rows": len(rows), "credential": focus.slug})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="readiness-{cohort.pk}-{focus.slug}.csv"'
    writer = csv_writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def admin_view(request):
    require_admin(request.user)
    return render(request, "certification/admin_dashboard.html", admin_dashboard())
