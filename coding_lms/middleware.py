"""Project-wide request guards: login everywhere, and security headers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

# The only paths an anonymous visitor may open.
PUBLIC_PATH_PREFIXES = (
    "/accounts/login/",
    "/accounts/password-reset/",
    "/health/",
    "/static/",
    "/certificates/verify/",
    # LMS launches: the platform's signed id_token is the credential (lti.protocol checks it).
    "/lti/jwks/",
    "/lti/login/",
    "/lti/launch/",
    "/lti/register/",  # LTI Dynamic Registration: only with a one-time link an administrator made
    # OAuth 2 token endpoint: the client authenticates with its id and secret.
    "/o/token/",
    "/o/revoke_token/",
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
# Swagger UI and Redoc (self-hosted): still no inline or foreign script; they style with inline
# styles and Redoc parses in a blob worker.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


class LoginRequiredEverywhereMiddleware:
    """Every URL needs a logged-in user unless it is on the public allowlist."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PATH_PREFIXES):
            if request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer "):
                return self.get_response(request)  # an API token: the API authenticates it, and answers 401 if bad
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script) and related headers on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/docs/"):
            response.headers.setdefault("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY)
        elif not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        else:
            # Django's admin uses a few inline scripts; keep it locked to our own origin.
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
            )
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class SessionIdleRefreshMiddleware:
    """Keep sessions alive while they are used without a database write on every request.

    A session expires after SESSION_COOKIE_AGE of inactivity. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) would cost a write per keystroke in the
    code lookup; refreshing at most once a minute keeps the idle timeout accurate
    to the minute for a fraction of the cost.
    """

    REFRESH_EVERY_SECONDS = 60
    KEY = "_idle_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.REFRESH_EVERY_SECONDS:
                session[self.KEY] = now
        return response


class PrivateResponsesNotStoredMiddleware:
    """Responses for a signed-in user, and every API answer, carry ``Cache-Control: no-store``.

    They hold grades, answers and names: neither a shared computer's browser cache nor a proxy
    may keep them (the back button after sign-out must not show them either). A view that sets
    its own Cache-Control keeps it; static files are public and are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response.headers or request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response


class SessionAbsoluteLifetimeMiddleware:
    """A session ends SESSION_ABSOLUTE_AGE seconds after sign-in, however active it has been.

    The idle timeout alone lets a session that is used every hour live for ever (a stolen
    cookie included). Sign-in stamps the session (accounts.signals); past the limit the user
    is signed out here and LoginRequiredEverywhereMiddleware, next in line, sends them to the
    login page (or answers 401 on the API).
    """

    KEY = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.get(self.KEY)
            if signed_in_at is None:
                # A session from before this check existed: its lifetime starts now.
                request.session[self.KEY] = now
            elif now - signed_in_at >= settings.SESSION_ABSOLUTE_AGE:
                logout(request)
        return self.get_response(request)
