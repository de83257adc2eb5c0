"""Exam choices are shown in an order drawn per student and attempt, stored on the item, and graded by id."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certification.models import AttemptItem, AttemptScore, Question, QuestionKind
from certification.services.bank import BankFormatError, bank_load, bank_read
from tests.factories import StudentFactory

from .factories import BlueprintFactory, QuestionFactory

pytestmark = pytest.mark.django_db

CHOICE_INPUT = re.compile(r'id="choice-(\d+)"')


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def start(client: APIClient, blueprint) -> dict:
    response = client.post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def long_blueprint(db):
    """Thirty single-answer questions of four choices, the key always at position 0."""
    for _ in range(30):
        QuestionFactory(domain="icd10cm")
    return BlueprintFactory(question_count=30, time_limit_minutes=60, weights={"icd10cm": 1})


def test_the_order_is_drawn_at_start_stored_and_the_same_on_every_view(student, student_client, long_blueprint):
    client = api_for(student)
    state = start(client, long_blueprint)
    for item in state["items"]:
        stored = AttemptItem.objects.get(attempt_id=state["id"], position=item["position"])
        assert [c["id"] for c in item["choices"]] == stored.choice_order
        assert sorted(stored.choice_order) == sorted(stored.question.choices.values_list("pk", flat=True))
    again = client.get(f"/api/v1/exams/attempts/{state['id']}/").json()
    assert [i["choices"] for i in again["items"]] == [i["choices"] for i in state["items"]]
    for item in state["items"][:5]:
        for _ in range(2):
            page = student_client.get(reverse("certification:question", args=[state["id"], item["position"]]))
            assert [int(pk) for pk in CHOICE_INPUT.findall(page.content.decode())] == [c["id"] for c in item["choices"]]
    first_is_key = sum(1 for i in state["items"] if i["choices"][0]["text"].startswith("Option 0 "))
    assert first_is_key <= 15


def test_different_students_see_different_orders(long_blueprint):
    orders = []
    for name in ("ann", "ben"):
        state = start(api_for(StudentFactory(username=name)), long_blueprint)
        orders.append({i["question_id"]: [c["id"] for c in i["choices"]] for i in state["items"]})
    assert orders[0].keys() == orders[1].keys()
    assert sum(1 for q in orders[0] if orders[0][q] != orders[1][q]) >= 20  # a 1 in 24 chance per question


def test_answers_by_id_are_graded_right_and_the_report_shows_the_order_shown(
    student, student_client, long_blueprint, django_capture_on_commit_callbacks
):
    client = api_for(student)
    state = start(client, long_blueprint)
    for item in state["items"]:
        key = Question.objects.get(pk=item["question_id"]).choices.get(is_correct=True).pk
        saved = client.put(f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/",
                           {"question_id": item["question_id"], "response": key}, format="json")
        assert saved.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/exams/attempts/{state['id']}/submit/")
    assert AttemptScore.objects.get(attempt_id=state["id"]).percent == 100.0

    report = client.get(f"/api/v1/exams/attempts/{state['id']}/report/").json()
    shown = {i["position"]: i["choices"] for i in state["items"]}
    assert all(i["choices"] == shown[i["position"]] for i in report["items"])
    page = student_client.get(reverse("certification:attempt_report", args=[state["id"]])).content.decode()
    for item in state["items"][:5]:
        start_at = page.index(f'id="item-{item["position"]}"')
        article = page[start_at:page.index("</article>", start_at)]
        places = [article.index(c["text"]) for c in item["choices"]]
        assert places == sorted(places)


def test_attempts_from_before_stored_orders_show_choices_by_position(student, student_client, long_blueprint):
    state = start(api_for(student), long_blueprint)
    item = AttemptItem.objects.get(attempt_id=state["id"], position=1)
    item.choice_order = None
    item.save(update_fields=["choice_order"])
    page = student_client.get(reverse("certification:question", args=[state["id"], 1])).content.decode()
    by_position = list(item.question.choices.order_by("position", "id").values_list("pk", flat=True))
    assert [int(pk) for pk in CHOICE_INPUT.findall(page)] == by_position


def test_bank_files_mark_the_right_choices_and_refuse_positions(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        "domain: em\nquestions:\n  - id: x\n    stem: s\n    rationale: r\n    choices:\n"
        "      - {text: wrong}\n      - {text: right, correct: true}\n"
    )
    questions, _ = bank_read([good])
    assert questions[0]["choices"] == [("wrong", False), ("right", True)]
    for body in (
        "    choices: [a, b]\n    answer: 0\n",
        "    choices:\n      - {text: a, correct: true}\n      - {text: b}\n    answer: 0\n",
        "    choices:\n      - {text: a}\n      - {text: b}\n",
        "    choices:\n      - {text: a, correct: true}\n      - {text: b, correct: true}\n",
        "    kind: multiple\n    choices:\n      - {text: a}\n      - {text: b}\n",
    ):
        bad = tmp_path / "bad.yaml"
        bad.write_text("domain: em\nquestions:\n  - id: y\n    stem: s\n    rationale: r\n" + body)
        with pytest.raises(BankFormatError):
            bank_read([bad])


@pytest.mark.slow
def test_always_picking_the_first_choice_shown_scores_near_chance_on_the_demo_bank(
    student, django_capture_on_commit_callbacks
):
    bank_load()
    domains = set(Question.objects.values_list("domain", flat=True))
    blueprint = BlueprintFactory(question_count=Question.objects.count(), time_limit_minutes=600,
                                 weights={d: 1 for d in domains})
    client = api_for(student)
    state = start(client, blueprint)
    chance = {}
    for item in state["items"]:
        if item["kind"] == QuestionKind.CODE:
            continue
        first = item["choices"][0]["id"]
        saved = client.put(f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/",
                           {"question_id": item["question_id"], "response": [first]}, format="json")
        assert saved.status_code == 200
        keys = Question.objects.get(pk=item["question_id"]).choices.filter(is_correct=True).count()
        # One choice picked: right only when it is the whole key, with probability 1/n.
        chance[item["position"]] = 1 / len(item["choices"]) if keys == 1 else 0.0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/exams/attempts/{state['id']}/submit/")
    items = AttemptItem.objects.filter(attempt_id=state["id"], position__in=chance)
    graded = dict(items.values_list("position", "is_correct"))
    assert len(graded) == len(chance) >= 150
    observed = sum(graded.values()) / len(graded)
    expected = sum(chance.values()) / len(chance)
    print(f"first choice shown, demo exam bank: {observed:.1%} over {len(graded)} questions (chance {expected:.1%})")
    assert observed < 0.6 and abs(observed - expected) < 0.15


def test_choice_ids_do_not_follow_the_order_a_bank_file_lists_them_in(tmp_path):
    questions = "".join(
        f"  - id: keyed-first-{n}\n    stem: s{n}\n    rationale: r\n    choices:\n"
        f"      - {{text: right {n}, correct: true}}\n      - {{text: wrong {n}a}}\n"
        f"      - {{text: wrong {n}b}}\n      - {{text: wrong {n}c}}\n"
        for n in range(30)
    )
    (tmp_path / "keyed.yaml").write_text("domain: em\nquestions:\n" + questions)
    bank_load(paths=[tmp_path / "keyed.yaml"])
    lowest_is_key = 0
    for question in Question.objects.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert choices[0].is_correct and choices[0].position == 0  # the file order is kept as the written order
        lowest_is_key += min(choices, key=lambda c: c.pk).is_correct
    assert lowest_is_key <= 15
