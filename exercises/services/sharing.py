"""Case sharing: the author lets named instructors change a case and its answer key (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from accounts.services import audit_record

from ..models import Case, CaseShare


def case_share_add(*, actor: User, case: Case, username: str) -> CaseShare:
    """Share the case with one instructor, named by username. Sharing twice is harmless."""
    username = (username or "").strip()
    instructor = User.objects.filter(username__iexact=username, is_active=True).first() if username else None
    if instructor is None:
        raise ValidationError(f"No active account is called “{username}”.")
    if instructor.role != Role.INSTRUCTOR:
        raise ValidationError(f"{instructor.username} is not an instructor; cases are shared with instructors.")
    if instructor.pk == case.author_id:
        raise ValidationError(f"{instructor.username} wrote this case and can already change it.")
    with transaction.atomic():
        share, created = CaseShare.objects.get_or_create(case=case, instructor=instructor, defaults={"shared_by": actor})
        if created:
            audit_record(actor=actor, action="exercises.case_shared", target=case,
                         after={"instructor": {"id": instructor.pk, "username": instructor.username}})
    return share


def case_share_remove(*, actor: User, case: Case, instructor_id: int) -> bool:
    """Stop sharing the case with one instructor; True if they had access."""
    with transaction.atomic():
        share = CaseShare.objects.select_related("instructor").filter(case=case, instructor_id=instructor_id).first()
        if share is None:
            return False
        audit_record(actor=actor, action="exercises.case_unshared", target=case,
                     before={"instructor": {"id": share.instructor_id, "username": share.instructor.username}})
        share.delete()
    return True


def case_shares(*, case: Case) -> list[CaseShare]:
    return list(CaseShare.objects.filter(case=case).select_related("instructor", "shared_by"))
