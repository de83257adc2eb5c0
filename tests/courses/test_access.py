"""Access matrix: students never author; instructors see only their cohorts; admins see all."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from courses.models import Cohort, Deck, Flashcard, Lesson, Module, Program, Question
from tests.factories import StudentFactory


@pytest.fixture
def ids(program):
    lesson = Lesson.objects.get(slug="word-parts")
    return {
        "program": program.slug, "module": lesson.module_id, "lesson": lesson.pk,
        "question": lesson.questions.first().pk, "deck": "word-parts-basics", "card": Flashcard.objects.first().pk,
    }


AUTHOR_PAGES = [
    "/courses/author/",
    "/courses/author/import/",
    "/courses/author/programs/new/",
    "/courses/author/programs/{program}/",
    "/courses/author/programs/{program}/export/",
    "/courses/author/programs/{program}/modules/new/",
    "/courses/author/modules/{module}/",
    "/courses/author/modules/{module}/lessons/new/",
    "/courses/author/lessons/{lesson}/",
    "/courses/author/lessons/{lesson}/questions/new/",
    "/courses/author/questions/{question}/",
    "/courses/author/decks/new/",
    "/courses/author/decks/{deck}/",
    "/courses/author/cards/{card}/",
]


@pytest.mark.parametrize("template", AUTHOR_PAGES)
def test_students_cannot_open_authoring_pages(student_client, ids, template):
    assert student_client.get(template.format(**ids)).status_code == 403


OPEN_TO_INSTRUCTORS = {
    "/courses/author/", "/courses/author/import/", "/courses/author/programs/new/", "/courses/author/decks/new/",
    "/courses/author/programs/{program}/export/",  # a copy to import and adapt as their own
}


@pytest.mark.parametrize("template", AUTHOR_PAGES)
def test_the_shared_library_is_edited_by_admins_only(instructor_client, admin_client_, ids, template):
    """The library is every cohort's course (quiz answers included): an instructor cannot change it for everyone."""
    url = template.format(**ids)
    assert admin_client_.get(url).status_code == 200
    assert instructor_client.get(url).status_code == (200 if template in OPEN_TO_INSTRUCTORS else 403)


def test_an_instructor_cannot_change_a_library_quiz_answer(instructor_client, instructor, ids):
    question = Question.objects.get(pk=ids["question"])
    answer = question.answer
    response = instructor_client.post(f"/courses/author/questions/{question.pk}/", {
        "kind": "single", "prompt": "Changed", "choices": "a\nb", "answer": "2", "domain": "anatomy", "position": 0,
    })
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.answer == answer and question.prompt != "Changed"
    assert instructor_client.post(f"/courses/author/cards/{ids['card']}/delete/").status_code == 403
    assert Flashcard.objects.filter(pk=ids["card"]).exists()
    assert AuditEvent.objects.filter(action="course.edit_denied", actor=instructor).count() == 2


def test_student_posts_to_authoring_change_nothing(student_client, ids):
    question = Question.objects.get(pk=ids["question"])
    student_client.post(f"/courses/author/questions/{question.pk}/", {"kind": "single", "prompt": "hacked", "choices": "a\nb",
                                                                      "answer": "1", "domain": "anatomy", "position": 0})
    student_client.post(f"/courses/author/questions/{question.pk}/delete/")
    student_client.post(f"/courses/author/cards/{ids['card']}/delete/")
    student_client.post("/courses/author/programs/new/", {"slug": "mine", "title": "Mine"})
    question.refresh_from_db()
    assert question.prompt != "hacked"
    assert Flashcard.objects.filter(pk=ids["card"]).exists()
    assert not Program.objects.filter(slug="mine").exists()


def test_an_instructors_own_program_is_closed_to_other_instructors(instructor_client, other_instructor_client, instructor):
    instructor_client.post("/courses/author/programs/new/", {"slug": "ivy-course", "title": "Ivy's course", "summary": ""})
    program = Program.objects.get(slug="ivy-course")
    assert program.owner == instructor
    assert other_instructor_client.get("/courses/author/programs/ivy-course/").status_code == 403
    assert other_instructor_client.get("/courses/author/programs/ivy-course/export/").status_code == 403
    assert instructor_client.get("/courses/author/programs/ivy-course/").status_code == 200


