from django.contrib import admin

from .models import AnswerKey, AnswerKeyLine, Case, CaseDocument, GradingPolicy, ProviderQuery, QuerySpec, SubmissionScore


@admin.register(GradingPolicy)
class GradingPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "denominator", "pass_mark", "extra_penalty", "category_credit", "subcategory_credit"]


class CaseDocumentInline(admin.StackedInline):
    model = CaseDocument
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "setting", "specialty", "difficulty", "icd10cm_release", "is_published"]
    list_filter = ["setting", "specialty", "is_published"]
    search_fields = ["title", "slug"]
    inlines = [CaseDocumentInline]


class AnswerKeyLineInline(admin.TabularInline):
    model = AnswerKeyLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False  # key versions are immutable; edit through the case editor to make a new version

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnswerKey)
class AnswerKeyAdmin(admin.ModelAdmin):
    list_display = ["case", "version", "created_by", "created_at"]
    inlines = [AnswerKeyLineInline]
    readonly_fields = ["case", "version", "created_by", "note"]


@admin.register(SubmissionScore)
class SubmissionScoreAdmin(admin.ModelAdmin):
    list_display = ["submission", "key", "score", "final_score", "passed", "is_current", "created_at"]
    readonly_fields = [f.name for f in SubmissionScore._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # overrides go through the review page so they are audited


@admin.register(QuerySpec)
class QuerySpecAdmin(admin.ModelAdmin):
    """A query exercise's spec. Saving goes through query_spec_save: versioned and audited."""

    list_display = ["case", "yes_no_use", "version", "updated_at"]
    search_fields = ["case__title", "case__slug"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        from .services.queries import query_spec_save

        data = {name: form.cleaned_data.get(name) for name in (
            "gap", "topic_terms", "indicators", "min_indicators", "options", "min_options", "unsupported",
            "yes_no_use", "provider_reply")}
        spec, _ = query_spec_save(actor=request.user, case=form.cleaned_data["case"], data=data)
        obj.pk = spec.pk


@admin.register(ProviderQuery)
class ProviderQueryAdmin(admin.ModelAdmin):
    list_display = ["submission", "format", "sent_at"]
    readonly_fields = [f.name for f in ProviderQuery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a student's query is their work; instructors score it on the review page
