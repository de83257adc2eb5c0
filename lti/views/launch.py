"""The tool's public endpoints: its key set, the OIDC login initiation and the launch."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException

from accounts.services import audit_record
from accounts.throttling import client_ip

from ..embedding import SESSION_KEY, cookies_can_be_secure
from ..keys import tool_jwks
from ..protocol import STATE_COOKIE_PREFIX, CodewiseMessageLaunch, LaunchRejected, safe_error
from ..services.launches import LOGIN_STATE_SECONDS, launch_accept, login_start, platform_for_login

logger = logging.getLogger(__name__)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(tool_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt  # the platform posts here from its own page; nothing is trusted until the id_token is
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    if _needs_cookie_check(request, params):
        platform = platform_for_login(issuer=params.get("iss", ""), client_id=params.get("client_id"))
        if platform is not None:
            return _cookie_check(request, params, platform)
    try:
        start = login_start(params=params, tool_base_url=request.build_absolute_uri("/"))
    except LaunchRejected as exc:
        # The LMS shows the refusal in its frame, when the LMS is one we know.
        request.lti_platform = platform_for_login(issuer=params.get("iss", ""), client_id=params.get("client_id"))
        return _rejected(request, str(exc), stage="login")
    response = redirect(start.redirect_url)
    secure = cookies_can_be_secure(request)
    response.set_cookie(
        STATE_COOKIE_PREFIX + start.state, start.state, max_age=LOGIN_STATE_SECONDS, path="/lti/", httponly=True,
        secure=secure, samesite="None" if secure else "Lax",
    )
    request.lti_platform = start.platform  # lets the embedding middleware allow this platform's frame
    return response


@csrf_exempt  # the platform's auto-submitted form; the signed id_token, state and nonce authenticate it
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    message_launch = CodewiseMessageLaunch(request)
    try:
        message_launch.validate()
        claims = message_launch.get_launch_data()
        outcome = launch_accept(platform=message_launch.platform, claims=claims)
    except (LaunchRejected, LtiException) as exc:
        registration = getattr(message_launch, "_registration", None)
        request.lti_platform = getattr(registration, "platform", None)
        return _rejected(request, safe_error(exc), stage="launch")
    request.lti_platform = outcome.platform
    login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    session_data = {
        "platform": outcome.platform.pk,
        "deployment": outcome.deployment.pk,
        "context": outcome.context.pk if outcome.context else None,
        "is_instructor": outcome.roles.is_instructor or outcome.roles.is_administrator,
    }
    if outcome.message_type == "LtiDeepLinkingRequest":
        session_data["deep_link"] = {
            "deployment_id": claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
            "settings": claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {},
        }
    request.session[SESSION_KEY] = session_data
    if outcome.message_type == "LtiDeepLinkingRequest":
        return redirect("lti:deep_link")
    link = outcome.resource_link
    if outcome.context is not None and session_data["is_instructor"] and (link is None or not link.target_kind):
        return redirect("lti:course", pk=outcome.context.pk)  # nothing chosen yet: the course's Codewise page
    if link is not None:
        return redirect("lti:placement", pk=link.pk)
    return redirect(settings.LOGIN_REDIRECT_URL)


LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id")
CHECKED = "lti_storage_checked"
NEW_WINDOW = "lti1p3_new_window"


def _needs_cookie_check(request: HttpRequest, params) -> bool:
    """A login inside the LMS's iframe first checks that the browser keeps our cookies there."""
    if params.get(CHECKED) or params.get(NEW_WINDOW):
        return False
    return request.headers.get("Sec-Fetch-Dest") == "iframe"


def _cookie_check(request: HttpRequest, params, platform) -> HttpResponse:
    """A page that tries a cookie: if the browser keeps it, the login goes on in the frame; if it
    blocks third-party cookies, the page offers to open Codewise in a new window instead."""
    kept = {key: params[key] for key in LOGIN_PARAMS if params.get(key)}
    base = reverse("lti:login") + "?"
    request.lti_platform = platform
    return render(request, "lti/login_check.html", {
        "continue_url": base + urlencode({**kept, CHECKED: "1"}),
        "new_window_url": base + urlencode({**kept, NEW_WINDOW: "1"}),
        "platform": platform,
    })


def _rejected(request: HttpRequest, reason: str, *, stage: str) -> HttpResponse:
    audit_record(actor=None, action=f"lti.{stage}_rejected", target_type="lti.platform",
                 target_id=(request.POST.get("iss") or request.GET.get("iss") or "")[:64],
                 after={"reason": reason}, ip_address=client_ip(request))
    logger.info("LTI %s rejected: %s", stage, reason)
    return render(request, "lti/launch_error.html", {"reason": reason, "stage": stage}, status=400)

