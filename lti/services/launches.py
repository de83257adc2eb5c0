"""OIDC login initiation and the launch itself: who the user is, which course, which item."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import audit_record, user_change_role
from courses.models import Cohort, CohortMembership

from ..models import (
    ContextLink, ContextMembership, Deployment, LineItem, LoginState, Platform, ResourceLink, TargetKind, UserLink,
)
from ..protocol import LaunchRejected
from ..roles import RoleSummary, summarize_roles

LOGIN_STATE_SECONDS = 10 * 60
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CUSTOM_TARGET = "codewise_item"
ROLE_RANK = {Role.STUDENT: 0, Role.INSTRUCTOR: 1, Role.ADMIN: 2}


# --- OIDC login initiation -----------------------------------------------------------------------

@dataclass(frozen=True)
class LoginStart:
    redirect_url: str
    state: str
    platform: Platform


def platform_for_login(*, issuer: str, client_id: str | None) -> Platform | None:
    platforms = Platform.objects.active().filter(issuer=issuer)
    if client_id:
        return platforms.filter(client_id=client_id).first()
    found = list(platforms[:2])
    return found[0] if len(found) == 1 else None


def login_start(*, params: Mapping[str, str], tool_base_url: str) -> LoginStart:
    """Check a third-party initiated login and build the redirect to the platform's authorization endpoint."""
    issuer = (params.get("iss") or "").strip()
    login_hint = params.get("login_hint") or ""
    target_link_uri = (params.get("target_link_uri") or "").strip()
    if not issuer or not login_hint or not target_link_uri:
        raise LaunchRejected("The login request needs iss, login_hint and target_link_uri.")
    platform = platform_for_login(issuer=issuer, client_id=params.get("client_id"))
    if platform is None:
        raise LaunchRejected("This learning platform is not registered with Codewise. Ask your Codewise administrator.")
    if not _same_origin(target_link_uri, tool_base_url):
        raise LaunchRejected("The target link is not a Codewise address.")
    login = LoginState.objects.create(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), platform=platform,
        target_link_uri=target_link_uri, expires_at=timezone.now() + dt.timedelta(seconds=LOGIN_STATE_SECONDS),
    )
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": platform.client_id, "redirect_uri": target_link_uri if _is_launch_url(target_link_uri) else
        tool_base_url.rstrip("/") + reverse("lti:launch"),
        "state": login.state, "nonce": login.nonce, "login_hint": login_hint,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginStart(redirect_url=platform.auth_login_url + separator + urlencode(query), state=login.state,
                      platform=platform)


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _is_launch_url(url: str) -> bool:
    return urlsplit(url).path == reverse("lti:launch")


def login_states_purge(*, now: dt.datetime | None = None) -> int:
    """Forget logins that expired a day ago (a used or expired one can never launch)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=1)
    deleted, _ = LoginState.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


# --- The launch ------------------------------------------------------------------------------------

@dataclass
class LaunchOutcome:
    user: User
    platform: Platform
    deployment: Deployment
    context: ContextLink | None
    resource_link: ResourceLink | None
    roles: RoleSummary
    message_type: str


@transaction.atomic
def launch_accept(*, platform: Platform, claims: Mapping) -> LaunchOutcome:
    """Link (or create) the account, the course's cohort and the placement named by a validated launch."""
    deployment = Deployment.objects.get(
        platform=platform, deployment_id=claims[CLAIM + "deployment_id"], is_active=True)
    subject = str(claims.get("sub") or "")
    if not subject:
        raise LaunchRejected("Anonymous launches are not supported: the platform must send the user (sub).")
    roles = summarize_roles(claims.get(CLAIM + "roles") or [])
    user, user_link = user_for_launch(platform=platform, subject=subject, claims=claims, roles=roles)
    context = None
    context_claim = claims.get(CLAIM + "context") or {}
    if context_claim.get("id"):
        context = context_for_launch(deployment=deployment, claim=context_claim, claims=claims)
        context_membership_record(context=context, user=user, user_link=user_link,
                                  roles=claims.get(CLAIM + "roles") or [], summary=roles)
    resource_link = None
    message_type = claims.get(CLAIM + "message_type", "")
    if message_type == "LtiResourceLinkRequest" and context is not None:
        resource_link = resource_link_for_launch(context=context, claims=claims)
    return LaunchOutcome(user=user, platform=platform, deployment=deployment, context=context,
                         resource_link=resource_link, roles=roles, message_type=message_type)


