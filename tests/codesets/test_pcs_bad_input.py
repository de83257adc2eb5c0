"""Bad ICD-10-PCS input gets a clear message, never a 500: the builder, the browser, a table address and the word
search (real HTTP)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed,message", [
    ("0DTJ4ZZZ", "An ICD-10-PCS code has 7 characters; 0DTJ4ZZZ has 8."),
    ("0DTJ4ZZ0DTJ4ZZ", "has 14"),
    ("0DTI", "Character 4 of 0DTI is &#x27;I&#x27;"),
    ("0dto4zz", "I and O are never used"),
    ("0DT-4", "Character 4 of 0DT-4 is &#x27;-&#x27;"),
])
def test_the_builder_says_what_is_wrong_with_a_typed_code(student_client, pcs_release, typed, message):
    response = student_client.get("/codesets/pcs/build/", {"code": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-pcs-problem" in page and message in page and "data-pcs-choices" not in page


def test_a_prefix_with_no_table_and_a_value_no_row_allows_are_named(student_client, pcs_release):
    assert "No table 0ZZ in FY2026-sample" in student_client.get("/codesets/pcs/build/?code=0ZZJ").content.decode()
    stuck = student_client.get("/codesets/pcs/build/?code=0DTJ3").content.decode()
    assert "has no row that allows Approach <code>3</code>" in stuck and "data-pcs-choices" not in stuck
    assert "not allowed here" in stuck


def test_the_code_is_read_without_spaces_dots_or_case(student_client, pcs_release):
    assert "data-pcs-valid" in student_client.get("/codesets/pcs/build/", {"code": " 0dt.j4 zz "}).content.decode()


def test_a_bad_browse_step_and_a_bad_table_address_answer_with_a_message_or_404(student_client, pcs_release):
    browse = student_client.get("/codesets/pcs/", {"at": "0DTJ"})
    assert browse.status_code == 200 and "at most 2 characters" in browse.content.decode()
    assert "I and O are never used" in student_client.get("/codesets/pcs/", {"at": "I"}).content.decode()
    for table in ("0ZZ", "0DTJ4ZZ", "IOI", "%3Cscript%3E"):
        assert student_client.get(f"/codesets/pcs/{table}/").status_code == 404


@pytest.mark.parametrize("query", ["0DTJ4ZZZZ", "IIII OOOO", "appendectomy " * 40, "-ectomy", "of the and", "ß∂ƒ"])
def test_odd_word_searches_answer(student_client, pcs_release, query):
    assert student_client.get("/lookup/", {"q": query, "system": "icd10pcs"}).status_code == 200
    assert student_client.get("/api/v1/codes/search/", {"q": query, "system": "icd10pcs"}).status_code in (200, 400)
