"""Progress: lessons started and completed, module completions (CEU log) and program certificates."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User

from ..models import Certificate, Lesson, LessonProgress, Module, ModuleCompletion, Program


def quiz_pass_mark() -> float:
    """Score (0-1) a lesson quiz needs for the lesson to count as complete."""
    return float(getattr(settings, "COURSES_QUIZ_PASS_MARK", 0.7))


def lesson_start(*, student: User, lesson: Lesson) -> LessonProgress:
    progress, _ = LessonProgress.objects.get_or_create(student=student, lesson=lesson)
    return progress


@transaction.atomic
def lesson_complete(*, student: User, lesson: Lesson, score: float | None = None) -> LessonProgress:
    """Mark a lesson complete (keeping the best quiz score) and roll completion up to module and program."""
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(student=student, lesson=lesson)
    changed = []
    if score is not None and (progress.best_score is None or score > progress.best_score):
        progress.best_score = score
        changed.append("best_score")
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        changed.append("completed_at")
    if changed:
        progress.save(update_fields=changed)
    module_completion_check(student=student, module=lesson.module)
    return progress


def lesson_record_score(*, student: User, lesson: Lesson, score: float) -> LessonProgress:
    """Keep the best score without completing the lesson (a quiz finished below the pass mark)."""
    progress, _ = LessonProgress.objects.get_or_create(student=student, lesson=lesson)
    if progress.best_score is None or score > progress.best_score:
        progress.best_score = score
        progress.save(update_fields=["best_score"])
    return progress


def module_completion_check(*, student: User, module: Module) -> ModuleCompletion | None:
    """Record the module as complete (one CEU log line) once every lesson in it is complete."""
    lesson_ids = set(module.lessons.values_list("pk", flat=True))
    if not lesson_ids:
        return None
    done = set(
        LessonProgress.objects.filter(student=student, lesson_id__in=lesson_ids, completed_at__isnull=False)
        .values_list("lesson_id", flat=True)
    )
    if done != lesson_ids:
        return None
    completion = ModuleCompletion.objects.filter(student=student, module=module).first()
    if completion is None:
        try:
            with transaction.atomic():
                completion = ModuleCompletion.objects.create(
                    student=student, module=module, completed_at=timezone.now(), ceu_hours=module.ceu_hours
                )
        except IntegrityError:  # completed concurrently
            completion = ModuleCompletion.objects.get(student=student, module=module)
    program_completion_check(student=student, program=module.program)
    return completion


def program_is_complete(*, student: User, program: Program) -> bool:
    required = set(program.modules.filter(is_required=True, lessons__isnull=False).values_list("pk", flat=True))
    if not required:
        return False
    done = set(ModuleCompletion.objects.filter(student=student, module_id__in=required).values_list("module_id", flat=True))
    return done == required


def program_completion_check(*, student: User, program: Program) -> Certificate | None:
    if not student.is_student or not program_is_complete(student=student, program=program):
        return None
    return certificate_issue(student=student, program=program)


def certificate_issue(*, student: User, program: Program) -> Certificate:
    """Issue (once) the certificate of completion; the name and title are frozen as printed."""
    existing = Certificate.objects.filter(student=student, program=program).first()
    if existing is not None:
        return existing
    hours = ModuleCompletion.objects.filter(student=student, module__program=program).aggregate(h=Sum("ceu_hours"))["h"]
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                student=student, program=program, student_name=str(student)[:200], program_title=program.title[:200],
                ceu_hours=hours or Decimal(0), issued_at=timezone.now(),
            )
    except IntegrityError:
        return Certificate.objects.get(student=student, program=program)
