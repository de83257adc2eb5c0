"""Options are shown in an order drawn per student and attempt, stored, and graded by id, not by place."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from courses.choice_order import choice_id
from courses.content_loader import load_directory
from courses.content_schema import parse_question
from courses.demo import DEMO_CONTENT_DIR
from courses.models import ContentSource, Lesson, Question, QuizAnswer, QuizAttempt
from courses.services.content import program_upsert_from_bundle
from tests.factories import StudentFactory

from .conftest import htmx_post

CHOICE_VALUE = re.compile(r'name="choice" value="(c[0-9a-f]+)"')
REVIEWED_CHOICE = re.compile(r'<li class="choice[^"]*"><span>(.*?)</span>')


def _article(html: str, question: Question) -> str:
    start = html.index(f'<article id="q-{question.pk}"')
    return html[start:html.index("</article>", start)]


def _ids_on_page(client, lesson: Lesson, question: Question, query: str = "") -> list[str]:
    html = client.get(f"/courses/lessons/{lesson.pk}/{query}").content.decode()
    return CHOICE_VALUE.findall(_article(html, question))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _api_choices(client: APIClient, lesson: Lesson) -> dict[int, list[dict]]:
    data = client.get(f"/api/v1/courses/lessons/{lesson.pk}/").json()
    return {q["id"]: q["choices"] for q in data["questions"]}


@pytest.fixture
def many_questions_lesson(program) -> Lesson:
    """One lesson with 30 single-answer questions of four options each, the key always written first."""
    module = program.modules.get(slug="terminology")
    lesson = Lesson.objects.create(module=module, slug="many", title="Many", position=9)
    for n in range(30):
        Question.objects.create(
            lesson=lesson, position=n, kind="single", prompt=f"Question {n}?", domain="medical-terminology",
            choices=[f"Right {n}", f"Wrong {n}a", f"Wrong {n}b", f"Wrong {n}c"], answer=[0],
        )
    return lesson


def test_the_order_is_stored_when_the_attempt_starts_and_stays_across_reloads(
    student_client, student, word_parts_lesson
):
    multiple = word_parts_lesson.questions.get(kind="multiple")
    first = _ids_on_page(student_client, word_parts_lesson, multiple)
    attempt = QuizAttempt.objects.get(student=student, lesson=word_parts_lesson, finished_at__isnull=True)
    stored = attempt.choice_orders[str(multiple.pk)]
    assert sorted(stored) == [0, 1, 2, 3]
    assert first == [choice_id(multiple.choices[i]) for i in stored]
    for _ in range(3):
        assert _ids_on_page(student_client, word_parts_lesson, multiple) == first
    assert [c["id"] for c in _api_choices(student_client, word_parts_lesson)[multiple.pk]] == first
    assert QuizAttempt.objects.filter(student=student).count() == 1


def test_different_students_see_different_orders(many_questions_lesson):
    orders = []
    for name in ("ann", "ben"):
        client = _api(StudentFactory(username=name))
        orders.append(_api_choices(client, many_questions_lesson))
    differ = sum(1 for pk in orders[0] if orders[0][pk] != orders[1][pk])
    assert differ >= 20  # the same order has a 1 in 24 chance per question
    firsts = [choices[0]["html"] for choices in orders[0].values()]
    assert sum(1 for f in firsts if f.startswith("Right")) <= 15  # the key is not simply listed first


def test_a_new_attempt_draws_a_new_order_and_the_review_shows_the_old_one(
    student_client, student, many_questions_lesson
):
    questions = list(many_questions_lesson.questions.order_by("position"))
    html = student_client.get(f"/courses/lessons/{many_questions_lesson.pk}/").content.decode()
    shown = {q.pk: CHOICE_VALUE.findall(_article(html, q)) for q in questions}
    for q in questions:  # always the first option shown
        htmx_post(student_client, f"/courses/questions/{q.pk}/answer/", {"choice": shown[q.pk][0]})
    finished = QuizAttempt.objects.get(student=student, finished_at__isnull=False)

    review = student_client.get(f"/courses/lessons/{many_questions_lesson.pk}/").content.decode()
    for q in questions:
        texts = REVIEWED_CHOICE.findall(_article(review, q))
        assert [choice_id(t) for t in texts] == shown[q.pk]
        assert [q.choices[i] for i in finished.choice_orders[str(q.pk)]] == texts

    retake = student_client.get(f"/courses/lessons/{many_questions_lesson.pk}/?retake=1").content.decode()
    again = {q.pk: CHOICE_VALUE.findall(_article(retake, q)) for q in questions}
    assert sum(1 for q in questions if again[q.pk] != shown[q.pk]) >= 20
    assert QuizAttempt.objects.filter(student=student).count() == 2


def test_answers_are_graded_against_the_written_order_whatever_the_order_shown(word_parts_lesson):
    single = word_parts_lesson.questions.get(kind="single")
    multiple = word_parts_lesson.questions.get(kind="multiple")
    for n in range(6):
        client = _api(StudentFactory(username=f"s{n}"))
        shown = _api_choices(client, word_parts_lesson)
        right = [c["id"] for c in shown[multiple.pk] if c["html"] in ("gastr/o", "hepat/o", "col/o")]
        ok = client.post(f"/api/v1/courses/questions/{multiple.pk}/answer/", {"response": right}, format="json").json()
        assert ok["is_correct"] is True and ok["score"] == 1.0
        assert sorted(ok["expected_choice_ids"]) == sorted(right)
        assert [shown[multiple.pk][p]["id"] for p in ok["expected"]] == ok["expected_choice_ids"]
        # An older client answers by place in the list it was given: mapped through the same order.
        place = [c["html"] for c in shown[single.pk]].index("Inflammation")
        legacy = client.post(f"/api/v1/courses/questions/{single.pk}/answer/", {"response": [str(place)]},
                             format="json")
        assert legacy.status_code == 201 and legacy.json()["is_correct"] is True
        assert legacy.json()["expected"] == [place]
    assert QuizAnswer.objects.filter(is_correct=True).count() == 12
    # Stored against the written order: "Inflammation" is option 0 whatever place it was shown in.
    assert all(a.response == [0] for a in QuizAnswer.objects.filter(question=single))


def test_the_api_lists_options_with_stable_ids_and_no_key(student, word_parts_lesson):
    client = _api(student)
    data = client.get(f"/api/v1/courses/lessons/{word_parts_lesson.pk}/").json()
    single = next(q for q in data["questions"] if q["kind"] == "single")
    assert sorted(c["html"] for c in single["choices"]) == ["Enlargement", "Inflammation", "Removal"]
    assert single["choices_html"] == [c["html"] for c in single["choices"]]
    assert all(set(c) == {"id", "html"} and re.fullmatch(r"c[0-9a-f]{10}", c["id"]) for c in single["choices"])
    unknown = client.post(f"/api/v1/courses/questions/{single['id']}/answer/", {"response": ["c0000000000"]},
                          format="json")
    assert unknown.status_code == 400 and "does not exist" in unknown.json()["response"][0]
    out_of_range = client.post(f"/api/v1/courses/questions/{single['id']}/answer/", {"response": ["7"]}, format="json")
    assert out_of_range.status_code == 400
    assert not QuizAnswer.objects.exists()


def test_instructors_preview_a_shuffled_order_without_starting_an_attempt(instructor_client, word_parts_lesson):
    multiple = word_parts_lesson.questions.get(kind="multiple")
    ids = _ids_on_page(instructor_client, word_parts_lesson, multiple)
    assert sorted(ids) == sorted(choice_id(t) for t in multiple.choices)
    assert not QuizAttempt.objects.exists()


def test_content_marks_right_options_and_refuses_positions():
    errors: list[str] = []
    marked = parse_question({"kind": "single", "prompt": "p", "domain": "icd10cm", "explanation": "e",
                             "choices": [{"text": "wrong"}, {"text": "right", "correct": True}]}, "q", errors)
    assert errors == [] and marked.choices == ["wrong", "right"] and marked.answer == [1]
    for bad, message in [
        ({"choices": ["right", "wrong"], "answer": [0]}, "'answer' is not used"),
        ({"choices": [{"text": "right", "correct": True}, {"text": "wrong"}], "answer": 0}, "'answer' is not used"),
        ({"choices": ["right", "wrong"]}, "each option is a mapping"),
        ({"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "exactly one choice"),
        ({"choices": [{"text": "a"}, {"text": "b"}]}, "exactly one choice"),
        ({"choices": [{"text": "a", "correct": "yes"}, {"text": "b"}]}, "'correct' must be true or false"),
        ({"choices": [{"text": "a", "correct": True}, {"text": "a"}]}, "the same option twice"),
    ]:
        errors = []
        spec = parse_question({"kind": "single", "prompt": "p", "domain": "icd10cm", **bad}, "q", errors)
        assert spec is None and any(message in e for e in errors), (bad, errors)
    errors = []
    assert parse_question({"kind": "multiple", "prompt": "p", "domain": "icd10cm",
                           "choices": [{"text": "a"}, {"text": "b"}]}, "q", errors) is None
    assert "at least one choice" in errors[0]


def test_the_editor_marks_right_options_with_checkboxes(admin_client_, word_parts_lesson):
    client = admin_client_  # the shared library is edited by administrators
    url = f"/courses/author/lessons/{word_parts_lesson.pk}/questions/new/"
    form = client.get(url).content.decode()
    assert 'type="checkbox" name="correct_1"' in form and 'name="option_1"' in form
    base = {"kind": "single", "prompt": "Which one?", "domain": "icd10cm", "position": 5, "explanation": "Because."}
    unmarked = client.post(url, {**base, "option_1": "A", "option_2": "B", "answer": "1"})
    assert unmarked.status_code == 200 and "marks exactly one choice with correct: true" in unmarked.content.decode()
    empty_marked = client.post(url, {**base, "option_1": "A", "option_2": "B", "correct_4": "on"})
    assert "marked correct but has no text" in empty_marked.content.decode()
    saved = client.post(url, {**base, "option_1": "A", "option_2": "B", "correct_2": "on", "option_4": "D"})
    assert saved.status_code == 302
    question = word_parts_lesson.questions.get(prompt="Which one?")
    assert question.choices == ["A", "B", "D"] and question.answer == [1]
    edit = client.get(f"/courses/author/questions/{question.pk}/").content.decode()
    assert re.search(r'name="correct_2" id="id_correct_2" checked', edit)
    assert not re.search(r'name="correct_1" id="id_correct_1" checked', edit)


@pytest.mark.slow
def test_always_picking_the_first_option_shown_scores_near_chance_on_the_demo_lessons(db):
    program = program_upsert_from_bundle(bundle=load_directory(DEMO_CONTENT_DIR), source=ContentSource.DEMO)
    client = _api(StudentFactory(username="guesser"))
    chance = []
    for lesson in Lesson.objects.filter(module__program=program, questions__kind__in=["single", "multiple"]).distinct():
        for item in client.get(f"/api/v1/courses/lessons/{lesson.pk}/").json()["questions"]:
            if item["kind"] not in ("single", "multiple"):
                continue
            answered = client.post(f"/api/v1/courses/questions/{item['id']}/answer/",
                                   {"response": [item["choices"][0]["id"]]}, format="json")
            assert answered.status_code == 201
            # Picking one option of n scores 1/n on average, for multiple response too ((right - wrong) / key size).
            chance.append(1 / len(item["choices"]))
    scores = list(QuizAnswer.objects.values_list("score", flat=True))
    assert len(scores) == len(chance) >= 150
    observed, expected = sum(scores) / len(scores), sum(chance) / len(chance)
    print(f"first option shown, demo lessons: {observed:.1%} over {len(scores)} questions (chance {expected:.1%})")
    assert observed < 0.6 and abs(observed - expected) < 0.15
