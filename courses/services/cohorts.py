"""Cohorts: create, join by invite code, import a roster (all or nothing), invitations, due dates.

An existing account becomes a member of a cohort only by its own action (the invite code, or
accepting an invitation) or by an administrator: an instructor's roster creates new accounts and
invites existing ones, so no instructor can take over another cohort's student.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import audit_record

from ..models import (
    Cohort, CohortDueDate, CohortInvitation, CohortMembership, InvitationStatus, Lesson, Module, Program, new_invite_code,
)
from ..roster import RosterError, parse_roster


@transaction.atomic
def cohort_create(
    *, instructor: User, name: str, program: Program | None = None, starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Cohort:
    if not (instructor.is_instructor or instructor.is_admin):
        raise ValidationError("Only instructors and administrators create cohorts.")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    cohort = Cohort.objects.create(name=name.strip(), program=program, starts_on=starts_on, ends_on=ends_on)
    cohort.instructors.add(instructor)
    audit_record(actor=instructor, action="cohort.created", target=cohort, after={"name": cohort.name})
    return cohort


@transaction.atomic
def cohort_update(
    *, actor: User, cohort: Cohort, name: str, program: Program | None, starts_on: dt.date | None, ends_on: dt.date | None
) -> Cohort:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    cohort.name, cohort.program, cohort.starts_on, cohort.ends_on = name.strip(), program, starts_on, ends_on
    cohort.save(update_fields=["name", "program", "starts_on", "ends_on"])
    return cohort


@transaction.atomic
def cohort_invite_code_regenerate(*, actor: User, cohort: Cohort) -> Cohort:
    before = cohort.invite_code
    cohort.invite_code = new_invite_code()
    cohort.save(update_fields=["invite_code"])
    audit_record(actor=actor, action="cohort.invite_code_regenerated", target=cohort, before={"code": before})
    return cohort


@transaction.atomic
def cohort_join(*, student: User, code: str) -> Cohort:
    """A student joins the cohort with this invite code (case-insensitive). Joining twice is harmless."""
    if not student.is_student:
        raise ValidationError("Only student accounts join cohorts with an invite code.")
    code = (code or "").strip().upper()
    cohort = Cohort.objects.filter(invite_code=code).first() if code else None
    if cohort is None:
        raise ValidationError("No cohort has that invite code. Check it with your instructor.")
    _, joined = CohortMembership.objects.get_or_create(cohort=cohort, student=student)
    if joined:
        # Joining with the code answers any invitation still waiting for this cohort.
        CohortInvitation.objects.filter(cohort=cohort, student=student, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.ACCEPTED, responded_at=timezone.now())
        audit_record(actor=student, action="cohort.joined", target=cohort, after={"student": _who(student), "how": "invite_code"})
    return cohort


def _who(user: User) -> dict:
    return {"id": user.pk, "username": user.username}


@transaction.atomic
def cohort_invitation_accept(*, student: User, invitation: CohortInvitation) -> Cohort:
    """The invited student accepts: from now on they are a member and their instructors see their work."""
    invitation = CohortInvitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    if invitation.student_id != student.pk:
        raise ValidationError("This invitation is for someone else.")
    if invitation.status == InvitationStatus.DECLINED:
        raise ValidationError("You declined this invitation. Ask your instructor for the cohort's invite code to join.")
    if invitation.status == InvitationStatus.PENDING:
        invitation.status, invitation.responded_at = InvitationStatus.ACCEPTED, timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        _, joined = CohortMembership.objects.get_or_create(cohort=invitation.cohort, student=student)
        if joined:
            audit_record(actor=student, action="cohort.invitation_accepted", target=invitation.cohort,
                         after={"student": _who(student), "invitation": invitation.pk})
    return invitation.cohort


@transaction.atomic
def cohort_invitation_decline(*, student: User, invitation: CohortInvitation) -> Cohort:
    """The invited student says no: they stay out of the cohort, and a later roster does not ask again."""
    invitation = CohortInvitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    if invitation.student_id != student.pk:
        raise ValidationError("This invitation is for someone else.")
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError("You have already answered this invitation.")
    invitation.status, invitation.responded_at = InvitationStatus.DECLINED, timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_record(actor=student, action="cohort.invitation_declined", target=invitation.cohort,
                 after={"student": _who(student), "invitation": invitation.pk})
    return invitation.cohort


@transaction.atomic
def cohort_member_remove(*, actor: User, cohort: Cohort, student: User) -> None:
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, student=student).delete()
    if deleted:
        audit_record(actor=actor, action="cohort.member_removed", target=cohort, before={"student": _who(student)})


@dataclass
class RosterResult:
    enrolled: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)


def cohort_roster_import(*, actor: User, cohort: Cohort, data: bytes) -> RosterResult:
    """Apply every row of a CSV roster, or none: every bad row is reported in RosterError.

    Unknown usernames get a new student account without a usable password (an administrator sets
    one, or the school's sign-on does) and are enrolled. Existing student accounts are invited:
    they join when they accept (an administrator's roster enrols them at once). A student who
    declined an invitation to this cohort is not asked again.
    """
    rows = parse_roster(data)
    usernames = [r.username for r in rows]
    # Match usernames case-insensitively, so "JDoe" in a roster finds the account "jdoe".
    existing = {
        u.username.lower(): u
        for u in User.objects.annotate(username_lower=Lower("username")).filter(username_lower__in=[u.lower() for u in usernames])
    }
    errors = []
    for row in rows:
        user = existing.get(row.username.lower())
        if user is None:
            continue
        if not user.is_student:
            errors.append(f"Line {row.line}: {row.username!r} is not a student account (role: {user.get_role_display()}).")
        elif row.email and user.email and user.email.lower() != row.email.lower():
            errors.append(f"Line {row.line}: {row.username!r} exists with a different email address.")
    if errors:
        raise RosterError(errors)
    result = RosterResult()
    enrolled: list[dict] = []
    invited: list[dict] = []
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()  # one roster at a time per cohort
        members = set(CohortMembership.objects.filter(cohort=cohort).values_list("student_id", flat=True))
        invitations = {i.student_id: i for i in CohortInvitation.objects.filter(cohort=cohort)}
        for row in rows:
            user = existing.get(row.username.lower())
            if user is None:
                user = User(username=row.username, email=row.email, display_name=row.display_name, role=Role.STUDENT)
                user.set_unusable_password()
                user.save()
                result.created.append(user.username)
            elif user.pk in members:
                result.already_members.append(user.username)
                continue
            elif not actor.is_admin:
                invitation = invitations.get(user.pk)
                if invitation is not None and invitation.status == InvitationStatus.PENDING:
                    result.already_invited.append(user.username)
                elif invitation is not None and invitation.status == InvitationStatus.DECLINED:
                    result.declined.append(user.username)
                else:  # never invited, or accepted once and since removed from the cohort
                    CohortInvitation.objects.update_or_create(
                        cohort=cohort, student=user,
                        defaults={"status": InvitationStatus.PENDING, "invited_by": actor, "responded_at": None},
                    )
                    result.invited.append(user.username)
                    invited.append(_who(user))
                continue
            CohortMembership.objects.create(cohort=cohort, student=user)
            members.add(user.pk)
            result.enrolled.append(user.username)
            enrolled.append(_who(user))
        audit_record(
            actor=actor, action="cohort.roster_imported", target=cohort,
            after={
                "enrolled": enrolled, "invited": invited, "created": result.created,
                "already_members": result.already_members, "already_invited": result.already_invited,
                "declined_before": result.declined,
            },
        )
    return result


@transaction.atomic
def due_date_set(
    *, actor: User, cohort: Cohort, due_on: dt.date | None, module: Module | None = None, lesson: Lesson | None = None
) -> CohortDueDate | None:
    """Set (or clear, with ``due_on=None``) the due date of a module or a lesson of the cohort's program."""
    if (module is None) == (lesson is None):
        raise ValidationError("Choose a module or a lesson.")
    program_id = (module.program_id if module else lesson.module.program_id)
    if cohort.program_id != program_id:
        raise ValidationError("That module or lesson is not part of this cohort's program.")
    target = {"module": module} if module else {"lesson": lesson}
    if due_on is None:
        CohortDueDate.objects.filter(cohort=cohort, **target).delete()
        return None
    due, _ = CohortDueDate.objects.update_or_create(cohort=cohort, **target, defaults={"due_on": due_on})
    return due
