"""Age and sex edits (Medicare Code Editor): the first and last code of each range, and the code just outside."""

from __future__ import annotations

import pytest

from exercises.grading import AnswerLine, Demographics
from exercises.grading.checks import guideline_checks
from exercises.grading.demographics import AGE_EDITS, SEX_EDITS, demographic_edit, sex_from_notes
from exercises.oracle import clear_cache, facts_for
from tests.factories import CodeFactory, ReleaseFactory

SEX_BOUNDARIES = [
    # (code, expected sex): first and last code of a range, then its neighbours outside it
    ("N400", "M"), ("N539", "M"), ("N3991", None), ("N6011", None),  # male genital organs N40-N53
    ("N7001", "F"), ("N989", "F"), ("N85A", "F"), ("N6989", None), ("N990", None),  # female pelvic organs N70-N98
    ("C510", "F"), ("C58", "F"), ("C4A9", None), ("C600", "M"), ("C639", "M"), ("C6400", None),
    ("D060", "F"), ("D0739", "F"), ("D0740", "M"), ("D0769", "M"), ("D0500", None), ("D090", None),
    ("D250", "F"), ("D289", "F"), ("D290", "M"), ("D299", "M"), ("D300", None),
    ("O0000", "F"), ("O9A53", "F"), ("O80", "F"), ("N999", None), ("P000", None),  # maternity O00-O9A
    ("Z331", "F"), ("Z379", "F"), ("Z390", "F"), ("Z3A49", "F"), ("Z3800", None),  # Z33-Z37, Z39-Z3A; Z38 newborn
    ("Z30011", "F"), ("Z30015", "F"), ("Z3002", None), ("Z302", None),  # contraception: the methods for women only
    ("Z125", "M"), ("Z124", "F"), ("Z126", None),
    ("R860", "M"), ("R870", "F"), ("R880", None),
    ("C50011", "F"), ("C50021", "M"), ("C50929", "M"),
]


@pytest.mark.parametrize("code, sex", SEX_BOUNDARIES)
def test_sex_edits_cover_their_ranges_exactly(code, sex):
    assert demographic_edit(code)[0] == sex


AGE_BOUNDARIES = [
    ("O0000", (9, 64)), ("O9A53", (9, 64)), ("Z331", (9, 64)), ("Z379", (9, 64)), ("Z3A49", (9, 64)),
    ("Z3800", (0, 0)), ("Z388", (0, 0)), ("Z00110", (0, 0)), ("Z00111", (0, 0)), ("Z050", (0, 0)), ("A33", (0, 0)),
    ("Z00121", (0, 17)), ("Z003", (0, 17)), ("Z0000", (15, None)), ("Z0001", (15, None)), ("Z006", (None, None)),
    ("N400", (15, None)), ("N411", (15, None)), ("N430", (None, None)),
    # Chapter 16 codes may be used throughout the patient's life (I.C.16.a.1, a.4); the MCE has no age edit for them.
    ("P000", (None, None)), ("P0700", (None, None)), ("P969", (None, None)),
    ("I10", (None, None)), ("E119", (None, None)),
]


@pytest.mark.parametrize("code, ages", AGE_BOUNDARIES)
def test_age_edits_cover_their_ranges_exactly(code, ages):
    assert demographic_edit(code)[1:] == ages


def test_the_tables_are_sorted_and_do_not_overlap():
    for rows in (SEX_EDITS, AGE_EDITS):
        for (first, last, *_), (next_first, *_) in zip(rows, rows[1:]):
            assert first <= last[:len(first)] and last < next_first, (first, last, next_first)


@pytest.mark.parametrize("age, conflict", [(8, True), (9, False), (64, False), (65, True)])
def test_maternity_ages_follow_the_mce(age, conflict):
    checks, _ = guideline_checks([AnswerLine("O80")], {"icd10cm": _facts()}, Demographics(age=age, sex="F"))
    assert ([c.kind for c in checks] == ["age_conflict"]) is conflict


@pytest.mark.parametrize("code, age, message", [
    ("Z3800", 1, "Z38.00 is for newborns (age 0); this patient is 1."),
    ("N400", 14, "N40.0 is for patients aged 15 and over; this patient is 14."),
    ("Z00121", 18, "Z00.121 is for patients aged 17 or under; this patient is 18."),
    ("O80", 65, "O80 is for patients aged 9 to 64; this patient is 65."),
])
def test_an_age_conflict_says_who_the_code_is_for(code, age, message):
    from exercises.grading import CodeFacts

    sex, low, high = demographic_edit(code)
    checks, _ = guideline_checks([AnswerLine(code)], {"icd10cm": {code: CodeFacts(min_age=low, max_age=high)}},
                                 Demographics(age=age))
    assert [c.message for c in checks] == [message]


def test_a_male_patient_with_a_female_only_code_conflicts():
    checks, _ = guideline_checks([AnswerLine("N7001"), AnswerLine("N400")], {"icd10cm": _facts()},
                                 Demographics(age=40, sex="M"))
    assert [(c.kind, c.codes) for c in checks] == [("sex_conflict", ("N7001",))]


def _facts():
    from exercises.grading import CodeFacts

    return {code: CodeFacts(sex=sex, min_age=low, max_age=high)
            for code in ("O80", "N7001", "N400") for sex, low, high in [demographic_edit(code)]}


def test_maternal_records_only_in_the_code_set_makes_codes_female():
    assert sex_from_notes(["CODES FROM THIS CHAPTER ARE FOR USE ONLY ON MATERNAL RECORDS, NEVER ON NEWBORN RECORDS"]) == "F"
    assert sex_from_notes(["Codes from category Z3A are for use, only on the maternal record, to indicate the weeks"]) == "F"
    assert sex_from_notes(["Codes from this chapter are for use on newborn records only, never on maternal records"]) is None


@pytest.fixture
def obstetric_release(db):
    clear_cache()
    release = ReleaseFactory(label="FY2026-OB")
    CodeFactory(release=release, code="15", kind="chapter", chapter="15", long_title="Pregnancy, childbirth and the puerperium",
                notes={"notes": ["CODES FROM THIS CHAPTER ARE FOR USE ONLY ON MATERNAL RECORDS, NEVER ON NEWBORN RECORDS"]})
    # A code outside every range of the hand-kept table: only the release's own chapter note can say who it is for.
    CodeFactory(release=release, code="U991", chapter="15", long_title="A code of a maternity chapter", billable=True)
    CodeFactory(release=release, code="U992", chapter="", long_title="The same code outside it", billable=True)
    yield release
    clear_cache()


def test_the_oracle_reads_sex_from_the_chapter_notes_of_the_release(obstetric_release):
    assert demographic_edit("U991") == (None, None, None)
    facts = facts_for(obstetric_release, ["U991", "U992"])
    assert facts["U991"].sex == "F" and facts["U992"].sex is None
