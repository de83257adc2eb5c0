"""The integrator API: cohorts and their results, for a school's own systems (token or session)."""

from __future__ import annotations

import io

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAuthor
from coding_lms.csv_export import csv_writer
from courses.access import cohort_for_instructor_or_404
from courses.roster import RosterError
from courses.selectors import cohorts_for_instructor
from courses.services.cohorts import cohort_create, cohort_member_remove, cohort_roster_import

from .api_auth import SCOPE_COHORTS_MANAGE, SCOPE_RESULTS_READ


class CohortOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    student_count = serializers.IntegerField()
    lms_courses = serializers.SerializerMethodField()

    def get_lms_courses(self, cohort) -> list[dict]:
        return [{"platform": c.deployment.platform.name, "context_id": c.context_id, "title": c.title}
                for c in cohort.lti_contexts.all()]


class CohortListApi(APIView):
    """Cohorts the caller teaches (all of them for an administrator); create one."""

    permission_classes = [IsAuthenticated, IsAuthor]
    required_scopes = {"GET": [SCOPE_RESULTS_READ], "POST": [SCOPE_COHORTS_MANAGE]}

    class CohortCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        starts_on = serializers.DateField(required=False, allow_null=True)
        ends_on = serializers.DateField(required=False, allow_null=True)

    def _cohorts(self, user):
        return (cohorts_for_instructor(instructor=user).annotate(student_count=Count("memberships", distinct=True))
                .prefetch_related("lti_contexts__deployment__platform").order_by("name", "pk"))

    @extend_schema(responses=CohortOutput(many=True))
    def get(self, request):
        return Response(CohortOutput(self._cohorts(request.user), many=True).data)

    @extend_schema(request=CohortCreateInputSerializer, responses={201: CohortOutput})
    def post(self, request):
        data = self.CohortCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = cohort_create(instructor=request.user, **data.validated_data)
        return Response(CohortOutput(self._cohorts(request.user).get(pk=cohort.pk)).data, status=status.HTTP_201_CREATED)


class CaseResultOutput(serializers.Serializer):
    case = serializers.CharField(source="submission.case.slug")
    title = serializers.CharField(source="submission.case.title")
    final_score = serializers.FloatField()
    passed = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(source="submission.submitted_at")


class ExamResultOutput(serializers.Serializer):
    exam = serializers.CharField(source="blueprint.slug")
    name = serializers.CharField(source="blueprint.name")
    percent = serializers.FloatField()
    passed = serializers.BooleanField()
    scored_at = serializers.DateTimeField(source="created_at")


class StudentResultsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    cases = serializers.SerializerMethodField()
    exams = ExamResultOutput(source="exam_scores_list", many=True)

    def get_cases(self, student) -> list[dict]:
        return CaseResultOutput(student.case_scores_list, many=True).data


class CohortResultsApi(APIView):
    """Every student of the cohort with their current case scores (after overrides) and exam scores."""

    permission_classes = [IsAuthenticated, IsAuthor]
    required_scopes = [SCOPE_RESULTS_READ]
    pagination_class = LimitOffsetPagination

    @extend_schema(responses=StudentResultsOutput(many=True))
    def get(self, request, cohort_id: int):
        from certification.models import AttemptScore
        from exercises.models import SubmissionScore

        cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
        students = cohort.students.order_by("username").only("id", "username", "display_name")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(students, request, view=self)
        scores = (SubmissionScore.objects.filter(is_current=True, submission__student__in=page)
                  .exclude(submission__status="draft").select_related("submission__case")
                  .order_by("submission__submitted_at"))
        exams = AttemptScore.objects.filter(student__in=page).select_related("blueprint").order_by("created_at")
        by_student_cases: dict[int, list] = {}
        for score in scores:
            by_student_cases.setdefault(score.submission.student_id, []).append(score)
        by_student_exams: dict[int, list] = {}
        for exam in exams:
            by_student_exams.setdefault(exam.student_id, []).append(exam)
        for student in page:
            student.case_scores_list = by_student_cases.get(student.pk, [])
            student.exam_scores_list = by_student_exams.get(student.pk, [])
        return paginator.get_paginated_response(StudentResultsOutput(page, many=True).data)


class RosterApi(APIView):
    """Add students to a cohort by username: new usernames get an account, existing students an invitation."""

    permission_classes = [IsAuthenticated, IsAuthor]
    required_scopes = [SCOPE_COHORTS_MANAGE]

    class RosterMemberInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    class RosterInputSerializer(serializers.Serializer):
        members = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=2000)

    class RosterResultSerializer(serializers.Serializer):
        enrolled = serializers.ListField(child=serializers.CharField())
        created = serializers.ListField(child=serializers.CharField())
        invited = serializers.ListField(child=serializers.CharField())
        already_members = serializers.ListField(child=serializers.CharField())
        already_invited = serializers.ListField(child=serializers.CharField())
        declined = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=RosterInputSerializer, responses=RosterResultSerializer)
    def post(self, request, cohort_id: int):
        cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
        data = self.RosterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        members = self.RosterMemberInputSerializer(data=data.validated_data["members"], many=True)
        members.is_valid(raise_exception=True)
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(["username", "email", "display_name"])
        for member in members.validated_data:
            writer.writerow([member["username"], member["email"], member["display_name"]])
        try:
            result = cohort_roster_import(actor=request.user, cohort=cohort, data=out.getvalue().encode())
        except RosterError as exc:
            return Response({"detail": "The roster was not imported.", "errors": exc.errors},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(self.RosterResultSerializer(result).data)


class MemberApi(APIView):
    """Remove a student from a cohort."""

    permission_classes = [IsAuthenticated, IsAuthor]
    required_scopes = [SCOPE_COHORTS_MANAGE]

    @extend_schema(responses={204: None})
    def delete(self, request, cohort_id: int, student_id: int):
        cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
        student = cohort.students.filter(pk=student_id).first()
        if student is not None:
            cohort_member_remove(actor=request.user, cohort=cohort, student=student)
        return Response(status=status.HTTP_204_NO_CONTENT)
