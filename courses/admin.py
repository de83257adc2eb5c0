from django.contrib import admin

from .models import Certificate, Cohort, CohortDueDate, Deck, Lesson, Module, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "credential_focus", "source", "owner"]
    search_fields = ["title", "slug"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "position", "ceu_hours", "is_required"]
    list_filter = ["program"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "position", "minutes"]
    list_filter = ["module__program"]
    search_fields = ["title"]


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "domain", "program"]


class DueDateInline(admin.TabularInline):
    model = CohortDueDate
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "invite_code", "starts_on", "ends_on"]
    filter_horizontal = ["instructors"]
    inlines = [DueDateInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["student_name", "program_title", "issued_at", "ceu_hours"]
    readonly_fields = ["token", "student", "program", "student_name", "program_title", "ceu_hours", "issued_at"]
