"""Read helpers for certification pages and APIs: access checks and exam state.

Dashboards read rollups only; see ``certification.dashboards``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.services import audit_access_denied
from courses.selectors import can_view_student

from .models import AttemptItem, AttemptStatus, Blueprint, Choice, ExamAttempt

DRILL_CREDENTIAL = "DRILL"


def blueprints_for(*, user) -> QuerySet[Blueprint]:
    return Blueprint.objects.visible_to(user).exclude(credential=DRILL_CREDENTIAL)


def blueprint_for_user_or_404(*, user, blueprint_id: int) -> Blueprint:
    """The blueprint if the user may see it (``Blueprint.objects.visible_to``); 404 otherwise.

    Every exam start passes here: an active blueprint open to everyone (no cohort) is one read by
    key; only a cohort's own blueprint asks ``visible_to`` about membership.
    """
    try:
        blueprint = Blueprint.objects.get(pk=blueprint_id)
    except Blueprint.DoesNotExist:
        blueprint = None
    if blueprint is not None and blueprint.is_active and (
        blueprint.cohort_id is None or Blueprint.objects.visible_to(user).filter(pk=blueprint_id).exists()
    ):
        return blueprint
    if blueprint is not None:
        audit_access_denied(actor=user, target_type="certification.blueprint", target_id=blueprint_id,
                            action="exam.blueprint_access_denied")
    raise Http404("No such exam.")


def attempt_for_user_or_404(*, user, attempt_id: int, write: bool = False) -> ExamAttempt:
    """The one access check for attempts: the student who owns it; read-only for their instructors and admins."""
    try:  # by primary key, so no ordering: this runs on every autosave
        attempt = ExamAttempt.objects.select_related("blueprint").get(pk=attempt_id)
    except ExamAttempt.DoesNotExist:
        attempt = None
    if attempt is not None:
        if attempt.student_id == user.pk:
            attempt.student = user  # the signed-in user is the student: no join to read the same row again
            return attempt
        if not write and (user.is_admin or (user.is_instructor and can_view_student(viewer=user, student=attempt.student))):
            return attempt
        audit_access_denied(actor=user, action="exam.access_denied", target=attempt, detail={"write": write})
    raise Http404("No such exam attempt.")


@dataclass(frozen=True)
class PaletteCell:
    position: int
    answered: bool
    flagged: bool


def attempt_palette(*, attempt: ExamAttempt) -> list[PaletteCell]:
    rows = AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list("position", "response", "flagged")
    return [PaletteCell(p, r not in (None, "", {}, []), f) for p, r, f in rows]


def attempt_item_for_display(*, attempt: ExamAttempt, position: int) -> AttemptItem:
    """One item with its question and choices (text and id only reach the template)."""
    item = (
        AttemptItem.objects.filter(attempt=attempt, position=position)
        .select_related("question", "question__scenario")
        .prefetch_related(Prefetch("question__choices", queryset=Choice.objects.order_by("position", "id")))
        .first()
    )
    if item is None:
        raise Http404("No such question in this exam.")
    return item


def attempt_open_for_student(*, student) -> list[ExamAttempt]:
    return list(
        ExamAttempt.objects.filter(student=student, status=AttemptStatus.IN_PROGRESS).select_related("blueprint")
    )


def attempt_report_items(*, attempt: ExamAttempt) -> list[AttemptItem]:
    """Items with keys and rationales: only for a scored attempt (callers check the status)."""
    if attempt.status != AttemptStatus.SCORED:
        raise Http404("The score report is available once the exam is scored.")
    return list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("question", "question__scenario")
        .prefetch_related(Prefetch("question__choices", queryset=Choice.objects.order_by("position", "id")))
        .order_by("position")
    )
