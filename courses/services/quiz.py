"""Answering quiz questions: grade, store, record mastery evidence, finish the attempt."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from certification.services import evidence_record
from codesets.models import Code, CodeKind, CodeSetRelease

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
            return QuizAttempt.objects.create(student=student, lesson=lesson)
    except IntegrityError:  # another request opened it first
        return QuizAttempt.objects.select_for_update().get(student=student, lesson=lesson, finished_at__isnull=True)


def _result_for_stored(answer: QuizAnswer, question: Question) -> GradeResult:
    expected = question.answer if question.kind != "code" else [dotted(a, question.system) for a in question.answer]
    return GradeResult(answer.is_correct, answer.score, expected)


@transaction.atomic
def quiz_answer_submit(*, student: User, question: Question, response: list) -> AnswerOutcome:
    """Grade one answer in the student's open attempt. Answering the same question twice returns the first answer."""
    lesson = question.lesson
    note = ""
    if question.kind == "code":
        if not isinstance(response, list) or len(response) != 1:
            raise InvalidResponse("Enter one code.")
        code, note = code_check_against_release(system=question.system, raw=str(response[0]))
        response = [dotted(code, question.system)]
    result = grade(kind=question.kind, spec=question_spec(question), response=response)
    if note:
        result = GradeResult(result.is_correct, result.score, result.expected, note)

    lesson_start(student=student, lesson=lesson)
    attempt = _open_attempt(student=student, lesson=lesson)
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
