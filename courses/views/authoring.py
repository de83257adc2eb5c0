"""Authoring in the browser: programs, modules, lessons, quiz questions, decks and cards; package export/import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import require_author

from ..access import (
    can_edit_deck, can_edit_program, card_for_author_or_404, deck_for_author_or_404, lesson_for_author_or_404,
    module_for_author_or_404, program_for_author_or_404, program_for_exporter_or_404, question_for_author_or_404,
)
from ..forms import DeckForm, FlashcardForm, LessonForm, ModuleForm, PackageImportForm, ProgramForm, QuestionForm
from ..markdown import render_markdown
from ..models import Deck, Program
from ..package_format import PackageError
from ..services.authoring import (
    card_delete, card_save, deck_save, lesson_save, module_save, program_save, question_delete, question_save,
)
from ..services.packages import program_export, program_import
from ..services.question_preview import question_preview_context


def author_home(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    programs = [p for p in Program.objects.select_related("owner").annotate(module_count=Count("modules")).order_by("title")
                if can_edit_program(user=request.user, program=p)]
    decks = [d for d in Deck.objects.annotate(card_count=Count("cards")).order_by("title") if can_edit_deck(user=request.user, deck=d)]
    return render(request, "courses/author/home.html", {"programs": programs, "decks": decks, "import_form": PackageImportForm()})


def program_new(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = program_save(actor=request.user, program=form.save(commit=False))
        messages.success(request, "Program created. Add its first module.")
        return redirect("courses:author_program", slug=program.slug)
    return render(request, "courses/author/form.html", {"form": form, "title": "New program", "back_url": reverse("courses:author_home")})


def program_edit(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_for_author_or_404(user=request.user, slug=slug)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        program = program_save(actor=request.user, program=form.save(commit=False))
        messages.success(request, "Program saved.")
        return redirect("courses:author_program", slug=program.slug)
    modules = program.modules.annotate(lesson_count=Count("lessons")).order_by("position", "id")
    return render(request, "courses/author/program.html", {"program": program, "form": form, "modules": modules})


def module_new(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_for_author_or_404(user=request.user, slug=slug)
    form = ModuleForm(request.POST or None, program=program, initial={"position": program.modules.count()})
    if request.method == "POST" and form.is_valid():
        module = form.save(commit=False)
        module.program = program
        module = module_save(actor=request.user, module=module, prerequisites=form.cleaned_data["prerequisites"])
        messages.success(request, "Module created. Add its lessons.")
        return redirect("courses:author_module", module_id=module.pk)
    return render(request, "courses/author/form.html", {"form": form, "title": f"New module in {program.title}",
                                                        "back_url": reverse("courses:author_program", args=[program.slug])})


def module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_for_author_or_404(user=request.user, module_id=module_id)
    form = ModuleForm(request.POST or None, instance=module, program=module.program)
    if request.method == "POST" and form.is_valid():
        module_save(actor=request.user, module=form.save(commit=False), prerequisites=form.cleaned_data["prerequisites"])
        messages.success(request, "Module saved.")
        return redirect("courses:author_module", module_id=module.pk)
    lessons = module.lessons.annotate(question_count=Count("questions")).order_by("position", "id")
    return render(request, "courses/author/module.html", {"module": module, "form": form, "lessons": lessons})


def lesson_new(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_for_author_or_404(user=request.user, module_id=module_id)
    form = LessonForm(request.POST or None, module=module, initial={"position": module.lessons.count(), "minutes": 10})
    if request.method == "POST" and form.is_valid():
        lesson = form.save(commit=False)
        lesson.module = module
        lesson.exercises = form.cleaned_data["exercises_text"]
        lesson = lesson_save(actor=request.user, lesson=lesson)
        messages.success(request, "Lesson created.")
        return redirect("courses:author_lesson", lesson_id=lesson.pk)
    return render(request, "courses/author/form.html", {"form": form, "title": f"New lesson in {module.title}",
                                                        "back_url": reverse("courses:author_module", args=[module.pk])})


def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_for_author_or_404(user=request.user, lesson_id=lesson_id)
    form = LessonForm(request.POST or None, instance=lesson, module=lesson.module)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        edited.exercises = form.cleaned_data["exercises_text"]
        lesson_save(actor=request.user, lesson=edited)
        messages.success(request, "Lesson saved.")
        return redirect("courses:author_lesson", lesson_id=lesson.pk)
    return render(request, "courses/author/lesson.html", {
        "lesson": lesson, "form": form, "questions": lesson.questions.all(), "preview_html": render_markdown(lesson.body),
    })


def question_new(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_for_author_or_404(user=request.user, lesson_id=lesson_id)
    form = QuestionForm(request.POST or None, initial={"position": lesson.questions.count()})
    if request.method == "POST" and form.is_valid():
        try:
            question_save(actor=request.user, lesson=lesson, spec=form.cleaned_data["spec"], position=form.cleaned_data["position"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Question added.")
            return redirect("courses:author_lesson", lesson_id=lesson.pk)
    return render(request, "courses/author/question_form.html", {"form": form, "lesson": lesson, "question": None,
                                                                 **question_preview_context(form=form, lesson=lesson)})


def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_author_or_404(user=request.user, question_id=question_id)
    lesson = question.lesson
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            question_save(actor=request.user, lesson=lesson, spec=form.cleaned_data["spec"],
                          position=form.cleaned_data["position"], question=question)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("courses:author_lesson", lesson_id=lesson.pk)
    return render(request, "courses/author/question_form.html", {"form": form, "lesson": lesson, "question": question,
                                                                 **question_preview_context(form=form, lesson=lesson)})


@require_POST
def question_remove(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_author_or_404(user=request.user, question_id=question_id)
    lesson_id = question.lesson_id
    question_delete(actor=request.user, question=question)
    messages.success(request, "Question deleted.")
    return redirect("courses:author_lesson", lesson_id=lesson_id)


def deck_new(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    form = DeckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deck = deck_save(actor=request.user, deck=form.save(commit=False))
        messages.success(request, "Deck created. Add cards.")
        return redirect("courses:author_deck", slug=deck.slug)
    return render(request, "courses/author/form.html", {"form": form, "title": "New flashcard deck", "back_url": reverse("courses:author_home")})


def deck_edit(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_author_or_404(user=request.user, slug=slug)
    form = DeckForm(request.POST or None, instance=deck, prefix="deck")
    card_form = FlashcardForm(deck=deck, prefix="card", initial={"position": deck.cards.count()})
    if request.method == "POST" and "card-front" in request.POST:
        card_form = FlashcardForm(request.POST, deck=deck, prefix="card")
        if card_form.is_valid():
            card = card_form.save(commit=False)
            card.deck = deck
            card_save(actor=request.user, card=card)
            messages.success(request, "Card added.")
            return redirect("courses:author_deck", slug=deck.slug)
    elif request.method == "POST" and form.is_valid():
        deck = deck_save(actor=request.user, deck=form.save(commit=False))
        messages.success(request, "Deck saved.")
        return redirect("courses:author_deck", slug=deck.slug)
    return render(request, "courses/author/deck.html", {"deck": deck, "form": form, "card_form": card_form, "cards": deck.cards.all()})


def card_edit(request: HttpRequest, card_id: int) -> HttpResponse:
    card = card_for_author_or_404(user=request.user, card_id=card_id)
    form = FlashcardForm(request.POST or None, instance=card, deck=card.deck)
    if request.method == "POST" and form.is_valid():
        card_save(actor=request.user, card=form.save(commit=False))
        messages.success(request, "Card saved.")
        return redirect("courses:author_deck", slug=card.deck.slug)
    return render(request, "courses/author/form.html", {"form": form, "title": f"Edit card in {card.deck.title}",
                                                        "back_url": reverse("courses:author_deck", args=[card.deck.slug]), "card": card})


@require_POST
def card_remove(request: HttpRequest, card_id: int) -> HttpResponse:
    card = card_for_author_or_404(user=request.user, card_id=card_id)
    slug = card.deck.slug
    card_delete(actor=request.user, card=card)
    messages.success(request, "Card deleted.")
    return redirect("courses:author_deck", slug=slug)


def program_export_view(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_for_exporter_or_404(user=request.user, slug=slug)
    response = HttpResponse(program_export(program=program), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.course.zip"'
    return response


def program_import_view(request: HttpRequest) -> HttpResponse:
    require_author(request.user)
    form = PackageImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            program = program_import(actor=request.user, data=form.cleaned_data["package"].read())
        except PackageError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Imported “{program.title}” ({program.modules.count()} modules).")
            return redirect("courses:author_program", slug=program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "courses/author/import.html", {"form": form, "errors": errors}, status=status)





@require_POST
def question_preview(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The question exactly as a student will see it (the lesson page's own partial), or what stops it.

    The editor posts its fields here as the author types; nothing is saved. Each accepted code gets
    a line saying whether the current release knows it.
    """
    lesson = lesson_for_author_or_404(user=request.user, lesson_id=lesson_id)
    form = QuestionForm(request.POST)
    context = question_preview_context(form=form, lesson=lesson)
    return render(request, "courses/author/_question_preview.html", context)
