"""Exam day at scale: a cheap answer save, and every attempt closed by its own deadline exactly once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from certification.models import AttemptItem, AttemptScore, AttemptStatus, Choice, ExamAttempt, ItemStat, QuestionKind
from certification.services.attempts import (
    DEADLINE_TASK_MARGIN_SECONDS,
    DEADLINE_TASK_MAX_WAIT_SECONDS,
    attempt_close,
    attempt_start,
    attempts_close_overdue,
)
from certification.services.scoring import attempt_score
from certification.tasks import close_attempt_at_deadline

pytestmark = pytest.mark.django_db

GRACE = 30


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def answer_for(item: dict):
    if item["kind"] == "code":
        return "E11.9"
    first = item["choices"][0]["id"]
    return [first] if item["kind"] == "multiple" else first


@pytest.fixture
def queued_deadlines(monkeypatch):
    """Tasks go to a broker (not run in process) and every deadline task queued is recorded instead of sent."""
    calls: list[dict] = []
    conf = close_attempt_at_deadline.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    monkeypatch.setattr(close_attempt_at_deadline, "apply_async", lambda args, **options: calls.append({"args": args, **options}))
    yield calls
    conf.task_always_eager = eager


def test_one_answer_save_is_one_short_transaction_with_one_locking_read(
    student, short_blueprint, clock, django_assert_max_num_queries
):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    url = f"/api/v1/exams/attempts/{state['id']}/items/"
    clock.advance(seconds=20)  # time on question 1 is booked when the answer moves the focus to question 2
    item = state["items"][1]
    # Session user, access check, then one transaction: the locking read, the answer, the time on
    # the question left, the focus (plus the savepoint pair a test's transaction adds).
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as captured:
        saved = client.put(f"{url}2/", {"question_id": item["question_id"], "response": answer_for(item),
                                        "revision": item["revision"]}, format="json")
    assert saved.status_code == 200, saved.json()
    statements = [q["sql"] for q in captured.captured_queries]
    if connection.features.has_select_for_update:
        assert sum(" FOR " in sql and "UPDATE" in sql.split(" FOR ", 1)[1] for sql in statements) == 1
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1
    spent = dict(AttemptItem.objects.filter(attempt_id=state["id"]).values_list("position", "seconds_spent"))
    assert spent[1] == 20
    # Answering the same question again changes only the answer: two statements in the transaction.
    with django_assert_max_num_queries(6):
        again = client.put(f"{url}2/", {"question_id": item["question_id"], "response": None,
                                        "revision": saved.json()["revision"]}, format="json")
    assert again.status_code == 200 and again.json()["revision"] == 2
    assert AttemptItem.objects.get(attempt_id=state["id"], position=2).response is None


def test_a_flag_is_one_locking_read_and_one_write(student, short_blueprint, django_assert_max_num_queries):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as captured:
        flagged = client.post(f"/api/v1/exams/attempts/{state['id']}/items/3/flag/", {"flagged": True}, format="json")
    assert flagged.status_code == 200 and flagged.json() == {"position": 3, "flagged": True}
    if connection.features.has_select_for_update:
        assert sum(" FOR " in q["sql"] for q in captured.captured_queries) == 1
    assert AttemptItem.objects.get(attempt_id=state["id"], position=3).flagged is True


def test_a_choice_question_is_checked_against_the_choices_the_student_was_shown(student, short_blueprint):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    item = next(i for i in state["items"] if i["kind"] == QuestionKind.SINGLE)
    url = f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/"
    foreign = Choice.objects.exclude(question_id=item["question_id"]).first()
    refused = client.put(url, {"question_id": item["question_id"], "response": foreign.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_answer"
    # A choice added while the exam runs (a bank reload) is not in the stored order but is the question's.
    added = Choice.objects.create(question_id=item["question_id"], text="Added during the exam", position=9)
    accepted = client.put(url, {"question_id": item["question_id"], "response": added.pk}, format="json")
    assert accepted.status_code == 200
    assert AttemptItem.objects.get(attempt_id=state["id"], position=item["position"]).response == {"choice": added.pk}


def test_starting_an_exam_queues_its_own_deadline_task_for_deadline_plus_grace(
    student, short_blueprint, clock, settings, queued_deadlines, django_capture_on_commit_callbacks
):
    settings.CERTIFICATION_ANSWER_GRACE_SECONDS = GRACE
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(student=student, blueprint=short_blueprint)
    assert queued_deadlines == [{
        "args": (attempt.pk,), "countdown": short_blueprint.time_limit_minutes * 60 + GRACE + DEADLINE_TASK_MARGIN_SECONDS,
    }]
    # Resuming the open attempt queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert attempt_start(student=student, blueprint=short_blueprint).pk == attempt.pk
    assert len(queued_deadlines) == 1


def test_an_overdue_attempt_is_closed_by_its_own_deadline_task_exactly_once_even_if_the_sweeper_also_runs(
    student, other_student, short_blueprint, clock, settings, django_capture_on_commit_callbacks
):
    settings.CERTIFICATION_ANSWER_GRACE_SECONDS = GRACE
    mine = attempt_start(student=student, blueprint=short_blueprint)
    theirs = attempt_start(student=other_student, blueprint=short_blueprint)
    clock.advance(minutes=short_blueprint.time_limit_minutes, seconds=GRACE + 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert close_attempt_at_deadline.delay(mine.pk).get() is True
        assert close_attempt_at_deadline.delay(mine.pk).get() is False  # delivered twice: nothing more
        assert attempts_close_overdue()["closed"] == 1  # the sweep finds only the other one
        assert close_attempt_at_deadline.delay(theirs.pk).get() is False  # ...whose task comes after it
    closings = [c for c in callbacks if c.__qualname__.startswith("attempt_close.")]
    assert len(closings) == 2  # one closing (and its one scoring task) per attempt
    for attempt in (mine, theirs):
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SCORED and attempt.close_reason == "timed_out"
        assert attempt.submitted_at == attempt.deadline
        assert AttemptScore.objects.filter(attempt=attempt).count() == 1


def test_a_deadline_task_that_comes_early_waits_again_and_changes_nothing(
    student, short_blueprint, clock, settings, queued_deadlines
):
    settings.CERTIFICATION_ANSWER_GRACE_SECONDS = GRACE
    attempt = attempt_start(student=student, blueprint=short_blueprint)
    clock.advance(minutes=short_blueprint.time_limit_minutes, seconds=GRACE - 10)  # inside the grace
    assert close_attempt_at_deadline(attempt.pk) is False
    assert ExamAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS
    assert queued_deadlines == [{"args": (attempt.pk,), "countdown": 10 + DEADLINE_TASK_MARGIN_SECONDS}]


def test_a_long_exams_deadline_task_waits_in_hops_shorter_than_the_brokers_visibility_timeout(
    student, short_blueprint, clock, settings, queued_deadlines, django_capture_on_commit_callbacks
):
    short_blueprint.time_limit_minutes = 4 * 60
    short_blueprint.save(update_fields=["time_limit_minutes"])
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(student=student, blueprint=short_blueprint)
    assert queued_deadlines[-1]["countdown"] == DEADLINE_TASK_MAX_WAIT_SECONDS
    assert DEADLINE_TASK_MAX_WAIT_SECONDS < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    clock.advance(seconds=DEADLINE_TASK_MAX_WAIT_SECONDS)
    assert close_attempt_at_deadline(attempt.pk) is False
    assert queued_deadlines[-1]["countdown"] == DEADLINE_TASK_MAX_WAIT_SECONDS


def test_a_submitted_attempts_deadline_task_does_nothing(
    student, short_blueprint, clock, django_capture_on_commit_callbacks
):
    client = api_for(student)
    state = client.post(f"/api/v1/exams/blueprints/{short_blueprint.pk}/attempts/").json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/exams/attempts/{state['id']}/submit/")
    clock.advance(minutes=short_blueprint.time_limit_minutes, seconds=GRACE + 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert close_attempt_at_deadline(state["id"]) is False
    assert callbacks == []
    attempt = ExamAttempt.objects.get(pk=state["id"])
    assert attempt.close_reason == "submitted" and AttemptScore.objects.filter(attempt=attempt).count() == 1


def test_scoring_adds_every_reached_item_to_the_overall_and_cohort_statistics_in_one_statement(
    student, cohort, short_blueprint, django_capture_on_commit_callbacks
):
    attempt = attempt_start(student=student, blueprint=short_blueprint)
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("question").order_by("position"))
    right = {}
    for n, item in enumerate(items):
        question = item.question
        choices = list(question.choices.order_by("position"))
        correct = n % 2 == 0
        if question.kind == QuestionKind.CODE:
            item.response = {"text": question.accepted_codes[0] if correct else "Z00.00"}
        else:
            picked = [c.pk for c in choices if c.is_correct == correct][:1 if question.kind == QuestionKind.SINGLE else 9]
            item.response = {"choice": picked[0]} if question.kind == QuestionKind.SINGLE else {"choices": picked}
        item.seconds_spent = 10 * (n + 1)
        item.save()
        right[item.question_id] = (int(correct), item.seconds_spent)
    with django_capture_on_commit_callbacks(execute=False):
        attempt_close(attempt_id=attempt.pk, reason="submitted")
    # The statistics are one INSERT of the missing rows and one UPDATE, however many items.
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
        attempt_score(attempt_id=attempt.pk)
    assert len(captured.captured_queries) <= 15
    assert sum("itemstat" in q["sql"] and q["sql"].startswith("UPDATE") for q in captured.captured_queries) == 1
    total, correct = len(items), sum(x for x, _ in right.values())
    for question_id, (x, seconds) in right.items():
        rest = (correct - x) / (total - 1)
        for stat in ItemStat.objects.filter(question_id=question_id):  # the overall row and the cohort's
            assert (stat.n, stat.n_correct, stat.seconds_total) == (1, x, seconds)
            assert stat.sum_rest == pytest.approx(rest) and stat.sum_rest_sq == pytest.approx(rest * rest)
            assert stat.sum_correct_rest == pytest.approx(x * rest)
    assert ItemStat.objects.filter(cohort=cohort).count() == ItemStat.objects.filter(cohort__isnull=True).count() == total
