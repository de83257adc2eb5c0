"""The cohort progress table: sorted (fewest lessons first by default, or by a column heading), in a
scroll region with a cue and the student column frozen."""

from __future__ import annotations

import re

import pytest

from courses.models import Lesson, LessonProgress
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/courses/cohorts/\d+/students/\d+/">([^<]+)</a>', html)


def test_rows_sort_by_the_column_asked_for(instructor_client, cohort, student, program):
    from django.utils import timezone

    cohort.program = program
    cohort.save()
    busy = StudentFactory(username="busy", display_name="Aaron Busy")
    cohort.memberships.create(student=busy)
    for lesson in Lesson.objects.filter(module__program=program)[:2]:
        LessonProgress.objects.create(student=busy, lesson=lesson, completed_at=timezone.now())

    default = instructor_client.get(f"/courses/cohorts/{cohort.pk}/").content.decode()
    assert _names_in_order(default) == ["Sam Student", "Aaron Busy"]  # fewest lessons first
    assert 'aria-sort="ascending"><a class="sort-link" href="?sort=lessons">Lessons ▲' in default
    by_name = instructor_client.get(f"/courses/cohorts/{cohort.pk}/?sort=name").content.decode()
    assert _names_in_order(by_name) == ["Aaron Busy", "Sam Student"]
    assert "Sorted: student." in by_name
    odd = instructor_client.get(f"/courses/cohorts/{cohort.pk}/?sort=drop-table").content.decode()
    assert _names_in_order(odd) == ["Sam Student", "Aaron Busy"]
    assert 'class="card scroll-x" data-scroll-cue tabindex="0" role="region"' in default
    assert "progress-table table--frozen" in default and "Scroll sideways for more modules" in default
