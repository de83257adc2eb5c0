"""Friendly error pages (and JSON for the API) instead of Django's bare defaults."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render


def _respond(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _respond(request, 400, "Bad request", "The request could not be understood. Please check what you entered.")


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "You do not have access to this page."
    return _respond(request, 403, "Not allowed", message)


def page_not_found(request, exception=None):
    return _respond(request, 404, "Not found", "We could not find that page.")


def server_error(request):
    return _respond(request, 500, "Something went wrong", "An unexpected error occurred. It has been logged.")
