"""Reads for the cohort DRG audit: two queries whatever the size of the cohort (its roster, and the current scores
of its students' inpatient submissions with the DRG review stored on each)."""

from __future__ import annotations

from courses.models import Cohort, CohortMembership

from ..models import SubmissionScore, SubmissionStatus
from .audit import AuditInput, DrgAudit, summarise
from .services import INPATIENT


def _name(display_name: str, username: str) -> str:
    return display_name or username


def cohort_drg_audit(*, cohort: Cohort) -> DrgAudit:
    """The audit of every scored inpatient submission of the cohort's students (their current score)."""
    members = list(
        CohortMembership.objects.filter(cohort=cohort)
        .order_by("student__display_name", "student__username")
        .values_list("student_id", "student__display_name", "student__username")
    )
    scores = (
        SubmissionScore.objects.filter(
            is_current=True,
            submission__student_id__in=[pk for pk, _, _ in members],
            submission__status=SubmissionStatus.SCORED,
            submission__case__setting=INPATIENT,
        )
        .order_by("submission__student__display_name", "submission__student__username", "submission__case__title",
                  "-submission__submitted_at")
        .values("submission_id", "submission__student_id", "submission__student__display_name",
                "submission__student__username", "submission__case_id", "submission__case__title",
                "submission__submitted_at", "result__drg")
    ) if members else []
    items = [
        AuditInput(
            submission_id=s["submission_id"], student_id=s["submission__student_id"],
            student_name=_name(s["submission__student__display_name"], s["submission__student__username"]),
            student_username=s["submission__student__username"], case_id=s["submission__case_id"],
            case_title=s["submission__case__title"], submitted_at=s["submission__submitted_at"],
            review=s["result__drg"] if isinstance(s["result__drg"], dict) else None,
        )
        for s in scores
    ]
    return summarise(items, roster=[(pk, _name(display, username)) for pk, display, username in members])
