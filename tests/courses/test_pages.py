"""Student pages render with progress, and list pages keep a flat query count."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Deck, Flashcard, Lesson, Module, Program
from courses.services.progress import lesson_complete


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_catalog_shows_programs_with_progress(student_client, student, program):
    lesson_complete(student=student, lesson=Lesson.objects.get(slug="reading-only"))
    body = student_client.get("/courses/").content.decode()
    assert "Test Coding Program" in body and 'data-ring="33"' in body  # 1 of 3 lessons
    assert "Continue: Medical terminology basics" in body


def test_catalog_query_count_does_not_grow_with_programs(student_client, program):
    few = _queries(student_client, "/courses/")
    for i in range(4):
        extra = Program.objects.create(slug=f"extra-{i}", title=f"Extra {i}")
        module = Module.objects.create(program=extra, slug="m", title="M")
        module.prerequisites.add(Module.objects.create(program=extra, slug="p", title="P"))
        Lesson.objects.create(module=module, slug="l", title="L")
        deck = Deck.objects.create(slug=f"deck-{i}", title=f"Deck {i}", kind="codes", domain="icd10cm")
        Flashcard.objects.create(deck=deck, front="E11.9", back="x")
    assert _queries(student_client, "/courses/") == few


def test_deck_list_query_count_does_not_grow_with_decks(student_client, program):
    few = _queries(student_client, "/courses/flashcards/")
    for i in range(5):
        Deck.objects.create(slug=f"deck-{i}", title=f"Deck {i}", kind="codes", domain="icd10cm")
    assert _queries(student_client, "/courses/flashcards/") == few


def test_module_page_recommends_prerequisites_and_lists_lessons(student_client, program):
    module = program.modules.get(slug="diabetes-coding")
    body = student_client.get(f"/courses/modules/{module.pk}/").content.decode()
    assert "We suggest finishing" in body and "Medical terminology basics" in body
    assert "Type 2 diabetes without complications" in body


def test_lesson_page_links_the_chart_cases_it_names_once_they_exist(student_client, diabetes_lesson):
    from tests.exercises.factories import CaseFactory

    body = student_client.get(f"/courses/lessons/{diabetes_lesson.pk}/").content.decode()
    assert "diabetes-case-1" not in body and "No chart cases train this module yet." in body
    CaseFactory(slug="diabetes-case-1", title="Diabetes follow-up", module_slug="other-module")
    body = student_client.get(f"/courses/lessons/{diabetes_lesson.pk}/").content.decode()
    assert '<a href="/cases/diabetes-case-1/">Diabetes follow-up</a>' in body


def test_missing_objects_are_404(student_client, program):
    for url in ["/courses/programs/nope/", "/courses/modules/999999/", "/courses/lessons/999999/",
                "/courses/flashcards/decks/nope/review/", "/api/v1/courses/lessons/999999/"]:
        assert student_client.get(url).status_code == 404, url
    assert student_client.post("/courses/questions/999999/answer/").status_code == 404
    assert student_client.post("/api/v1/courses/flashcards/cards/999999/review/", {"rating": 3},
                               content_type="application/json").status_code == 404
