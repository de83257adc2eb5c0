"""Etiology/manifestation convention (I.A.13): every wording of "classified elsewhere" in a code's title or its
category's marks a manifestation code; organism codes (B95-B97) do not."""

from __future__ import annotations

import pytest

from exercises.grading import PRINCIPAL, AnswerLine, KeyLine, grade
from exercises.grading.notes import is_manifestation_title
from exercises.oracle import clear_cache, facts_for
from tests.factories import CodeFactory, ReleaseFactory

# One FY2026 code (or category) of each wording, with its title as printed.
WORDINGS = [
    ("G63", "Polyneuropathy in diseases classified elsewhere"),
    ("F02", "Dementia in other diseases classified elsewhere"),
    ("M14.8", "Arthropathies in other specified diseases classified elsewhere"),
    ("G02", "Meningitis in other infectious and parasitic diseases classified elsewhere"),
    ("H75.0", "Mastoiditis in infectious and parasitic diseases classified elsewhere"),
    ("G01", "Meningitis in bacterial diseases classified elsewhere"),
    ("K67", "Disorders of peritoneum in infectious diseases classified elsewhere"),
    ("D63", "Anemia in chronic diseases classified elsewhere"),
    ("D63.8", "Anemia in other chronic diseases classified elsewhere"),
    ("J91", "Pleural effusion in conditions classified elsewhere"),
    ("J91.8", "Pleural effusion in other conditions classified elsewhere"),
    ("G70.81", "Lambert-Eaton syndrome in disease classified elsewhere"),
    ("N48.32", "Priapism due to disease classified elsewhere"),
    ("N52.1", "Erectile dysfunction due to diseases classified elsewhere"),
    ("D84.81", "Immunodeficiency due to conditions classified elsewhere"),
    ("F54", "Psychological and behavioral factors associated with disorders or diseases classified elsewhere"),
    ("R50.81", "Fever presenting with conditions classified elsewhere"),
]


@pytest.mark.parametrize("code, title", WORDINGS)
def test_each_wording_marks_a_manifestation_code(code, title):
    assert is_manifestation_title(title), code


@pytest.mark.parametrize("title", [
    "Streptococcus, group A, as the cause of diseases classified elsewhere",  # B95.0: the organism, not a manifestation
    "Other bacterial diseases, not elsewhere classified",
    "Type 2 diabetes mellitus with diabetic polyneuropathy",
])
def test_other_titles_do_not(title):
    assert not is_manifestation_title(title)


@pytest.fixture
def release(db):
    clear_cache()
    rel = ReleaseFactory(label="FY2026-MANIF")
    for code, title, billable in [
        ("F02", "Dementia in other diseases classified elsewhere", False),
        ("F028", "Dementia in other diseases classified elsewhere, unspecified severity", False),
        ("F0280", "Dementia in other diseases classified elsewhere, unspecified severity, without behavioral "
                  "disturbance, psychotic disturbance, mood disturbance, and anxiety", True),
        ("J91", "Pleural effusion in conditions classified elsewhere", False),
        ("J910", "Malignant pleural effusion", True),  # the wording is on the category only
        ("G30", "Alzheimer's disease", False),
        ("G309", "Alzheimer's disease, unspecified", True),
    ]:
        CodeFactory(release=rel, code=code, long_title=title, billable=billable)
    yield rel
    clear_cache()


def test_the_oracle_takes_the_wording_from_the_code_or_its_category(release):
    facts = facts_for(release, ["F0280", "J910", "G309"])
    assert facts["F0280"].manifestation and facts["J910"].manifestation
    assert not facts["G309"].manifestation


def test_a_manifestation_code_sequenced_first_is_reported(release):
    oracle = {"icd10cm": facts_for(release, ["J910", "G309"])}
    result = grade([KeyLine("G30.9", PRINCIPAL), KeyLine("J91.0")], [AnswerLine("J91.0", PRINCIPAL), AnswerLine("G30.9")],
                   oracle=oracle)
    assert [check.kind for check in result.checks] == ["manifestation_first"]
