"""The case editor: key lines numbered the way its messages number them, the code typeahead on key
codes (over the line's code system in the pinned release), and a new case pinned to the current
releases by default."""

from __future__ import annotations

import re

import pytest

from exercises.models import Case
from tests.factories import ReleaseFactory

from .test_authoring import _form

pytestmark = pytest.mark.django_db


def test_a_new_case_is_pinned_to_the_current_releases(instructor_client, release):
    ReleaseFactory(label="FY2025-OLD", is_current=False)
    cpt = ReleaseFactory(system="cpt", label="CPT-2026", is_current=True)
    html = instructor_client.get("/cases/new/").content.decode()
    assert re.search(rf'<option value="{release.pk}" selected>', html)
    assert re.search(rf'<option value="{cpt.pk}" selected>', html)


def test_key_lines_are_numbered_and_their_codes_search(instructor_client, release):
    instructor_client.post("/cases/new/", _form(release))
    case = Case.objects.get(title="Knee pain")
    html = instructor_client.get(f"/cases/{case.slug}/edit/").content.decode()
    assert re.findall(r"data-key-line-number>Key line (\d+)<", html) == ["1", "2"]
    codes = re.findall(r'<input id="key-code-(\d+)"[^>]*data-typeahead data-key-code data-system="(\w+)"', html)
    assert codes == [("1", "icd10cm"), ("2", "cpt")]
    assert "js/typeahead.js" in html


def test_the_numbers_match_the_validation_messages(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release, key_units=["1", "abc"]))
    html = response.content.decode()
    assert "Key line 2: units must be a whole number" in html
    assert re.findall(r"data-key-line-number>Key line (\d+)<", html) == ["1", "2"]
