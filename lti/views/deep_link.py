"""The deep-linking picker: shown to an instructor after an LtiDeepLinkingRequest launch."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.services import audit_access_denied

from ..embedding import SESSION_KEY
from ..models import TargetKind, origin_of
from ..services.deep_linking import deep_link_respond, pickable_items

GROUP_TITLES = [
    (TargetKind.CASE, "Chart cases (graded)"),
    (TargetKind.EXAM, "Practice exams (graded)"),
    (TargetKind.CASE_SET, "Sets of cases"),
    (TargetKind.DRILL, "Drills"),
    (TargetKind.MODULE, "Modules"),
    (TargetKind.LESSON, "Lessons"),
]


@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    data = request.session.get(SESSION_KEY) or {}
    request_data = data.get("deep_link")
    if not request_data:
        return render(request, "lti/launch_error.html", {
            "reason": "There is no item picker open. Start again from your course's \"add external tool\" button."},
            status=400)
    if not (data.get("is_instructor") and request.user.can_author):
        audit_access_denied(actor=request.user, target_type="lti.deep_link", action="lti.deep_link_denied")
        raise PermissionDenied("Only the course's instructors add Codewise items.")
    groups = pickable_items(user=request.user)
    error = None
    if request.method == "POST":
        try:
            answer = deep_link_respond(
                actor=request.user, platform_id=data["platform"], deployment_id=request_data["deployment_id"],
                settings=request_data["settings"], context_id=data.get("context"),
                chosen=request.POST.getlist("item"), launch_url=request.build_absolute_uri(reverse("lti:launch")),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            data.pop("deep_link", None)  # one answer per request
            request.session[SESSION_KEY] = data
            response = render(request, "lti/deep_link_return.html", {"answer": answer})
            response.lti_form_action = [origin_of(answer.return_url)]
            return response
    return render(request, "lti/deep_link.html", {
        "groups": [(title, groups.get(kind, [])) for kind, title in GROUP_TITLES],
        "settings": request_data["settings"], "error": error,
    }, status=400 if error else 200)
