"""Authoring in the browser: save programs, modules, lessons, questions, decks and cards, with an audit trail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import audit_record
from exercises.services import answer_codes_check

from ..content_loader import QuestionSpec
from ..reading_time import reading_minutes
from ..models import ContentSource, Deck, Flashcard, Lesson, Module, Program, Question


@transaction.atomic
def program_save(*, actor: User, program: Program) -> Program:
    created = program.pk is None
    if created:
        program.owner = actor
        program.source = ContentSource.AUTHORED
    program.save()
    audit_record(actor=actor, action="course.program_created" if created else "course.program_updated", target=program,
                 after={"slug": program.slug, "title": program.title})
    return program


@transaction.atomic
def module_save(*, actor: User, module: Module, prerequisites=None) -> Module:
    created = module.pk is None
    module.save()
    if prerequisites is not None:
        module.prerequisites.set(prerequisites)
    audit_record(actor=actor, action="course.module_created" if created else "course.module_updated", target=module,
                 after={"slug": module.slug, "program": module.program.slug})
    return module


@transaction.atomic
def lesson_save(*, actor: User, lesson: Lesson) -> Lesson:
    created = lesson.pk is None
    lesson.minutes = reading_minutes(lesson.body)  # the reading time follows the text
    lesson.save()
    audit_record(actor=actor, action="course.lesson_created" if created else "course.lesson_updated", target=lesson,
                 after={"slug": lesson.slug, "module": lesson.module.slug})
    return lesson


def code_question_problems(spec: QuestionSpec) -> list[str]:
    """A code-entry question's accepted answers checked against the current release (as answer keys are)."""
    if spec.kind != "code" or not spec.system:
        return []
    return answer_codes_check(codes=[str(code) for code in spec.answer], system=spec.system)


@transaction.atomic
def question_save(*, actor: User, lesson: Lesson, spec: QuestionSpec, position: int, question: Question | None = None) -> Question:
    """Save a question; a code-entry question whose accepted answer is unknown, a header or incomplete is refused."""
    problems = code_question_problems(spec)
    if problems:
        raise ValidationError(problems)
    question = question or Question(lesson=lesson)
    created = question.pk is None
    for name in ("kind", "prompt", "choices", "parts", "system", "term", "answer", "explanation", "domain"):
        setattr(question, name, getattr(spec, name))
    question.position = position
    question.save()
    audit_record(actor=actor, action="course.question_created" if created else "course.question_updated", target=question)
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    audit_record(actor=actor, action="course.question_deleted", target=question, before={"prompt": question.prompt[:200]})
    question.delete()


@transaction.atomic
def deck_save(*, actor: User, deck: Deck) -> Deck:
    created = deck.pk is None
    if created:
        deck.owner = actor
        deck.source = ContentSource.AUTHORED
    deck.save()
    audit_record(actor=actor, action="course.deck_created" if created else "course.deck_updated", target=deck)
    return deck


@transaction.atomic
def card_save(*, actor: User, card: Flashcard) -> Flashcard:
    card.save()
    return card


@transaction.atomic
def card_delete(*, actor: User, card: Flashcard) -> None:
    audit_record(actor=actor, action="course.card_deleted", target=card, before={"front": card.front})
    card.delete()
