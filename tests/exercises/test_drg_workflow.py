"""MS-DRG on inpatient results and in the key review, through real HTTP: the key's and the student's DRG, MDC,
weight and payment, what the student's errors changed, the example base rate, the Medicare Code Editor, and
clear messages (never a 500) when the grouper fails or a year has no weights."""

from __future__ import annotations

import datetime

import pytest

from exercises.grading.drg import GrouperError
from exercises.models import GradingPolicy, Submission, SubmissionScore
from tests.factories import CodeFactory, ReleaseFactory

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db

ROWS = [("J189", "Pneumonia, unspecified organism"), ("E871", "Hypo-osmolality and hyponatremia"),
        ("N170", "Acute kidney failure with tubular necrosis"), ("I10", "Essential (primary) hypertension"),
        ("Z87891", "Personal history of nicotine dependence"), ("Z3800", "Single liveborn infant, delivered vaginally")]


def _release(effective=datetime.date(2025, 10, 1)):
    release = ReleaseFactory(effective_from=effective)
    for code, title in ROWS:
        CodeFactory(release=release, code=code, long_title=title)
    return release


@pytest.fixture
def pneumonia(instructor):
    case = CaseFactory(title="Cough and fever", slug="pneumonia-admission", setting="inpatient",
                       icd10cm_release=_release(), patient_age=70, patient_sex="M", author=instructor)
    make_key(case, [
        {"role": "principal", "code": "J189", "poa": "Y"},
        {"role": "secondary", "code": "E871", "poa": "Y"},
        {"role": "secondary", "code": "I10", "poa": "Y"},
        {"role": "secondary", "code": "Z87891", "poa": "1"},
    ])
    return case


def _submit_and_open(client, case, form, capture):
    client.post(f"/cases/{case.slug}/draft/", {})
    draft = Submission.objects.get(case=case, status="draft")
    with capture(execute=True):
        client.post(f"/cases/{case.slug}/submit/", {**form, "draft_id": draft.pk})
    response = client.get(f"/cases/submissions/{draft.pk}/")
    assert response.status_code == 200
    return SubmissionScore.objects.get(submission=draft), response.content.decode()


MISSED_CC = {"principal_code": "J18.9", "principal_poa": "Y", "dx_code": ["I10", "Z87.891"], "dx_poa": ["Y", ""]}


def test_a_missed_cc_shows_both_drgs_the_shift_and_the_payment_at_the_example_rate(
        student_client, pneumonia, django_capture_on_commit_callbacks):
    score, page = _submit_and_open(student_client, pneumonia, MISSED_CC, django_capture_on_commit_callbacks)
    drg = score.result["drg"]
    assert (drg["key"]["drg"], drg["student"]["drg"], drg["key"]["mdc"]) == (194, 195, 4)
    assert (drg["key"]["weight"], drg["student"]["weight"]) == (0.8059, 0.6285)
    assert drg["payment_difference"] == pytest.approx((0.6285 - 0.8059) * 6500, abs=0.01)
    assert drg["changes"] == ["Missing E87.1 (a CC): DRG 194 \u2192 195."]
    assert "Missing E87.1 (a CC): DRG 194 \u2192 195." in page
    assert "Simple Pneumonia and Pleurisy with CC" in page
    assert "would be paid <strong>$1,153</strong> less than the key" in page  # (0.8059 - 0.6285) x $6,500
    assert "is an example figure" in page
    assert "E87.1 is a CC: it made DRG 194" in page


def test_the_policy_base_rate_replaces_the_example(student_client, pneumonia, django_capture_on_commit_callbacks):
    pneumonia.grading_policy = GradingPolicy.objects.create(name="Hospital A", drg_base_rate=10000)
    pneumonia.save()
    score, page = _submit_and_open(student_client, pneumonia, MISSED_CC, django_capture_on_commit_callbacks)
    assert score.result["drg"]["base_rate"] == 10000
    assert "<strong>$1,774</strong> less" in page and "set by your program" in page and "example figure" not in page


def test_outpatient_results_have_no_drg(student_client, case, django_capture_on_commit_callbacks):
    score, page = _submit_and_open(student_client, case, {"principal_code": "I21.4"}, django_capture_on_commit_callbacks)
    assert "drg" not in score.result and "data-drg" not in page


def test_the_code_editor_edits_of_the_students_claim_are_shown(
        student_client, pneumonia, django_capture_on_commit_callbacks):
    form = {**MISSED_CC, "dx_code": ["E87.1", "Z38.00"], "dx_poa": ["Y", ""]}
    score, page = _submit_and_open(student_client, pneumonia, form, django_capture_on_commit_callbacks)
    assert [e["name"] for e in score.result["drg"]["student"]["edits"]] == ["AGE_CONFLICT"]
    assert "Z38.00: conflicts with the patient&#x27;s age (Medicare Code Editor)." in page


def test_a_grouper_failure_is_a_message_not_a_500(student_client, pneumonia, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    def broken():
        raise GrouperError("the native library could not be loaded")

    monkeypatch.setattr("exercises.inpatient.services.default_grouper", broken)
    score, page = _submit_and_open(student_client, pneumonia, MISSED_CC, django_capture_on_commit_callbacks)
    assert score.score > 0  # the coding is graded as usual
    assert "The MS-DRG grouper is not available: the native library could not be loaded." in page


def test_a_year_without_weights_shows_the_drgs_without_payments(student_client, instructor,
                                                                 django_capture_on_commit_callbacks):
    case = CaseFactory(slug="fy2027-pneumonia", setting="inpatient", icd10cm_release=_release(datetime.date(2026, 10, 1)),
                       patient_age=70, patient_sex="M", author=instructor)
    make_key(case, [{"role": "principal", "code": "J189", "poa": "Y"}, {"role": "secondary", "code": "E871", "poa": "Y"}])
    score, page = _submit_and_open(student_client, case, MISSED_CC, django_capture_on_commit_callbacks)
    assert score.result["drg"]["fiscal_year"] == 2027 and score.result["drg"]["key"]["drg"] == 194
    assert "No MS-DRG relative weights are loaded for FY2027, so payments are not shown." in page


def test_the_key_review_of_an_inpatient_case_runs_the_code_editor(instructor_client, pneumonia):
    release = pneumonia.icd10cm_release
    form = {
        "title": "Newborn code on an adult", "summary": "Synthetic.", "setting": "inpatient", "specialty": "inpatient",
        "difficulty": "2", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "patient_age": "70", "patient_sex": "M", "suggested_minutes": "15", "is_published": "on",
        "doc_kind": ["discharge_summary"], "doc_title": ["Discharge"], "doc_body": ["Pneumonia."],
        "key_role": ["principal", "secondary"], "key_system": ["icd10cm", "icd10cm"], "key_code": ["J18.9", "J18.9"],
        "key_modifiers": ["", ""], "key_units": ["1", "1"], "key_points": ["1", "1"], "key_alternates": ["", ""],
        "key_optional": ["", ""], "key_rationale": ["Pneumonia.", "Again."], "key_guideline_refs": ["II", ""],
        "key_poa": ["Y", "Y"],
    }
    response = instructor_client.post("/cases/authoring/validate/", form)
    assert "J18.9: a secondary diagnosis that repeats the principal diagnosis (Medicare Code Editor)." in (
        response.content.decode())
