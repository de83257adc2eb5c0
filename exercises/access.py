"""One access helper per resource, used by every view and API endpoint."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.selectors import can_view_student

from .models import Case, Submission, SubmissionScore


def case_for_student_or_404(*, user, slug: str) -> Case:
    """A case the user may open to code: published ones, or any case for authors (preview)."""
    queryset = Case.objects.select_related("icd10cm_release", "cpt_release", "hcpcs_release")
    if not user.can_author:
        queryset = queryset.published()
    return get_object_or_404(queryset, slug=slug)


def case_for_author_or_404(*, user, slug: str) -> Case:
    if not user.can_author:
        raise PermissionDenied("Only instructors and administrators can edit cases.")
    return get_object_or_404(Case.objects.select_related("icd10cm_release", "cpt_release", "hcpcs_release"), slug=slug)


def submission_for_viewer_or_404(*, user, submission_id: int) -> Submission:
    """The student's own submission, or one of a student the instructor teaches; admins see all."""
    submission = get_object_or_404(Submission.objects.select_related("case", "student", "key"), pk=submission_id)
    if submission.student_id == user.pk:
        return submission
    if user.can_author and can_view_student(viewer=user, student=submission.student):
        return submission
    raise Http404("No such submission.")


def submission_for_reviewer_or_404(*, user, submission_id: int) -> Submission:
    if not user.can_author:
        raise PermissionDenied("Only instructors and administrators can review submissions.")
    submission = submission_for_viewer_or_404(user=user, submission_id=submission_id)
    if submission.student_id == user.pk:
        raise PermissionDenied("You cannot review your own work.")
    return submission


def score_for_reviewer_or_404(*, user, score_id: int) -> SubmissionScore:
    score = get_object_or_404(SubmissionScore.objects.select_related("submission"), pk=score_id)
    submission_for_reviewer_or_404(user=user, submission_id=score.submission_id)
    return score
