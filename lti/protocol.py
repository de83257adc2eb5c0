"""The LTI 1.3 protocol engine (pylti1p3next) wired to Codewise's database.

pylti1p3next parses and verifies id_tokens against the platform's key set, validates each message
type, signs deep-linking responses and talks to the Assignment and Grade and the Names and Role
services. Codewise adds what the library leaves loose:

- state and nonce live in the database (LoginState), bound to each other and used once, so a
  replayed id_token is refused even from the browser that first sent it;
- ``aud`` must contain our client id, and ``azp`` must be our client id whenever it is present or
  there are several audiences;
- ``exp`` and ``iat`` are required, and ``target_link_uri`` must be the one the login asked for;
- every HTTP call to a platform has a timeout.
"""

from __future__ import annotations

import typing as t

import requests
from django.core.cache import cache
from django.utils import timezone
from pylti1p3.contrib.django.message_launch import DjangoMessageLaunch
from pylti1p3.contrib.django.service_connector import DjangoServiceConnector
from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.exception import LtiException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from .keys import tool_key_active
from .models import Deployment, LoginState, Platform

HTTP_TIMEOUT_SECONDS = (3.05, 10)  # connect, read
USER_AGENT = "Codewise-LTI"
SUPPORTED_MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
STATE_COOKIE_PREFIX = "lti1p3-"


class LaunchRejected(Exception):
    """A launch that fails a check the specification requires; the message is safe to show."""


class TimeoutSession(requests.Session):
    """A requests session whose every call gives up after HTTP_TIMEOUT_SECONDS."""

    def __init__(self) -> None:
        super().__init__()
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return super().request(method, url, **kwargs)


class ToolRegistration(Registration):
    """A platform registration signing with the tool's active key (and naming it by kid)."""

    def __init__(self, platform: Platform) -> None:
        super().__init__()
        key = tool_key_active()
        self._kid = key.kid
        self.platform = platform
        (
            self.set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.key_set_url)
            .set_tool_private_key(key.private_key_pem)
        )
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)

    def get_kid(self) -> str:
        return self._kid


class DatabaseToolConf(ToolConfAbstract):
    """Registrations and deployments from the Platform and Deployment tables (active ones only)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platforms = list(Platform.objects.active().filter(issuer=iss)[:2])
        return ToolRegistration(platforms[0]) if len(platforms) == 1 else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = Platform.objects.active().filter(issuer=iss, client_id=client_id).first()
        return ToolRegistration(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        return None  # every issuer is looked up with its client id

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        found = Deployment.objects.filter(
            platform__issuer=iss, platform__client_id=client_id, platform__is_active=True,
            deployment_id=deployment_id, is_active=True,
        ).exists()
        return LibDeployment().set_deployment_id(deployment_id) if found else None


class CacheLaunchStorage(LaunchDataStorage):
    """Launch data in the Django cache under the launch id (a random UUID the session holds)."""

    def get_session_cookie_name(self):
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key):
        return cache.get(self._prepare_key(key))

    def set_value(self, key, value, exp=None):
        cache.set(self._prepare_key(key), value, exp)

    def check_value(self, key) -> bool:
        return cache.get(self._prepare_key(key)) is not None


class LaunchSessionService(SessionService):
    """pylti1p3's session service with the state check left to the cookie and ours (see below)."""

    def __init__(self, request) -> None:
        super().__init__(request)
        self.set_data_storage(CacheLaunchStorage())
        self.data_storage.set_request(request)

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False  # always compare the state with the browser's cookie

    def check_nonce(self, nonce: str) -> bool:
        return True  # checked, bound to the state and used up in CodewiseMessageLaunch.validate_nonce


class CodewiseMessageLaunch(DjangoMessageLaunch):
    def __init__(self, request, *, requests_session: requests.Session | None = None) -> None:
        from pylti1p3.contrib.django.request import DjangoRequest

        lti_request = DjangoRequest(request, post_only=True)
        super().__init__(
            lti_request, DatabaseToolConf(), session_service=LaunchSessionService(lti_request),
            requests_session=requests_session or TimeoutSession(),
            service_connector_cls=TimeoutServiceConnector,
        )
        self.set_launch_data_lifetime(12 * 60 * 60)
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    def get_client_id(self) -> str:
        body = self._get_jwt_body()
        azp = body.get("azp")
        if azp:
            return str(azp)
        aud = body.get("aud")
        return str(aud[0] if isinstance(aud, list) and aud else aud or "")

    def validate_nonce(self):
        """The nonce must be the one issued with this state, and is used up now: a replay fails."""
        body = self._jwt.get("body", {})
        nonce = body.get("nonce")
        state = self._get_request_param("state")
        if not nonce or not state:
            raise LaunchRejected("The launch has no nonce or no state.")
        now = timezone.now()
        login = LoginState.objects.filter(state=state).first()
        if login is None or login.nonce != nonce:
            raise LaunchRejected("The launch's nonce does not match the sign-in that started it.")
        used = LoginState.objects.filter(pk=login.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if used != 1:
            raise LaunchRejected("This launch was already used or its sign-in expired: launch again from the course.")
        self.login_state = login
        return self

    def validate_registration(self):
        super().validate_registration()
        body = self._jwt.get("body", {})
        client_id = self._registration.get_client_id()
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LaunchRejected("The launch was meant for another tool (audience mismatch).")
        if (len(audiences) > 1 or "azp" in body) and body.get("azp") != client_id:
            raise LaunchRejected("The launch's authorized party (azp) is not this tool.")
        if self.login_state.platform_id != self._registration.platform.pk:
            raise LaunchRejected("The launch comes from another platform than the sign-in.")
        return self

    def validate_message(self):
        body = self._jwt.get("body", {})
        message_type = body.get("https://purl.imsglobal.org/spec/lti/claim/message_type")
        if message_type not in SUPPORTED_MESSAGE_TYPES:
            raise LaunchRejected(f"Codewise does not handle {message_type or 'this'} messages.")
        super().validate_message()
        target = body.get("https://purl.imsglobal.org/spec/lti/claim/target_link_uri")
        if message_type == "LtiResourceLinkRequest" and target and target != self.login_state.target_link_uri:
            raise LaunchRejected("The launch's target link does not match the sign-in request.")
        return self

    @property
    def platform(self) -> Platform:
        return self._registration.platform


class TimeoutServiceConnector(DjangoServiceConnector):
    """Access tokens cached in the Django cache (per platform and scopes), every call with a timeout."""

    def __init__(self, registration, requests_session=None):
        super().__init__(registration, requests_session or TimeoutSession())

    def _get_cache_key(self, scope_key: str) -> str:
        return f"lti-access-token-{self._registration.get_client_id()}-{scope_key}"


def service_connector_for(platform: Platform, requests_session: requests.Session | None = None) -> TimeoutServiceConnector:
    return TimeoutServiceConnector(ToolRegistration(platform), requests_session)


def safe_error(exc: BaseException) -> str:
    """A short message for logs and instructors (never a token)."""
    if isinstance(exc, LtiException) and exc.args:
        return str(exc.args[0])[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


LaunchData = t.Mapping[str, t.Any]
