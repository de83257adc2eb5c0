"""Demo content: every ICD-10-CM key line is a billable FY2026 code; loading is idempotent."""

from __future__ import annotations

import datetime

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


@pytest.mark.django_db
def test_a_database_loaded_before_gets_the_corrected_chart_text_and_demo_codes(tmp_path):
    from accounts import demo as accounts_demo
    from codesets.bundled import CPT_DEMO_FILE
    from codesets.demo import demo_release_refresh
    from codesets.models import Code, CodeSetRelease
    from codesets.services import release_import
    from exercises import demo
    from exercises.models import Case

    # A demo CPT set as an earlier version of the file had it: one code fewer, one reworded.
    lines = CPT_DEMO_FILE.read_text(encoding="utf-8").splitlines()
    older = [line for line in lines if not line.startswith("93010")]
    assert len(older) == len(lines) - 1
    old_file = tmp_path / "cpt_demo_older.csv"
    old_file.write_text("\n".join(older) + "\n", encoding="utf-8")
    cpt = release_import(system="cpt", path=old_file, label="2026 demo (plain language)",
                         effective_from=datetime.date(2026, 1, 1), activate=True).release
    Code.objects.filter(release=cpt, code="99214").update(long_title="An older wording")

    assert demo_release_refresh(release=cpt, path=CPT_DEMO_FILE) == 2
    assert Code.objects.get(release=cpt, code="93010").billable
    assert Code.objects.get(release=cpt, code="99214").long_title != "An older wording"
    cpt.refresh_from_db()
    assert cpt.billable_count == Code.objects.filter(release=cpt, billable=True).count()
    assert demo_release_refresh(release=cpt, path=CPT_DEMO_FILE) == 0  # unchanged file: nothing to do

    accounts_demo.load()
    demo.load()
    case = Case.objects.get(slug=demo.demo_cases()[0]["slug"])
    first_document = case.documents.order_by("order").first()
    first_document.body = "Chart text from an earlier version of the demo file."
    first_document.save()
    Case.objects.filter(pk=case.pk).update(title="An older title")
    demo.load()
    case.refresh_from_db()
    wanted = demo.demo_cases()[0]
    assert case.title == wanted["title"]
    assert [d.body for d in case.documents.order_by("order")] == [d["body"] for d in wanted["documents"]]
    assert CodeSetRelease.objects.get(pk=cpt.pk).is_current
