"""REST API for practice exams and readiness: one small view per operation, explicit serializers."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import CSRFCheck
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.services import audit_record
from courses.selectors import can_view_student

from . import clock
from .models import AttemptItem, AttemptScore, AttemptStatus, Readiness, StudentDomainRollup
from .selectors import attempt_for_user_or_404, attempt_report_items, blueprint_for_user_or_404, blueprints_for
from .services.attempts import (
    ExamError, StartedItem, answer_save, answer_save_by_id, attempt_start, attempt_submit, flag_set, flag_set_by_id,
)


def _error(exc: ExamError) -> Response:
    return Response({"detail": exc.message, "code": exc.code}, status=exc.status)


class BlueprintListApi(APIView):
    class DomainSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamBlueprintDomain"

        domain = serializers.CharField()
        weight = serializers.FloatField()

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamBlueprint"

        id = serializers.IntegerField()
        slug = serializers.CharField()
        name = serializers.CharField()
        credential = serializers.CharField()
        question_count = serializers.IntegerField()
        time_limit_minutes = serializers.IntegerField()
        pass_percent = serializers.IntegerField()
        domains = serializers.SerializerMethodField()

        @extend_schema_field(serializers.ListField(child=serializers.DictField()))
        def get_domains(self, obj):
            return BlueprintListApi.DomainSerializer(obj.domains.all(), many=True).data

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        blueprints = blueprints_for(user=request.user).prefetch_related("domains")
        return Response(self.OutputSerializer(blueprints, many=True).data)


class ChoiceOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "ExamChoice"

    id = serializers.IntegerField()
    text = serializers.CharField()


class ItemOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "ExamItem"

    """What a student may see while the exam is open: never the key or the rationale."""

    position = serializers.IntegerField()
    question_id = serializers.IntegerField()
    kind = serializers.CharField(source="question.kind")
    domain = serializers.CharField()
    stem = serializers.CharField(source="question.stem")
    scenario = serializers.CharField(source="question.scenario.narrative", default="")
    # In the order this student is shown them (drawn when the attempt started); answer by id.
    choices = ChoiceOutputSerializer(source="displayed_choices", many=True)
    response = serializers.JSONField()
    flagged = serializers.BooleanField()
    revision = serializers.IntegerField()


class AttemptOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "ExamAttempt"

    id = serializers.IntegerField()
    blueprint = serializers.CharField(source="blueprint.slug")
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()


class AttemptStateSerializer(AttemptOutputSerializer):
    class Meta:
        ref_name = "ExamAttemptState"

    server_now = serializers.DateTimeField()
    items = ItemOutputSerializer(many=True)


# Dates as the serializers' DateTimeField writes them, for the answers written out below.
_DATETIME = serializers.DateTimeField()


def _attempt_state(attempt) -> dict:
    # Just started: attempt_start left the new items, with their questions' text and choices, in memory.
    started = getattr(attempt, "started_items", None)
    if started is not None:
        return {**_attempt_fields(attempt), "server_now": clock.now().isoformat(),
                "items": [_started_item_state(item) for item in started]}
    items = (
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("question", "question__scenario")
        .prefetch_related("question__choices")
        .order_by("position")
    )
    return {
        **_attempt_fields(attempt),
        "server_now": clock.now().isoformat(),
        "items": [_item_state(item) for item in items],
    }


def _attempt_fields(attempt) -> dict:
    """AttemptOutputSerializer's fields, written out like the items below (test_exam_autosave_api compares them)."""
    return {
        "id": attempt.pk, "blueprint": attempt.blueprint.slug, "status": str(attempt.status),
        "started_at": _DATETIME.to_representation(attempt.started_at),
        "deadline": _DATETIME.to_representation(attempt.deadline),
    }


