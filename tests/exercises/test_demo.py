"""Demo content: every ICD-10-CM key line is a billable FY2026 code; loading is idempotent."""

from __future__ import annotations

import pytest

from exercises.demo import COHORT_NAME, demo_cases
from exercises.grading import display_code, normalize_code
from exercises.privacy import privacy_warnings


def _icd_lines():
    for case in demo_cases():
        for line in case["key"]:
            if (line.get("system") or "icd10cm") == "icd10cm" and line.get("role", "secondary") in ("principal", "secondary"):
                for code in (line["code"], *line.get("alternates", [])):
                    yield case["slug"], normalize_code(code)


def test_there_are_at_least_thirty_cases_across_settings_and_specialties():
    cases = demo_cases()
    assert len(cases) >= 30
    assert len({c["slug"] for c in cases}) == len(cases)
    specialties = {c["specialty"] for c in cases}
    for needed in ("primary_care", "cardiology", "orthopedics", "radiology", "oncology", "emergency", "surgery", "inpatient"):
        assert needed in specialties
    assert {c["setting"] for c in cases} >= {"outpatient", "emergency", "inpatient", "ambulatory_surgery", "radiology"}
    assert any(c.get("is_query_case") for c in cases)


def test_demo_charts_carry_no_identifier_like_text():
    for case in demo_cases():
        for document in case["documents"]:
            assert privacy_warnings(document["body"]) == [], case["slug"]


@pytest.mark.slow
def test_every_icd10cm_key_line_is_billable_in_the_bundled_fy2026_release():
    import simple_icd_10_cm as cm

    bad = [
        (slug, display_code(code)) for slug, code in _icd_lines()
        if not (cm.is_valid_item(display_code(code)) and cm.is_leaf(display_code(code)))
    ]
    assert bad == []


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_builds_the_cohort(django_capture_on_commit_callbacks):
    from accounts import demo as accounts_demo
    from courses.models import Cohort
    from exercises import demo
    from exercises.models import AnswerKey, Case, SubmissionScore

    accounts_demo.load()
    demo.load()
    cases = Case.objects.count()
    keys = AnswerKey.objects.count()
    assert cases >= 30 and keys == cases
    cohort = Cohort.objects.get(name=COHORT_NAME)
    assert cohort.instructors.filter(username="instructor").exists()
    assert set(cohort.students.values_list("username", flat=True)) == {"student", "student2", "student3"}
    assert SubmissionScore.objects.count() >= 2
    demo.load()
    assert (Case.objects.count(), AnswerKey.objects.count()) == (cases, keys)
