"""Platforms (an LMS that launches Codewise), their deployments, the tool's own signing keys, and
the one-time values of the OIDC login (state and nonce)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, or "" when it has none."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


class PlatformQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Platform(models.Model):
    """One registration of Codewise in an LMS: its issuer, the client id it gave us, and its endpoints."""

    name = models.CharField(max_length=120, help_text="Shown to administrators, e.g. 'Riverside College Canvas'.")
    issuer = models.URLField(max_length=255, help_text="The platform's issuer (iss), e.g. https://canvas.instructure.com.")
    client_id = models.CharField(max_length=255, help_text="The client id the platform gave Codewise.")
    auth_login_url = models.URLField(max_length=500, help_text="The platform's OIDC authorization endpoint.")
    auth_token_url = models.URLField(max_length=500, help_text="The platform's OAuth 2 token endpoint (for grades and rosters).")
    auth_audience = models.CharField(
        max_length=500, blank=True,
        help_text="Audience of Codewise's token requests when it differs from the token URL (Moodle and Canvas: leave blank).",
    )
    key_set_url = models.URLField(max_length=500, help_text="The platform's public key set (JWKS) URL.")
    frame_origins = models.TextField(
        blank=True,
        help_text="Origins allowed to frame Codewise for this platform, one per line (https://school.instructure.com). "
                  "The issuer's and the authorization endpoint's origins are always allowed.",
    )
    trust_administrator_role = models.BooleanField(
        default=False,
        help_text="LTI Administrators of this platform become Codewise administrators. Off: they are instructors.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_one_platform_per_issuer_client")]

    def __str__(self) -> str:
        return self.name

    def allowed_frame_origins(self) -> list[str]:
        origins = [origin_of(self.issuer), origin_of(self.auth_login_url)]
        origins += [origin_of(line) for line in self.frame_origins.splitlines()]
        return sorted({o for o in origins if o})


class Deployment(models.Model):
    """A deployment id the platform sends: one install of the tool (a whole school, or one course)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    name = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "deployment_id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_one_deployment_id_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} / {self.name or self.deployment_id}"


class KeyState(models.TextChoices):
    ACTIVE = "active", "Active (signs)"
    RETIRING = "retiring", "Retiring (published, no longer signs)"
    RETIRED = "retired", "Retired (not published)"


class ToolKey(models.Model):
    """An RSA key pair of the tool. Made at run time, kept in the database, never in the repository.

    Exactly one key is active and signs; keys rotated out stay published in the JWKS for a while
    so platforms holding a token signed with them can still check it, then retire.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    state = models.CharField(max_length=8, choices=KeyState.choices, default=KeyState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retiring_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(state="active"), name="lti_one_active_tool_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.get_state_display()})"


class LoginState(models.Model):
    """One OIDC login in progress: the state we handed out, bound to the nonce we expect back."""

    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    target_link_uri = models.URLField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)



class RegistrationInvite(models.Model):
    """A one-time link an administrator gives an LMS for LTI Dynamic Registration.

    Only its SHA-256 digest is stored; the link works once, before it expires.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
