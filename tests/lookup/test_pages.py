"""The tabular browser, code pages and the notes partial."""

from __future__ import annotations

import pytest
from django.urls import reverse

from codesets.models import Code, CodeSetRelease, ReleaseStatus

pytestmark = pytest.mark.django_db


def test_the_nav_link_name_exists():
    assert reverse("lookup:browse") == "/lookup/"


@pytest.mark.parametrize("url", ["/lookup/", "/lookup/code/E11.40/", "/lookup/notes/?code=E11.40"])
def test_anonymous_visitors_are_sent_to_login(client, release, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_home_lists_chapters_with_a_release_switcher_and_the_typeahead(student_client, releases):
    old, new = releases
    response = student_client.get("/lookup/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Endocrine, nutritional and metabolic diseases" in html
    assert f'<option value="{new.pk}" selected>' in html and f'<option value="{old.pk}">' in html
    assert "data-typeahead" in html and 'role="combobox"' in html
    assert "js/typeahead.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_home_switches_release(student_client, releases):
    old, _ = releases
    response = student_client.get("/lookup/", {"release": old.pk})
    assert f"Tabular List · {old}" in response.content.decode()


def test_home_query_count_is_constant(student_client, release, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert student_client.get("/lookup/").status_code == 200


def test_search_without_javascript_lists_results(student_client, release):
    html = student_client.get("/lookup/", {"q": "diab neuro"}).content.decode()
    assert "E11.40" in html and "Billable" in html


def test_search_that_finds_nothing_says_so(student_client, release):
    html = student_client.get("/lookup/", {"q": "zzzzqqq"}).content.decode()
    assert "Nothing matches" in html


def test_no_release_yet_is_explained(student_client, db):
    html = student_client.get("/lookup/").content.decode()
    assert "No ICD-10-CM release has been activated yet" in html


def test_chapter_block_and_category_pages_walk_down_with_breadcrumbs(student_client, release):
    chapter = student_client.get("/lookup/code/4/").content.decode()
    assert "E08-E13" in chapter and "Blocks" in chapter
    block = student_client.get("/lookup/code/E08-E13/").content.decode()
    assert "Type 2 diabetes mellitus" in block and "Chapter 4" in block
    category = student_client.get("/lookup/code/E11/").content.decode()
    assert 'aria-label="Breadcrumb"' in category and "E08-E13" in category and "E11.9" in category


def test_code_page_shows_every_note_with_codes_linked(student_client, release):
    html = student_client.get("/lookup/code/E11.40/").content.decode()
    assert "Type 2 diabetes mellitus with diabetic neuropathy, unspecified" in html
    for label in ("Includes", "Excludes1", "Use additional code"):
        assert label in html
    assert f'href="/lookup/code/E10/?release={release.pk}">E10.-</a>' in html
    assert f'href="/lookup/code/Z79.4/?release={release.pk}">Z79.4</a>' in html


def test_code_page_shows_the_seventh_character_table_with_the_code_s_own_character(student_client, release):
    html = student_client.get("/lookup/code/S72.001D/").content.decode()
    assert "7th characters" in html and "initial encounter for closed fracture" in html
    assert 'class="is-selected"><td class="code">D' in html
    assert "Fracture of hip NOS" in html  # inclusion terms inherited from S72.00
    assert "Excludes1" in html and "S78.-" in html


def test_code_page_accepts_the_code_without_dot_and_in_lower_case(student_client, release):
    assert student_client.get("/lookup/code/e1140/").status_code == 200


def test_code_history_across_releases(student_client, releases):
    old, new = releases
    added = student_client.get("/lookup/code/E11.41/").content.decode()
    assert "Added in" in added and "FY2026" in added
    revised = student_client.get("/lookup/code/J18.9/").content.decode()
    assert "Title revised in" in revised and "Pneumonia, organism unspecified" in revised
    assert f'?release={old.pk}">FY2025</a>' in revised


def test_release_switch_on_a_code_page(student_client, releases):
    old, _ = releases
    assert student_client.get("/lookup/code/E11.41/", {"release": old.pk}).status_code == 404
    html = student_client.get("/lookup/code/J18.9/", {"release": old.pk}).content.decode()
    assert "Pneumonia, organism unspecified" in html and "Not the current release" in html


@pytest.mark.parametrize("url", ["/lookup/code/Q99.99/", "/lookup/code/E11.40/?release=999999",
                                 "/lookup/code/E11.40/?release=abc", "/lookup/code/E11.40/?system=hcpcs"])
def test_unknown_codes_and_releases_are_404_pages(student_client, release, url):
    response = student_client.get(url)
    assert response.status_code == 404


def test_a_release_still_importing_cannot_be_browsed(student_client, release):
    importing = CodeSetRelease.objects.create(system="icd10cm", label="next", effective_from="2026-10-01",
                                              status=ReleaseStatus.IMPORTING)
    Code.objects.create(release=importing, code="E1140", display_code="E11.40", long_title="x", billable=True)
    assert student_client.get("/lookup/code/E11.40/", {"release": importing.pk}).status_code == 404


def test_code_page_query_count_is_constant(student_client, release, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert student_client.get("/lookup/code/S72.001A/").status_code == 200
    with django_assert_max_num_queries(14):
        assert student_client.get("/lookup/code/E11/").status_code == 200


def test_notes_are_escaped(student_client, release):
    Code.objects.filter(release=release, code="E1140").update(notes={"excludes2": ["<script>alert(1)</script> (E10.9)"]})
    html = student_client.get("/lookup/code/E11.40/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_notes_partial_is_a_fragment_for_htmx(student_client, release):
    response = student_client.get("/lookup/notes/", {"code": "E11.40"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "E11.40" in html and "Excludes1" in html and "Billable" in html


def test_notes_partial_is_release_aware(student_client, releases):
    old, _ = releases
    html = student_client.get("/lookup/notes/", {"code": "J18.9", "release": old.pk}).content.decode()
    assert "Pneumonia, organism unspecified" in html
    missing = student_client.get("/lookup/notes/", {"code": "E11.41", "release": old.pk}).content.decode()
    assert "is not in" in missing


@pytest.mark.parametrize("params", [{}, {"code": "Q99.99"}, {"code": "E11.40", "release": "999"}, {"code": "<b>x</b>"}])
def test_notes_partial_explains_bad_input_without_failing(student_client, release, params):
    response = student_client.get("/lookup/notes/", params)
    assert response.status_code == 200
    assert "lookup-notes--empty" in response.content.decode()
    assert "<b>x</b>" not in response.content.decode()


def test_notes_partial_reads_a_formset_field_name(student_client, release):
    html = student_client.get("/lookup/notes/", {"lines-0-code": "I50.9"}).content.decode()
    assert "Heart failure, unspecified" in html and "Congestive heart failure NOS" in html
