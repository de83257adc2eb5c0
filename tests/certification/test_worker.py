"""Scoring with a real broker and a separate worker: once per attempt, however often it is queued."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_submitted_exam_is_scored_once_by_the_worker(celery_worker_process, student):
    from django.db import transaction

    from certification.models import AttemptScore, ExamAttempt
    from certification.services.attempts import attempt_close, attempt_start
    from certification.tasks import score_attempt
    from tests.certification.factories import BlueprintFactory, QuestionFactory

    for domain in ("icd10cm", "em"):
        for _ in range(3):
            QuestionFactory(domain=domain)
    attempt = attempt_start(student=student, blueprint=BlueprintFactory(question_count=6))
    with transaction.atomic():
        assert attempt_close(attempt_id=attempt.pk, reason="submitted")
    for _ in range(3):  # duplicates from a sweeper or a redelivery
        score_attempt.delay(attempt.pk)
    wait_until(lambda: ExamAttempt.objects.filter(pk=attempt.pk, status="scored").exists(), timeout=30)
    import time

    time.sleep(1)  # let the duplicates run too
    assert AttemptScore.objects.filter(attempt=attempt).count() == 1