def _item_state(item: AttemptItem) -> dict:
    """One item as ItemOutputSerializer documents it, written out: an exam start returns a dozen of them
    with their choices, and the serializer's per-field machinery was a fifth of a start's CPU. The same
    fields, never the key or the rationale (test_exam_autosave_api compares the two)."""
    question = item.question
    return {
        "position": item.position, "question_id": item.question_id, "kind": question.kind, "domain": item.domain,
        "stem": question.stem, "scenario": question.scenario.narrative if question.scenario_id else "",
        "choices": [{"id": choice.pk, "text": choice.text} for choice in item.displayed_choices()],
        "response": item.response, "flagged": item.flagged, "revision": item.revision,
    }


def _started_item_state(item: StartedItem) -> dict:
    """A fresh attempt's item, with the fields and values ``_item_state`` gives once it is read back."""
    return {
        "position": item.position, "question_id": item.question_id, "kind": item.kind, "domain": item.domain,
        "stem": item.stem, "scenario": item.scenario, "choices": [{"id": pk, "text": text} for pk, text in item.choices],
        "response": item.response, "flagged": item.flagged, "revision": item.revision,
    }


class AttemptStartApi(APIView):
    @extend_schema(request=None, responses={201: AttemptStateSerializer})
    def post(self, request, blueprint_id: int):
        blueprint = blueprint_for_user_or_404(user=request.user, blueprint_id=blueprint_id)
        try:
            attempt = attempt_start(student=request.user, blueprint=blueprint)
        except ExamError as exc:
            return _error(exc)
        return Response(_attempt_state(attempt), status=status.HTTP_201_CREATED)


class AttemptDetailApi(APIView):
    @extend_schema(responses=AttemptStateSerializer)
    def get(self, request, attempt_id: int):
        attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id)
        if attempt.student_id != request.user.pk and attempt.status == AttemptStatus.IN_PROGRESS:
            return Response(AttemptOutputSerializer(attempt).data)
        return Response(_attempt_state(attempt))


class AnswerSaveApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamAnswerInput"

        question_id = serializers.IntegerField()
        response = serializers.JSONField(allow_null=True)
        revision = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamAnswerOutput"

        position = serializers.IntegerField()
        revision = serializers.IntegerField()
        answered_at = serializers.DateTimeField()
        merged = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request, attempt_id: int, position: int):
        attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw = data.validated_data["response"]
        if isinstance(raw, dict):  # accept the same shape the API returns
            raw = raw.get("choices") or raw.get("choice") or raw.get("text")
        try:
            result = answer_save(
                attempt=attempt, student=request.user, position=position, response=raw,
                question_id=data.validated_data["question_id"], revision=data.validated_data.get("revision"),
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ExamError as exc:
            return _error(exc)
        return Response(
            self.OutputSerializer(
                {"position": result.item.position, "revision": result.item.revision,
                 "answered_at": result.item.answered_at, "merged": result.merged}
            ).data
        )


class FlagApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamFlagInput"

        flagged = serializers.BooleanField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("FlagOutput", {"position": serializers.IntegerField(), "flagged": serializers.BooleanField()}),
    )
    def post(self, request, attempt_id: int, position: int):
        attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = flag_set(attempt=attempt, student=request.user, position=position, flagged=data.validated_data["flagged"])
        except ExamError as exc:
            return _error(exc)
        return Response({"position": item.position, "flagged": item.flagged})


# --- The exam path without the framework's layers ----------------------------------------------------
# Answer saves and flags are most of an exam's requests, and a thousand starts arrive within seconds.
# DRF's request wrapping, negotiation, parsers and serializers cost about as much CPU as a save
# itself, so the ordinary request (a signed-in browser session, a valid CSRF token, and for a save or
# a flag a well-formed JSON body) is answered by a plain view below, with the same checks and the
# same answers. Anything else (an API token, a bad token or body, another method) goes to the DRF
# view above, which answers it exactly as before; the DRF view also documents the endpoint in the
# OpenAPI schema.


