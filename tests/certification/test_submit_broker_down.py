"""Submitting an exam while the broker is down: the attempt closes, the student gets the report page, the sweep scores it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from certification.conf import scoring_stale_seconds
from certification.models import AttemptScore, AttemptStatus, ExamAttempt
from certification.tasks import close_overdue_attempts, score_attempt

# Real commits: the scoring task is published from on_commit inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch):
    """Switch publishing of the scoring task off (connection refused) and on again."""
    state = {"down": False}
    real_delay = score_attempt.delay

    def delay(*args, **kwargs):
        if state["down"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return real_delay(*args, **kwargs)

    monkeypatch.setattr(score_attempt, "delay", delay)
    return state


def test_submit_with_the_broker_down_closes_the_attempt_without_an_error(student, short_blueprint, broker, clock):
    client = Client(raise_request_exception=True)
    client.force_login(student)
    client.post(reverse("certification:attempt_start", args=[short_blueprint.pk]))
    attempt = ExamAttempt.objects.get(student=student)

    broker["down"] = True
    response = client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/attempts/{attempt.pk}/report/")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is not None
    assert not AttemptScore.objects.filter(attempt=attempt).exists()
    assert client.get(response["Location"]).status_code == 200  # "scoring…", not an error
    # A second submit (the student clicks again) changes nothing and is no error either.
    assert client.post(reverse("certification:attempt_submit", args=[attempt.pk])).status_code == 302

    # The broker is back: the periodic sweep re-queues the unscored attempt, which is scored once.
    broker["down"] = False
    clock.advance(seconds=scoring_stale_seconds() + 1)
    assert close_overdue_attempts.delay().get()["requeued"] == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED
    assert AttemptScore.objects.filter(attempt=attempt).count() == 1


def test_the_sweep_itself_survives_the_broker_being_down(student, short_blueprint, broker, clock):
    from certification.services.attempts import attempt_start

    attempt = attempt_start(student=student, blueprint=short_blueprint)
    broker["down"] = True
    clock.advance(minutes=short_blueprint.time_limit_minutes + 5)
    result = close_overdue_attempts.delay().get()
    assert result["closed"] == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
