"""Refused access to objects that exist is audited, at a rate nobody can use to flood the log."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from exercises.services import submission_submit
from tests.exercises.factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(student, instructor):
    case = CaseFactory(slug="denied-case", author=instructor)
    make_key(case, [{"role": "principal", "code": "I10"}])
    submission, _ = submission_submit(student=student, case=case, lines=[{"role": "principal", "code": "I10"}])
    return submission


def test_a_refusal_on_an_existing_object_is_audited(other_student_client, other_student, other_instructor_client,
                                                    other_instructor, submission, cohort):
    assert other_student_client.get(f"/cases/submissions/{submission.pk}/").status_code == 404
    event = AuditEvent.objects.get(actor=other_student)
    assert event.action == "exercises.submission_access_denied"
    assert (event.target_type, event.target_id) == ("exercises.submission", str(submission.pk))

    assert other_instructor_client.get(f"/cases/{submission.case.slug}/edit/").status_code == 403
    assert other_instructor_client.get(f"/courses/cohorts/{cohort.pk}/").status_code == 404
    actions = set(AuditEvent.objects.filter(actor=other_instructor).values_list("action", flat=True))
    assert actions == {"exercises.case_edit_denied", "cohort.access_denied"}


def test_probing_ids_that_do_not_exist_writes_nothing(other_student_client, other_instructor_client, submission):
    assert other_student_client.get(f"/cases/submissions/{submission.pk + 1000}/").status_code == 404
    assert other_instructor_client.get("/courses/cohorts/99999/").status_code == 404
    assert other_instructor_client.get("/cases/no-such-case/edit/").status_code == 404
    assert not AuditEvent.objects.filter(action__endswith="_denied").exists()


def test_refusals_are_audited_at_most_n_a_minute_per_actor(settings, other_student_client, other_student, student,
                                                           submission):
    settings.AUDIT_DENIED_PER_MINUTE = 5
    for _ in range(40):
        assert other_student_client.get(f"/cases/submissions/{submission.pk}/").status_code == 404
    events = AuditEvent.objects.filter(actor=other_student)
    assert events.filter(action="exercises.submission_access_denied").count() == 5
    assert events.filter(action="access.denied_rate_limited").count() == 1
    assert events.count() == 6
    # Another person's refusals have their own allowance.
    from django.test import Client

    from tests.factories import StudentFactory

    intruder = StudentFactory()
    client = Client()
    client.force_login(intruder)
    client.get(f"/cases/submissions/{submission.pk}/")
    assert AuditEvent.objects.filter(actor=intruder, action="exercises.submission_access_denied").count() == 1


def test_the_allowance_starts_again_the_next_minute(settings, monkeypatch, other_student, submission, other_student_client):
    import accounts.services

    settings.AUDIT_DENIED_PER_MINUTE = 2
    minute = [accounts.services.current_minute()]
    monkeypatch.setattr(accounts.services, "current_minute", lambda: minute[0])
    for _ in range(5):
        other_student_client.get(f"/cases/submissions/{submission.pk}/")
    minute[0] += 1
    other_student_client.get(f"/cases/submissions/{submission.pk}/")
    assert AuditEvent.objects.filter(actor=other_student, action="exercises.submission_access_denied").count() == 3
