"""The student path end to end through real HTTP (tasks run eagerly in tests)."""

from __future__ import annotations

import pytest

from exercises.models import Submission, SubmissionScore

pytestmark = pytest.mark.django_db


def test_student_codes_a_case_and_sees_the_score(student_client, student, case, cohort, django_capture_on_commit_callbacks):
    page = student_client.get("/cases/chest-pain/")
    assert page.status_code == 200
    assert student_client.post("/cases/chest-pain/draft/", {"principal_code": "i21.4"}).status_code == 200  # autosave
    draft = Submission.objects.get(student=student, case=case, status="draft")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = student_client.post("/cases/chest-pain/submit/", {
            "draft_id": draft.pk, "principal_code": "i21.4", "dx_code": ["E11.65", "I10"],
            "px_system": ["cpt"], "px_code": ["93458"], "px_modifiers": ["26"], "px_units": ["1"],
        })
    assert len(callbacks) >= 1
    assert response.status_code == 302
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.status == "scored"
    score = SubmissionScore.objects.get(submission=submission)
    assert score.score == 100.0
    detail = student_client.get(response["Location"])
    assert b"100.0%" in detail.content
