"""OIDC login and resource-link launches against a real (test) LMS: accounts, roles, cohorts, and
every check the specification requires."""

from __future__ import annotations

import time

import jwt
import pytest
from django.test import Client

from accounts.models import AuditEvent, Role, User
from courses.models import CohortMembership
from lti.models import ContextLink, LoginState, UserLink
from tests.lti.platform import ADMINISTRATOR, INSTRUCTOR, LEARNER, PlatformUser, new_rsa_key

pytestmark = pytest.mark.django_db


def test_the_key_set_publishes_the_public_half_of_the_active_key(client):
    response = client.get("/lti/jwks/")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]  # no private parameters


def test_a_learner_launch_creates_an_account_linked_by_issuer_and_subject(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    response = flow.run(user=learner, course=course)

    assert response.status_code == 302
    link = UserLink.objects.get(issuer=lms.issuer, subject=learner.sub)
    user = link.user
    assert user.role == Role.STUDENT
    assert user.display_name == "Lena Learner"
    assert not user.has_usable_password()
    context = ContextLink.objects.get(context_id="course-101")
    assert context.cohort.name == "MED 101 Medical Coding I"
    assert CohortMembership.objects.filter(cohort=context.cohort, student=user).exists()
    assert context.memberships_url.endswith("/courses/course-101/memberships")
    assert context.lineitems_url.endswith("/courses/course-101/lineitems")
    # The browser is now signed in as that account, in an LTI session.
    home = flow.client.get("/")
    assert home.status_code == 200 and home.wsgi_request.user == user
    assert flow.client.session["lti"]["platform"] == registration.pk


def test_a_second_launch_reuses_the_account_and_the_cohort(lms, registration, course, learner, launch_flow):
    launch_flow().run(user=learner, course=course)
    launch_flow().run(user=learner, course=course)

    assert UserLink.objects.filter(subject=learner.sub).count() == 1
    assert User.objects.filter(username__startswith="lti-").count() == 1
    assert ContextLink.objects.count() == 1


def test_an_instructor_launch_makes_an_instructor_of_the_course_cohort(lms, registration, course, teacher, launch_flow):
    response = launch_flow().run(user=teacher, course=course)

    user = UserLink.objects.get(subject=teacher.sub).user
    assert user.role == Role.INSTRUCTOR
    context = ContextLink.objects.get()
    assert list(context.cohort.instructors.all()) == [user]
    assert response["Location"] == f"/lti/courses/{context.pk}/"
    assert AuditEvent.objects.filter(action="user.role_changed", target_id=str(user.pk)).exists()


def test_accounts_are_never_linked_by_email(lms, registration, course, launch_flow, student):
    student.email = "same@school.example"
    student.save()
    twin = lms.enroll(course, PlatformUser(sub="someone-else", name="Same Mail", roles=[LEARNER],
                                           email="same@school.example"))
    launch_flow().run(user=twin, course=course)

    assert UserLink.objects.get(subject="someone-else").user != student


@pytest.mark.parametrize("trusted, expected", [(False, Role.INSTRUCTOR), (True, Role.ADMIN)])
def test_lms_administrators_are_codewise_admins_only_when_the_platform_is_trusted(
        lms, registration, course, launch_flow, trusted, expected):
    registration.trust_administrator_role = trusted
    registration.save()
    admin = lms.enroll(course, PlatformUser(sub="lms-admin", name="Ana Admin", roles=[ADMINISTRATOR, INSTRUCTOR]))
    launch_flow().run(user=admin, course=course)

    assert UserLink.objects.get(subject="lms-admin").user.role == expected


# --- What a launch must refuse -------------------------------------------------------------------

def _forged_launch(lms, flow, learner, course, **changes):
    """A login started normally, then an id_token built by hand (to break one thing in it)."""
    state, nonce = flow.start(user=learner, course=course)
    claims = lms.claims(user=learner, course=course, nonce=nonce, resource_link_id="link-1")
    key_pem, kid = changes.pop("key_pem", None), changes.pop("kid", None)
    claims.update(changes)
    return state, lms.sign(claims, key_pem=key_pem, kid=kid)


def _assert_refused(response, words: str):
    assert response.status_code == 400
    assert words.lower() in response.content.decode().lower()
    assert not User.objects.filter(username__startswith="lti-").exists()
    assert AuditEvent.objects.filter(action="lti.launch_rejected").exists()


def test_it_refuses_a_token_for_another_audience(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course, aud="some-other-tool")
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "registration not found")


