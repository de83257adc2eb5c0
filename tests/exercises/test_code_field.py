"""The workspace code boxes: words are a search, only codes are stored, a clear message otherwise."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from exercises.models import Submission

pytestmark = pytest.mark.django_db

GOOD = {"principal_code": "I21.4", "px_system": ["cpt"], "px_code": ["93458"], "px_modifiers": ["26"], "px_units": ["1"]}


def test_the_code_boxes_take_whole_searches(student_client, case):
    body = student_client.get(f"/cases/{case.slug}/").content.decode()
    boxes = re.findall(r"<input[^>]*data-code-input[^>]*>", body, re.S)
    assert len(boxes) >= 4  # principal, a secondary row, a procedure row, and the row templates
    for box in boxes:
        length = re.search(r'maxlength="(\d+)"', box)
        assert length and int(length.group(1)) >= 200, box


@pytest.mark.parametrize("typed", ["diabetes hyperglycemia", "diabetes h", "hyperglycemia"])
def test_words_left_in_a_code_box_are_refused_with_a_clear_message(student_client, student, case, typed):
    response = student_client.post(f"/cases/{case.slug}/submit/", {**GOOD, "dx_code": ["E11.65", typed]}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"\u201c{typed}\u201d is not a code: words search the code set; choose a code from the list" in body
    assert not Submission.objects.filter(student=student).exclude(status="draft").exists()


@pytest.mark.parametrize("field, typed, hint", [
    ("dx_code", "E1", "an ICD-10-CM code is a letter, a digit"),
    ("dx_code", "99214", "an ICD-10-CM code is a letter, a digit"),
    ("px_code", "9921", "a CPT code is four digits"),
    ("px_code", "I10", "a CPT code is four digits"),
])
def test_a_code_of_the_wrong_shape_is_refused(student_client, student, case, field, typed, hint):
    form = {**GOOD, "dx_code": ["E11.65"]}
    form[field] = [typed]
    response = student_client.post(f"/cases/{case.slug}/submit/", form, follow=True)
    assert response.status_code == 200
    assert f"\u201c{typed}\u201d is not a code: {hint}" in response.content.decode()
    assert not Submission.objects.filter(student=student).exclude(status="draft").exists()


def test_hcpcs_codes_are_welcome_in_a_procedure_row(student_client, student, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(f"/cases/{case.slug}/submit/", {
            **GOOD, "dx_code": ["E11.65", "I10"], "px_system": ["cpt", "hcpcs"], "px_code": ["93458", "J1100"],
            "px_modifiers": ["26", ""], "px_units": ["1", "1"]})
    assert response.status_code == 302
    submission = Submission.objects.get(student=student, status="scored")
    assert {"system": "hcpcs", "code": "J1100"}.items() <= submission.lines[-1].items()


def test_the_api_refuses_words_with_a_400_and_the_message(student, case):
    client = APIClient()
    client.force_login(student)
    response = client.post(f"/api/v1/cases/{case.slug}/submissions/", {"lines": [
        {"role": "principal", "system": "icd10cm", "code": "I21.4"},
        {"role": "secondary", "system": "icd10cm", "code": "diabetes hyper"},
    ]}, format="json")
    assert response.status_code == 400
    assert "is not a code: words search the code set" in response.content.decode()


def test_a_draft_keeps_a_half_typed_code_but_not_search_words(student_client, student, case):
    response = student_client.post(f"/cases/{case.slug}/draft/", {
        "principal_code": "I2", "dx_code": ["diabetes hyper", "E11.6"], "px_system": ["cpt"], "px_code": ["934"],
        "px_modifiers": [""], "px_units": ["1"]})
    assert response.status_code == 200 and b"Draft saved" in response.content
    draft = Submission.objects.get(student=student, status="draft")
    assert [line["code"] for line in draft.lines] == ["I2", "E116", "934"]
