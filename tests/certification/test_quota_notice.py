"""When the bank cannot fill a custom blueprint's domain quotas, the exam's first page says what was rebalanced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification.models import ExamAttempt

from .factories import BlueprintFactory

pytestmark = pytest.mark.django_db


def _start(client, blueprint) -> ExamAttempt:
    client.post(reverse("certification:attempt_start", args=[blueprint.pk]))
    return ExamAttempt.objects.get(blueprint=blueprint)


def test_the_first_page_says_which_domain_was_short_and_who_got_its_places(student_client, bank):
    # E/M has four questions in the bank and a quota of six; ICD-10-CM takes the other two places.
    blueprint = BlueprintFactory(question_count=8, weights={"icd10cm": 1, "em": 3})
    attempt = _start(student_client, blueprint)
    first = student_client.get(reverse("certification:question", args=[attempt.pk, 1])).content.decode()
    assert "This exam does not follow its blueprint exactly" in first
    assert "<strong>Evaluation &amp; Management</strong> (4 of 6)" in first
    assert "ICD-10-CM diagnosis coding (4 instead of 2)" in first
    second = student_client.get(reverse("certification:question", args=[attempt.pk, 2])).content.decode()
    assert "does not follow its blueprint" not in second


def test_an_exam_the_bank_fills_shows_no_notice(student_client, short_blueprint):
    attempt = _start(student_client, short_blueprint)
    first = student_client.get(reverse("certification:question", args=[attempt.pk, 1])).content.decode()
    assert "does not follow its blueprint" not in first


def test_a_bank_too_small_for_the_exam_length_says_so(student_client, bank):
    blueprint = BlueprintFactory(question_count=20, weights={"icd10cm": 1, "em": 1})
    attempt = _start(student_client, blueprint)
    first = student_client.get(reverse("certification:question", args=[attempt.pk, 1])).content.decode()
    assert "The exam has 8 questions instead of 20." in first