def test_it_refuses_several_audiences_without_our_azp(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course, aud=[lms.client_id, "other-tool"], azp="other-tool")
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "")


def test_it_accepts_several_audiences_when_azp_is_ours(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course, aud=["other-tool", lms.client_id], azp=lms.client_id)
    assert flow.post_launch({"id_token": token, "state": state}).status_code == 302


def test_it_refuses_an_expired_token(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course, exp=int(time.time()) - 60, iat=int(time.time()) - 400)
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "expired")


def test_it_refuses_a_token_without_exp(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, nonce = flow.start(user=learner, course=course)
    claims = lms.claims(user=learner, course=course, nonce=nonce)
    del claims["exp"]
    _assert_refused(flow.post_launch({"id_token": lms.sign(claims), "state": state}), "exp")


def test_it_refuses_a_replayed_launch(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    flow.start(user=learner, course=course)
    form = flow.authorize()
    assert flow.post_launch(form).status_code == 302

    replay = flow.post_launch(form)  # the same browser posts the same id_token and state again
    assert replay.status_code == 400
    assert "already used" in replay.content.decode()


def test_it_refuses_a_nonce_issued_for_another_login(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    _, first_nonce = flow.start(user=learner, course=course)
    state, _ = flow.start(user=learner, course=course)
    token = lms.sign(lms.claims(user=learner, course=course, nonce=first_nonce))
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "nonce")


def test_it_refuses_a_launch_whose_state_cookie_is_missing(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    flow.start(user=learner, course=course)
    form = flow.authorize()
    other_browser = launch_flow(Client())
    _assert_refused(other_browser.post_launch(form), "state")


def test_it_refuses_an_unknown_deployment(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course,
                                  **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-deployed"})
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "deployment")


def test_it_refuses_a_tampered_signature(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(lms, flow, learner, course)
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"Lena Learner", b"Evil Learner")).decode()
    _assert_refused(flow.post_launch({"id_token": f"{header}.{forged_payload}.{signature}", "state": state}),
                    "signature")


def test_it_refuses_a_token_signed_by_another_key_under_the_platforms_kid(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    other_pem, _ = new_rsa_key()
    state, token = _forged_launch(lms, flow, learner, course, key_pem=other_pem)
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "signature")


def test_it_refuses_an_unsupported_message_type(lms, registration, course, learner, launch_flow):
    flow = launch_flow()
    state, token = _forged_launch(
        lms, flow, learner, course,
        **{"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiSubmissionReviewRequest"})
    _assert_refused(flow.post_launch({"id_token": token, "state": state}), "does not handle")


def test_a_login_from_an_unregistered_platform_is_refused(client, lms, registration, course, learner):
    params = lms.login_params(user=learner, course=course)
    params["iss"] = "https://unknown-lms.example"
    response = client.post("/lti/login/", params)

    assert response.status_code == 400
    assert not LoginState.objects.exists()


def test_a_login_for_a_foreign_target_is_refused(client, lms, registration, course, learner):
    params = lms.login_params(user=learner, course=course, target_link_uri="https://evil.example/lti/launch/")
    assert client.post("/lti/login/", params).status_code == 400


def test_an_inactive_platform_cannot_launch(lms, registration, course, learner, launch_flow):
    registration.is_active = False
    registration.save()
    assert launch_flow().login(lms.login_params(user=learner, course=course)).status_code == 400
