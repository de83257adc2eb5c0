"""The question editor: the fields of each kind, accepted codes in their own boxes checked against the
current release as the author types, and a preview that is the student's own question partial."""

from __future__ import annotations

import re

import pytest

from courses.models import ContentSource, Lesson, Module, Program, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(instructor):
    program = Program.objects.create(slug="editor-program", title="Editor program", owner=instructor,
                                     source=ContentSource.AUTHORED)
    module = Module.objects.create(program=program, slug="dm", title="Diabetes", domains=["icd10cm"])
    return Lesson.objects.create(module=module, slug="dm-basics", title="Diabetes basics")


BASE = {"prompt": "Code type 2 diabetes with hyperglycemia.", "domain": "icd10cm", "position": "0",
        "explanation": "E11.65 (I.C.4.a)."}


def test_the_form_says_which_fields_belong_to_which_kind(instructor_client, lesson):
    html = instructor_client.get(f"/courses/author/lessons/{lesson.pk}/questions/new/").content.decode()
    assert re.search(r'data-field="system" data-kinds="code"', html)
    assert re.search(r'data-field="parts" data-kinds="term_build"', html)
    assert 'data-kinds="single multiple"' in html  # the options and their Correct boxes
    assert re.search(r'<fieldset class="field" aria-describedby="accepted-help" data-kinds="code">', html)
    assert html.count("data-typeahead") == 4  # each accepted-code box searches codes
    assert 'hx-post="/courses/author/lessons/%d/questions/preview/"' % lesson.pk in html


def test_a_code_question_saves_from_the_accepted_code_boxes(instructor_client, icd_release, lesson):
    url = f"/courses/author/lessons/{lesson.pk}/questions/new/"
    response = instructor_client.post(url, {**BASE, "kind": "code", "system": "icd10cm", "accepted_1": "e11.65",
                                            "accepted_2": "", "accepted_3": "E119"})
    assert response.status_code == 302
    question = Question.objects.get(lesson=lesson)
    assert question.answer == ["E11.65", "E119"]
    edit = instructor_client.get(f"/courses/author/questions/{question.pk}/").content.decode()
    assert 'name="accepted_1" type="text" value="E11.65"' in edit and 'name="accepted_2" type="text" value="E11.9"' in edit


def test_the_preview_is_the_students_question_and_checks_each_code(instructor_client, icd_release, lesson):
    url = f"/courses/author/lessons/{lesson.pk}/questions/preview/"
    html = instructor_client.post(url, {**BASE, "kind": "code", "system": "icd10cm", "accepted_1": "E11.65",
                                        "accepted_2": "E11"}, HTTP_HX_REQUEST="true").content.decode()
    assert "E11 is a header" in html  # what stops the save, before saving
    assert 'id="accepted_1-check" class="code-check code-check--ok"' in html
    assert re.search(r'<strong>E11.65</strong> [^<]+ — found in FY2026\.', html)
    assert 'id="accepted_2-check" class="code-check code-check--bad"' in html
    fine = instructor_client.post(url, {**BASE, "kind": "code", "system": "icd10cm", "accepted_1": "E11.65"},
                                  HTTP_HX_REQUEST="true").content.decode()
    assert "Not ready to save" not in fine
    assert 'class="question-preview" inert' in fine
    assert "ICD-10-CM code</label>" in fine and "Check answer" in fine  # the student's partial, unanswered
    assert "E11.65 (I.C.4.a)." not in fine  # the explanation shows only after answering, as for the student
    assert not Question.objects.exists()


def test_the_preview_of_a_choice_question_shows_the_options_without_the_key(instructor_client, lesson):
    url = f"/courses/author/lessons/{lesson.pk}/questions/preview/"
    html = instructor_client.post(url, {**BASE, "kind": "single", "option_1": "E11.65", "correct_1": "on",
                                        "option_2": "E11.9", "option_3": "E10.9"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('type="radio"') == 3 and "choice--right" not in html
    assert "Each student sees the options in their own shuffled order" in html
    problems = instructor_client.post(url, {**BASE, "kind": "single", "option_1": "A", "option_2": "B"},
                                      HTTP_HX_REQUEST="true").content.decode()
    assert "Not ready to save yet" in problems and "correct" in problems


def test_outsiders_get_no_preview(other_instructor_client, lesson):
    response = other_instructor_client.post(f"/courses/author/lessons/{lesson.pk}/questions/preview/",
                                            {**BASE, "kind": "single"})
    assert response.status_code in (403, 404)
