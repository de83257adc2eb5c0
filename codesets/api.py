"""REST endpoints for the code-set catalog: one small APIView per operation."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlatformAdmin

from . import selectors
from .forms import IMPORTABLE_SYSTEMS
from .services import CodeSetImportError, release_activate, release_upload_create
from .uploads_http import body_too_large, install_size_limit, too_large_message


class ReleaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    system = serializers.CharField()
    label = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    billable_count = serializers.IntegerField()
    header_count = serializers.IntegerField()
    is_current = serializers.BooleanField()
    status = serializers.CharField()


class ReleaseDetailOutputSerializer(ReleaseOutputSerializer):
    progress_percent = serializers.IntegerField()
    progress_message = serializers.CharField()
    error_message = serializers.CharField()
    previous_release_id = serializers.IntegerField(allow_null=True)
    descriptors_are_licensed = serializers.BooleanField()


def _detail_payload(release) -> dict:
    data = ReleaseDetailOutputSerializer(release).data
    progress = selectors.release_progress(release=release)
    data["progress_percent"], data["progress_message"] = progress["percent"], progress["message"]
    data["change_counts"] = selectors.release_change_counts(release=release)
    return data


def _bad_request(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"


class ReleaseListApi(APIView):
    """GET /api/v1/codesets/ — releases (admins also see importing and failed ones)."""

    @extend_schema(operation_id="codesets_release_list", responses=ReleaseOutputSerializer(many=True))
    def get(self, request):
        releases = selectors.release_list_for_user(user=request.user)
        return Response(ReleaseOutputSerializer(releases, many=True).data)


class ReleaseDetailApi(APIView):
    """GET /api/v1/codesets/<id>/ — one release with its import progress and change counts."""

    @extend_schema(operation_id="codesets_release_detail", responses=ReleaseDetailOutputSerializer)
    def get(self, request, release_id: int):
        release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
        return Response(_detail_payload(release))


class ReleaseChangesApi(APIView):
    """GET /api/v1/codesets/<id>/changes/?kind=added|deleted|revised&chapter= — paginated (limit/offset)."""

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=selectors.CHANGE_KINDS, required=False)
        chapter = serializers.CharField(max_length=8, required=False)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        code = serializers.CharField()
        display_code = serializers.CharField()
        chapter = serializers.CharField()
        old_title = serializers.CharField()
        new_title = serializers.CharField()

    @extend_schema(
        operation_id="codesets_release_changes",
        parameters=[
            OpenApiParameter("kind", str, enum=selectors.CHANGE_KINDS),
            OpenApiParameter("chapter", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request, release_id: int):
        release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        changes = selectors.release_changes(release=release, **filters.validated_data)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(changes, request, view=self)
        response = paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
        response.data["counts"] = selectors.release_change_counts(release=release, chapter=filters.validated_data.get("chapter", ""))
        return response


class ReleaseUploadApi(APIView):
    """POST /api/v1/codesets/upload/ (admins, multipart) — 202 and the release to poll; 400 with a message."""

    permission_classes = [IsPlatformAdmin]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        system = serializers.ChoiceField(choices=IMPORTABLE_SYSTEMS)
        label = serializers.CharField(max_length=64)
        effective_from = serializers.DateField()
        file = serializers.FileField()
        order_file = serializers.FileField(required=False)
        descriptors_are_licensed = serializers.BooleanField(required=False, default=False)

    def initialize_request(self, request, *args, **kwargs):
        # Must happen before anything (the CSRF check included) reads the body.
        self.size_limiter = install_size_limit(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        # Refused on its declared length before authentication runs: the session CSRF check
        # reads the whole form, so a check in post() would come after the body was received.
        if body_too_large(request):
            raise UploadTooLarge(too_large_message(["The upload"]))
        super().initial(request, *args, **kwargs)

    @extend_schema(operation_id="codesets_release_upload", request=InputSerializer, responses={202: ReleaseDetailOutputSerializer})
    def post(self, request):
        data = request.data
        if self.size_limiter.too_large:
            return _bad_request(too_large_message(self.size_limiter.too_large))
        serializer = self.InputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            release, created = release_upload_create(
                system=values["system"],
                upload=values["file"],
                order_upload=values.get("order_file"),
                label=values["label"],
                effective_from=values["effective_from"],
                descriptors_are_licensed=values["descriptors_are_licensed"],
                actor=request.user,
            )
        except CodeSetImportError as exc:
            return _bad_request(exc.message)
        payload = _detail_payload(release)
        payload["created"] = created
        payload["status_url"] = reverse("codesets-api:release_detail", kwargs={"release_id": release.pk})
        if not created:
            payload["detail"] = f"This file was already imported as {release}; nothing new was created."
        return Response(payload, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class ReleaseActivateApi(APIView):
    """POST /api/v1/codesets/<id>/activate/ (admins) — make the release current; audited.

    Going back to a release older than the current one needs ``confirm_older: true``; without it the
    answer is 400 with a message naming both releases.
    """

    permission_classes = [IsPlatformAdmin]

    class ActivateInputSerializer(serializers.Serializer):
        confirm_older = serializers.BooleanField(default=False, required=False)

    @extend_schema(operation_id="codesets_release_activate", request=ActivateInputSerializer,
                   responses=ReleaseDetailOutputSerializer)
    def post(self, request, release_id: int):
        release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
        serializer = self.ActivateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            release = release_activate(release=release, actor=request.user, ip_address=request.META.get("REMOTE_ADDR"),
                                       allow_older=serializer.validated_data["confirm_older"])
        except CodeSetImportError as exc:
            return _bad_request(exc.message)
        return Response(_detail_payload(release))
