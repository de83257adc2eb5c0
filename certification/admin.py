from django.contrib import admin

from .models import Blueprint, BlueprintDomain, Choice, Question, ScenarioSet


class BlueprintDomainInline(admin.TabularInline):
    model = BlueprintDomain
    extra = 0


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = ("name", "credential", "question_count", "time_limit_minutes", "pass_percent", "is_builtin", "is_active")
    list_filter = ("is_builtin", "is_active", "credential")
    inlines = [BlueprintDomainInline]
    search_fields = ("name", "slug")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("slug", "kind", "domain", "difficulty", "release", "is_active")
    list_filter = ("kind", "domain", "difficulty", "is_active")
    search_fields = ("slug", "stem")
    inlines = [ChoiceInline]
    raw_id_fields = ("scenario",)


@admin.register(ScenarioSet)
class ScenarioSetAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "case_ref")
    search_fields = ("title", "slug")
