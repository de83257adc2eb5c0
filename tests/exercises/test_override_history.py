"""The grade history shows the numbers of each override ("25% → 50%"), not only the verdicts."""

from __future__ import annotations

import re

import pytest

from exercises.services import submission_score, submission_submit
from exercises.templatetags.override_history import override_summary_text

pytestmark = pytest.mark.django_db

LINES = [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.9"},
         {"role": "secondary", "code": "I10"}, {"role": "procedure", "system": "cpt", "code": "93458"}]


@pytest.fixture
def scored(student, case, cohort):
    submission, _ = submission_submit(student=student, case=case, lines=LINES)
    submission_score(submission_id=submission.pk)
    return submission


def test_override_history_shows_the_numbers():
    assert override_summary_text(line_index=1, before={"verdict": "partial", "credit": 0.25, "final_score": 62.5},
                                 after={"verdict": "partial", "credit": 0.5, "final_score": 75.0}) == \
        "line 2: 25% → 50% credit; total 62.5% → 75%"
    assert override_summary_text(line_index=0, before={"verdict": "wrong", "credit": 0.0, "final_score": 50.0},
                                 after={"verdict": "correct", "credit": 1.0, "final_score": 100.0}) == \
        "line 1: 0% → 100% credit (wrong → correct); total 50% → 100%"
    assert override_summary_text(line_index=None, before={"final_score": 66.67}, after={"final_score": 80}) == \
        "total 66.7% → 80%"


def test_the_result_page_history_reads_in_numbers(instructor_client, student_client, scored):
    first = scored
    score = first.scores.get(is_current=True)
    index = next(i for i, f in enumerate(score.result["findings"]) if f["key_code"] == "E1165")
    instructor_client.post(f"/cases/scores/{score.pk}/override-line/",
                           {"line_index": index, "credit": "1", "reason": "Chart supports it."})
    page = student_client.get(f"/cases/submissions/{first.pk}/").content.decode()
    change = re.search(r"<span data-override-change>([^<]+)</span>", page).group(1)
    assert re.fullmatch(rf"line {index + 1}: \d+% → 100% credit \(partial → correct\); total [\d.]+% → [\d.]+%", change)
