"""Names and Role Provisioning Services: the instructor syncs the LMS roster into the cohort."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Role
from courses.models import CohortMembership
from lti.models import ContextLink, UserLink
from tests.lti.platform import LEARNER, PlatformUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(lms, course, teacher, learner):
    """Five people: the teacher, three active learners (two never launched), one dropped learner."""
    lms.enroll(course, PlatformUser(sub="learner-2", name="Ravi Roster", roles=[LEARNER]))
    lms.enroll(course, PlatformUser(sub="learner-3", name="Mia Member", roles=[LEARNER]))
    lms.enroll(course, PlatformUser(sub="learner-dropped", name="Dee Dropped", roles=[LEARNER], status="Inactive"))
    return course


@pytest.fixture
def teacher_flow(lms, registration, roster, teacher, launch_flow, django_capture_on_commit_callbacks):
    flow = launch_flow()
    flow.run(user=teacher, course=roster)
    return flow


def _sync(flow, capture):
    context = ContextLink.objects.get()
    with capture(execute=True):
        response = flow.client.post(f"/lti/courses/{context.pk}/roster/")
    assert response.status_code == 302
    context.refresh_from_db()
    return context


def _cohort_names(context):
    return sorted(str(m.student) for m in CohortMembership.objects.filter(cohort=context.cohort))


def test_a_sync_reads_every_page_and_fills_the_cohort(lms, teacher_flow, django_capture_on_commit_callbacks):
    lms.nrps_page_size = 2  # five members: three pages, linked by rel="next"
    context = _sync(teacher_flow, django_capture_on_commit_callbacks)

    assert _cohort_names(context) == ["Lena Learner", "Mia Member", "Ravi Roster"]
    assert context.roster_synced_at is not None and context.roster_sync_error == ""
    assert UserLink.objects.get(subject="learner-2").user.role == Role.STUDENT
    assert not UserLink.objects.filter(subject="learner-dropped").filter(memberships__is_active=True).exists()
    assert [r for r in lms.requests_log if r[1].endswith("/memberships")].__len__() == 3
    event = AuditEvent.objects.get(action="lti.roster_synced")
    assert event.after["joined"] == 3 and event.after["listed"] == 4
    page = teacher_flow.client.get(f"/lti/courses/{context.pk}/").content.decode()
    assert "Ravi Roster" in page


def test_a_learner_who_left_the_course_leaves_the_cohort(lms, roster, learner, teacher_flow,
                                                          django_capture_on_commit_callbacks):
    _sync(teacher_flow, django_capture_on_commit_callbacks)
    roster.members = [m for m in roster.members if m.sub != "learner-2"]
    context = _sync(teacher_flow, django_capture_on_commit_callbacks)

    assert _cohort_names(context) == ["Lena Learner", "Mia Member"]


def test_students_the_lms_never_knew_stay_in_the_cohort(lms, teacher_flow, student, django_capture_on_commit_callbacks):
    context = ContextLink.objects.get()
    CohortMembership.objects.create(cohort=context.cohort, student=student)
    context = _sync(teacher_flow, django_capture_on_commit_callbacks)

    assert "Sam Student" in _cohort_names(context)


def test_a_failed_sync_is_shown_to_the_instructor(lms, teacher_flow, django_capture_on_commit_callbacks):
    lms.stop()
    context = _sync(teacher_flow, django_capture_on_commit_callbacks)
    lms.start()

    assert "did not answer" in context.roster_sync_error
    assert "The last roster sync failed" in teacher_flow.client.get(f"/lti/courses/{context.pk}/").content.decode()


def test_only_the_courses_instructors_can_sync(lms, teacher_flow, other_instructor_client, student_client):
    context = ContextLink.objects.get()
    assert other_instructor_client.post(f"/lti/courses/{context.pk}/roster/").status_code == 404
    assert student_client.post(f"/lti/courses/{context.pk}/roster/").status_code == 404
