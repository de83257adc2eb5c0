"""LTI Dynamic Registration: an LMS registers Codewise from a one-time link an administrator made."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from accounts.models import AuditEvent
from lti.keys import tool_jwks
from lti.models import Deployment, Platform, RegistrationInvite, UserLink

pytestmark = pytest.mark.django_db


def _link(admin_client_) -> str:
    page = admin_client_.post("/lti/registration-links/").content.decode()
    return page.split("<code>")[1].split("</code>")[0].replace("http://testserver", "")


def _register(client, link, lms, **overrides):
    params = {"openid_configuration": lms.url + "/.well-known/openid-configuration",
              "registration_token": lms.registration_token, **overrides}
    return client.get(link + "?" + urlencode(params))


def test_the_lms_registers_codewise_and_can_launch_it(client, admin_client_, lms, course, learner):
    from tests.lti.conftest import LaunchFlow

    link = _link(admin_client_)
    response = _register(client, link, lms)

    assert response.status_code == 200, response.content[:500]
    assert "lti/registration_done.js" in response.content.decode()
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id) == (lms.issuer, lms.client_id)
    assert platform.auth_login_url == lms.url + "/auth" and platform.key_set_url == lms.url + "/jwks"
    assert Deployment.objects.get().deployment_id == lms.deployment_id
    sent = lms.registered_tool
    assert sent["jwks_uri"] == "http://testserver/lti/jwks/"
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
    assert AuditEvent.objects.filter(action="lti.platform_registered").exists()

    lms.tool_jwks = tool_jwks()
    assert LaunchFlow(lms).run(user=learner, course=course).status_code == 302
    assert UserLink.objects.filter(subject=learner.sub).exists()


def test_a_registration_link_works_once(client, admin_client_, lms):
    link = _link(admin_client_)
    assert _register(client, link, lms).status_code == 200
    assert _register(client, link, lms).status_code == 404
    assert Platform.objects.count() == 1


def test_a_refused_registration_leaves_the_link_usable(client, admin_client_, lms):
    link = _link(admin_client_)
    assert _register(client, link, lms, registration_token="wrong").status_code == 400
    assert not Platform.objects.exists()
    assert RegistrationInvite.objects.get().used_at is None
    assert _register(client, link, lms).status_code == 200


def test_a_configuration_naming_another_issuer_is_refused(client, admin_client_, lms):
    link = _link(admin_client_)
    lms_config = lms.openid_configuration

    lms.openid_configuration = lambda: {**lms_config(), "issuer": "https://other-lms.example"}
    assert _register(client, link, lms).status_code == 400
    assert not Platform.objects.exists()


def test_unknown_links_and_non_admins_get_nothing(client, instructor_client, lms):
    assert _register(client, "/lti/register/not-a-real-token/", lms).status_code == 404
    assert instructor_client.post("/lti/registration-links/").status_code == 403
    assert not RegistrationInvite.objects.exists()
