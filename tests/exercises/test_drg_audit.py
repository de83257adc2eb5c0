"""The cohort DRG audit: accuracy and payment variance per student, per case and in total, read from the DRG reviews
stored with the scores (no regrouping), the common shifts, the CSV, and who may see it."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.models import AuditEvent
from courses.models import CohortMembership
from exercises.inpatient.audit import AuditInput, shift_reason, summarise
from exercises.models import Submission, SubmissionScore
from tests.factories import StudentFactory

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


def group(drg, *, mdc=4, severity="NONE", weight=None, rate=6500.0, title=""):
    payment = round(weight * rate, 2) if weight is not None else None
    return {"drg": drg, "mdc": mdc, "title": title or f"DRG {drg}", "severity": severity, "ok": True,
            "weight": weight, "payment": payment, "edits": []}


def review(key, student, *, rate=6500.0, year=2026, example=True):
    difference = None
    if key.get("payment") is not None and student and student.get("payment") is not None:
        difference = round(student["payment"] - key["payment"], 2)
    return {"fiscal_year": year, "key": key, "student": student, "base_rate": rate, "payment_difference": difference,
            "same_drg": bool(student and student["drg"] == key["drg"]), "changes": [], "problems": [],
            "base_rate_is_example": example}


CC = review(group(194, severity="CC", weight=0.8059, title="Simple Pneumonia with CC"),
            group(195, weight=0.6285, title="Simple Pneumonia without CC/MCC"))
SAME = review(group(194, severity="CC", weight=0.8059), group(194, severity="CC", weight=0.8059))
EXTRA_MCC = review(group(195, weight=0.6285), group(193, severity="MCC", weight=1.2891))


def scored(student, case, drg_review):
    submission = Submission.objects.create(student=student, case=case, status="scored", lines=[])
    SubmissionScore.objects.create(submission=submission, key=case.current_key, score=80, final_score=80,
                                   passed=True, result={"drg": drg_review} if drg_review is not None else {})
    return submission


@pytest.fixture
def inpatient_cases(instructor):
    cases = []
    for n in range(2):
        case = CaseFactory(title=f"Inpatient case {n}", slug=f"inpatient-{n}", setting="inpatient", author=instructor)
        make_key(case, [{"role": "principal", "code": "J189", "poa": "Y"}])
        cases.append(case)
    return cases


def test_shift_reasons_read_the_severity_levels_and_the_mdc():
    assert shift_reason(group(194, severity="CC"), group(195)) == "missed CC"
    assert shift_reason(group(195), group(193, severity="MCC")) == "extra MCC"
    assert shift_reason(group(193, severity="MCC"), group(194, severity="CC")) == "missed MCC"
    assert shift_reason(group(194, severity="CC"), group(292, mdc=5, severity="CC")).startswith(
        "different principal diagnosis (MDC 4 instead of 5)")
    assert shift_reason(group(194), None) == "the claim could not be grouped"


def test_summary_counts_accuracy_and_signed_and_absolute_variance():
    items = [AuditInput(i, 1, "Sam", "sam", 10, "Pneumonia", None, r) for i, r in enumerate([CC, SAME, EXTRA_MCC, CC])]
    audit = summarise(items, roster=[(1, "Sam"), (2, "Nobody yet")])
    under = round(0.6285 * 6500 - 0.8059 * 6500, 2)  # -1153.10
    over = round(1.2891 * 6500 - 0.6285 * 6500, 2)
    assert (audit.total.scored, audit.total.matched) == (4, 1)
    assert audit.total.variance_total == pytest.approx(2 * under + over, abs=0.01)
    assert audit.total.absolute_total == pytest.approx(2 * abs(under) + over, abs=0.01)
    assert audit.total.variance_mean == pytest.approx((2 * under + over) / 4, abs=0.01)
    assert audit.shifts == [("195 instead of 194: missed CC", 2), ("193 instead of 195: extra MCC", 1)]
    assert [t.label for t in audit.students] == ["Sam", "Nobody yet"] and audit.students[1].scored == 0
    assert audit.example_base_rate and audit.base_rates == [6500.0]


def test_a_score_without_a_stored_review_or_weights_is_said_not_counted_as_zero():
    no_weights = review(group(194, severity="CC"), group(195), year=2027)
    items = [AuditInput(1, 1, "Sam", "sam", 10, "A", None, None), AuditInput(2, 1, "Sam", "sam", 10, "A", None, no_weights)]
    audit = summarise(items)
    assert audit.total.scored == 1 and audit.total.with_payment == 0 and audit.total.variance_mean is None
    assert "regrade" in audit.rows[0].problem
    assert audit.years_without_weights == [2027]


def test_the_page_shows_per_student_totals_shifts_and_links_to_each_result(
        instructor_client, cohort, student, inpatient_cases):
    first, second = inpatient_cases
    missed = scored(student, first, CC)
    scored(student, second, SAME)
    response = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="audit-accuracy">50%<' in page
    assert 'data-testid="audit-variance">\u2212$1,153<' in page  # (0.6285 - 0.8059) x $6,500
    assert "195 instead of 194: missed CC" in page
    assert f'href="/cases/submissions/{missed.pk}/"' in page
    assert "is an example figure" in page
    assert f'<tr data-student="{student.pk}">' in page


def test_outpatient_work_and_students_of_other_cohorts_are_left_out(
        instructor_client, cohort, other_cohort, student, other_student, inpatient_cases, case):
    scored(student, inpatient_cases[0], SAME)
    scored(other_student, inpatient_cases[0], CC)
    Submission.objects.create(student=student, case=case, status="scored")
    page = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit/").content.decode()
    assert 'data-testid="audit-accuracy">100%<' in page and "missed CC" not in page
    assert other_student.display_name not in page


def test_only_the_cohorts_instructors_and_admins_see_it(
        cohort, student, inpatient_cases, instructor_client, other_instructor_client, student_client, admin_client_):
    scored(student, inpatient_cases[0], CC)
    for suffix in ("drg-audit/", "drg-audit.csv"):
        url = f"/cases/review/cohorts/{cohort.pk}/{suffix}"
        assert instructor_client.get(url).status_code == 200
        assert admin_client_.get(url).status_code == 200
        assert other_instructor_client.get(url).status_code == 404
        assert student_client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="cohort.access_denied").exists()


def test_the_csv_is_formula_safe_and_audited(instructor_client, cohort, student, inpatient_cases):
    inpatient_cases[0].title = "=HYPERLINK(\"http://x\")"
    inpatient_cases[0].save()
    scored(student, inpatient_cases[0], CC)
    response = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["student", "case", "submission", "submitted_at"]
    assert rows[1][1].startswith("'=") and rows[1][4:8] == ["194", "195", "no", "-1153.1"]
    assert ["Sam Student", "1", "0", "0.0", "-1153.1", "-1153.1", "1153.1", "1153.1"] in rows
    assert AuditEvent.objects.filter(action="exercises.drg_audit_exported").count() == 1


@pytest.mark.parametrize("students", [1, 6])
def test_the_page_reads_a_constant_number_of_queries(students, instructor_client, cohort, inpatient_cases,
                                                     django_assert_max_num_queries):
    people = StudentFactory.create_batch(students)
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, student=s) for s in people)
    for person in people:
        for case in inpatient_cases:
            scored(person, case, CC)
    with django_assert_max_num_queries(7):
        response = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit/")
    assert response.status_code == 200 and response.content.decode().count("data-submission=") == 2 * students


def test_the_cohort_page_and_the_review_queue_link_to_the_audit(instructor_client, cohort):
    url = f"/cases/review/cohorts/{cohort.pk}/drg-audit/"
    assert url in instructor_client.get(f"/courses/cohorts/{cohort.pk}/").content.decode()
    assert url in instructor_client.get("/cases/review/").content.decode()
    assert url in instructor_client.get(f"/cases/review/?cohort={cohort.pk}").content.decode()


def test_a_really_graded_claim_is_audited_from_its_stored_review_without_regrouping(
        student_client, instructor_client, cohort, instructor, monkeypatch, django_capture_on_commit_callbacks):
    from .test_drg_workflow import MISSED_CC, _release, _submit_and_open

    case = CaseFactory(title="Cough and fever", slug="pneumonia-audit", setting="inpatient", icd10cm_release=_release(),
                       patient_age=70, patient_sex="M", author=instructor)
    make_key(case, [{"role": "principal", "code": "J189", "poa": "Y"}, {"role": "secondary", "code": "E871", "poa": "Y"},
                    {"role": "secondary", "code": "I10", "poa": "Y"}, {"role": "secondary", "code": "Z87891", "poa": "1"}])
    _submit_and_open(student_client, case, MISSED_CC, django_capture_on_commit_callbacks)

    def no_grouping():
        raise AssertionError("the audit must not regroup claims")

    monkeypatch.setattr("exercises.inpatient.services.default_grouper", no_grouping)
    page = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit/").content.decode()
    assert "195 instead of 194: missed CC" in page and "\u2212$1,153" in page


def test_a_long_cohort_lists_the_first_claims_and_the_csv_has_them_all(instructor_client, cohort, inpatient_cases):
    people = StudentFactory.create_batch(201)
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, student=s) for s in people)
    submissions = Submission.objects.bulk_create(
        Submission(student=p, case=c, status="scored", lines=[]) for p in people for c in inpatient_cases)
    SubmissionScore.objects.bulk_create(
        SubmissionScore(submission=s, key=s.case.current_key, score=80, final_score=80, passed=True,
                        result={"drg": CC}) for s in submissions)
    page = instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit/").content.decode()
    assert page.count("data-submission=") == 400 and "The first 400 of 402 claims" in page
    assert 'data-testid="audit-accuracy">0%<' in page  # the totals count every claim
    rows = list(csv.reader(io.StringIO(
        instructor_client.get(f"/cases/review/cohorts/{cohort.pk}/drg-audit.csv").content.decode())))
    assert rows.index([]) - 1 == 402  # one line per claim, then a blank line, then the totals per student
