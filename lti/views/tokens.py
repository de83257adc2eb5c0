"""Personal API tokens: instructors and administrators make, see (once) and revoke their own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require_author

from ..api_auth import SCOPES
from ..services.tokens import MAX_DAYS, personal_token_create, personal_token_revoke, personal_tokens_of


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    new_token = error = None
    if request.method == "POST":
        try:
            days = int(request.POST.get("days") or 90)
            _, new_token = personal_token_create(actor=request.user, scopes=request.POST.getlist("scope"), days=days)
        except (ValueError, ValidationError) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    response = render(request, "lti/api_tokens.html", {
        "tokens": personal_tokens_of(request.user), "scopes": SCOPES.items(), "new_token": new_token,
        "error": error, "max_days": MAX_DAYS,
    }, status=400 if error else 200)
    return response


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require_author(request.user)
    token = personal_tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    personal_token_revoke(actor=request.user, token=token)
    messages.success(request, "The token no longer works.")
    return redirect("lti:api_tokens")
