"""API tokens (django-oauth-toolkit): OAuth 2 client credentials and personal tokens, with scopes.

A token opens only endpoints that declare the scopes they need (``required_scopes`` on the view),
and only with those scopes: every other endpoint answers a token as if no credentials were sent.
A client-credentials token acts as the Codewise account its application belongs to. Refusals go
to the audit log.
"""

from __future__ import annotations

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from accounts.services import audit_access_denied

SCOPE_RESULTS_READ = "results:read"
SCOPE_COHORTS_MANAGE = "cohorts:manage"
SCOPES = {
    SCOPE_RESULTS_READ: "Read cohorts, and the case and exam results of their students",
    SCOPE_COHORTS_MANAGE: "Create cohorts and manage their members",
}


def required_scopes_for(view, method: str) -> list[str] | None:
    scopes = getattr(view, "required_scopes", None)
    if isinstance(scopes, dict):
        return scopes.get(method)
    return scopes


class ScopedOAuth2Authentication(OAuth2Authentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if user is None and token.application is not None:
            user = token.application.user  # client credentials act as the application's owner
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("This token belongs to no active account.")
        view = (getattr(request, "parser_context", None) or {}).get("view")
        needed = required_scopes_for(view, request.method) if view is not None else None
        if not needed:
            audit_access_denied(actor=user, target_type="api.endpoint", target_id=request.path[:64],
                                action="api.token_refused", detail={"reason": "endpoint takes no tokens"})
            raise exceptions.AuthenticationFailed("API tokens cannot be used on this endpoint.")
        if not token.allow_scopes(needed):
            audit_access_denied(actor=user, target_type="api.endpoint", target_id=request.path[:64],
                                action="api.token_refused", detail={"needed": needed, "granted": token.scope})
            raise exceptions.PermissionDenied(f"This token lacks the scope {' '.join(needed)}.")
        return user, token
