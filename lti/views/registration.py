"""LTI Dynamic Registration: the administrator's one-time link, and the page the LMS opens with it."""

from __future__ import annotations

import requests
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from pylti1p3.exception import LtiException

from accounts.permissions import require_admin

from ..protocol import LaunchRejected, safe_error
from ..services.dynamic_registration import (
    ToolUrls, platform_register, registration_invite_create, registration_invite_usable,
)


@require_http_methods(["GET", "POST"])
def registration_links(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    link = None
    if request.method == "POST":
        _, token = registration_invite_create(actor=request.user)
        link = request.build_absolute_uri(reverse("lti:register", args=[token]))
    return render(request, "lti/registration_links.html", {"link": link})


def _tool_urls(request: HttpRequest) -> ToolUrls:
    absolute = request.build_absolute_uri
    return ToolUrls(base=absolute("/"), login=absolute(reverse("lti:login")), launch=absolute(reverse("lti:launch")),
                    jwks=absolute(reverse("lti:jwks")), logo=absolute(static("favicon.svg")))


@require_GET
def register(request: HttpRequest, token: str) -> HttpResponse:
    invite = registration_invite_usable(token)
    if invite is None:
        raise Http404("This registration link is unknown, used or expired.")
    try:
        platform = platform_register(
            invite=invite, urls=_tool_urls(request), openid_configuration=request.GET.get("openid_configuration", ""),
            registration_token=request.GET.get("registration_token") or None,
        )
    except (LaunchRejected, LtiException, requests.RequestException, AssertionError, KeyError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, LaunchRejected) else safe_error(exc)
        return render(request, "lti/launch_error.html", {"reason": f"Registration failed: {reason}"}, status=400)
    request.lti_platform = platform  # the LMS shows this page in its own frame
    return render(request, "lti/registered.html", {"platform": platform})
