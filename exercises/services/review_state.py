"""The review queue's state of a submission: needs review until an instructor marks it reviewed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from ..models import Submission, SubmissionStatus


def submission_review_mark(*, actor, submission: Submission, reviewed: bool) -> Submission:
    """Mark a scored submission reviewed (or back to needs review); audited. Repeating it changes nothing."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != SubmissionStatus.SCORED:
            raise ValidationError("Only a scored submission can be marked reviewed.")
        if reviewed == (submission.reviewed_at is not None):
            return submission
        before = {"reviewed_at": submission.reviewed_at.isoformat() if submission.reviewed_at else None}
        submission.reviewed_at = timezone.now() if reviewed else None
        submission.reviewed_by = actor if reviewed else None
        submission.save(update_fields=["reviewed_at", "reviewed_by"])
        audit_record(actor=actor, action="exercises.submission_reviewed" if reviewed else "exercises.submission_reopened",
                     target=submission, before=before,
                     after={"reviewed_at": submission.reviewed_at.isoformat() if submission.reviewed_at else None})
    return submission
