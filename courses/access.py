"""One access helper per resource; every view and API endpoint goes through these.

Refusals on objects that exist are written to the audit log (rate-limited per actor, see
accounts.services.audit_access_denied).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.services import audit_access_denied

from .models import Certificate, Cohort, CohortInvitation, Deck, Flashcard, Lesson, Module, Program, Question
from .selectors import can_view_student, cohorts_for_instructor

PROGRAM_EDIT_REFUSED = "Only the program's owner (or an administrator) can edit it."
DECK_EDIT_REFUSED = "Only the deck's owner (or an administrator) can edit it."


def can_edit_program(*, user: User, program: Program) -> bool:
    """Admins edit everything; instructors edit the programs they own.

    The shared library (no owner) is every cohort's course, so only administrators change it; an
    instructor who wants to adapt it exports it and imports their own copy.
    """
    if not user.is_authenticated or not user.can_author:
        return False
    return user.is_admin or (program.owner_id is not None and program.owner_id == user.pk)


def can_edit_deck(*, user: User, deck: Deck) -> bool:
    """Admins edit every deck; instructors the decks they own (shared decks are the administrators')."""
    if not user.is_authenticated or not user.can_author:
        return False
    return user.is_admin or (deck.owner_id is not None and deck.owner_id == user.pk)


def _refuse(user: User, target: Model, action: str, message: str) -> None:
    audit_access_denied(actor=user, target=target, action=action)
    raise PermissionDenied(message)


def program_for_reader_or_404(*, user: User, slug: str) -> Program:
    return get_object_or_404(Program, slug=slug)


def module_for_reader_or_404(*, user: User, module_id: int) -> Module:
    return get_object_or_404(Module.objects.select_related("program").prefetch_related("prerequisites"), pk=module_id)


def lesson_for_reader_or_404(*, user: User, lesson_id: int) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("module__program"), pk=lesson_id)


def question_for_reader_or_404(*, user: User, question_id: int) -> Question:
    return get_object_or_404(Question.objects.select_related("lesson__module__program"), pk=question_id)


def program_for_author_or_404(*, user: User, slug: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    if not can_edit_program(user=user, program=program):
        _refuse(user, program, "course.edit_denied", PROGRAM_EDIT_REFUSED)
    return program


def program_for_exporter_or_404(*, user: User, slug: str) -> Program:
    """A package of a program (quiz answers included) for its editors, and of the shared library for any instructor."""
    program = get_object_or_404(Program, slug=slug)
    if not (can_edit_program(user=user, program=program) or (program.owner_id is None and user.is_authenticated and user.can_author)):
        _refuse(user, program, "course.export_denied", PROGRAM_EDIT_REFUSED)
    return program


def module_for_author_or_404(*, user: User, module_id: int) -> Module:
    module = get_object_or_404(Module.objects.select_related("program"), pk=module_id)
    if not can_edit_program(user=user, program=module.program):
        _refuse(user, module, "course.edit_denied", PROGRAM_EDIT_REFUSED)
    return module


def lesson_for_author_or_404(*, user: User, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("module__program"), pk=lesson_id)
    if not can_edit_program(user=user, program=lesson.module.program):
        _refuse(user, lesson, "course.edit_denied", PROGRAM_EDIT_REFUSED)
    return lesson


def question_for_author_or_404(*, user: User, question_id: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("lesson__module__program"), pk=question_id)
    if not can_edit_program(user=user, program=question.lesson.module.program):
        _refuse(user, question, "course.edit_denied", PROGRAM_EDIT_REFUSED)
    return question


def deck_for_reader_or_404(*, user: User, slug: str) -> Deck:
    return get_object_or_404(Deck, slug=slug)


def deck_for_author_or_404(*, user: User, slug: str) -> Deck:
    deck = get_object_or_404(Deck, slug=slug)
    if not can_edit_deck(user=user, deck=deck):
        _refuse(user, deck, "course.edit_denied", DECK_EDIT_REFUSED)
    return deck


def card_for_reader_or_404(*, user: User, card_id: int) -> Flashcard:
    return get_object_or_404(Flashcard.objects.select_related("deck"), pk=card_id)


def card_for_author_or_404(*, user: User, card_id: int) -> Flashcard:
    card = get_object_or_404(Flashcard.objects.select_related("deck"), pk=card_id)
    if not can_edit_deck(user=user, deck=card.deck):
        _refuse(user, card, "course.edit_denied", DECK_EDIT_REFUSED)
    return card


def cohort_for_instructor_or_404(*, user: User, cohort_id: int) -> Cohort:
    """Instructors reach only cohorts they teach (404 for others, so ids do not leak); admins reach all."""
    if not user.is_authenticated or not (user.is_instructor or user.is_admin):
        if user.is_authenticated and Cohort.objects.filter(pk=cohort_id).exists():
            audit_access_denied(actor=user, target_type="courses.cohort", target_id=cohort_id, action="cohort.access_denied")
        raise PermissionDenied("Only instructors and administrators manage cohorts.")
    cohort = cohorts_for_instructor(instructor=user).select_related("program").filter(pk=cohort_id).first()
    if cohort is None:
        if Cohort.objects.filter(pk=cohort_id).exists():
            audit_access_denied(actor=user, target_type="courses.cohort", target_id=cohort_id, action="cohort.access_denied")
        raise Http404
    return cohort


def invitation_for_student_or_404(*, user: User, invitation_id: int) -> CohortInvitation:
    """Only the invited student answers an invitation (404 for everyone else, so ids do not leak)."""
    invitation = get_object_or_404(CohortInvitation.objects.select_related("cohort"), pk=invitation_id)
    if invitation.student_id != user.pk:
        audit_access_denied(actor=user, target=invitation, action="cohort.invitation_access_denied")
        raise Http404
    return invitation


def certificate_for_viewer_or_404(*, user: User, certificate_id: int) -> Certificate:
    certificate = get_object_or_404(Certificate.objects.select_related("student", "program"), pk=certificate_id)
    if not can_view_student(viewer=user, student=certificate.student):
        audit_access_denied(actor=user, target=certificate, action="course.certificate_access_denied")
        raise Http404
    return certificate


def student_for_viewer_or_404(*, user: User, student_id: int) -> User:
    student = get_object_or_404(User, pk=student_id, role="student")
    if not can_view_student(viewer=user, student=student):
        audit_access_denied(actor=user, target=student, action="student.access_denied")
        raise Http404
    return student
