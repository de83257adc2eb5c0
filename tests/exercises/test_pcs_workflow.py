"""ICD-10-PCS lines in an inpatient case, end to end over real HTTP: the workspace offers them, the answer keeps
them, the result names the wrong axis with the labels of the pinned release's tables, and a partial demo release
never calls a valid code invalid."""

from __future__ import annotations

import pytest

from codesets.models import CodeSetRelease
from exercises.models import Submission, SubmissionScore
from tests.codesets.conftest import import_pcs_sample

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcs_release(db):
    return import_pcs_sample()


@pytest.fixture
def appendectomy(release, pcs_release, instructor):
    case = CaseFactory(title="Right lower quadrant pain", slug="appendix-admission", setting="inpatient",
                       icd10cm_release=release, icd10pcs_release=pcs_release, patient_age=30, patient_sex="M",
                       author=instructor)
    make_key(case, [
        {"role": "principal", "code": "I10", "poa": "Y"},
        {"role": "procedure", "system": "icd10pcs", "code": "0DTJ4ZZ"},
    ])
    return case


def _submit(client, case, form, capture):
    client.post(f"/cases/{case.slug}/draft/", {})
    draft = Submission.objects.get(case=case, status="draft")
    with capture(execute=True):
        client.post(f"/cases/{case.slug}/submit/", {**form, "draft_id": draft.pk})
    draft.refresh_from_db()
    return draft, SubmissionScore.objects.get(submission=draft)


FORM = {"principal_code": "I10", "principal_poa": "Y", "px_system": ["icd10pcs"], "px_code": ["0DTJ0ZZ"],
        "px_modifiers": [""], "px_units": ["1"]}


def test_the_workspace_offers_icd10pcs_on_inpatient_cases(student_client, appendectomy, case):
    assert '<option value="icd10pcs"' in student_client.get(f"/cases/{appendectomy.slug}/").content.decode()
    assert '<option value="icd10pcs"' not in student_client.get(f"/cases/{case.slug}/").content.decode()


def test_a_wrong_approach_is_named_with_the_table_labels(student_client, appendectomy,
                                                          django_capture_on_commit_callbacks):
    draft, score = _submit(student_client, appendectomy, FORM, django_capture_on_commit_callbacks)
    assert draft.lines[1] == {"role": "procedure", "system": "icd10pcs", "code": "0DTJ0ZZ", "modifiers": [], "units": 1}
    line = next(f for f in score.result["findings"] if f["system"] == "icd10pcs")
    assert line["credit"] == pytest.approx(0.9)
    page = student_client.get(f"/cases/submissions/{draft.pk}/").content.decode()
    assert "Approach (5th character): you chose Open (0); the key has Percutaneous Endoscopic (4)." in page


def test_a_code_missing_from_a_partial_demo_release_is_not_called_invalid(
        student_client, appendectomy, pcs_release, django_capture_on_commit_callbacks):
    form = {**FORM, "px_code": ["0DTJ8ZZ"]}  # not in the sample tables
    _, score = _submit(student_client, appendectomy, form, django_capture_on_commit_callbacks)
    assert [c["kind"] for c in score.result["checks"]] == ["invalid_code"]
    CodeSetRelease.objects.filter(pk=pcs_release.pk).update(source_files={**pcs_release.source_files,
                                                                           "complete": False})
    student_client.post(f"/cases/{appendectomy.slug}/draft/", {})
    _, partial = _submit(student_client, appendectomy, form, django_capture_on_commit_callbacks)
    assert partial.result["checks"] == []


def test_a_pcs_code_of_the_wrong_shape_is_refused_with_a_message(student_client, appendectomy):
    student_client.post(f"/cases/{appendectomy.slug}/draft/", {})
    draft = Submission.objects.get(case=appendectomy, status="draft")
    response = student_client.post(f"/cases/{appendectomy.slug}/submit/",
                                   {**FORM, "px_code": ["0DTJ4Z"], "draft_id": draft.pk}, follow=True)
    assert "an ICD-10-PCS code is 7 characters" in response.content.decode()


def test_the_cases_policy_sets_the_axis_weights(student_client, appendectomy, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from exercises.models import GradingPolicy

    policy = GradingPolicy(name="Approach matters", pcs_axis_weights=[0, 0, 0.2, 0.2, 0.6, 0, 0])
    policy.full_clean()
    policy.save()
    appendectomy.grading_policy = policy
    appendectomy.save()
    _, score = _submit(student_client, appendectomy, FORM, django_capture_on_commit_callbacks)
    line = next(f for f in score.result["findings"] if f["system"] == "icd10pcs")
    assert line["credit"] == pytest.approx(0.4)
    with pytest.raises(ValidationError, match="add up to 1"):
        GradingPolicy(name="Bad", pcs_axis_weights=[0.5] * 7).full_clean()
