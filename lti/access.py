"""Access helpers: every LTI page that names an object goes through one of these."""

from __future__ import annotations

from django.http import Http404

from accounts.services import audit_access_denied

from .models import ContextLink, ContextMembership, ResourceLink


def _is_member(user, context: ContextLink, *, instructor: bool = False) -> bool:
    if user.is_admin:
        return True
    if instructor:
        return context.cohort.instructors.filter(pk=user.pk).exists()
    members = ContextMembership.objects.filter(context=context, user_link__user=user, is_active=True)
    return members.exists() or context.cohort.instructors.filter(pk=user.pk).exists()


def resource_link_for_member_or_404(*, user, pk: int) -> ResourceLink:
    link = ResourceLink.objects.select_related("context__cohort", "line_item").filter(pk=pk).first()
    if link is None:
        raise Http404
    if not _is_member(user, link.context):
        audit_access_denied(actor=user, target=link)
        raise Http404
    return link


def context_for_instructor_or_404(*, user, pk: int) -> ContextLink:
    context = ContextLink.objects.select_related("cohort", "deployment__platform").filter(pk=pk).first()
    if context is None:
        raise Http404
    if not _is_member(user, context, instructor=True):
        audit_access_denied(actor=user, target=context)
        raise Http404
    return context
