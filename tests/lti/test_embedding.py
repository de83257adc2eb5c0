"""Framing and cookies: only LTI pages are frameable, only by their platform; only LTI sessions get
SameSite=None cookies; every other page keeps today's strict headers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.exercises.conftest import _no_readiness_rollups, case, release  # noqa: F401
from tests.lti.platform import TestPlatform

pytestmark = pytest.mark.django_db


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


@pytest.fixture
def lms():
    """The LMS knows Codewise as http://localhost (development), where Secure cookies are allowed."""
    platform = TestPlatform(tool_launch_url="http://localhost/lti/launch/", tool_login_url="http://localhost/lti/login/")
    yield platform.start()
    platform.stop()


@pytest.fixture
def embedded(lms, registration, course, learner, case, launch_flow):
    course.resource_links["link-case"] = {"title": "Chest pain", "custom": {"codewise_item": "case:chest-pain"}}
    flow = launch_flow(Client(HTTP_HOST="localhost"))
    response = flow.run(user=learner, course=course, resource_link_id="link-case")
    return flow, response


def test_the_login_and_launch_pages_may_be_framed_by_their_platform_only(lms, registration, course, learner,
                                                                         launch_flow):
    flow = launch_flow(Client(HTTP_HOST="localhost"))
    login = flow.login(lms.login_params(user=learner, course=course))
    assert _frame_ancestors(login) == f"frame-ancestors 'self' {lms.url}"
    assert "X-Frame-Options" not in login
    launch = flow.post_launch(flow.authorize())
    assert _frame_ancestors(launch) == f"frame-ancestors 'self' {lms.url}"


def test_an_lti_session_frames_learner_pages_for_its_platform_and_nothing_else(embedded, lms, registration):
    flow, _ = embedded
    workspace = flow.client.get("/cases/chest-pain/")
    assert workspace.status_code == 200
    assert _frame_ancestors(workspace) == f"frame-ancestors 'self' {lms.url}"
    assert "X-Frame-Options" not in workspace
    # Extra origins an administrator registered are allowed too.
    registration.frame_origins = "https://riverside.instructure.com"
    registration.save()
    assert "https://riverside.instructure.com" in _frame_ancestors(flow.client.get("/cases/chest-pain/"))
    # Account pages and the admin stay unframeable even in an LTI session.
    password = flow.client.get("/accounts/password/")
    assert _frame_ancestors(password) == "frame-ancestors 'none'" and password["X-Frame-Options"] == "DENY"


def test_other_sessions_keep_the_strict_headers(student_client, case):
    page = student_client.get("/cases/chest-pain/")
    assert _frame_ancestors(page) == "frame-ancestors 'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_a_page_framed_after_the_platform_is_switched_off_is_refused(embedded, registration):
    flow, _ = embedded
    registration.is_active = False
    registration.save()
    assert _frame_ancestors(flow.client.get("/cases/chest-pain/")) == "frame-ancestors 'none'"


def test_lti_sessions_use_samesite_none_cookies_and_others_lax(embedded, client, student):
    _, launch = embedded
    session_cookie = launch.cookies["sessionid"]
    assert session_cookie["samesite"] == "None" and session_cookie["secure"]
    assert launch.cookies["csrftoken"]["samesite"] == "None"

    from tests.factories import TEST_PASSWORD

    signed_in = Client(HTTP_HOST="localhost").post("/accounts/login/", {"username": "student", "password": TEST_PASSWORD})
    assert signed_in.cookies["sessionid"]["samesite"] == "Lax"
