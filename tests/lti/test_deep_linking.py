"""Deep linking: an instructor places a case, an exam and a lesson in the course; the LMS checks the
signed answer, makes a gradebook column for each graded item, and a learner's launch of the case
placement opens the case and feeds that column."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from exercises.models import SubmissionScore
from exercises.services import submission_submit
from lti.models import LineItem, ResourceLink, UserLink
from tests.certification.conftest import bank, short_blueprint  # noqa: F401
from tests.exercises.conftest import PERFECT, _no_readiness_rollups, case, release  # noqa: F401
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(db):
    from courses.models import Lesson, Module, Program

    program = Program.objects.create(slug="cpc-prep", title="CPC preparation")
    module = Module.objects.create(program=program, slug="icd10cm-conventions", title="ICD-10-CM conventions")
    return Lesson.objects.create(module=module, slug="excludes-notes", title="Excludes notes")


def _picker(lms, course, teacher, launch_flow):
    flow = launch_flow()
    response = flow.run(user=teacher, course=course, message_type="LtiDeepLinkingRequest")
    assert response.status_code == 302 and response["Location"] == "/lti/deep-link/"
    return flow


def test_an_instructor_places_items_and_the_lms_makes_a_column_per_graded_item(
        lms, registration, course, teacher, learner, case, short_blueprint, lesson, launch_flow,
        django_capture_on_commit_callbacks):
    flow = _picker(lms, course, teacher, launch_flow)
    page = flow.client.get("/lti/deep-link/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chest pain admission" in text and short_blueprint.name in text and "Excludes notes" in text

    answer = flow.client.post("/lti/deep-link/", {"item": ["case:chest-pain", f"exam:{short_blueprint.slug}",
                                                           f"lesson:{lesson.pk}"]})
    assert answer.status_code == 200
    return_url = f"{lms.url}/courses/{course.context_id}/deep_link_return"
    assert f'action="{return_url}"' in answer.content.decode()
    assert f"form-action 'self' {lms.url}" in answer["Content-Security-Policy"]
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', answer.content.decode()).group(1))

    # The browser posts the answer to the LMS, which checks it against Codewise's key set.
    accepted = requests.post(return_url, data={"JWT": token}, timeout=5)
    assert accepted.status_code == 200, accepted.text
    claims = lms.deep_link_responses[-1]["claims"]
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"]["codewise_item"] for i in items] == ["case:chest-pain", f"exam:{short_blueprint.slug}",
                                                              f"lesson:{lesson.pk}"]
    assert [bool(i.get("lineItem")) for i in items] == [True, True, False]
    assert sorted(li["resourceId"] for li in course.line_items.values()) == sorted(
        ["case:chest-pain", f"exam:{short_blueprint.slug}"])
    assert sorted(LineItem.objects.values_list("target_kind", flat=True)) == ["case", "exam"]
    # The picker is used up: a second answer needs a new request from the LMS.
    assert flow.client.post("/lti/deep-link/", {"item": ["case:chest-pain"]}).status_code == 400

    # A learner opens the case placement: the case's workspace, and its score feeds the new column.
    case_link = next(link_id for link_id, link in course.resource_links.items()
                     if link["custom"]["codewise_item"] == "case:chest-pain")
    learner_flow = launch_flow()
    response = learner_flow.run(user=learner, course=course, resource_link_id=case_link)
    placement = learner_flow.client.get(response["Location"])
    assert placement.status_code == 302 and placement["Location"] == "/cases/chest-pain/"
    line_item = LineItem.objects.get(target_kind="case")
    assert line_item.url == course.resource_links[case_link]["lineitem"]
    assert ResourceLink.objects.get(resource_link_id=case_link).line_item == line_item

    user = UserLink.objects.get(subject=learner.sub).user
    with django_capture_on_commit_callbacks(execute=True):
        submission, _ = submission_submit(student=user, case=case, lines=PERFECT)
    sent = lms.scores_for(course, learner)
    assert [s["scoreGiven"] for s in sent] == [pytest.approx(SubmissionScore.objects.get(submission=submission).final_score)]
    assert sent[0]["lineItem"] == line_item.url.rsplit("/", 1)[1]


def test_an_exam_placement_offers_to_start_the_exam(lms, registration, course, learner, short_blueprint, launch_flow):
    course.resource_links["link-exam"] = {"title": "Midterm practice", "custom": {"codewise_item": f"exam:{short_blueprint.slug}"}}
    flow = launch_flow()
    response = flow.run(user=learner, course=course, resource_link_id="link-exam")
    page = flow.client.get(response["Location"])
    assert page.status_code == 200
    assert f'action="/exams/blueprints/{short_blueprint.pk}/start/"' in page.content.decode()


def test_a_learner_cannot_open_the_picker(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    flow.run(user=learner, course=course, message_type="LtiDeepLinkingRequest")
    assert flow.client.get("/lti/deep-link/").status_code == 403


def test_a_placement_of_another_course_is_hidden(lms, registration, course, learner, launch_flow, other_student_client):
    course.resource_links["link-x"] = {"title": "Case", "custom": {"codewise_item": "case:chest-pain"}}
    launch_flow().run(user=learner, course=course, resource_link_id="link-x")
    link = ResourceLink.objects.get()
    CohortFactory(name="Unrelated")
    assert other_student_client.get(f"/lti/placements/{link.pk}/").status_code == 404
