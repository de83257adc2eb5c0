"""The ranking on the full ICD-10-CM FY2026 against the quality set (slow: builds the real index)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from codesets.parsers.icd10cm_xml import parse_icd10cm_xml
from lookup.search import CodeEntry, build_index, load_synonyms, search

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "data" / "search_quality.tsv"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_index():
    # Located without importing the package, which would load its own copy of the whole code set.
    package_dir = Path(importlib.util.find_spec("simple_icd_10_cm").submodule_search_locations[0])
    path = package_dir / "data" / "icd10c-tabular-April-1-2026.xml"
    parsed = parse_icd10cm_xml(path)
    entries = [
        CodeEntry(code=r.code, display_code=r.display_code, title=r.long_title, billable=r.billable, kind=r.kind,
                  parent_code=r.parent_code, sort_order=position,
                  terms=tuple(r.notes.get("inclusion_terms", ())) + tuple(r.notes.get("includes", ())),
                  seven_chr=tuple((r.notes.get("seven_chr") or {}).items()))
        for position, r in enumerate(parsed.records)
    ]
    return build_index(entries, system="icd10cm", synonyms=load_synonyms())


def test_the_quality_set_finds_the_coder_s_code_in_the_top_five_at_least_nine_times_in_ten(full_index):
    rows = [line.split("\t") for line in QUALITY.read_text().splitlines() if line and not line.startswith("#")]
    assert len(rows) >= 150
    found = sum(expected.strip() in [h.code for h in search(full_index, query, limit=5)] for _, query, expected in rows)
    assert found / len(rows) >= 0.90


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
