"""Flagging a question after the exam's deadline (plus grace) is refused like answering."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from certification.conf import answer_grace_seconds
from certification.models import AttemptItem
from tests.certification.factories import BlueprintFactory, QuestionFactory

pytestmark = pytest.mark.django_db


class MovableClock:
    def __init__(self, monkeypatch):
        self.current = timezone.now().replace(microsecond=0)
        monkeypatch.setattr("certification.clock.now", lambda: self.current)

    def advance(self, **delta) -> None:
        self.current += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return MovableClock(monkeypatch)


@pytest.fixture
def attempt(student, clock):
    for domain in ("icd10cm", "em"):
        QuestionFactory(domain=domain)
        QuestionFactory(domain=domain)
    blueprint = BlueprintFactory(question_count=4, time_limit_minutes=10)
    client = APIClient()
    client.force_login(student)
    return client.post(f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/").json()["id"]


def _past_deadline_and_grace(clock) -> None:
    clock.advance(minutes=10, seconds=answer_grace_seconds() + 1)


def _flagged(attempt_id: int, position: int = 1) -> bool:
    return AttemptItem.objects.get(attempt_id=attempt_id, position=position).flagged


def test_flag_api_after_the_deadline_is_409_like_an_answer(student, attempt, clock):
    client = APIClient()
    client.force_login(student)
    _past_deadline_and_grace(clock)
    flag = client.post(f"/api/v1/exams/attempts/{attempt}/items/1/flag/", {"flagged": True}, format="json")
    item = AttemptItem.objects.get(attempt_id=attempt, position=1)
    answer = client.put(f"/api/v1/exams/attempts/{attempt}/items/1/",
                        {"question_id": item.question_id, "response": None}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "deadline_passed"
    assert flag.status_code == answer.status_code and flag.json()["code"] == answer.json()["code"]
    assert "Time is up" in flag.json()["detail"]
    assert not _flagged(attempt)


def test_flag_page_after_the_deadline_changes_nothing(student_client, attempt, clock):
    _past_deadline_and_grace(clock)
    response = student_client.post(f"/exams/attempts/{attempt}/q/1/flag/", {"flagged": "1"}, HTTP_HX_REQUEST="true")
    assert response["X-Exam-Rejected"] == "deadline_passed"
    assert b"Time is up" in response.content
    assert not _flagged(attempt)


def test_flagging_within_the_time_still_works(student, attempt, clock):
    client = APIClient()
    client.force_login(student)
    clock.advance(minutes=9)
    response = client.post(f"/api/v1/exams/attempts/{attempt}/items/2/flag/", {"flagged": True}, format="json")
    assert response.status_code == 200 and response.json() == {"position": 2, "flagged": True}
    assert _flagged(attempt, 2)