def _username_for(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:16]
    return f"lti-{digest}"


def user_for_launch(*, platform: Platform, subject: str, claims: Mapping, roles: RoleSummary,
                    launched: bool = True) -> tuple[User, UserLink]:
    """The account linked to (issuer, subject), made on the first launch (or roster sync). E-mail never links."""
    now = timezone.now()
    wanted_role = roles.codewise_role(trust_administrator=platform.trust_administrator_role)
    name = str(claims.get("name") or " ".join(
        p for p in (claims.get("given_name"), claims.get("family_name")) if p) or "").strip()[:150]
    link = UserLink.objects.select_related("user").filter(issuer=platform.issuer, subject=subject).first()
    if link is None:
        user = User(username=_username_for(platform.issuer, subject), role=Role.STUDENT, display_name=name,
                    email=str(claims.get("email") or "")[:254])
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
                link = UserLink.objects.create(issuer=platform.issuer, subject=subject, user=user, platform=platform,
                                               last_launch_at=now if launched else None)
        except IntegrityError:  # the same person's second tab made the link a moment ago
            link = UserLink.objects.select_related("user").get(issuer=platform.issuer, subject=subject)
        else:
            from .passback import student_link_remember

            student_link_remember(user.pk)  # score events for this account now look for gradebook cells
            audit_record(actor=None, action="lti.account_created", target=user,
                         after={"issuer": platform.issuer, "platform": platform.pk, "role": wanted_role})
    elif launched:
        UserLink.objects.filter(pk=link.pk).update(last_launch_at=now, platform=platform)
    user = link.user
    if name and user.display_name != name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    # Roles only grow from a launch: an instructor who takes another course as a learner stays an
    # instructor, and a Codewise administrator is never demoted by a platform.
    if ROLE_RANK[wanted_role] > ROLE_RANK[Role(user.role)] and not user.is_superuser:
        user_change_role(actor=None, user=user, role=wanted_role)
    return user, link


def context_for_launch(*, deployment: Deployment, claim: Mapping, claims: Mapping) -> ContextLink:
    """The course's link, with a new cohort the first time the course launches Codewise."""
    context_id = str(claim["id"])
    title = str(claim.get("title") or claim.get("label") or context_id)[:255]
    context = ContextLink.objects.filter(deployment=deployment, context_id=context_id).first()
    if context is None:
        cohort = Cohort.objects.create(name=title[:120])
        try:
            with transaction.atomic():
                context = ContextLink.objects.create(
                    deployment=deployment, context_id=context_id, title=title, label=str(claim.get("label") or "")[:120],
                    cohort=cohort,
                )
        except IntegrityError:
            cohort.delete()
            context = ContextLink.objects.get(deployment=deployment, context_id=context_id)
        else:
            audit_record(actor=None, action="lti.cohort_linked", target=cohort,
                         after={"context": context_id, "deployment": deployment.pk, "title": title})
    updates = {}
    nrps = claims.get(NRPS_CLAIM) or {}
    ags = claims.get(AGS_CLAIM) or {}
    if nrps.get("context_memberships_url") and nrps["context_memberships_url"] != context.memberships_url:
        updates["memberships_url"] = nrps["context_memberships_url"]
    if ags.get("lineitems") and ags["lineitems"] != context.lineitems_url:
        updates["lineitems_url"] = ags["lineitems"]
    if ags.get("scope") is not None and list(ags.get("scope") or []) != context.ags_scopes:
        updates["ags_scopes"] = list(ags.get("scope") or [])
    if title and title != context.title:
        updates["title"] = title
    if updates:
        ContextLink.objects.filter(pk=context.pk).update(**updates)
        for field, value in updates.items():
            setattr(context, field, value)
    return context