def test_authoring_round_trip_through_the_forms(instructor_client):
    instructor_client.post("/courses/author/programs/new/", {"slug": "ivy-course", "title": "Ivy's course"})
    instructor_client.post("/courses/author/programs/ivy-course/modules/new/", {
        "slug": "basics", "title": "Basics", "domains": ["icd10cm"], "ceu_hours": "1.0", "position": 0, "is_required": "on",
    })
    module = Module.objects.get(slug="basics")
    instructor_client.post(f"/courses/author/modules/{module.pk}/lessons/new/", {
        "slug": "first", "title": "First lesson", "minutes": 5, "position": 0, "body": "Hello **world**", "exercises_text": "",
    })
    lesson = Lesson.objects.get(slug="first", module=module)
    bad = instructor_client.post(f"/courses/author/lessons/{lesson.pk}/questions/new/", {
        "kind": "code", "prompt": "Code it", "system": "icd10cm", "answer": "NOTACODE", "domain": "icd10cm", "position": 0,
    })
    assert bad.status_code == 200 and "not a valid icd10cm code format" in bad.content.decode()
    instructor_client.post(f"/courses/author/lessons/{lesson.pk}/questions/new/", {
        "kind": "multiple", "prompt": "Pick", "option_1": "A", "correct_1": "on", "option_2": "B", "option_3": "C",
        "correct_3": "on", "domain": "icd10cm", "position": 0, "explanation": "Because.",
    })
    question = Question.objects.get(lesson=lesson)
    assert question.answer == [0, 2] and question.choices == ["A", "B", "C"]
    edit = instructor_client.get(f"/courses/author/questions/{question.pk}/").content.decode()
    assert 'name="correct_1" id="id_correct_1" checked' in edit and 'name="correct_2" id="id_correct_2">' in edit
    instructor_client.post("/courses/author/decks/new/", {"slug": "ivy-deck", "title": "Ivy deck", "kind": "codes", "domain": "icd10cm"})
    deck = Deck.objects.get(slug="ivy-deck")
    instructor_client.post("/courses/author/decks/ivy-deck/", {"card-front": "E11.9", "card-back": "Type 2 diabetes without complications", "card-position": 0})
    assert deck.cards.count() == 1
    dup = instructor_client.post("/courses/author/decks/ivy-deck/", {"card-front": "E11.9", "card-back": "again", "card-position": 1})
    assert "already has a card" in dup.content.decode()


COHORT_PAGES = ["/courses/cohorts/{id}/", "/courses/cohorts/{id}/edit/"]
COHORT_POSTS = ["/courses/cohorts/{id}/invite-code/", "/courses/cohorts/{id}/roster/", "/courses/cohorts/{id}/due-dates/"]


@pytest.mark.parametrize("template", COHORT_PAGES)
def test_cohort_pages_matrix(template, cohort, student_client, other_student_client, instructor_client,
                             other_instructor_client, admin_client_):
    url = template.format(id=cohort.pk)
    assert instructor_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 200
    assert other_instructor_client.get(url).status_code == 404
    assert student_client.get(url).status_code == 403
    assert other_student_client.get(url).status_code == 403


@pytest.mark.parametrize("template", COHORT_POSTS)
def test_outsiders_cannot_change_a_cohort(template, cohort, other_instructor_client, student_client):
    code = cohort.invite_code
    assert other_instructor_client.post(template.format(id=cohort.pk), {"due_on": "2030-01-01"}).status_code == 404
    assert student_client.post(template.format(id=cohort.pk)).status_code == 403
    cohort.refresh_from_db()
    assert cohort.invite_code == code and cohort.due_dates.count() == 0


def test_student_progress_page_matrix(cohort, student, other_student, instructor_client, other_instructor_client,
                                      student_client, other_cohort):
    url = f"/courses/cohorts/{cohort.pk}/students/{student.pk}/"
    assert instructor_client.get(url).status_code == 200
    assert other_instructor_client.get(url).status_code == 404
    assert student_client.get(url).status_code == 403
    # A student of another cohort through this cohort's URL.
    assert instructor_client.get(f"/courses/cohorts/{cohort.pk}/students/{other_student.pk}/").status_code == 404


def test_cohort_list_is_filtered_per_instructor(cohort, other_cohort, instructor_client, admin_client_):
    mine = instructor_client.get("/courses/cohorts/").content.decode()
    assert "Spring cohort" in mine and "Other cohort" not in mine
    everything = admin_client_.get("/courses/cohorts/").content.decode()
    assert "Spring cohort" in everything and "Other cohort" in everything


def test_dashboard_lists_only_the_cohorts_students(cohort, instructor_client, program):
    cohort.program = program
    cohort.save()
    StudentFactory(username="stranger", display_name="Stranger Danger")
    page = instructor_client.get(f"/courses/cohorts/{cohort.pk}/").content.decode()
    assert "Sam Student" in page and "Stranger Danger" not in page


def test_anonymous_users_are_sent_to_login(client, program):
    for url in ["/courses/", "/courses/flashcards/", "/courses/cohorts/", "/courses/ceu.csv"]:
        assert client.get(url).status_code == 302
    assert client.get("/api/v1/courses/programs/").status_code == 401


def test_cohort_ids_are_not_guessable_by_instructors(other_instructor_client, cohort):
    missing = Cohort.objects.order_by("-pk").first().pk + 100
    assert other_instructor_client.get(f"/courses/cohorts/{missing}/").status_code == 404
