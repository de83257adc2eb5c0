"""Case review: a case moves draft -> in review -> verified before every student sees it.

A second instructor (never the author, never the writer of the key version under review) checks
the key and verifies it with a note; each step is audited. Until then, a published case reaches
only the pilot cohorts its author chooses. A new key version on a verified case sends it back to
review: the verification was of the key the reviewer read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_record
from courses.models import Cohort
from courses.selectors import cohorts_for_instructor

from ..models import AnswerKey, Case, ReviewStatus
from .authoring import KEY_FIELDS, case_key_check, key_errors

NOTE_MAX = 1000


def case_key_writer_ids(case: Case) -> set[int]:
    """The people who may not verify this case: its author and whoever wrote the current key version."""
    key = case.current_key if case.current_key_id else case.answer_keys.order_by("-version").first()
    return {pk for pk in (case.author_id, key.created_by_id if key else None) if pk is not None}


def can_verify_case(*, user, case: Case) -> bool:
    return bool(user.is_authenticated and user.can_author and user.pk not in case_key_writer_ids(case))


def _current_key(case: Case) -> AnswerKey:
    key = case.answer_keys.order_by("-version").first()
    if key is None:
        raise ValidationError("This case has no answer key yet: write the key before it is reviewed.")
    return key


def _gate(case: Case, key: AnswerKey) -> None:
    """The publish gate: a key with blocking problems is neither sent for review nor verified."""
    lines = list(key.lines.order_by("order", "id").values(*KEY_FIELDS))
    errors = key_errors(case_key_check(case=case, lines=lines))
    if errors:
        raise ValidationError(["The answer key has problems to fix first:", *errors])


def _clean_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError("Write a note: what you checked, or what the author should change.")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep the note under {NOTE_MAX} characters.")
    return note


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def case_review_request(*, actor, case: Case, note: str = "") -> Case:
    """Send a draft case for review (by anyone who may change it; the view checks that)."""
    note = _clean_note(note, required=False)
    with transaction.atomic():
        locked = _locked(case)
        if locked.review_status != ReviewStatus.DRAFT:
            raise ValidationError("Only a draft is sent for review; this case is already "
                                  f"{locked.get_review_status_display().lower()}.")
        key = _current_key(locked)
        _gate(locked, key)
        locked.review_status = ReviewStatus.IN_REVIEW
        locked.save(update_fields=["review_status", "updated_at"])
        audit_record(actor=actor, action="exercises.case_review_requested", target=locked, reason=note,
                     before={"review_status": ReviewStatus.DRAFT},
                     after={"review_status": ReviewStatus.IN_REVIEW, "key_version": key.version})
    case.review_status = locked.review_status
    return locked


def case_verify(*, actor, case: Case, note: str) -> Case:
    """A second instructor verifies the current key version, with a note (audited)."""
    note = _clean_note(note, required=True)
    with transaction.atomic():
        locked = _locked(case)
        if not can_verify_case(user=actor, case=locked):
            raise ValidationError("A case is verified by a second instructor: not its author, "
                                  "nor the person who wrote its current key.")
        if locked.review_status != ReviewStatus.IN_REVIEW:
            raise ValidationError("Only a case sent for review can be verified.")
        key = _current_key(locked)
        _gate(locked, key)
        locked.review_status = ReviewStatus.VERIFIED
        locked.verified_by = actor
        locked.verified_at = timezone.now()
        locked.verified_key = key
        locked.save(update_fields=["review_status", "verified_by", "verified_at", "verified_key", "updated_at"])
        audit_record(actor=actor, action="exercises.case_verified", target=locked, reason=note,
                     before={"review_status": ReviewStatus.IN_REVIEW},
                     after={"review_status": ReviewStatus.VERIFIED, "key_version": key.version})
    return locked


def case_review_return(*, actor, case: Case, note: str) -> Case:
    """The reviewer sends the case back to its author as a draft, saying what to change (audited)."""
    note = _clean_note(note, required=True)
    with transaction.atomic():
        locked = _locked(case)
        if not can_verify_case(user=actor, case=locked):
            raise ValidationError("Only a second instructor reviewing the case sends it back.")
        if locked.review_status != ReviewStatus.IN_REVIEW:
            raise ValidationError("Only a case in review is sent back.")
        locked.review_status = ReviewStatus.DRAFT
        locked.save(update_fields=["review_status", "updated_at"])
        audit_record(actor=actor, action="exercises.case_review_returned", target=locked, reason=note,
                     before={"review_status": ReviewStatus.IN_REVIEW}, after={"review_status": ReviewStatus.DRAFT})
    return locked


def case_review_key_changed(*, actor, case: Case, key: AnswerKey) -> None:
    """A new key version on a verified case: the verification was of the earlier key, so it is reviewed again.

    Called inside the transaction that writes the new version.
    """
    moved = Case.objects.filter(pk=case.pk, review_status=ReviewStatus.VERIFIED, verified_key__isnull=False).exclude(
        verified_key=key,
    ).update(
        review_status=ReviewStatus.IN_REVIEW, updated_at=timezone.now(),
    )
    if moved:
        case.review_status = ReviewStatus.IN_REVIEW
        audit_record(actor=actor, action="exercises.case_review_reopened", target=case,
                     reason="A new answer key version replaces the verified one.",
                     before={"review_status": ReviewStatus.VERIFIED}, after={"review_status": ReviewStatus.IN_REVIEW,
                                                                             "key_version": key.version})


def pilot_cohort_choices(*, actor) -> list[Cohort]:
    """The cohorts an author may pilot an unverified case with: the ones they teach (admins: all)."""
    return list(cohorts_for_instructor(instructor=actor).order_by("name"))


def case_pilot_cohorts_set(*, actor, case: Case, cohort_ids: list[int]) -> list[Cohort]:
    """The author chooses which cohorts see the case while it is not verified (audited)."""
    allowed = {cohort.pk: cohort for cohort in pilot_cohort_choices(actor=actor)}
    wanted = set(cohort_ids)
    if wanted - set(allowed):
        raise ValidationError("Choose among the cohorts you teach.")
    with transaction.atomic():
        before = set(case.pilot_cohorts.values_list("pk", flat=True))
        # Cohorts someone else chose that this actor does not teach stay as they are.
        kept = before - set(allowed)
        after = kept | wanted
        if after != before:
            case.pilot_cohorts.set(sorted(after))
            audit_record(actor=actor, action="exercises.case_pilot_cohorts_changed", target=case,
                         before={"cohorts": sorted(before)}, after={"cohorts": sorted(after)})
    return list(Cohort.objects.filter(pk__in=after).order_by("name"))


def case_review_history(*, case: Case, limit: int = 10) -> list:
    """The review steps of a case, newest first (from the audit log)."""
    return list(
        AuditEvent.objects.filter(target_type="exercises.case", target_id=str(case.pk), action__in=[
            "exercises.case_review_requested", "exercises.case_verified", "exercises.case_review_returned",
            "exercises.case_review_reopened",
        ]).select_related("actor").order_by("-created_at", "-id")[:limit]
    )
