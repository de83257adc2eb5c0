"""Drawing an exam: quotas, no repeats, unseen questions first, scenarios together, and a start whose
cost does not grow with the bank."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from certification.models import CloseReason, ExamAttempt, Question, QuestionKind, ScenarioSet
from certification.services.attempts import attempt_close, attempt_start, exam_assemble

from .factories import BlueprintFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def another_student(n: int) -> User:
    return User.objects.create_user(username=f"assembly-student-{n}", password="x", role="student")


def _start_queries(student, blueprint) -> list[str]:
    client = api_for(student)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/")
    assert response.status_code == 201
    return [query["sql"] for query in captured.captured_queries]


def test_a_start_issues_the_same_queries_for_a_bank_ten_times_larger(student):
    blueprint = BlueprintFactory(question_count=6, weights={"icd10cm": 1, "em": 1})
    for domain in ("icd10cm", "em"):
        for _ in range(5):
            QuestionFactory(domain=domain)
    small_bank = _start_queries(student, blueprint)

    scenario = ScenarioSet.objects.create(slug="big-bank-case", title="Case", narrative="A long narrative.")
    for n in range(100):
        QuestionFactory(domain=("icd10cm", "em")[n % 2], scenario=scenario if n % 10 == 0 else None)
    large_bank = _start_queries(another_student(1), blueprint)

    assert len(large_bank) == len(small_bank)
    assert len(large_bank) <= 16


def test_a_start_reads_question_text_only_for_the_drawn_questions(student):
    blueprint = BlueprintFactory(question_count=4, weights={"icd10cm": 1, "em": 1})
    for n in range(40):
        QuestionFactory(domain=("icd10cm", "em")[n % 2])
    reads_of_stems = [sql for sql in _start_queries(student, blueprint)
                      if '"certification_question"."stem"' in sql]
    assert reads_of_stems, "the drawn questions are read in full"
    assert all('"certification_question"."id" IN (' in sql for sql in reads_of_stems), \
        "the whole bank was read with its text"


def test_each_domain_gets_its_quota_and_a_short_domain_hands_its_shortfall_on(student):
    for _ in range(10):
        QuestionFactory(domain="icd10cm")
    QuestionFactory(domain="em")
    for _ in range(10):
        QuestionFactory(domain="hcpcs")
    blueprint = BlueprintFactory(question_count=9, weights={"icd10cm": 2, "em": 3, "hcpcs": 1})

    drawn = exam_assemble(blueprint=blueprint, student=student, seed=3)

    counts = Counter(q.domain for q in drawn)
    # By weight 3 + 4.5 + 1.5; em has one question, its shortfall goes to the others by their weights.
    assert counts["em"] == 1 and sum(counts.values()) == 9
    assert counts["icd10cm"] > counts["hcpcs"] >= 2
    assert len({q.pk for q in drawn}) == len(drawn)


def test_unseen_questions_come_before_any_repeat(student):
    questions = [QuestionFactory(domain="icd10cm") for _ in range(6)]
    blueprint = BlueprintFactory(question_count=2, weights={"icd10cm": 1})
    seen: set[int] = set()
    for _ in range(3):  # three attempts of two: all six questions, none twice
        attempt = attempt_start(student=student, blueprint=blueprint)
        drawn = set(attempt.items.values_list("question_id", flat=True))
        assert len(drawn) == 2 and not drawn & seen
        seen |= drawn
        attempt_close(attempt_id=attempt.pk, reason=CloseReason.SUBMITTED)
    assert seen == {q.pk for q in questions}
    fourth = attempt_start(student=student, blueprint=blueprint)
    assert fourth.items.count() == 2  # every question seen: repeats fill the exam


def test_only_the_students_own_attempts_count_as_seen(student, other_student):
    questions = [QuestionFactory(domain="icd10cm") for _ in range(4)]
    whole_bank = BlueprintFactory(question_count=4, weights={"icd10cm": 1})
    theirs = attempt_start(student=other_student, blueprint=whole_bank)  # they have seen every question
    attempt_close(attempt_id=theirs.pk, reason=CloseReason.SUBMITTED)
    half = BlueprintFactory(question_count=2, weights={"icd10cm": 1})
    mine = attempt_start(student=student, blueprint=half)
    attempt_close(attempt_id=mine.pk, reason=CloseReason.SUBMITTED)
    new_to_me = {q.pk for q in questions} - set(mine.items.values_list("question_id", flat=True))
    for seed in range(6):  # my own attempts count, theirs do not
        assert {q.pk for q in exam_assemble(blueprint=half, student=student, seed=seed)} == new_to_me


def test_inactive_questions_are_never_drawn(student):
    active = [QuestionFactory(domain="icd10cm") for _ in range(3)]
    for _ in range(5):
        QuestionFactory(domain="icd10cm", is_active=False)
    blueprint = BlueprintFactory(question_count=8, weights={"icd10cm": 1})
    drawn = exam_assemble(blueprint=blueprint, student=student, seed=1)
    assert sorted(q.pk for q in drawn) == sorted(q.pk for q in active)


def test_questions_of_one_scenario_stay_together_in_slug_order(student):
    case = ScenarioSet.objects.create(slug="shared-case", title="Shared case", narrative="Operative note ...")
    grouped = [QuestionFactory(domain="icd10cm", slug=f"case-q-{n}", scenario=case) for n in (3, 1, 2)]
    for _ in range(6):
        QuestionFactory(domain="icd10cm")
    blueprint = BlueprintFactory(question_count=9, weights={"icd10cm": 1})

    for seed in range(5):
        drawn = exam_assemble(blueprint=blueprint, student=student, seed=seed)
        slugs = [q.slug for q in drawn]
        first = slugs.index("case-q-1")
        assert slugs[first:first + 3] == ["case-q-1", "case-q-2", "case-q-3"]
        assert all(q.scenario.narrative == "Operative note ..." for q in drawn if q.scenario_id)


def test_the_started_items_carry_the_drawn_questions_with_their_scenarios(student, django_assert_max_num_queries):
    case = ScenarioSet.objects.create(slug="started-case", title="Case", narrative="History of present illness")
    QuestionFactory(domain="icd10cm", scenario=case)
    QuestionFactory(domain="icd10cm", kind=QuestionKind.CODE, accepted_codes=["E119"])
    blueprint = BlueprintFactory(question_count=2, weights={"icd10cm": 1})
    attempt = attempt_start(student=student, blueprint=blueprint)
    with django_assert_max_num_queries(0):  # everything the start's answer shows is already in memory
        shown = [(item.stem, item.scenario, [text for _, text in item.choices]) for item in attempt.started_items]
    assert {narrative for _, narrative, _ in shown} == {"History of present illness", ""}
    # The rows written are the items shown: same positions, questions, domains and choice order.
    stored = list(ExamAttempt.objects.get(pk=attempt.pk).items.select_related("question__scenario")
                  .prefetch_related("question__choices").order_by("position"))
    assert [(i.position, i.question_id, i.domain, i.question.kind, i.question.stem,
             i.question.scenario.narrative if i.question.scenario_id else "",
             tuple((c.pk, c.text) for c in i.displayed_choices()), i.response, i.flagged, i.revision) for i in stored] == [
        (s.position, s.question_id, s.domain, s.kind, s.stem, s.scenario, s.choices, s.response, s.flagged, s.revision)
        for s in attempt.started_items]
    choice_question = next(i for i in stored if i.question.kind != QuestionKind.CODE)
    assert sorted(choice_question.choice_order) == sorted(c.pk for c in choice_question.question.choices.all())
    assert next(i for i in stored if i.question.kind == QuestionKind.CODE).choice_order is None


def test_a_question_deactivated_after_the_draw_is_left_out_of_the_started_attempt(student, monkeypatch):
    from certification.services import attempts

    kept, dropped = QuestionFactory(domain="icd10cm"), QuestionFactory(domain="icd10cm")
    blueprint = BlueprintFactory(question_count=2, weights={"icd10cm": 1})
    real_draw = attempts._draw

    def draw_then_deactivate(**kwargs):
        chosen = real_draw(**kwargs)
        Question.objects.filter(pk=dropped.pk).update(is_active=False)
        return chosen

    monkeypatch.setattr(attempts, "_draw", draw_then_deactivate)
    attempt = attempt_start(student=student, blueprint=blueprint)
    assert [(i.position, i.question_id) for i in attempt.started_items] == [(1, kept.pk)]
    assert list(attempt.items.values_list("position", "question_id")) == [(1, kept.pk)]


def test_a_resumed_start_answers_the_open_attempt_without_reading_its_blueprint_again(student, short_blueprint):
    client = api_for(student)
    first = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    with CaptureQueriesContext(connection) as captured:
        again = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/")
    assert again.json()["id"] == first["id"] and again.json()["blueprint"] == short_blueprint.slug
    blueprint_reads = [q["sql"] for q in captured.captured_queries if 'FROM "certification_blueprint"' in q["sql"]]
    assert len(blueprint_reads) == 1  # the access check's read only


def test_only_the_cohort_starts_its_blueprint_and_a_refusal_is_audited(student, other_student, cohort, bank):
    from accounts.models import AuditEvent

    private = BlueprintFactory(question_count=4, cohort=cohort)
    retired = BlueprintFactory(question_count=4, is_active=False)
    assert api_for(student).post(f"/api/v1/exams/blueprints/{private.pk}/attempts/").status_code == 201
    assert api_for(other_student).post(f"/api/v1/exams/blueprints/{private.pk}/attempts/").status_code == 404
    assert api_for(student).post(f"/api/v1/exams/blueprints/{retired.pk}/attempts/").status_code == 404
    assert api_for(student).post("/api/v1/exams/blueprints/999999/attempts/").status_code == 404
    refused = AuditEvent.objects.filter(action="exam.blueprint_access_denied")
    assert sorted((e.actor_id, e.target_id) for e in refused) == sorted(
        [(other_student.pk, str(private.pk)), (student.pk, str(retired.pk))])
    assert not ExamAttempt.objects.filter(student=other_student).exists()
