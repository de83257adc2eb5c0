from django.contrib import admin
from django.db import models

from .models import ContextLink, Deployment, GradePassback, LineItem, PassbackAttempt, Platform, ResourceLink, ToolKey, UserLink


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1
    fields = ["deployment_id", "name", "is_active"]


URLS_ARE_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ARE_HTTPS
    list_display = ["name", "issuer", "client_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        ("What the platform gave Codewise", {"fields": [
            "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "auth_audience"]}),
        ("Embedding and roles", {"fields": ["frame_origins", "trust_administrator_role"]}),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        from django.urls import reverse

        absolute = request.build_absolute_uri
        extra_context = {**(extra_context or {}), "lti_urls": {
            "login": absolute(reverse("lti:login")), "launch": absolute(reverse("lti:launch")),
            "jwks": absolute(reverse("lti:jwks")), "registration_links": reverse("lti:registration_links"),
        }}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    """Keys are made and rotated by `manage.py lti_rotate_keys`; the private half is never shown."""

    list_display = ["kid", "state", "created_at", "retiring_since"]
    fields = ["kid", "state", "public_jwk", "created_at", "retiring_since"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserLink)
class UserLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "last_launch_at"]
    search_fields = ["user__username", "user__display_name", "subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["issuer", "subject", "platform", "created_at", "last_launch_at"]


@admin.register(ContextLink)
class ContextLinkAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ARE_HTTPS
    list_display = ["title", "context_id", "deployment", "cohort", "roster_synced_at"]
    search_fields = ["title", "context_id"]
    raw_id_fields = ["cohort"]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "resource_link_id", "target_kind", "target_ref", "context"]
    list_filter = ["target_kind"]


@admin.register(LineItem)
class LineItemAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_ARE_HTTPS
    list_display = ["label", "target_kind", "target_ref", "context", "url"]
    list_filter = ["target_kind"]


class PassbackAttemptInline(admin.TabularInline):
    model = PassbackAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["version", "score_given", "ok", "http_status", "error", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GradePassback)
class GradePassbackAdmin(admin.ModelAdmin):
    list_display = ["user_link", "line_item", "score_given", "status", "attempts", "sent_at", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in GradePassback._meta.fields]
    inlines = [PassbackAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False
