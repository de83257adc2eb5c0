"""Cohorts: create, join by invite code, import a roster (all or nothing), set due dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from accounts.models import Role, User
from accounts.services import audit_record

from ..models import Cohort, CohortDueDate, CohortMembership, Lesson, Module, Program, new_invite_code
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
    CohortMembership.objects.get_or_create(cohort=cohort, student=student)
    return cohort


@transaction.atomic
def cohort_member_remove(*, actor: User, cohort: Cohort, student: User) -> None:
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, student=student).delete()
    if deleted:
        audit_record(actor=actor, action="cohort.member_removed", target=cohort, before={"student": student.username})


@dataclass
class RosterResult:
    enrolled: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def cohort_roster_import(*, actor: User, cohort: Cohort, data: bytes) -> RosterResult:
    """Enrol every row of a CSV roster, or none: every bad row is reported in RosterError.

    Existing student accounts are enrolled; unknown usernames get a new student account
    without a usable password (an administrator sets one, or the school's sign-on does).
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
    with transaction.atomic():
        members = set(CohortMembership.objects.filter(cohort=cohort).values_list("student_id", flat=True))
        for row in rows:
            user = existing.get(row.username.lower())
            if user is None:
                user = User(username=row.username, email=row.email, display_name=row.display_name, role=Role.STUDENT)
                user.set_unusable_password()
                user.save()
                result.created.append(user.username)
            if user.pk in members:
                result.already_members.append(user.username)
                continue
            CohortMembership.objects.create(cohort=cohort, student=user)
            members.add(user.pk)
            result.enrolled.append(user.username)
        audit_record(
            actor=actor, action="cohort.roster_imported", target=cohort,
            after={"enrolled": len(result.enrolled), "created": len(result.created)},
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
