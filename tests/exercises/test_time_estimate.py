"""Case time estimates come from the case: the chart's length and the key's lines, not a default."""

from __future__ import annotations

import pytest

from exercises.models import Case
from exercises.services import answer_key_publish, case_save
from exercises.time_estimate import case_minutes

pytestmark = pytest.mark.django_db


def test_minutes_grow_with_the_chart_and_the_key():
    assert case_minutes(document_bodies=["Short note."], key_lines=1) == 5
    assert case_minutes(document_bodies=["word " * 1500], key_lines=3) == 20  # 10 min reading + 6 coding
    assert case_minutes(document_bodies=["word " * 1500], key_lines=3, query_case=True) == 25


def test_saving_a_case_and_its_key_sets_its_suggested_time(instructor, release):
    case = case_save(actor=instructor, case=None, fields={"title": "Long admission", "summary": "s",
                                                          "icd10cm_release": release, "suggested_minutes": 20},
                     documents=[{"title": "H&P", "body": "word " * 3000}])
    assert case.suggested_minutes == 20  # 20 minutes of reading, no key yet
    answer_key_publish(actor=instructor, case=case, lines=[
        {"role": "principal", "system": "icd10cm", "code": "E11.9"},
        {"role": "secondary", "system": "icd10cm", "code": "I10"},
        {"role": "secondary", "system": "icd10cm", "code": "E11.65"},
    ])
    assert Case.objects.get(pk=case.pk).suggested_minutes == 30  # + 3 lines x 2 min, rounded up to 5


def test_the_workspace_shows_the_cases_own_estimate(student_client, instructor, release):
    case = case_save(actor=instructor, case=None, fields={"title": "Quick visit", "summary": "s", "icd10cm_release": release,
                                                          "is_published": True, "review_status": "verified"},
                     documents=[{"title": "Note", "body": "Seen for hypertension follow-up."}])
    answer_key_publish(actor=instructor, case=case, lines=[{"role": "principal", "system": "icd10cm", "code": "I10"}])
    page = student_client.get(f"/cases/{case.slug}/").content.decode()
    assert "suggested 5 min" in page
