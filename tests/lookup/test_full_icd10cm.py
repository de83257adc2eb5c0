"""The ranking on the full ICD-10-CM FY2026 against the quality set (slow: builds the real index)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import csv

from codesets.parsers.icd10cm_xml import parse_icd10cm_xml
from lookup.search import CodeEntry, build_index, load_synonyms, parse_synonyms, record_entries, search
from lookup.search.absurd import absurd_hit
from lookup.search.synonyms import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "bench" / "data" / "search_quality.tsv"
HCPCS_DEMO = ROOT / "codesets" / "data" / "hcpcs_demo_2026q1.csv"
VOCABULARY_TABLES = ("lay_terms.tsv", "anatomy.tsv", "drugs.tsv")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_index():
    # Located without importing the package, which would load its own copy of the whole code set.
    package_dir = Path(importlib.util.find_spec("simple_icd_10_cm").submodule_search_locations[0])
    path = package_dir / "data" / "icd10c-tabular-April-1-2026.xml"
    parsed = parse_icd10cm_xml(path)
    entries = record_entries(parsed.records)
    return build_index(entries, system="icd10cm", synonyms=load_synonyms())


@pytest.fixture(scope="module")
def hcpcs_index():
    with HCPCS_DEMO.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    entries = [CodeEntry(code=row["HCPC"], display_code=row["HCPC"], title=row["LONG DESCRIPTION"], billable=True,
                         sort_order=position) for position, row in enumerate(rows)]
    return build_index(entries, system="hcpcs", synonyms=load_synonyms())


def _quality_rows():
    rows = [line.split("\t") for line in QUALITY.read_text().splitlines() if line and not line.startswith("#")]
    return [(kind, query, expected.strip()) for kind, query, expected in rows]


@pytest.fixture(scope="module")
def quality_results(full_index, hcpcs_index):
    return [(kind, query, expected, [h.code for h in search(hcpcs_index if kind == "hcpcs" else full_index, query, limit=5)])
            for kind, query, expected in _quality_rows()]


def test_the_quality_set_finds_the_coder_s_code_first_nine_times_in_ten_and_in_the_top_five_almost_always(
        quality_results):
    assert len(quality_results) >= 400
    top1 = sum(codes[:1] == [expected] for _, _, expected, codes in quality_results)
    top5 = sum(expected in codes for _, _, expected, codes in quality_results)
    assert top1 / len(quality_results) >= 0.90
    assert top5 / len(quality_results) >= 0.98


def test_no_query_of_the_quality_set_shows_an_external_cause_code_it_does_not_describe(quality_results):
    absurd = [(query, code) for kind, query, _, codes in quality_results for code in codes[:3]
              if absurd_hit(query, code, "hcpcs" if kind == "hcpcs" else "icd10cm")]
    assert absurd == []


@pytest.mark.parametrize("query, first", [
    ("dementia", "F03.90"), ("ear infection", "H66.90"), ("cellulitis of right leg", "L03.115"), ("flu shot", "Z23"),
    ("bladder infection", "N30.90"), ("sinus infection", "J32.9"), ("lung infection", "J18.9"),
    ("heart attack", "I21.9"), ("sugar", "E11.9"), ("belly pain", "R10.9"),
])
def test_general_terms_and_lay_words_find_the_index_default(full_index, query, first):
    assert [h.code for h in search(full_index, query, limit=5)][0] == first


def test_breast_cancer_lists_the_unspecified_site_family_before_subtypes_and_receptor_status(full_index):
    codes = [h.code for h in search(full_index, "breast cancer", limit=10)]
    assert codes[0] == "C50.919"
    family = max(codes.index(code) for code in ("C50.911", "C50.912", "C50.919"))
    assert all(family < codes.index(code) for code in codes if code.startswith(("C50.A", "Z17")))


def _table_entries():
    entries = []
    for name in VOCABULARY_TABLES:
        with (DATA_DIR / name).open(encoding="utf-8") as handle:
            entries.extend((name, synonym) for synonym in parse_synonyms(handle))
    return entries


@pytest.mark.parametrize("name, synonym", _table_entries(), ids=lambda value: getattr(value, "term", value) and " ".join(
    value.term) if hasattr(value, "term") else value)
def test_every_expansion_of_the_vocabulary_tables_names_a_code(full_index, hcpcs_index, name, synonym):
    """Each lay, anatomy or drug term stands for wording the code sets use: a dead expansion is a typo."""
    for expansion in synonym.expansions:
        found = False
        for index in (full_index, hcpcs_index):
            ids = [index.word_id(word) for word in expansion]
            if None in ids:
                continue
            docs = set(index.postings(ids[0]))
            for word_id in ids[1:]:
                docs &= set(index.postings(word_id))
            found = found or bool(docs)
        assert found, f"{name}: {' '.join(synonym.term)} -> {' '.join(expansion)} names no code"


@pytest.mark.parametrize("query, first", [
    ("e11.4", "E11.4"), ("E114", "E11.4"), ("diab neuro", None), ("pnemonia", "J18.9"), ("chf", "I50.9"),
    ("heart attack", "I21.9"), ("type 2 diabetes without complications", "E11.9"), ("htn", "I10"),
])
def test_headline_queries(full_index, query, first):
    codes = [h.code for h in search(full_index, query, limit=10)]
    if first:
        assert codes[0] == first
    else:
        assert "E11.40" in codes[:5]
