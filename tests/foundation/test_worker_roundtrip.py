"""The queue path works with a real broker and a separate worker process."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until

pytestmark = pytest.mark.worker


def test_evidence_rollup_is_computed_by_the_worker(celery_worker_process, student):
    from django.db import transaction

    from certification import models as cert_models
    from certification.services import evidence_record

    with transaction.atomic():
        evidence_record(student=student, domain="icd10cm", score=0.9, source="quiz", source_id="w-1")
    # The rollup is written only by the worker process: this test's process runs nothing eagerly.
    wait_until(lambda: cert_models.StudentDomainRollup.objects.filter(student=student, domain="icd10cm").exists(), timeout=30)
