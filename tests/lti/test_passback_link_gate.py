"""Scores look for gradebook cells only once some account is linked to an LMS, and a new link is seen at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exercises.models import SubmissionScore
from exercises.services import submission_submit
from lti.models import UserLink
from lti.services.passback import any_link_changed, any_student_linked
from tests.exercises.conftest import PERFECT, _no_readiness_rollups, case, release  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    any_link_changed(linked=None)  # an earlier test's links were rolled back, its cached answer was not


def _submit(user, case, capture):
    with capture(execute=True):
        submission, _ = submission_submit(student=user, case=case, lines=PERFECT)
    return SubmissionScore.objects.get(submission=submission, is_current=True)


def test_without_any_linked_account_the_answer_is_remembered_and_costs_no_query(student, case):
    assert any_student_linked() is False
    with CaptureQueriesContext(connection) as queries:
        assert any_student_linked() is False
    assert len(queries) == 0


def test_a_link_made_after_no_link_was_remembered_gets_its_scores_to_the_gradebook(
        lms, registration, course, learner, student, case, launch_flow, django_capture_on_commit_callbacks):
    _submit(student, case, django_capture_on_commit_callbacks)  # no LMS knows anyone yet: remembered
    assert any_student_linked() is False

    item = lms.add_line_item(course, label="Chest pain admission", resource_id="case:chest-pain",
                             resource_link_id="link-case")
    course.resource_links["link-case"] = {"title": "Chest pain admission", "custom": {"codewise_item": "case:chest-pain"},
                                          "lineitem": item["id"]}
    assert launch_flow().run(user=learner, course=course, resource_link_id="link-case").status_code == 302
    linked = UserLink.objects.get(subject=learner.sub).user
    assert any_student_linked() is True

    score = _submit(linked, case, django_capture_on_commit_callbacks)
    assert [s["scoreGiven"] for s in lms.scores_for(course, learner)] == [pytest.approx(score.final_score)]


def test_deleting_the_last_link_is_noticed(lms, registration, course, learner, launch_flow):
    lms.add_line_item(course, label="Chest pain admission", resource_id="case:chest-pain", resource_link_id="link-case")
    course.resource_links["link-case"] = {"title": "Chest pain admission", "custom": {"codewise_item": "case:chest-pain"}}
    launch_flow().run(user=learner, course=course, resource_link_id="link-case")
    assert any_student_linked() is True

    UserLink.objects.get(subject=learner.sub).delete()
    assert any_student_linked() is False