def context_membership_record(*, context: ContextLink, user: User, user_link: UserLink, roles: list,
                              summary: RoleSummary) -> None:
    """The course says who teaches and who learns; the cohort follows."""
    ContextMembership.objects.update_or_create(
        context=context, user_link=user_link,
        defaults={"roles": list(roles), "is_learner": summary.is_learner,
                  "is_instructor": summary.is_instructor or summary.is_administrator, "is_active": True},
    )
    cohort = context.cohort
    if summary.is_instructor or summary.is_administrator:
        if user.can_author and not cohort.instructors.filter(pk=user.pk).exists():
            cohort.instructors.add(user)
            audit_record(actor=None, action="lti.cohort_instructor_added", target=cohort,
                         after={"user": user.pk, "context": context.context_id})
    elif summary.is_learner and user.is_student:
        _, joined = CohortMembership.objects.get_or_create(cohort=cohort, student=user)
        if joined:
            audit_record(actor=None, action="lti.cohort_student_added", target=cohort,
                         after={"user": user.pk, "context": context.context_id})


def parse_target(value: str) -> tuple[str, str] | None:
    kind, _, ref = (value or "").partition(":")
    if kind in TargetKind.values and ref:
        return kind, ref[:120]
    return None


def resource_link_for_launch(*, context: ContextLink, claims: Mapping) -> ResourceLink:
    """The placement and the Codewise item it opens (from the deep-linking custom parameter)."""
    claim = claims.get(CLAIM + "resource_link") or {}
    custom = claims.get(CLAIM + "custom") or {}
    target = parse_target(str(custom.get(CUSTOM_TARGET) or ""))
    link, _ = ResourceLink.objects.get_or_create(
        context=context, resource_link_id=str(claim["id"]),
        defaults={"title": str(claim.get("title") or "")[:255]},
    )
    changed = []
    if target and (link.target_kind, link.target_ref) != target:
        link.target_kind, link.target_ref = target
        changed += ["target_kind", "target_ref"]
    ags = claims.get(AGS_CLAIM) or {}
    if link.target_kind and ags.get("lineitem"):
        line_item = line_item_record(context=context, kind=link.target_kind, ref=link.target_ref,
                                     url=ags["lineitem"], label=link.title or str(claim.get("title") or ""))
        if link.line_item_id != line_item.pk:
            link.line_item = line_item
            changed.append("line_item")
    if changed:
        link.save(update_fields=changed)
    return link


def line_item_record(*, context: ContextLink, kind: str, ref: str, url: str = "", label: str = "",
                     score_maximum: float = 100) -> LineItem:
    item, created = LineItem.objects.get_or_create(
        context=context, target_kind=kind, target_ref=ref,
        defaults={"url": url, "label": (label or f"{kind} {ref}")[:255], "score_maximum": score_maximum},
    )
    if not created and url and item.url != url:
        LineItem.objects.filter(pk=item.pk).update(url=url)
        item.url = url
    return item


def target_url(kind: str, ref: str) -> str | None:
    """Where a placement opens in Codewise (None when it names nothing Codewise knows)."""
    try:
        if kind == TargetKind.CASE:
            return reverse("exercises:case_workspace", args=[ref])
        if kind == TargetKind.CASE_SET:
            return reverse("exercises:case_list") + "?" + urlencode({"module": ref})
        if kind == TargetKind.LESSON:
            return reverse("courses:lesson_detail", args=[int(ref)])
        if kind == TargetKind.MODULE:
            return reverse("courses:module_detail", args=[int(ref)])
        if kind in (TargetKind.EXAM, TargetKind.DRILL):
            return None  # started with a POST from the placement page
    except (ValueError, NoReverseMatch):  # a bad reference opens the placement page instead
        return None
    return None
