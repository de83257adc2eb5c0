"""LTI Dynamic Registration: an LMS registers Codewise itself, from a one-time link an administrator made.

The administrator makes a link (RegistrationInvite) and pastes it into the LMS's "register a tool
by URL" form. The LMS opens it with its ``openid_configuration`` URL and a registration token;
Codewise reads the configuration, checks that its issuer is the configuration URL's prefix (as the
specification requires), posts its own tool configuration, and records the platform and the
deployment it is given. Without a valid, unused, unexpired link nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pylti1p3.dynamic_registration import DynamicRegistration

from accounts.services import audit_record

from ..models import Deployment, Platform, RegistrationInvite
from ..protocol import LaunchRejected, TimeoutSession

INVITE_DAYS = 7
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def registration_invite_create(*, actor) -> tuple[RegistrationInvite, str]:
    token = secrets.token_urlsafe(32)
    invite = RegistrationInvite.objects.create(
        token_digest=_digest(token), created_by=actor, expires_at=timezone.now() + dt.timedelta(days=INVITE_DAYS))
    audit_record(actor=actor, action="lti.registration_link_made", target=invite,
                 after={"expires_at": invite.expires_at.isoformat()})
    return invite, token


def registration_invite_usable(token: str) -> RegistrationInvite | None:
    return RegistrationInvite.objects.filter(
        token_digest=_digest(token), used_at__isnull=True, expires_at__gt=timezone.now()).first()


@dataclass(frozen=True)
class ToolUrls:
    base: str  # https://codewise.example.org
    login: str
    launch: str
    jwks: str
    logo: str


class CodewiseRegistration(DynamicRegistration):
    client_name = "Codewise"
    description = "Medical coding practice: chart cases, practice exams and lessons, graded into your gradebook."

    def __init__(self, *, urls: ToolUrls, openid_configuration: str, registration_token: str | None) -> None:
        self.urls = urls
        self.openid_configuration = openid_configuration
        self.registration_token = registration_token
        self.result: tuple[Platform, Deployment] | None = None

    def get_request_session(self):
        return TimeoutSession()

    def get_initiate_login_uri(self) -> str:
        return self.urls.login

    def get_jwks_uri(self) -> str:
        return self.urls.jwks

    def get_redirect_uris(self) -> list[str]:
        return [self.urls.launch]

    def get_scopes(self) -> list[str]:
        return SCOPES

    def get_domain(self) -> str:
        return self.urls.base.split("://", 1)[1].rstrip("/")

    def get_target_link_uri(self) -> str:
        return self.urls.launch

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict]:
        return [{"type": "LtiDeepLinkingRequest", "target_link_uri": self.urls.launch, "label": "Codewise",
                 "placements": ["ContentArea", "link_selection", "assignment_selection"]}]

    def get_logo_uri(self) -> str:
        return self.urls.logo

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration

    def get_registration_token(self) -> str | None:
        return self.registration_token

    def get_openid_configuration(self) -> dict:
        configuration = super().get_openid_configuration()
        issuer = str(configuration.get("issuer") or "")
        # The specification: the configuration URL must start with the issuer it names.
        if not issuer or not self.openid_configuration.startswith(issuer):
            raise LaunchRejected("The LMS's configuration names an issuer that is not its own address.")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
            if not str(configuration.get(key) or "").startswith(("https://", "http://")):
                raise LaunchRejected(f"The LMS's configuration has no {key}.")
        if settings.PRODUCTION and not all(str(configuration[k]).startswith("https://") for k in
                                           ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")):
            raise LaunchRejected("The LMS's endpoints must use HTTPS.")
        return configuration

    def complete_registration(self, openid_configuration: dict, openid_registration: dict):
        tool = openid_registration.get(TOOL_CONFIGURATION) or {}
        client_id = str(openid_registration.get("client_id") or "")
        deployment_id = str(tool.get("deployment_id") or "")
        if not client_id:
            raise LaunchRejected("The LMS registered Codewise without a client id.")
        family = (openid_configuration.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or "LMS"
        platform, _ = Platform.objects.update_or_create(
            issuer=openid_configuration["issuer"], client_id=client_id,
            defaults={
                "name": f"{family} at {openid_configuration['issuer']}"[:120],
                "auth_login_url": openid_configuration["authorization_endpoint"],
                "auth_token_url": openid_configuration["token_endpoint"],
                "key_set_url": openid_configuration["jwks_uri"],
                "auth_audience": str(openid_configuration.get("authorization_server") or ""),
                "is_active": True,
            },
        )
        deployment = None
        if deployment_id:
            deployment, _ = Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        self.result = (platform, deployment)
        return self.result


def platform_register(*, invite: RegistrationInvite, urls: ToolUrls, openid_configuration: str,
                      registration_token: str | None) -> Platform:
    """Register with the LMS; the invite is used up only when the LMS accepted the registration."""
    if not openid_configuration:
        raise LaunchRejected("The LMS did not send its openid_configuration address.")
    registration = CodewiseRegistration(urls=urls, openid_configuration=openid_configuration,
                                        registration_token=registration_token)
    with transaction.atomic():
        claimed = RegistrationInvite.objects.filter(pk=invite.pk, used_at__isnull=True).update(used_at=timezone.now())
        if claimed != 1:
            raise LaunchRejected("This registration link was already used.")
        registration.register()
        platform, deployment = registration.result
        RegistrationInvite.objects.filter(pk=invite.pk).update(platform=platform)
        audit_record(actor=None, action="lti.platform_registered", target=platform,
                     after={"issuer": platform.issuer, "client_id": platform.client_id,
                            "deployment": deployment.deployment_id if deployment else None, "invite": invite.pk})
    return platform
