"""GET /api/v1/codes/search/: shape, releases, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from codesets.models import Code, CodeSetRelease, ReleaseStatus

URL = "/api/v1/codes/search/"

pytestmark = pytest.mark.django_db


def test_anonymous_gets_json_401(client, release):
    response = client.get(URL, {"q": "e11"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_is_mounted_where_the_name_says(release):
    assert reverse("code_search_api") == URL


def test_results_carry_dotted_code_title_billable_and_system(student_client, release):
    response = student_client.get(URL, {"q": "e114", "system": "icd10cm", "limit": 10})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"code": "E11.4", "title": "Type 2 diabetes mellitus with neurological complications",
                          "billable": False, "system": "icd10cm"}
    assert results[1] == {"code": "E11.40", "title": "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
                          "billable": True, "system": "icd10cm"}


def test_every_role_may_search(login_as, student, instructor, admin_user, release):
    for user in (student, instructor, admin_user):
        assert login_as(user).get(URL, {"q": "pneumonia"}).status_code == 200


def test_words_synonyms_and_typos_through_http(student_client, release):
    assert student_client.get(URL, {"q": "diab neuro"}).json()["results"][0]["code"] == "E11.40"
    assert student_client.get(URL, {"q": "pnemonia"}).json()["results"][0]["code"] == "J18.9"
    assert student_client.get(URL, {"q": "chf"}).json()["results"][0]["code"] == "I50.9"


def test_limit_is_respected(student_client, release):
    assert len(student_client.get(URL, {"q": "s72", "limit": 3}).json()["results"]) == 3


def test_a_pinned_release_is_searched_instead_of_the_current_one(student_client, releases):
    old, new = releases
    assert student_client.get(URL, {"q": "E11.41"}).json()["results"][0]["code"] == "E11.41"
    old_results = student_client.get(URL, {"q": "E11.41", "release": old.pk}).json()["results"]
    assert all(hit["code"] != "E11.41" for hit in old_results)
    old_title = student_client.get(URL, {"q": "J18.9", "release": old.pk}).json()["results"][0]["title"]
    assert old_title == "Pneumonia, organism unspecified"


def test_server_timing_header_reports_search_time(student_client, release):
    response = student_client.get(URL, {"q": "diab"})
    assert "search;dur=" in response["Server-Timing"]


@pytest.mark.parametrize("query", ["", " ", "e", "'; DROP TABLE codesets_code; --", "<script>alert(1)</script>",
                                   "' OR 1=1 --", "%", "_", "E11%", "\u00e9\u00e8"])
def test_odd_queries_get_a_list_never_an_error(student_client, release, query):
    response = student_client.get(URL, {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    assert "<script>" not in response.content.decode()


def test_one_letter_and_empty_queries_return_nothing(student_client, release):
    assert student_client.get(URL, {"q": "e"}).json()["results"] == []
    assert student_client.get(URL).json()["results"] == []


def test_a_5000_character_query_is_refused_with_a_clear_message(student_client, release):
    response = student_client.get(URL, {"q": "x" * 5000})
    assert response.status_code == 400
    assert "too long" in str(response.json()).lower()


@pytest.mark.parametrize(
    "params, phrase",
    [
        ({"system": "nope"}, "valid choice"),
        ({"release": "999999"}, "no ready"),
        ({"release": "abc"}, "valid integer"),
        ({"limit": "0"}, "greater than or equal"),
        ({"limit": "5000"}, "less than or equal"),
        ({"limit": "ten"}, "valid integer"),
        ({"q": "a\x00b"}, "null"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_problem(student_client, release, params, phrase):
    response = student_client.get(URL, {"q": "diab", **params})
    assert response.status_code == 400
    assert phrase in str(response.json()).lower()


def test_a_release_of_another_system_or_not_ready_is_refused(student_client, release):
    hcpcs = CodeSetRelease.objects.create(system="hcpcs", label="2026Q1", effective_from="2026-01-01",
                                          status=ReleaseStatus.READY)
    failed = CodeSetRelease.objects.create(system="icd10cm", label="broken", effective_from="2026-10-01",
                                           status=ReleaseStatus.FAILED)
    for other in (hcpcs, failed):
        response = student_client.get(URL, {"q": "diab", "release": other.pk})
        assert response.status_code == 400


def test_a_system_without_a_current_release_says_so(student_client, release):
    response = student_client.get(URL, {"q": "j1100", "system": "hcpcs"})
    assert response.status_code == 400
    assert "no hcpcs" in response.json()["detail"].lower()


def test_the_index_follows_changes_to_the_release(student_client, release, monkeypatch):
    from lookup.services import search as search_service

    monkeypatch.setattr(search_service, "RECHECK_SECONDS", 0)
    assert student_client.get(URL, {"q": "hyperglycemia"}).json()["results"] == []
    Code.objects.create(release=release, code="E1165", display_code="E11.65", kind="code", billable=True,
                        long_title="Type 2 diabetes mellitus with hyperglycemia", parent_code="E11", sort_order=999)
    assert student_client.get(URL, {"q": "hyperglycemia"}).json()["results"][0]["code"] == "E11.65"


def test_query_count_is_small_and_constant(student_client, release, django_assert_max_num_queries):
    student_client.get(URL, {"q": "diab"})  # builds the index
    # session, user, release, and the session save (SAVEPOINT, UPDATE, RELEASE); no query per code.
    with django_assert_max_num_queries(6):
        student_client.get(URL, {"q": "fracture femur"})


def test_the_openapi_schema_describes_parameters_results_and_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "system", "limit", "release"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CodeSearchResults")
    assert "400" in operation["responses"]
    hit = schema["components"]["schemas"]["CodeSearchHit"]
    assert set(hit["properties"]) == {"code", "title", "billable", "system"}
