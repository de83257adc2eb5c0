"""One access helper per resource, used by every view and API endpoint.

Refusals on objects that exist are written to the audit log (rate-limited per actor, see
accounts.services.audit_access_denied).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.services import audit_access_denied
from courses.selectors import can_view_student

from .models import Case, CaseShare, Submission, SubmissionScore

CASE_EDIT_REFUSED = "Only the case's author, the instructors they share it with, and administrators can change this case."


def case_for_student_or_404(*, user, slug: str) -> Case:
    """A case the user may open to code: published and verified (or piloted with their cohort), or any case
    for authors (preview)."""
    queryset = Case.objects.select_related("icd10cm_release", "cpt_release", "hcpcs_release")
    if not user.can_author:
        queryset = queryset.visible_to_student(user)
    return get_object_or_404(queryset, slug=slug)


def can_edit_case(*, user, case: Case) -> bool:
    """Admins, the case's author, and the instructors the author shared it with change a case and its key."""
    if not user.is_authenticated or not user.can_author:
        return False
    if user.is_admin or (case.author_id is not None and case.author_id == user.pk):
        return True
    return CaseShare.objects.filter(case=case, instructor=user).exists()


def can_manage_case_sharing(*, user, case: Case) -> bool:
    """Only the author (or an admin) decides who else may change the case."""
    return user.is_authenticated and (user.is_admin or (case.author_id is not None and case.author_id == user.pk))


def editable_case_ids(*, user, case_ids) -> set[int]:
    """Of these cases, the ones the user may change (one query, for lists)."""
    if not user.is_authenticated or not user.can_author:
        return set()
    cases = Case.objects.filter(pk__in=list(case_ids))
    if not user.is_admin:
        cases = cases.filter(Q(author=user) | Q(shares__instructor=user))
    return set(cases.values_list("pk", flat=True))


def case_for_author_or_404(*, user, slug: str) -> Case:
    case = Case.objects.select_related("icd10cm_release", "cpt_release", "hcpcs_release").filter(slug=slug).first()
    if not user.can_author:
        if case is not None:
            audit_access_denied(actor=user, target=case, action="exercises.case_edit_denied")
        raise PermissionDenied("Only instructors and administrators can edit cases.")
    if case is None:
        raise Http404("No such case.")
    if not can_edit_case(user=user, case=case):
        audit_access_denied(actor=user, target=case, action="exercises.case_edit_denied")
        raise PermissionDenied(CASE_EDIT_REFUSED)
    return case


def case_for_sharing_or_404(*, user, slug: str) -> Case:
    case = case_for_author_or_404(user=user, slug=slug)
    if not can_manage_case_sharing(user=user, case=case):
        audit_access_denied(actor=user, target=case, action="exercises.case_sharing_denied")
        raise PermissionDenied("Only the case's author (or an administrator) decides who else may change it.")
    return case


def case_for_reviewer_or_404(*, user, slug: str) -> Case:
    """Any instructor or admin may review a case's key (verifying it is further limited to a second instructor)."""
    case = Case.objects.select_related("author", "current_key").filter(slug=slug).first()
    if not user.can_author:
        if case is not None:
            audit_access_denied(actor=user, target=case, action="exercises.case_review_denied")
        raise PermissionDenied("Only instructors and administrators review cases.")
    if case is None:
        raise Http404("No such case.")
    return case


def submission_for_viewer_or_404(*, user, submission_id: int) -> Submission:
    """The student's own submission, or one of a student the instructor teaches; admins see all."""
    submission = get_object_or_404(Submission.objects.select_related("case", "student", "key"), pk=submission_id)
    if submission.student_id == user.pk:
        return submission
    if user.can_author and can_view_student(viewer=user, student=submission.student):
        return submission
    audit_access_denied(actor=user, target=submission, action="exercises.submission_access_denied")
    raise Http404("No such submission.")


def submission_for_reviewer_or_404(*, user, submission_id: int) -> Submission:
    if not user.can_author:
        if Submission.objects.filter(pk=submission_id).exists():
            audit_access_denied(actor=user, target_type="exercises.submission", target_id=submission_id,
                                action="exercises.review_denied")
        raise PermissionDenied("Only instructors and administrators can review submissions.")
    submission = submission_for_viewer_or_404(user=user, submission_id=submission_id)
    if submission.student_id == user.pk:
        audit_access_denied(actor=user, target=submission, action="exercises.review_denied")
        raise PermissionDenied("You cannot review your own work.")
    return submission


def score_for_reviewer_or_404(*, user, score_id: int) -> SubmissionScore:
    score = get_object_or_404(SubmissionScore.objects.select_related("submission"), pk=score_id)
    submission_for_reviewer_or_404(user=user, submission_id=score.submission_id)
    return score
