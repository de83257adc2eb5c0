"""GET /api/v1/codes/search/?q=...&system=icd10cm&limit=10[&release=<id>]"""

from __future__ import annotations

import time

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from codesets.models import CodeSystem
from lookup.search import MAX_LIMIT
from lookup.search.text import MAX_QUERY_CHARS
from lookup.selectors import ReleaseNotFound
from lookup.services.search import code_search, release_for_search


class CodeSearchApi(APIView):
    """Instant code search over one release (the current one unless ``release`` is given)."""

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=MAX_QUERY_CHARS, trim_whitespace=True,
            help_text="A code (E11.4, e114, E11.-) or words, abbreviations, lay terms; typos are tolerated.",
            error_messages={"max_length": f"The search text is too long: at most {MAX_QUERY_CHARS} characters."},
        )
        system = serializers.ChoiceField(choices=CodeSystem.choices, default=CodeSystem.ICD10CM)
        limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_LIMIT)
        release = serializers.IntegerField(
            required=False, min_value=1, allow_null=True,
            help_text="A ready release of the system; the system's current release when omitted.",
        )

    @extend_schema_serializer(component_name="CodeSearchHit")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="With its dot, as coders write it (E11.40).")
        title = serializers.CharField()
        billable = serializers.BooleanField()
        system = serializers.CharField()

    # Schema only: the envelope and the 400 answer, under names no other API uses.
    response_schema = inline_serializer("CodeSearchResults", {
        "results": OutputSerializer(many=True),
        "release": serializers.IntegerField(help_text="The release searched."),
    })
    error_schema = inline_serializer("CodeSearchError", {
        "detail": serializers.CharField(required=False, help_text="What is wrong; invalid parameters are listed by name."),
    })

    @extend_schema(
        operation_id="codes_search",
        parameters=[InputSerializer],
        responses={
            200: OpenApiResponse(
                response=response_schema,
                description="Up to `limit` codes, best first, and the release searched. Carries a "
                            "`Server-Timing` header (`search;dur=…, view;dur=…`, milliseconds).",
            ),
            400: OpenApiResponse(
                response=error_schema,
                description="A parameter is invalid: `detail`, or the parameter's name with its messages.",
            ),
        },
    )
    def get(self, request):
        started = time.perf_counter()
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            release = release_for_search(system=data["system"], release_id=data.get("release"))
        except ReleaseNotFound as exc:
            return Response({"detail": str(exc)}, status=400)
        searched = time.perf_counter()
        hits = code_search(release=release, query=data["q"], limit=data["limit"])
        finished = time.perf_counter()
        rows = [{"code": h.code, "title": h.title, "billable": h.billable, "system": release.system} for h in hits]
        response = Response({"results": self.OutputSerializer(rows, many=True).data, "release": release.pk})
        response["Server-Timing"] = (
            f"search;dur={(finished - searched) * 1000:.3f}, view;dur={(time.perf_counter() - started) * 1000:.3f}"
        )
        return response
