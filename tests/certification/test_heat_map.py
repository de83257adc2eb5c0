"""The cohort × domain heat map: colours say how far a cell is from the pass mark (never green below
it), a legend says so, cohorts come weakest first, and the table scrolls with a cue and a frozen column."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certification.models import StudentDomainRollup
from certification.services.blueprints import blueprints_ensure_builtin
from certification.templatetags.certification_tags import heat_band
from tests.factories import CohortFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mastery,level", [(0.50, "0"), (0.549, "0"), (0.56, "1"), (0.69, "1"), (0.70, "2"),
                                           (0.79, "2"), (0.80, "3"), (None, "none")])
def test_the_colour_band_is_the_distance_from_a_70_pass_mark(mastery, level):
    assert heat_band(mastery, 70)[0] == level


def test_the_band_moves_with_the_pass_mark():
    assert heat_band(0.72, 75)[0] == "1"
    assert heat_band(0.72, 60)[0] == "3"


def _rollup(student, domain, mastery):
    StudentDomainRollup.objects.create(student=student, domain=domain, mastery=mastery, lower=mastery - .1,
                                       upper=mastery + .1, evidence_count=5, updated_at=timezone.now())


def test_cells_below_the_pass_mark_are_not_green_and_the_legend_says_why(instructor, instructor_client, student, cohort):
    blueprints_ensure_builtin()
    _rollup(student, "icd10cm", 0.65)
    _rollup(student, "em", 0.74)
    weaker = CohortFactory(name="Weaker cohort", instructors=[instructor], students=[StudentFactory()])
    _rollup(weaker.memberships.get().student, "icd10cm", 0.40)
    html = instructor_client.get("/exams/cohorts/").content.decode()
    assert "Colour shows the distance from the 70% pass mark" in html
    assert 'class="heat heat-1 num" data-heat="1"><span aria-hidden="true">▾ </span>65%' in html
    assert 'class="heat heat-2 num" data-heat="2">74%' in html
    assert "less than 15 points below the pass mark" in html  # the words behind the colour, for screen readers
    assert html.index("Weaker cohort") < html.index("Spring cohort")  # weakest first
    assert 'data-scroll-cue tabindex="0" role="region"' in html and "table--frozen" in html
    assert "Scroll sideways for more domains" in html
