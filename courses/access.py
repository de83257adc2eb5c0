"""One access helper per resource; every view and API endpoint goes through these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User

from .models import Certificate, Cohort, CohortInvitation, Deck, Flashcard, Lesson, Module, Program, Question
from .selectors import can_view_student, cohorts_for_instructor


def can_edit_program(*, user: User, program: Program) -> bool:
    """Admins edit everything; instructors edit their own programs and the shared library (no owner)."""
    if not user.is_authenticated or not user.can_author:
        return False
    return user.is_admin or program.owner_id is None or program.owner_id == user.pk


def can_edit_deck(*, user: User, deck: Deck) -> bool:
    if not user.is_authenticated or not user.can_author:
        return False
    return user.is_admin or deck.owner_id is None or deck.owner_id == user.pk


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
        raise PermissionDenied("Only the program's owner (or an administrator) can edit it.")
    return program


def module_for_author_or_404(*, user: User, module_id: int) -> Module:
    module = get_object_or_404(Module.objects.select_related("program"), pk=module_id)
    if not can_edit_program(user=user, program=module.program):
        raise PermissionDenied("Only the program's owner (or an administrator) can edit it.")
    return module


def lesson_for_author_or_404(*, user: User, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("module__program"), pk=lesson_id)
    if not can_edit_program(user=user, program=lesson.module.program):
        raise PermissionDenied("Only the program's owner (or an administrator) can edit it.")
    return lesson


def question_for_author_or_404(*, user: User, question_id: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("lesson__module__program"), pk=question_id)
    if not can_edit_program(user=user, program=question.lesson.module.program):
        raise PermissionDenied("Only the program's owner (or an administrator) can edit it.")
    return question


def deck_for_reader_or_404(*, user: User, slug: str) -> Deck:
    return get_object_or_404(Deck, slug=slug)


def deck_for_author_or_404(*, user: User, slug: str) -> Deck:
    deck = get_object_or_404(Deck, slug=slug)
    if not can_edit_deck(user=user, deck=deck):
        raise PermissionDenied("Only the deck's owner (or an administrator) can edit it.")
    return deck


def card_for_reader_or_404(*, user: User, card_id: int) -> Flashcard:
    return get_object_or_404(Flashcard.objects.select_related("deck"), pk=card_id)


def card_for_author_or_404(*, user: User, card_id: int) -> Flashcard:
    card = get_object_or_404(Flashcard.objects.select_related("deck"), pk=card_id)
    if not can_edit_deck(user=user, deck=card.deck):
        raise PermissionDenied("Only the deck's owner (or an administrator) can edit it.")
    return card


def cohort_for_instructor_or_404(*, user: User, cohort_id: int) -> Cohort:
    """Instructors reach only cohorts they teach (404 for others, so ids do not leak); admins reach all."""
    if not user.is_authenticated or not (user.is_instructor or user.is_admin):
        raise PermissionDenied("Only instructors and administrators manage cohorts.")
    return get_object_or_404(cohorts_for_instructor(instructor=user).select_related("program"), pk=cohort_id)


def invitation_for_student_or_404(*, user: User, invitation_id: int) -> CohortInvitation:
    """Only the invited student answers an invitation (404 for everyone else, so ids do not leak)."""
    invitation = get_object_or_404(CohortInvitation.objects.select_related("cohort"), pk=invitation_id)
    if invitation.student_id != user.pk:
        raise Http404
    return invitation


def certificate_for_viewer_or_404(*, user: User, certificate_id: int) -> Certificate:
    certificate = get_object_or_404(Certificate.objects.select_related("student", "program"), pk=certificate_id)
    if not can_view_student(viewer=user, student=certificate.student):
        raise Http404
    return certificate


def student_for_viewer_or_404(*, user: User, student_id: int) -> User:
    student = get_object_or_404(User, pk=student_id, role="student")
    if not can_view_student(viewer=user, student=student):
        raise Http404
    return student
