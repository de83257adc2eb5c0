"""A new case is pinned to the current ICD-10-PCS release as to the other code sets, through the case editor."""

from __future__ import annotations

import datetime

import pytest

from codesets.services import release_import
from exercises.models import Case
from tests.codesets.conftest import fixture_path

pytestmark = pytest.mark.django_db


def test_a_new_inpatient_case_is_pinned_to_the_current_pcs_release_and_its_key_checked_there(instructor_client, release):
    pcs = release_import(system="icd10pcs", path=fixture_path("pcs_tables_fy2026_sample.xml"), label="FY2026-sample",
                         effective_from=datetime.date(2025, 10, 1), activate=True).release
    page = instructor_client.get("/cases/new/").content.decode()
    assert "ICD-10-PCS release (inpatient)" in page
    form = {
        "title": "Appendix out", "summary": "Synthetic.", "setting": "inpatient", "specialty": "surgery",
        "difficulty": "2", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "icd10pcs_release": pcs.pk, "patient_age": "30", "patient_sex": "M", "suggested_minutes": "15",
        "is_published": "on", "doc_kind": ["discharge_summary"], "doc_title": ["Discharge"], "doc_body": ["Appendix."],
        "key_role": ["principal", "procedure"], "key_system": ["icd10cm", "icd10pcs"], "key_code": ["I10", "0DTJ3ZZ"],
        "key_modifiers": ["", ""], "key_units": ["1", "1"], "key_points": ["1", "1"], "key_alternates": ["", ""],
        "key_optional": ["", ""], "key_rationale": ["HTN.", "Appendectomy."], "key_guideline_refs": ["I.C.9.a", ""],
        "key_poa": ["Y", ""],
    }
    refused = instructor_client.post("/cases/new/", form)
    assert "0DTJ3ZZ is not a code in the pinned ICD-10-PCS release" in refused.content.decode()
    assert instructor_client.post("/cases/new/", {**form, "key_code": ["I10", "0DTJ4ZZ"]}).status_code == 302
    assert Case.objects.get(title="Appendix out").icd10pcs_release == pcs
