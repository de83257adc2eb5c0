"""“Study next” on the dashboard links to cases, the drill and lessons of the domain it names, and each link
honours that domain."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import MasteryEvidence
from certification.services.blueprints import blueprints_ensure_builtin
from certification.services.rollups import rollups_refresh
from exercises.models import ReviewStatus, Submission, SubmissionStatus
from tests.exercises.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weak_in_icd(student):
    blueprints_ensure_builtin()
    for i in range(6):
        MasteryEvidence.objects.create(student=student, domain="icd10cm", source="quiz", source_id=f"i{i}", score=0.0,
                                       occurred_at=timezone.now())
        MasteryEvidence.objects.create(student=student, domain="em", source="quiz", source_id=f"e{i}", score=1.0,
                                       occurred_at=timezone.now())
    rollups_refresh(student_id=student.pk)


def _study_next(body: str) -> str:
    return body.split("Study next", 1)[1]


def test_study_next_links_filter_to_the_domain_and_prefer_cases_not_tried(student, student_client, weak_in_icd):
    tried = CaseFactory(title="Tried ICD case", slug="tried", exam_domain="icd10cm", difficulty=1)
    CaseFactory(title="Fresh ICD case", slug="fresh", exam_domain="icd10cm", difficulty=2)
    CaseFactory(title="Unverified ICD case", slug="unverified", exam_domain="icd10cm", difficulty=1,
                review_status=ReviewStatus.IN_REVIEW)
    CaseFactory(title="E/M case", slug="em-case", exam_domain="em")
    Submission.objects.create(student=student, case=tried, status=SubmissionStatus.SCORED)

    section = _study_next(student_client.get(reverse("certification:my_dashboard")).content.decode())
    assert "Case: Fresh ICD case" in section
    assert section.index("Fresh ICD case") < section.index("Tried ICD case")  # not tried yet comes first
    assert "Unverified ICD case" not in section
    assert 'href="/cases/?domain=icd10cm"' in section
    assert reverse("certification:drill_start", args=["icd10cm"]) in section
    lessons = re.search(r'href="(/courses/\?domain=icd10cm)"', section)
    assert lessons, section[:2000]

    cases = student_client.get("/cases/?domain=icd10cm")
    assert {c.title for c in cases.context["cases"]} == {"Tried ICD case", "Fresh ICD case"}
    catalog = student_client.get(lessons.group(1)).content.decode()
    assert "Lessons for ICD-10-CM diagnosis coding" in catalog


def test_study_next_links_to_the_flashcards_of_the_domain_it_names(student_client, weak_in_icd):
    from courses.models import Deck, Flashcard

    icd_deck = Deck.objects.create(slug="icd-terms", title="ICD-10-CM conventions", kind="codes", domain="icd10cm")
    Flashcard.objects.create(deck=icd_deck, front="NEC", back="Not elsewhere classifiable")
    em_deck = Deck.objects.create(slug="em-terms", title="E/M levels", kind="codes", domain="em")
    Flashcard.objects.create(deck=em_deck, front="MDM", back="Medical decision making")
    Deck.objects.create(slug="empty-icd", title="Empty ICD deck", kind="codes", domain="icd10cm")

    section = _study_next(student_client.get(reverse("certification:my_dashboard")).content.decode())
    assert f'href="{reverse("courses:deck_review", args=["icd-terms"])}"' in section
    assert "Flashcards: ICD-10-CM conventions" in section
    assert "empty-icd" not in section
