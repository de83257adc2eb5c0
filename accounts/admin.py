from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditEvent, Role, User
from .services import user_change_role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "email", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (("Platform", {"fields": ("role", "display_name")}),)
    # Staff and superuser follow the role (user_change_role), so they cannot drift from it here.
    readonly_fields = ("is_staff", "is_superuser")

    def save_model(self, request, obj, form, change):
        new_role = obj.role
        if change and "role" in form.changed_data:
            # Save the other fields under the old role, then change the role through the audited service.
            obj.role = form.initial.get("role", obj.role)
            super().save_model(request, obj, form, change)
            user_change_role(actor=request.user, user=obj, role=new_role)
            return
        if not change:
            obj.is_staff = obj.is_superuser = new_role == Role.ADMIN
        super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("target_id", "reason")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
