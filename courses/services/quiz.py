"""Answering quiz questions: grade, store, record mastery evidence, finish the attempt."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from certification.services import evidence_record
from codesets.models import Code, CodeKind, CodeSetRelease

from ..choice_order import choice_indices, order_checked, order_seed, shuffled_order
from ..content_schema import CHOICE_KINDS
from ..grading import GradeResult, InvalidResponse, check_code_format, dotted, grade
from ..models import Lesson, Question, QuizAnswer, QuizAttempt
from .progress import lesson_complete, lesson_record_score, lesson_start, quiz_pass_mark


@dataclass(frozen=True)
class AnswerOutcome:
    answer: QuizAnswer
    result: GradeResult
    attempt_finished: bool


def question_spec(question: Question) -> dict:
    return {"choices": question.choices, "parts": question.parts, "system": question.system, "answer": question.answer}


def code_check_against_release(*, system: str, raw: str) -> tuple[str, str]:
    """Validate a typed code against the current release of its system.

    Returns (normalised code, note). Raises InvalidResponse for a bad format or a code
    that does not exist in the current release: the student fixes it and tries again.
    """
    code = check_code_format(raw, system)
    release = CodeSetRelease.objects.current().for_system(system).first()
    if release is None:
        return code, ""
    row = Code.objects.filter(release=release, code=code).only("kind", "billable", "display_code").first()
    if row is None and release.is_partial:
        return code, ""  # a partial demo set: a code it lacks may well be valid, so it is graded on its own
    if row is None:
        raise InvalidResponse(
            f"{dotted(code, system)} is not a code in {release}. Check the format and the Tabular List, then try again."
        )
    if row.kind == CodeKind.CODE and row.billable:
        return code, ""
    return code, f"{row.display_code} is a header in {release}, not a billable code: code to the highest specificity."


def _open_attempt(*, student: User, lesson: Lesson) -> QuizAttempt:
    attempt = QuizAttempt.objects.select_for_update().filter(student=student, lesson=lesson, finished_at__isnull=True).first()
    if attempt is not None:
        return attempt
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(student=student, lesson=lesson, choice_orders={})
    except IntegrityError:  # another request opened it first
        return QuizAttempt.objects.select_for_update().get(student=student, lesson=lesson, finished_at__isnull=True)


def _drawn_order(attempt: QuizAttempt, question: Question) -> list[int]:
    seed = order_seed(student_id=attempt.student_id, attempt_id=attempt.pk, question_id=question.pk)
    return shuffled_order(len(question.choices), seed=seed)


def _orders_fill(attempt: QuizAttempt) -> None:
    """Store a display order for every choice question of the lesson that has none yet (the attempt is locked)."""
    questions = list(attempt.lesson.questions.filter(kind__in=CHOICE_KINDS).only("pk", "choices"))
    orders = attempt.choice_orders
    if orders is None:
        # Started before orders were stored: what was answered was shown in the written order.
        answered = set(attempt.answers.values_list("question_id", flat=True))
        orders = {str(q.pk): list(range(len(q.choices))) for q in questions if q.pk in answered}
    else:
        orders = dict(orders)
    missing = [q for q in questions if str(q.pk) not in orders]
    if not missing and orders == attempt.choice_orders:
        return
    for question in missing:
        orders[str(question.pk)] = _drawn_order(attempt, question)
    attempt.choice_orders = orders
    attempt.save(update_fields=["choice_orders"])


@transaction.atomic
def quiz_attempt_open(*, student: User, lesson: Lesson) -> QuizAttempt:
    """The student's open attempt at the lesson's quiz, started when first needed.

    Starting it draws the order in which each choice question shows its options: random
    per student, attempt and question, and stored, so reloading shows the same order and
    a review shows the options exactly as they were shown.
    """
    attempt = _open_attempt(student=student, lesson=lesson)
    _orders_fill(attempt)
    return attempt


def quiz_choice_order(*, attempt: QuizAttempt | None, question: Question, viewer_id: int | None = None) -> list[int]:
    """Indices into ``question.choices`` in the order shown within ``attempt``.

    Without an attempt (an instructor's preview) the order is drawn for the viewer and not stored.
    """
    count = len(question.choices)
    if attempt is None:
        return shuffled_order(count, seed=order_seed(student_id=viewer_id or 0, attempt_id=0, question_id=question.pk))
    if attempt.choice_orders is None:  # finished before orders were stored: shown in the written order
        return list(range(count))
    stored = attempt.choice_orders.get(str(question.pk))
    if stored is None:  # a question added after the attempt started: the draw its first showing stores
        stored = _drawn_order(attempt, question)
    return order_checked(stored, count)


def _result_for_stored(answer: QuizAnswer, question: Question) -> GradeResult:
    expected = question.answer if question.kind != "code" else [dotted(a, question.system) for a in question.answer]
    return GradeResult(answer.is_correct, answer.score, expected)


@transaction.atomic
def quiz_answer_submit(*, student: User, question: Question, response: list) -> AnswerOutcome:
    """Grade one answer in the student's open attempt. Answering the same question twice returns the first answer.

    A choice response names options by id (or by 0-based place in the order this student was
    shown); it is stored and graded as indices into the question's written order.
    """
    lesson = question.lesson
    note = ""
    attempt = quiz_attempt_open(student=student, lesson=lesson)
    if question.kind in CHOICE_KINDS:
        if not isinstance(response, list):
            raise InvalidResponse("Answer the question.")
        order = quiz_choice_order(attempt=attempt, question=question)
        response = choice_indices(response, choices=question.choices, order=order)
    elif question.kind == "code":
        if not isinstance(response, list) or len(response) != 1:
            raise InvalidResponse("Enter one code.")
        code, note = code_check_against_release(system=question.system, raw=str(response[0]))
        response = [dotted(code, question.system)]
    result = grade(kind=question.kind, spec=question_spec(question), response=response)
    if note:
        result = GradeResult(result.is_correct, result.score, result.expected, note)

    lesson_start(student=student, lesson=lesson)
    existing = QuizAnswer.objects.filter(attempt=attempt, question=question).first()
    if existing is not None:
        return AnswerOutcome(existing, _result_for_stored(existing, question), False)
    answer = QuizAnswer.objects.create(
        attempt=attempt, question=question, response=response, is_correct=result.is_correct, score=result.score
    )
    evidence_record(student=student, domain=question.domain, score=result.score, source="quiz", source_id=answer.pk)
    finished = _finish_if_complete(student=student, attempt=attempt)
    return AnswerOutcome(answer, result, finished)


def _finish_if_complete(*, student: User, attempt: QuizAttempt) -> bool:
    lesson = attempt.lesson
    total = lesson.questions.count()
    scores = list(attempt.answers.values_list("score", flat=True))
    if len(scores) < total:
        return False
    attempt.score = round(sum(scores) / total, 4) if total else 1.0
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["score", "finished_at"])
    if attempt.score >= quiz_pass_mark():
        lesson_complete(student=student, lesson=lesson, score=attempt.score)
    else:
        lesson_record_score(student=student, lesson=lesson, score=attempt.score)
    return True


def quiz_state_for_student(*, student: User, lesson: Lesson) -> dict:
    """The open attempt's answers (question id → QuizAnswer) and the latest finished attempt."""
    attempts = list(QuizAttempt.objects.filter(student=student, lesson=lesson).order_by("-started_at", "-id")[:2])
    open_attempt = next((a for a in attempts if a.finished_at is None), None)
    last_finished = next((a for a in attempts if a.finished_at is not None), None)
    answers = {}
    if open_attempt is not None:
        answers = {a.question_id: a for a in open_attempt.answers.all()}
    return {"open_attempt": open_attempt, "last_finished": last_finished, "answers": answers}
