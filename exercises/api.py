"""REST API: one small view per operation, explicit serializers, no answer key before submission."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import case_for_student_or_404, submission_for_viewer_or_404
from .case_library import STATUS_CHOICES, CaseFilters, cases_filtered, student_status
from .grading.query_rubric import FORMATS as QUERY_FORMATS
from .models import Difficulty, ProviderQuery, Setting, Specialty, SubmissionStatus
from .selectors import current_score
from .services import provider_reply_for, query_for_draft, query_send, submission_submit


class CaseSummarySerializer(serializers.Serializer):
    # No is_query_case: whether the right answer is "query the provider" is part of the key.
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    setting = serializers.CharField()
    specialty = serializers.CharField()
    difficulty = serializers.IntegerField()
    module = serializers.CharField(source="module_slug", help_text="Slug of the course module the case practises.")
    exam_domain = serializers.CharField()
    verified = serializers.BooleanField(source="is_verified", help_text="A second instructor verified the answer key.")


class CaseListItemSerializer(CaseSummarySerializer):
    status = serializers.SerializerMethodField(help_text="Your own progress on the case: new, in_progress or scored.")

    def get_status(self, case) -> str:
        return student_status(case)


class CaseListResponseSerializer(serializers.Serializer):
    results = CaseListItemSerializer(many=True)


CASE_LIST_FILTERS = [
    OpenApiParameter("module", str, description="Course module slug."),
    OpenApiParameter("setting", str, enum=Setting.values),
    OpenApiParameter("specialty", str, enum=Specialty.values),
    OpenApiParameter("difficulty", int, enum=Difficulty.values),
    OpenApiParameter("domain", str, description="Exam domain slug."),
    OpenApiParameter("status", str, enum=[value for value, _ in STATUS_CHOICES]),
]


class CaseDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()


class CaseDetailSerializer(CaseSummarySerializer):
    patient_age = serializers.IntegerField(allow_null=True)
    patient_sex = serializers.CharField()
    icd10cm_release = serializers.CharField(source="icd10cm_release.label", default=None)
    documents = CaseDocumentSerializer(many=True, source="documents.all")


class CaseLineSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["principal", "secondary", "procedure", "em"])
    system = serializers.ChoiceField(choices=["icd10cm", "cpt", "hcpcs", "icd10pcs"], required=False)
    code = serializers.CharField(max_length=20)
    modifiers = serializers.ListField(child=serializers.CharField(max_length=4), required=False, max_length=4)
    units = serializers.IntegerField(min_value=1, max_value=999, required=False)
    poa = serializers.ChoiceField(choices=["Y", "N", "U", "W", "1", ""], required=False)  # inpatient diagnoses


class SubmissionCreateInputSerializer(serializers.Serializer):
    lines = serializers.ListField(child=serializers.DictField(), allow_empty=True)
    query_provider = serializers.BooleanField(required=False, default=False)
    draft_id = serializers.IntegerField(required=False)


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ProviderQueryInputSerializer(serializers.Serializer):
    """A student's query to the provider (the shape only; the rubric scores it once the attempt is submitted)."""

    format = serializers.ChoiceField(choices=list(QUERY_FORMATS))
    question = serializers.CharField(max_length=3000)
    indicators = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    options = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=10,
                                    default=list)


class ProviderQueryOutputSerializer(serializers.Serializer):
    """The student's own query, and the provider's reply once it was sent (empty before)."""

    sent = serializers.BooleanField(source="is_sent")
    format = serializers.CharField()
    question = serializers.CharField()
    indicators = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    sent_at = serializers.DateTimeField(allow_null=True)
    provider_reply = serializers.SerializerMethodField()

    def get_provider_reply(self, query) -> str:
        return provider_reply_for(query.submission.case, query)


class SubmissionScoreSerializer(serializers.Serializer):
    score = serializers.FloatField()
    final_score = serializers.FloatField()
    passed = serializers.BooleanField()
    key_version = serializers.IntegerField(source="key.version")
    findings = serializers.JSONField(source="result.findings")
    checks = serializers.JSONField(source="result.checks")
    notices = serializers.JSONField(source="result.notices")
    coding_score = serializers.FloatField(source="result.coding_score", default=None)
    query_rubric = serializers.JSONField(source="result.query_rubric", default=None)


class SubmissionDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.slug")
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    lines = serializers.JSONField()
    query_provider = serializers.BooleanField()
    provider_query = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    @extend_schema_field(ProviderQueryOutputSerializer(allow_null=True))
    def get_provider_query(self, submission):
        query = ProviderQuery.objects.filter(submission=submission).select_related("submission__case").first()
        return ProviderQueryOutputSerializer(query).data if query and query.is_sent else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_score(self, submission):
        """The current grade (findings, rationales, checks) once scored; null before."""
        score = current_score(submission) if submission.status == SubmissionStatus.SCORED else None
        return SubmissionScoreSerializer(score).data if score else None


class CaseListApi(APIView):
    @extend_schema(operation_id="exercises_case_list", parameters=CASE_LIST_FILTERS, responses=CaseListResponseSerializer)
    def get(self, request):
        filters = CaseFilters.from_query(request.query_params)
        refused = [
            param.name for param in CASE_LIST_FILTERS
            if request.query_params.get(param.name, "").strip() and param.name not in filters.active
        ]
        if refused:
            raise ValidationError({name: "Unknown value for this filter." for name in refused})
        cases = cases_filtered(user=request.user, filters=filters).order_by("difficulty", "title")
        return Response({"results": CaseListItemSerializer(cases, many=True).data})


class CaseDetailApi(APIView):
    @extend_schema(operation_id="exercises_case_detail", responses=CaseDetailSerializer)
    def get(self, request, slug: str):
        case = case_for_student_or_404(user=request.user, slug=slug)
        return Response(CaseDetailSerializer(case).data)


class SubmissionCreateApi(APIView):
    @extend_schema(operation_id="exercises_submission_create", request=SubmissionCreateInputSerializer,
                   responses={201: SubmissionCreatedSerializer, 200: SubmissionCreatedSerializer})
    def post(self, request, slug: str):
        case = case_for_student_or_404(user=request.user, slug=slug)
        data = SubmissionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw_lines = data.validated_data["lines"]
        if len(raw_lines) <= 100:  # longer lists get the service's "at most 100 lines" message
            line_errors = {}
            for index, raw in enumerate(raw_lines):
                line = CaseLineSerializer(data=raw)
                if not line.is_valid():
                    line_errors[str(index)] = line.errors
            if line_errors:
                raise ValidationError({"lines": line_errors})
        try:
            submission, created = submission_submit(
                student=request.user, case=case, lines=raw_lines, query_provider=data.validated_data["query_provider"],
                draft_id=data.validated_data.get("draft_id"),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(SubmissionCreatedSerializer(submission).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ProviderQueryApi(APIView):
    """The query on the student's open attempt of a case: read it, or send it (once) and get the provider's reply."""

    @extend_schema(operation_id="exercises_provider_query_detail", responses=ProviderQueryOutputSerializer)
    def get(self, request, slug: str):
        case = case_for_student_or_404(user=request.user, slug=slug)
        query = query_for_draft(student=request.user, case=case)
        if query is None:
            return Response({"sent": False, "format": "", "question": "", "indicators": "", "options": [],
                             "sent_at": None, "provider_reply": ""})
        return Response(ProviderQueryOutputSerializer(query).data)

    @extend_schema(operation_id="exercises_provider_query_send", request=ProviderQueryInputSerializer,
                   responses={201: ProviderQueryOutputSerializer, 200: ProviderQueryOutputSerializer})
    def post(self, request, slug: str):
        case = case_for_student_or_404(user=request.user, slug=slug)
        data = ProviderQueryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            query, sent = query_send(student=request.user, case=case, **data.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(ProviderQueryOutputSerializer(query).data,
                        status=status.HTTP_201_CREATED if sent else status.HTTP_200_OK)


class SubmissionDetailApi(APIView):
    @extend_schema(operation_id="exercises_submission_detail", responses=SubmissionDetailSerializer)
    def get(self, request, pk: int):
        submission = submission_for_viewer_or_404(user=request.user, submission_id=pk)
        return Response(SubmissionDetailSerializer(submission).data)