def _json(data: dict, status: int = 200) -> HttpResponse:
    # As DRF's JSONRenderer writes it (compact, UTF-8, the two JavaScript line separators escaped).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(text, status=status, content_type="application/json")


def _lean_request(request) -> bool:
    """Whether this is an ordinary browser-session request the lean view may answer (else the DRF view does)."""
    if "HTTP_AUTHORIZATION" in request.META or not request.user.is_authenticated:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    if accept and "json" not in accept and "*/*" not in accept:
        return False
    check = CSRFCheck(lambda r: None)  # the check DRF's session authentication makes
    check.process_request(request)
    return not check.process_view(request, None, (), {})


def _lean_body(request):
    """The JSON body of an ordinary autosave request, or None when the DRF view should answer it."""
    if not _lean_request(request) or request.content_type != "application/json":
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _lean(api_class, method: str, answer, *, reads_body: bool = True):
    """A URL's view: ``answer(request, data, **kwargs)`` for ordinary requests, the DRF view for the rest.

    ``reads_body=False`` is for an operation that takes no body (the DRF view never reads it either):
    ``data`` is then an empty dict.
    """
    full = api_class.as_view()

    @csrf_exempt  # checked in _lean_request, as the DRF view checks it
    def view(request, **kwargs):
        data = None
        if request.method == method:
            data = _lean_body(request) if reads_body else ({} if _lean_request(request) else None)
        response = answer(request, data, **kwargs) if data is not None else None
        return response if response is not None else full(request, **kwargs)

    view.cls, view.initkwargs = full.cls, full.initkwargs  # for the OpenAPI schema
    return view


def _attempt_start_lean(request, data: dict, blueprint_id: int):
    try:
        blueprint = blueprint_for_user_or_404(user=request.user, blueprint_id=blueprint_id)
        attempt = attempt_start(student=request.user, blueprint=blueprint)
    except ExamError as exc:
        return _json({"detail": exc.message, "code": exc.code}, exc.status)
    except Http404 as exc:
        return _json({"detail": str(exc)}, 404)
    return _json(_attempt_state(attempt), 201)


def _int_or_absent(data: dict, key: str, *, required: bool) -> bool:
    value = data.get(key)
    return (value is None and not required) or (type(value) is int)


def _answer_save_lean(request, data: dict, attempt_id: int, position: int):
    if "response" not in data or not _int_or_absent(data, "question_id", required=True) \
            or not _int_or_absent(data, "revision", required=False):
        return None  # DRF's serializer words the error
    raw = data["response"]
    if isinstance(raw, dict):  # accept the same shape the API returns
        raw = raw.get("choices") or raw.get("choice") or raw.get("text")
    try:
        result = answer_save_by_id(
            attempt_id=attempt_id, student=request.user, position=position, response=raw,
            question_id=data["question_id"], revision=data.get("revision"), ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ExamError as exc:
        return _json({"detail": exc.message, "code": exc.code}, exc.status)
    except Http404 as exc:
        return _json({"detail": str(exc)}, 404)
    item = result.item
    return _json({"position": item.position, "revision": item.revision,
                  "answered_at": _DATETIME.to_representation(item.answered_at), "merged": result.merged})


def _flag_lean(request, data: dict, attempt_id: int, position: int):
    if type(data.get("flagged")) is not bool:
        return None
    try:
        item = flag_set_by_id(attempt_id=attempt_id, student=request.user, position=position, flagged=data["flagged"])
    except ExamError as exc:
        return _json({"detail": exc.message, "code": exc.code}, exc.status)
    except Http404 as exc:
        return _json({"detail": str(exc)}, 404)
    return _json({"position": item.position, "flagged": item.flagged})


attempt_start_view = _lean(AttemptStartApi, "POST", _attempt_start_lean, reads_body=False)
answer_save_view = _lean(AnswerSaveApi, "PUT", _answer_save_lean)
flag_view = _lean(FlagApi, "POST", _flag_lean)


class SubmitApi(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "SubmitOutput",
            {"id": serializers.IntegerField(), "status": serializers.CharField(), "already_submitted": serializers.BooleanField()},
        ),
    )
    def post(self, request, attempt_id: int):
        attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
        try:
            closed = attempt_submit(attempt=attempt, student=request.user, ip_address=request.META.get("REMOTE_ADDR"))
        except ExamError as exc:
            return _error(exc)
        attempt.refresh_from_db(fields=["status"])
        return Response({"id": attempt.pk, "status": attempt.status, "already_submitted": not closed})


