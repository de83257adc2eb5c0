"""Project-level pages: the dashboard hub and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """Liveness and database reachability, for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        database_ok = False
    status = 200 if database_ok else 503
    return JsonResponse({"status": "ok" if database_ok else "degraded", "database": database_ok}, status=status)


def home(request):
    """The role dashboard: readiness for students, the cohort view for instructors, operations for admins."""
    from certification.dashboards import admin_dashboard, instructor_dashboard

    user = request.user
    context: dict = {"dashboard": ""}
    if user.is_admin:
        context = {**admin_dashboard(), "dashboard": "admin"}
    elif user.is_instructor:
        context = {**instructor_dashboard(viewer=user, item_limit=10), "dashboard": "instructor"}
    elif user.is_student:
        from certification.readiness_presenters import student_home_summary

        # A short summary that links to the readiness page, which carries the detail.
        context = {**student_home_summary(student=user), "dashboard": "student", "is_self": True}
    return render(request, "home.html", context)
