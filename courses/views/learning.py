"""Student-facing pages: catalog, program, module, lesson reading view and quiz answers (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from certification.domains import DOMAIN_LABELS

from ..access import (
    can_edit_program, lesson_for_reader_or_404, module_for_reader_or_404, program_for_reader_or_404,
    question_for_reader_or_404,
)
from ..grading import InvalidResponse
from ..markdown import render_markdown
from ..models import LessonProgress, Program, QuizAnswer
from ..presenters import question_view
from ..selectors import due_items_for_student, lessons_for_domain, module_lessons_with_progress, program_progress
from ..services.flashcards import review_queue, review_total
from ..services.progress import lesson_complete, lesson_start, quiz_pass_mark
from ..services.quiz import quiz_answer_submit, quiz_attempt_open, quiz_choice_order, quiz_state_for_student


def catalog(request: HttpRequest) -> HttpResponse:
    progress = program_progress(student=request.user, programs=Program.objects.order_by("title"))
    queues = review_queue(student=request.user)
    due_items = [d for d in due_items_for_student(student=request.user, today=timezone.localdate()) if not d.done][:6]
    # ?domain=<exam domain> (the dashboard's "Study next" links here): the lessons that train that domain.
    domain = request.GET.get("domain", "")
    domain = domain if domain in DOMAIN_LABELS else ""
    return render(request, "courses/catalog.html", {
        "programs": progress,
        "cards_due": review_total(queues),
        "due_items": due_items,
        "today": timezone.localdate(),
        "domain": domain,
        "domain_label": DOMAIN_LABELS.get(domain, ""),
        "domain_groups": lessons_for_domain(student=request.user, domain=domain) if domain else [],
    })


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_for_reader_or_404(user=request.user, slug=slug)
    progress = program_progress(student=request.user, programs=Program.objects.filter(pk=program.pk))[0]
    return render(request, "courses/program_detail.html", {
        "program": program, "progress": progress, "can_edit": can_edit_program(user=request.user, program=program),
        "decks": program.decks.order_by("title"),
    })


def module_detail(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_for_reader_or_404(user=request.user, module_id=module_id)
    progress = program_progress(student=request.user, programs=Program.objects.filter(pk=module.program_id))[0]
    module_progress = next(m for m in progress.modules if m.module.pk == module.pk)
    lessons = module_lessons_with_progress(student=request.user, module=module)
    return render(request, "courses/module_detail.html", {
        "module": module, "program": module.program, "module_progress": module_progress, "lessons": lessons,
        "next_lesson": next((lesson for lesson, lp in lessons if not (lp and lp.completed_at)), None),
        "siblings": progress.modules,
    })


def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_for_reader_or_404(user=request.user, lesson_id=lesson_id)
    module = lesson.module
    progress = lesson_start(student=request.user, lesson=lesson) if request.user.is_student else (
        LessonProgress.objects.filter(student=request.user, lesson=lesson).first()
    )
    questions = list(lesson.questions.all())
    if request.user.is_student and questions:
        quiz_attempt_open(student=request.user, lesson=lesson)  # fixes the order the options are shown in
    state = quiz_state_for_student(student=request.user, lesson=lesson)
    retake = request.GET.get("retake") == "1"
    answers = state["answers"]
    if not answers and state["last_finished"] is not None and not retake:
        answers = {a.question_id: a for a in state["last_finished"].answers.all()}
    attempts = {a.pk: a for a in (state["open_attempt"], state["last_finished"]) if a is not None}
    views = []
    for number, q in enumerate(questions, start=1):
        answer = answers.get(q.pk)
        shown_in = attempts.get(answer.attempt_id) if answer is not None else state["open_attempt"]
        order = quiz_choice_order(attempt=shown_in, question=q, viewer_id=request.user.pk)
        views.append(question_view(q, number=number, order=order, answer=answer))
    siblings = list(module.lessons.order_by("position", "id").only("id", "title", "position"))
    index = next(i for i, s in enumerate(siblings) if s.pk == lesson.pk)
    return render(request, "courses/lesson_detail.html", {
        "lesson": lesson, "module": module, "program": module.program, "progress": progress,
        "body_html": render_markdown(lesson.body), "questions": views,
        "last_finished": state["last_finished"], "open_attempt": state["open_attempt"],
        "showing_last_attempt": not state["answers"] and state["last_finished"] is not None and not retake,
        "pass_mark": round(quiz_pass_mark() * 100),
        "previous_lesson": siblings[index - 1] if index > 0 else None,
        "next_lesson": siblings[index + 1] if index + 1 < len(siblings) else None,
        "siblings": siblings,
    })


@require_POST
def lesson_mark_complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_for_reader_or_404(user=request.user, lesson_id=lesson_id)
    if lesson.questions.exists():
        messages.error(request, "Finish the quiz to complete this lesson.")
    elif request.user.is_student:
        lesson_complete(student=request.user, lesson=lesson)
        messages.success(request, f"“{lesson.title}” is complete.")
    return redirect("courses:lesson_detail", lesson_id=lesson.pk)


def _response_from_post(request: HttpRequest, question) -> list:
    if question.kind == "single":
        value = request.POST.get("choice")
        return [value] if value not in (None, "") else []
    if question.kind == "multiple":
        return request.POST.getlist("choice")
    if question.kind == "code":
        return [request.POST.get("code", "")]
    parts = []
    for raw in request.POST.getlist("part"):
        try:
            parts.append(question.parts[int(raw)])
        except (ValueError, IndexError):
            raise InvalidResponse("Use only the parts offered.") from None
    return parts


@require_POST
def question_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_reader_or_404(user=request.user, question_id=question_id)
    lesson = question.lesson
    number = list(lesson.questions.values_list("pk", flat=True)).index(question.pk) + 1
    if not request.user.is_student:
        order = quiz_choice_order(attempt=None, question=question, viewer_id=request.user.pk)
        view = question_view(question, number=number, order=order,
                             error="Only students answer quizzes; preview mode does not record answers.")
        return _answer_response(request, lesson, view, finished=False)
    try:
        response = _response_from_post(request, question)
        outcome = quiz_answer_submit(student=request.user, question=question, response=response)
    except InvalidResponse as exc:
        order = quiz_choice_order(attempt=quiz_attempt_open(student=request.user, lesson=lesson), question=question)
        view = question_view(question, number=number, order=order, error=str(exc),
                             typed_code=request.POST.get("code", "")[:20])
        return _answer_response(request, lesson, view, finished=False)
    order = quiz_choice_order(attempt=outcome.answer.attempt, question=question)
    view = question_view(question, number=number, order=order, answer=outcome.answer, result=outcome.result)
    return _answer_response(request, lesson, view, finished=outcome.attempt_finished, attempt=outcome.answer.attempt)


def _answer_response(request, lesson, view, *, finished: bool, attempt=None) -> HttpResponse:
    if not request.htmx:
        if view.error:
            messages.error(request, view.error)
        return redirect(reverse("courses:lesson_detail", args=[lesson.pk]) + f"#q-{view.question.pk}")
    context = {"q": view, "lesson": lesson, "finished": finished, "attempt": attempt, "pass_mark": round(quiz_pass_mark() * 100)}
    if finished:
        context["progress"] = LessonProgress.objects.filter(student=request.user, lesson=lesson).first()
        context["answers"] = QuizAnswer.objects.filter(attempt=attempt)
    return render(request, "courses/partials/question_answered.html", context)
