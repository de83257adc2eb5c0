"""Codewise inside an LMS iframe, and nowhere else.

- Framing: a response may be framed only by the origins of the platform that launched it: the
  login and launch pages (the platform is known from the request), and the learner-facing pages
  of a session that began with a launch. Every other response keeps ``frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY``.
- Cookies: an LTI session's cookies (session and CSRF) are ``SameSite=None; Secure`` so the
  browser sends them inside the platform's iframe; every other session keeps ``SameSite=Lax``.
  Where the browser blocks third-party cookies anyway, the login page offers a new window.
"""

from __future__ import annotations

from django.conf import settings

from coding_lms.middleware import CONTENT_SECURITY_POLICY

SESSION_KEY = "lti"
# Pages an LTI session may show inside the platform's frame. Sign-in, password, admin and the API stay unframeable.
EMBEDDABLE_PREFIXES = ("/lti/", "/cases/", "/exams/", "/courses/", "/lookup/", "/static/")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def cookies_can_be_secure(request) -> bool:
    """Secure cookies need HTTPS; browsers also accept them from localhost, which development uses."""
    if request.is_secure():
        return True
    return not settings.PRODUCTION and request.get_host().rsplit(":", 1)[0] in LOCAL_HOSTS


def policy_with_frame_ancestors(origins: list[str], *, form_action: list[str] | None = None) -> str:
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(["'self'", *origins]))
    if form_action:
        policy = policy.replace("form-action 'self'", "form-action " + " ".join(["'self'", *form_action]))
    return policy


def _framing_platform(request):
    platform = getattr(request, "lti_platform", None)
    if platform is not None:
        return platform
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    if not data or not request.path.startswith(EMBEDDABLE_PREFIXES):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from .models import Platform

    return Platform.objects.active().filter(pk=data.get("platform")).first()


class LtiFramingMiddleware:
    """Per-platform ``frame-ancestors`` for LTI pages. Sits inside SecurityHeadersMiddleware, which
    keeps a policy already set and adds the strict one everywhere else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        platform = _framing_platform(request)
        if platform is None:
            return response
        form_action = getattr(response, "lti_form_action", None)
        response.headers["Content-Security-Policy"] = policy_with_frame_ancestors(
            platform.allowed_frame_origins(), form_action=form_action)
        response.xframe_options_exempt = True
        return response


class LtiSessionCookieMiddleware:
    """``SameSite=None; Secure`` on the session and CSRF cookies of an LTI session only.

    Sits outside SessionMiddleware and CsrfViewMiddleware, so it sees the cookies they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session or not cookies_can_be_secure(request):
            return response
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            morsel = response.cookies.get(name)
            if morsel is not None and morsel.value:
                morsel["samesite"] = "None"
                morsel["secure"] = True
        return response
