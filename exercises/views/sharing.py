"""Case sharing on the authoring page: the author names the instructors who may change the case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..access import case_for_sharing_or_404
from ..services.sharing import case_share_add, case_share_remove


@require_POST
def case_share(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_sharing_or_404(user=request.user, slug=slug)
    try:
        share = case_share_add(actor=request.user, case=case, username=request.POST.get("username", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{share.instructor} can now change this case and its answer key.")
    return redirect("exercises:case_edit", slug=case.slug)


@require_POST
def case_unshare(request: HttpRequest, slug: str, instructor_id: int) -> HttpResponse:
    case = case_for_sharing_or_404(user=request.user, slug=slug)
    if case_share_remove(actor=request.user, case=case, instructor_id=instructor_id):
        messages.success(request, "Sharing removed.")
    return redirect("exercises:case_edit", slug=case.slug)
