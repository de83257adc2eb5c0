"""POA indicators end to end: the workspace asks for them on inpatient cases only, the submit keeps them, the grade
and the result page show them, the case editor saves them, and the demo inpatient keys carry them (real HTTP)."""

from __future__ import annotations

import pytest
import yaml

from exercises.demo import DATA_DIR
from exercises.grading.poa import VALUES, is_exempt
from exercises.models import Case, Submission, SubmissionScore
from tests.factories import CodeFactory

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def inpatient_case(release, instructor):
    CodeFactory(release=release, code="E871", long_title="Hypo-osmolality and hyponatremia", billable=True, kind="code")
    case = CaseFactory(title="Admission for high sugar", slug="inpatient-sugar", setting="inpatient",
                       icd10cm_release=release, patient_age=60, patient_sex="M", author=instructor)
    make_key(case, [
        {"role": "principal", "code": "E1165", "poa": "Y"},
        {"role": "secondary", "code": "E871", "poa": "N"},
        {"role": "secondary", "code": "Z794", "poa": "1"},
    ])
    return case


def _submit(client, case, form):
    client.post(f"/cases/{case.slug}/draft/", {})
    draft = Submission.objects.get(case=case, status="draft")
    return client.post(f"/cases/{case.slug}/submit/", {**form, "draft_id": draft.pk})


def test_the_workspace_asks_for_poa_on_inpatient_cases_only(student_client, inpatient_case, case):
    inpatient = student_client.get(f"/cases/{inpatient_case.slug}/").content.decode()
    assert 'name="principal_poa"' in inpatient and 'name="dx_poa"' in inpatient
    assert "Appendix I" in inpatient
    outpatient = student_client.get(f"/cases/{case.slug}/").content.decode()
    assert "principal_poa" not in outpatient and "dx_poa" not in outpatient


def test_a_wrong_poa_costs_its_share_and_the_result_page_names_it(student_client, student, inpatient_case,
                                                                  django_capture_on_commit_callbacks):
    form = {"principal_code": "E11.65", "principal_poa": "Y", "dx_code": ["E87.1", "Z79.4"], "dx_poa": ["Y", ""]}
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(student_client, inpatient_case, form)
    assert response.status_code == 302
    submission = Submission.objects.get(case=inpatient_case, student=student)
    assert [line.get("poa") for line in submission.lines] == ["Y", "Y", None]
    score = SubmissionScore.objects.get(submission=submission)
    assert score.score == pytest.approx(100 * 2.75 / 3, abs=0.01)  # default poa_credit 0.25 of one line
    page = student_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    assert "POA: you entered Y (present at the time of inpatient admission); the key has N" in page
    assert "data-key-poa" in page


def test_an_unknown_poa_value_is_refused_with_a_message(student_client, inpatient_case):
    response = _submit(student_client, inpatient_case, {"principal_code": "E11.65", "principal_poa": "X"})
    assert response.status_code == 302
    assert not Submission.objects.filter(case=inpatient_case).exclude(status="draft").exists()
    page = student_client.get(response["Location"]).content.decode()
    assert "POA indicator is Y, N, U, W or 1" in page


def test_the_case_editor_saves_poa_and_warns_about_an_exempt_code_with_an_indicator(instructor_client, release):
    form = {
        "title": "Admission", "summary": "Synthetic.", "setting": "inpatient", "specialty": "inpatient",
        "difficulty": "2", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "patient_age": "60", "patient_sex": "M", "suggested_minutes": "15", "is_published": "on",
        "doc_kind": ["discharge_summary"], "doc_title": ["Discharge"], "doc_body": ["Diabetes with hyperglycemia."],
        "key_role": ["principal", "secondary"], "key_system": ["icd10cm", "icd10cm"], "key_code": ["E11.65", "Z79.4"],
        "key_modifiers": ["", ""], "key_units": ["1", "1"], "key_points": ["1", "1"], "key_alternates": ["", ""],
        "key_optional": ["", ""], "key_rationale": ["Hyperglycemia.", "Insulin."], "key_guideline_refs": ["I.C.4.a", ""],
        "key_poa": ["y", "Y"],
    }
    assert instructor_client.post("/cases/new/", form).status_code == 302
    case = Case.objects.get(title="Admission")
    assert [line.poa for line in case.answer_keys.get().lines.all()] == ["Y", "Y"]
    page = instructor_client.get(f"/cases/{case.slug}/edit/").content.decode()
    assert "Z79.4 is on the POA exempt list" in page


def test_every_demo_inpatient_diagnosis_carries_a_poa_that_agrees_with_the_exempt_list():
    checked = 0
    for path in sorted(DATA_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if case.get("setting") != "inpatient":
                continue
            for line in case["key"]:
                if line.get("role", "secondary") not in ("principal", "secondary"):
                    continue
                code = str(line["code"]).replace(".", "")
                poa = str(line.get("poa", ""))
                assert poa in VALUES, f"{case['slug']}: {line['code']} has no POA indicator"
                assert (poa == "1") == is_exempt(code), f"{case['slug']}: {line['code']} POA {poa}"
                checked += 1
    assert checked >= 20
