"""Names and Role Provisioning Services: the LMS course roster, synced into the cohort.

Members the LMS lists as active join (learners) or teach (instructors) the cohort, with an account
linked by (issuer, subject) made for those who never launched. Learners the LMS lists as inactive
or deleted, or no longer lists at all, leave the cohort. Codewise members the LMS never knew
(added by invite code or by an administrator) are left alone.
"""

from __future__ import annotations

import requests
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService

from accounts.services import audit_record
from courses.models import CohortMembership

from ..models import ContextLink, ContextMembership
from ..protocol import TimeoutSession, safe_error, service_connector_for
from ..roles import summarize_roles
from .launches import context_membership_record, user_for_launch

MAX_MEMBERS = 5000


def roster_sync(*, context_id: int, actor_id: int | None = None, requests_session: requests.Session | None = None) -> str:
    context = ContextLink.objects.select_related("deployment__platform", "cohort").get(pk=context_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    platform = context.deployment.platform
    if not context.memberships_url:
        return _failed(context, actor, "The course never offered its roster: the LMS must enable Names and Roles.")
    service = NamesRolesProvisioningService(service_connector_for(platform, requests_session or TimeoutSession()),
                                            {"context_memberships_url": context.memberships_url})
    try:
        members = service.get_members()
    except requests.RequestException as exc:
        return _failed(context, actor, f"The LMS did not answer: {type(exc).__name__}")
    except LtiException as exc:
        return _failed(context, actor, safe_error(exc))
    if len(members) > MAX_MEMBERS:
        return _failed(context, actor, f"The roster lists more than {MAX_MEMBERS} people; ask an administrator.")
    with transaction.atomic():
        added, removed, listed = _apply(context, platform, members)
        ContextLink.objects.filter(pk=context.pk).update(roster_synced_at=timezone.now(), roster_sync_error="")
        audit_record(actor=actor, action="lti.roster_synced", target=context.cohort,
                     after={"context": context.context_id, "listed": listed, "joined": added, "left": removed})
    return f"synced: {listed} listed, {added} joined, {removed} left"


def _apply(context: ContextLink, platform, members: list[dict]) -> tuple[int, int, int]:
    cohort = context.cohort
    before = set(CohortMembership.objects.filter(cohort=cohort).values_list("student_id", flat=True))
    active_links = set()
    for member in members:
        subject = str(member.get("user_id") or "")
        if not subject:
            continue
        roles = summarize_roles(member.get("roles") or [])
        user, link = user_for_launch(platform=platform, subject=subject, claims=member, roles=roles, launched=False)
        if member.get("status", "Active") == "Active":
            context_membership_record(context=context, user=user, user_link=link, roles=member.get("roles") or [],
                                      summary=roles)
            active_links.add(link.pk)
    leaving = ContextMembership.objects.filter(context=context, is_active=True).exclude(user_link_id__in=active_links)
    leaving_learners = list(leaving.filter(is_learner=True).values_list("user_link__user_id", flat=True))
    leaving.update(is_active=False, updated_at=timezone.now())
    CohortMembership.objects.filter(cohort=cohort, student_id__in=leaving_learners).delete()
    after = set(CohortMembership.objects.filter(cohort=cohort).values_list("student_id", flat=True))
    return len(after - before), len(before - after), len(active_links)


def _failed(context: ContextLink, actor, error: str) -> str:
    ContextLink.objects.filter(pk=context.pk).update(roster_sync_error=error[:2000])
    audit_record(actor=actor, action="lti.roster_sync_failed", target=context.cohort,
                 after={"context": context.context_id, "error": error[:500]})
    return f"failed: {error}"


def roster_sync_request(*, actor, context: ContextLink) -> None:
    """An instructor asks for a sync; it runs in the background after commit."""
    from ..tasks import sync_roster

    transaction.on_commit(lambda: sync_roster.delay(context.pk, actor.pk))
