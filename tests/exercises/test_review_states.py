"""The review queue's states: a scored submission needs review until an instructor marks it reviewed;
the queue filters by state with counts."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditEvent
from exercises.models import Submission
from exercises.services import submission_score, submission_submit

pytestmark = pytest.mark.django_db

LINES = [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.9"},
         {"role": "secondary", "code": "I10"}, {"role": "procedure", "system": "cpt", "code": "93458"}]


@pytest.fixture
def two_scored(student, case, cohort):
    from tests.factories import StudentFactory

    classmate = StudentFactory(username="classmate", display_name="Cleo Classmate")
    cohort.memberships.create(student=classmate)
    scored = []
    for who in (student, classmate):
        submission, _ = submission_submit(student=who, case=case, lines=LINES)
        submission_score(submission_id=submission.pk)
        scored.append(submission)
    return scored


def tab_count(html: str, tab: str) -> int:
    match = re.search(rf'data-review-tab="{tab}">[^<]+<span class="badge [^"]+">(\d+)</span>', html)
    assert match, tab
    return int(match.group(1))


def test_marking_reviewed_moves_a_submission_between_the_tabs(instructor_client, two_scored):
    first, second = two_scored
    html = instructor_client.get("/cases/review/").content.decode()
    assert (tab_count(html, "all"), tab_count(html, "needs_review"), tab_count(html, "reviewed")) == (2, 2, 0)
    assert html.count("needs review</span>") == 2

    response = instructor_client.post(f"/cases/submissions/{first.pk}/review-state/", {"reviewed": "1"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.reviewed_at is not None and first.reviewed_by.username == "instructor"
    assert AuditEvent.objects.filter(action="exercises.submission_reviewed", target_id=str(first.pk)).count() == 1

    needs = instructor_client.get("/cases/review/?review=needs_review").content.decode()
    assert (tab_count(needs, "needs_review"), tab_count(needs, "reviewed")) == (1, 1)
    assert "Cleo Classmate" in needs and "Sam Student" not in needs
    assert 'aria-current="page" data-review-tab="needs_review"' in needs
    done = instructor_client.get("/cases/review/?review=reviewed").content.decode()
    assert "Sam Student" in done and "Cleo Classmate" not in done and "Ivy Instructor" in done

    instructor_client.post(f"/cases/submissions/{first.pk}/review-state/", {"reviewed": "0"})
    first.refresh_from_db()
    assert first.reviewed_at is None


def test_the_submission_page_offers_the_mark_and_says_who_reviewed(instructor_client, two_scored):
    first, _ = two_scored
    page = instructor_client.get(f"/cases/submissions/{first.pk}/").content.decode()
    assert "Needs review" in page and "Mark reviewed" in page
    instructor_client.post(f"/cases/submissions/{first.pk}/review-state/", {"reviewed": "1"})
    page = instructor_client.get(f"/cases/submissions/{first.pk}/").content.decode()
    assert "Reviewed</span> by Ivy Instructor" in page and "Back to needs review" in page


def test_outsiders_and_students_cannot_mark(two_scored, other_instructor_client, student_client, other_student_client):
    first, second = two_scored
    for client, submission in ((other_instructor_client, first), (student_client, second),
                               (student_client, first), (other_student_client, first)):
        response = client.post(f"/cases/submissions/{submission.pk}/review-state/", {"reviewed": "1"})
        assert response.status_code in (403, 404)
    assert not Submission.objects.filter(reviewed_at__isnull=False).exists()
