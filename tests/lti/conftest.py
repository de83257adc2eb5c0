"""A running test platform registered with Codewise, and the browser-free launch flow."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from lti.keys import tool_jwks
from lti.models import Deployment, Platform
from tests.lti.platform import INSTRUCTOR, LEARNER, PlatformUser, TestPlatform


@pytest.fixture
def lms():
    platform = TestPlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def registration(lms, db) -> Platform:
    """An administrator registered the LMS (issuer, client id, endpoints) and its deployment."""
    platform = Platform.objects.create(name="Riverside Canvas", **lms.registration)
    Deployment.objects.create(platform=platform, deployment_id=lms.deployment_id)
    lms.tool_jwks = tool_jwks()  # the LMS was given Codewise's key set URL; here, what it serves
    return platform


@pytest.fixture
def course(lms):
    return lms.course("course-101", "MED 101 Medical Coding I")


@pytest.fixture
def learner(lms, course) -> PlatformUser:
    return lms.enroll(course, PlatformUser(sub="lms-user-learner-1", name="Lena Learner", roles=[LEARNER],
                                           email="lena@school.example"))


@pytest.fixture
def teacher(lms, course) -> PlatformUser:
    return lms.enroll(course, PlatformUser(sub="lms-user-teacher-1", name="Tomas Teacher", roles=[INSTRUCTOR],
                                           email="tomas@school.example"))


class LaunchFlow:
    """The browser's part of a launch, done with the Django test client and real HTTP to the LMS."""

    def __init__(self, lms: TestPlatform, client: Client | None = None) -> None:
        self.lms = lms
        self.client = client or Client()

    def login(self, params: dict):
        response = self.client.post("/lti/login/", params)
        if response.status_code == 302:
            self.authorize_url = response["Location"]
        return response

    def start(self, **kwargs) -> tuple[str, str]:
        """Login initiation: returns (state, nonce) the tool put in its redirect to the LMS."""
        response = self.login(self.lms.login_params(**kwargs))
        assert response.status_code == 302, response.content[:500]
        query = parse_qs(urlsplit(response["Location"]).query)
        self.authorize_url = response["Location"]
        return query["state"][0], query["nonce"][0]

    def authorize(self) -> dict:
        """Follow the tool's redirect to the LMS and read the form it auto-posts back."""
        page = requests.get(self.authorize_url, timeout=5)
        assert page.status_code == 200, page.text
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        return {k: unescape(v) for k, v in fields.items()}

    def post_launch(self, form: dict):
        return self.client.post("/lti/launch/", form)

    def run(self, **kwargs):
        self.start(**kwargs)
        return self.post_launch(self.authorize())


@pytest.fixture
def launch_flow(lms, registration):
    return lambda client=None: LaunchFlow(lms, client)
