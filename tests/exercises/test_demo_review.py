"""The demo cases load verified by the demo reviewer, through the audited review steps, once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_demo_cases_load_verified_by_a_second_instructor_and_a_rerun_writes_nothing():
    from accounts import demo as accounts_demo
    from accounts.models import AuditEvent
    from exercises import demo
    from exercises.models import Case, ReviewStatus

    accounts_demo.load()
    demo.load()
    published = Case.objects.filter(is_published=True)
    assert published.exists()
    assert set(published.values_list("review_status", flat=True)) == {ReviewStatus.VERIFIED}
    assert set(published.values_list("verified_by__username", flat=True)) == {"reviewer"}
    assert not published.filter(author__username="reviewer").exists()
    verified_events = AuditEvent.objects.filter(action="exercises.case_verified").count()
    assert verified_events == published.count()

    demo.load()
    assert AuditEvent.objects.filter(action="exercises.case_verified").count() == verified_events