class ReportApi(APIView):
    class DomainSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamReportDomain"

        correct = serializers.IntegerField()
        total = serializers.IntegerField()

    class ItemSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ExamReportItem"

        position = serializers.IntegerField()
        question_id = serializers.IntegerField()
        domain = serializers.CharField()
        stem = serializers.CharField(source="question.stem")
        choices = ChoiceOutputSerializer(source="displayed_choices", many=True)
        response = serializers.JSONField()
        is_correct = serializers.BooleanField()
        correct_choice_ids = serializers.SerializerMethodField()
        accepted_codes = serializers.ListField(source="question.accepted_codes", child=serializers.CharField())
        rationale = serializers.CharField(source="question.rationale")

        @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
        def get_correct_choice_ids(self, obj):
            return [c.pk for c in obj.question.choices.all() if c.is_correct]

    @extend_schema(
        responses=inline_serializer(
            "ReportOutput",
            {
                "id": serializers.IntegerField(), "percent": serializers.FloatField(), "passed": serializers.BooleanField(),
                "correct": serializers.IntegerField(), "total": serializers.IntegerField(),
                "by_domain": serializers.DictField(child=DomainSerializer()), "items": ItemSerializer(many=True),
            },
        )
    )
    def get(self, request, attempt_id: int):
        attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id)
        if attempt.status != AttemptStatus.SCORED:
            return Response({"detail": "The score report is available once the exam is scored.", "status": attempt.status}, status=409)
        score = AttemptScore.objects.get(attempt=attempt)
        return Response(
            {
                "id": attempt.pk,
                "percent": score.percent,
                "passed": score.passed,
                "correct": score.correct,
                "total": score.total,
                "by_domain": {k: self.DomainSerializer(v).data for k, v in score.by_domain.items()},
                "items": self.ItemSerializer(attempt_report_items(attempt=attempt), many=True).data,
            }
        )


class ReadinessApi(APIView):
    class RollupSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ReadinessDomain"

        domain = serializers.CharField()
        mastery = serializers.FloatField()
        lower = serializers.FloatField()
        upper = serializers.FloatField()
        evidence_count = serializers.IntegerField()

    class ReadinessSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ReadinessCredential"

        blueprint = serializers.CharField(source="blueprint.slug")
        predicted_score = serializers.FloatField()
        lower = serializers.FloatField()
        upper = serializers.FloatField()
        pass_probability = serializers.FloatField()
        updated_at = serializers.DateTimeField()

    @extend_schema(
        responses=inline_serializer(
            "ReadinessOutput",
            {"student": serializers.IntegerField(), "readiness": ReadinessSerializer(many=True),
             "domains": RollupSerializer(many=True)},
        )
    )
    def get(self, request, student_id: int | None = None):
        student = request.user if student_id is None else User.objects.filter(pk=student_id, role="student").first()
        if student is None or not can_view_student(viewer=request.user, student=student):
            audit_record(actor=request.user, action="readiness.access_denied", target_type="accounts.user", target_id=student_id or "")
            raise Http404
        return Response(
            {
                "student": student.pk,
                "readiness": self.ReadinessSerializer(
                    Readiness.objects.filter(student=student).select_related("blueprint"), many=True
                ).data,
                "domains": self.RollupSerializer(StudentDomainRollup.objects.filter(student=student), many=True).data,
            }
        )
