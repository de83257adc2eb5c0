"""ICD-10-PCS guideline checks on key lines and student lines: each check on facts from a release imported through
the CMS-format importer, then in key validation (the case editor) and in a student's feedback (real HTTP)."""

from __future__ import annotations

import datetime

import pytest

from codesets import pcs_demo
from codesets.models import CodeSetRelease
from codesets.services import release_import
from exercises.grading.pcs_checks import pcs_guideline_checks
from exercises.models import Case, Submission, SubmissionScore
from exercises.oracle import facts_for_release_id, pcs_unchecked_facts
from tests.codesets.test_pcs_demo import EXCISION, RESECTION, make_coder_database

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db

INSPECTION = "Inspection: Visually and/or manually exploring a body part"
DILATION = "Dilation: Expanding an orifice or the lumen of a tubular body part"
REPLACEMENT = "Replacement: Putting in or on biological or synthetic material that physically takes the place and/or " \
              "function of all or a portion of a body part"
PCS = "Via Natural or Artificial Opening Endoscopic"
TREE = [
    ("0DTJ4ZZ", RESECTION, "Appendix", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
    ("0DTJ0ZZ", RESECTION, "Appendix", "Open", "No Device", "No Qualifier"),
    ("0DJD8ZZ", INSPECTION, "Lower Intestinal Tract", PCS, "No Device", "No Qualifier"),
    ("0DJD0ZZ", INSPECTION, "Lower Intestinal Tract", "Open", "No Device", "No Qualifier"),
    ("0DBE8ZX", EXCISION, "Large Intestine", PCS, "No Device", "Diagnostic"),
    ("0DBE0ZX", EXCISION, "Large Intestine", "Open", "No Device", "Diagnostic"),
]
HEART = [
    ("02703DZ", DILATION, "Coronary Artery, One Artery", "Percutaneous", "Intraluminal Device", "No Qualifier"),
    ("02713DZ", DILATION, "Coronary Artery, Two Arteries", "Percutaneous", "Intraluminal Device", "No Qualifier"),
    ("02703ZZ", DILATION, "Coronary Artery, One Artery", "Percutaneous", "No Device", "No Qualifier"),
]
GYN = [
    ("0UT54ZZ", RESECTION, "Fallopian Tube, Right", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
    ("0UT64ZZ", RESECTION, "Fallopian Tube, Left", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
    ("0UT74ZZ", RESECTION, "Fallopian Tubes, Bilateral", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
]
JOINTS = [
    ("0SRC0JZ", REPLACEMENT, "Knee Joint, Right", "Open", "Synthetic Substitute", "No Qualifier"),
    ("0SRD0JZ", REPLACEMENT, "Knee Joint, Left", "Open", "Synthetic Substitute", "No Qualifier"),
]


@pytest.fixture
def pcs_release(tmp_path, db):
    import sqlite3

    database = make_coder_database(tmp_path / "pcs.db", TREE)
    systems = {"02": "Heart and Great Vessels", "0U": "Female Reproductive System", "0S": "Lower Joints"}
    with sqlite3.connect(database) as db_:
        for code, operation, body_part, approach, device, qualifier in HEART + GYN + JOINTS:
            db_.execute(f"insert into pcs_tree values ({', '.join('?' * 15)})",
                        (*code, code, "Medical and Surgical", systems[code[:2]], operation, body_part, approach,
                         device, qualifier))
    tables, order, _ = pcs_demo.demo_files(tmp_path / "files", database=database)
    return release_import(system="icd10pcs", path=tables, order_path=order, label="checks",
                          effective_from=datetime.date(2024, 10, 1), activate=True).release


def _checks(release, codes):
    facts = facts_for_release_id(release.pk, "icd10pcs", codes)
    lacking = [code for code in codes if code not in facts]
    facts.update(pcs_unchecked_facts(release.pk, lacking))
    return {check.kind: (indexes, check) for indexes, check in pcs_guideline_checks(list(enumerate(codes)), facts)}


def test_the_same_code_twice_asks_for_b32(pcs_release):
    found = _checks(pcs_release, ["0DTJ4ZZ", "0DTJ4ZZ"])
    indexes, check = found["pcs_duplicate"]
    assert indexes == (0, 1) and check.guideline == "ICD-10-PCS B3.2b"
    assert _checks(pcs_release, ["0DTJ4ZZ", "0DTJ0ZZ"]) == {}


def test_an_inspection_with_a_procedure_by_the_same_approach_is_flagged_and_by_another_is_not(pcs_release):
    indexes, check = _checks(pcs_release, ["0DJD8ZZ", "0DBE8ZX"])["pcs_inspection"]
    assert indexes == (0, 1) and "B3.11a" in check.guideline
    assert "Inspection of Lower Intestinal Tract" in check.message and "Excision of Large Intestine" in check.message
    assert "if the inspection was done to achieve that procedure" in check.message  # another body part: it asks
    assert "pcs_inspection" not in _checks(pcs_release, ["0DJD8ZZ", "0DBE0ZX"])  # B3.11c: another approach
    same_part = _checks(pcs_release, ["0DJD0ZZ", "0DTJ0ZZ"])  # Lower Intestinal Tract D, Appendix J: asks
    assert "if the inspection" in same_part["pcs_inspection"][1].message


def test_two_coronary_lines_of_one_procedure_make_one_code_with_the_number_of_arteries(pcs_release):
    indexes, check = _checks(pcs_release, ["02703DZ", "02713DZ"])["pcs_coronary_arteries"]
    assert check.guideline == "ICD-10-PCS B4.4" and "02723DZ" in check.message  # 1 + 2 arteries: three
    assert "pcs_coronary_arteries" not in _checks(pcs_release, ["02703DZ", "02703ZZ"])  # another device: two codes


def test_right_and_left_with_a_bilateral_value_make_one_code_and_without_one_two(pcs_release):
    indexes, check = _checks(pcs_release, ["0UT54ZZ", "0UT64ZZ"])["pcs_bilateral"]
    assert check.guideline == "ICD-10-PCS B4.3" and "0UT74ZZ" in check.message
    assert _checks(pcs_release, ["0SRC0JZ", "0SRD0JZ"]) == {}  # both knees: no bilateral value, coded twice


def test_a_value_its_table_does_not_allow_is_named_in_a_partial_release(pcs_release):
    CodeSetRelease.objects.filter(pk=pcs_release.pk).update(source_files={"complete": False})
    indexes, check = _checks(pcs_release, ["0DTJ43Z"])["pcs_value_not_in_table"]
    assert "Device 3 (6th character)" in check.message and "Appendix (J), Percutaneous Endoscopic (4)" in check.message
    assert "not marked wrong" in check.message and check.guideline == "ICD-10-PCS A9"


def _form(pcs_release, release, codes):
    n = len(codes) + 1
    return {
        "title": "Colon admission", "summary": "Synthetic.", "setting": "inpatient", "specialty": "gastroenterology",
        "difficulty": "2", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "icd10pcs_release": pcs_release.pk, "patient_age": "60", "patient_sex": "F", "suggested_minutes": "15",
        "is_published": "on", "doc_kind": ["discharge_summary"], "doc_title": ["Discharge"], "doc_body": ["Colon."],
        "key_role": ["principal"] + ["procedure"] * len(codes), "key_system": ["icd10cm"] + ["icd10pcs"] * len(codes),
        "key_code": ["I10", *codes], "key_modifiers": [""] * n, "key_units": ["1"] * n, "key_points": ["1"] * n,
        "key_alternates": [""] * n, "key_optional": [""] * n, "key_rationale": ["HTN."] + ["Procedure."] * len(codes),
        "key_guideline_refs": ["I.C.9.a"] + [""] * len(codes), "key_poa": ["Y"] + [""] * len(codes),
    }


def test_key_validation_shows_the_pcs_warnings_without_blocking(instructor_client, release, pcs_release):
    response = instructor_client.post("/cases/new/", _form(pcs_release, release, ["0DJD8ZZ", "0DBE8ZX"]))
    assert response.status_code == 302
    case = Case.objects.get(title="Colon admission")
    page = instructor_client.get(f"/cases/{case.slug}/edit/").content.decode()
    assert "0DJD8ZZ (Inspection of Lower Intestinal Tract) is coded with 0DBE8ZX (Excision of Large Intestine)" in page
    assert "B3.11a" in page


def test_the_feedback_of_a_student_line_carries_the_check(student_client, release, pcs_release, instructor,
                                                          django_capture_on_commit_callbacks):
    case = CaseFactory(title="Coronary", slug="coronary-pcs", setting="inpatient", icd10cm_release=release,
                       icd10pcs_release=pcs_release, patient_age=60, patient_sex="M", author=instructor)
    make_key(case, [{"role": "principal", "code": "I10", "poa": "Y"},
                    {"role": "procedure", "system": "icd10pcs", "code": "02713DZ"}])
    student_client.post(f"/cases/{case.slug}/draft/", {})
    draft = Submission.objects.get(case=case, status="draft")
    form = {"principal_code": "I10", "principal_poa": "Y", "px_system": ["icd10pcs", "icd10pcs"],
            "px_code": ["02703DZ", "02713DZ"], "px_modifiers": ["", ""], "px_units": ["1", "1"], "draft_id": draft.pk}
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(f"/cases/{case.slug}/submit/", form)
    score = SubmissionScore.objects.get(submission=draft)
    assert score.result["checks"] == []  # advice on the lines, not a scored violation
    page = student_client.get(f"/cases/submissions/{draft.pk}/").content.decode()
    assert "02703DZ, 02713DZ are the same procedure on coronary arteries" in page and "B4.4" in page


def test_an_inspection_of_the_same_body_part_is_named_outright_even_without_table_labels():
    found = pcs_guideline_checks([(0, "0DJD8ZZ"), (1, "0DPD8UZ")], {})
    (indexes, check), = found
    assert check.kind == "pcs_inspection" and indexes == (0, 1)
    assert "of the same body part by the same approach (8)" in check.message and "if the" not in check.message


def test_codes_of_the_wrong_length_are_left_to_the_validity_check():
    assert pcs_guideline_checks([(0, "0DTJ4Z"), (1, "0DTJ4Z")], {}) == []
