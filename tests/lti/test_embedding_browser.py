"""Real Chromium: Codewise launched inside an iframe of the LMS's course page, and refused inside
a page of an origin no platform registered."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from lti.keys import tool_jwks
from lti.models import Deployment, Platform
from tests.exercises.conftest import _no_readiness_rollups, case, release  # noqa: F401
from tests.lti.platform import LEARNER, PlatformUser, TestPlatform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lms_for_browser(live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    platform = TestPlatform(tool_launch_url=live_server.url + "/lti/launch/",
                            tool_login_url=live_server.url + "/lti/login/").start()
    yield platform
    platform.stop()


@pytest.fixture
def registered(lms_for_browser, case):
    lms = lms_for_browser
    platform = Platform.objects.create(name="Riverside LMS", **lms.registration)
    Deployment.objects.create(platform=platform, deployment_id=lms.deployment_id)
    lms.tool_jwks = tool_jwks()
    course = lms.course()
    course.resource_links["link-case"] = {"title": "Chest pain admission", "custom": {"codewise_item": "case:chest-pain"}}
    learner = lms.enroll(course, PlatformUser(sub="browser-learner", name="Bea Browser", roles=[LEARNER]))
    return lms, course, learner


def _login_url(lms, course, learner) -> str:
    params = lms.login_params(user=learner, course=course, resource_link_id="link-case")
    return lms.tool_login_url + "?" + urlencode(params)


@pytest.fixture
def regular_profile(chromium_browser, tmp_path):
    """A regular (not incognito) browser profile: it keeps third-party cookies, as most browsers do by default."""
    import json

    from tests.conftest import CHROMIUM_ARGS, _chromium_path

    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    # Chromium's own setting: allow third-party cookies (cookie_controls_mode 0), the default of most browsers.
    (profile / "Default" / "Preferences").write_text(json.dumps(
        {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}))
    context = chromium_browser.browser_type.launch_persistent_context(
        str(profile), executable_path=_chromium_path(), args=CHROMIUM_ARGS, headless=True,
        viewport={"width": 1366, "height": 1000})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_a_learner_launches_codewise_inside_the_lms_iframe(regular_profile, registered):
    lms, course, learner = registered
    page = regular_profile.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(lms.url + "/frame?src=" + quote(_login_url(lms, course, learner)))
    frame = page.frame_locator("#tool")
    frame.get_by_role("heading", name="Chest pain admission").wait_for()
    assert frame.get_by_text("Bea Browser").first.is_visible()  # signed in as the LMS's learner, in the frame
    assert not [e for e in errors if "frame-ancestors" in e], errors
    cookies = {c["name"]: c for c in regular_profile.cookies() if c["name"] == "sessionid"}
    assert cookies["sessionid"]["sameSite"] == "None" and cookies["sessionid"]["secure"]


def test_where_third_party_cookies_are_blocked_codewise_opens_in_a_new_window(chromium_browser, registered):
    lms, course, learner = registered
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(lms.url + "/frame?src=" + quote(_login_url(lms, course, learner)))
        frame = page.frame_locator("#tool")
        # An incognito-like context keeps no third-party cookies: the frame offers a new window.
        blocked = frame.get_by_role("link", name="Open Codewise in a new window")
        blocked.wait_for()
        with context.expect_page() as opened:
            blocked.click()
        popup = opened.value
        popup.get_by_role("heading", name="Chest pain admission").wait_for()
        assert popup.get_by_text("Bea Browser").first.is_visible()
    finally:
        context.close()


def test_an_unregistered_origin_cannot_frame_codewise(regular_profile, registered, live_server):
    lms, course, learner = registered
    stranger = TestPlatform().start()  # another origin, registered nowhere
    page = regular_profile.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        # The learner has a Codewise session that began with the registered LMS's launch...
        page.goto(lms.url + "/frame?src=" + quote(_login_url(lms, course, learner)))
        frame = page.frame_locator("#tool")
        frame.get_by_role("heading", name="Chest pain admission").wait_for()
        # ...and a page of another origin tries to frame the case.
        page.goto(stranger.url + "/frame?src=" + quote(live_server.url + "/cases/chest-pain/"))
        for _ in range(100):  # the refusal is reported on the console; give a busy machine time
            if any("frame-ancestors" in e for e in errors):
                break
            page.wait_for_timeout(100)
        inner = page.frames[1] if len(page.frames) > 1 else None
        assert inner is None or "Chest pain admission" not in (inner.content() if inner.url != "about:blank" else "")
        refusals = [e for e in errors if "frame-ancestors" in e]
        assert refusals and lms.url in refusals[-1]  # refused by the registered platform's own policy
    finally:
        stranger.stop()
