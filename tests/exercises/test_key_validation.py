"""The one rule set for publishing a key: blocking problems (code + why) and warnings, from key lines, code facts
and the patient. Pure: no database."""

from __future__ import annotations

from exercises.grading import PRINCIPAL, SECONDARY, CodeFacts, Demographics, KeyLine
from exercises.grading.key_validation import codes_review, key_review, problems_text
from exercises.grading.notes import instructional_notes

ORACLE = {"icd10cm": {
    "E11": CodeFacts(billable=False, excludes1=("E10",)),
    "E116": CodeFacts(billable=False),
    "E119": CodeFacts(excludes1=("E10",)),
    "E109": CodeFacts(excludes1=("E11",)),
    "G63": CodeFacts(manifestation=True, notes=instructional_notes("G63", {"code_first": ["amyloidosis (E85.-)"]})),
    "S52521": CodeFacts(billable=False, needs_seventh=True),
    "N400": CodeFacts(sex="M", min_age=15),
    "O80": CodeFacts(sex="F", min_age=9, max_age=64),
}}
BOY = Demographics(age=10, sex="M")


def test_every_blocking_problem_is_listed_with_its_line_code_and_reason():
    review = key_review([KeyLine("Q99999", PRINCIPAL), KeyLine("E116"), KeyLine("S52521"), KeyLine("N400"), KeyLine("O80")],
                        ORACLE, BOY)
    assert not review.ok
    assert [(p.line, p.code, p.kind) for p in review.problems] == [
        (1, "Q99999", "invalid_code"), (2, "E116", "header_code"), (3, "S52521", "missing_seventh"),
        (4, "N400", "age_conflict"), (5, "O80", "sex_conflict"),
    ]
    assert review.messages()[1] == (
        "Key line 2: E11.6 is a header, not a billable code: report the code with the most characters available. "
        "(guideline I.B.2)"
    )
    assert review.warnings == []


def test_excludes1_manifestation_first_and_notes_are_warnings_only():
    review = key_review([KeyLine("G63", PRINCIPAL), KeyLine("E119", SECONDARY), KeyLine("E109", SECONDARY)], ORACLE, BOY)
    assert review.ok
    assert sorted(w.kind for w in review.warnings) == ["code_first", "excludes1", "manifestation_first"]


def test_alternates_are_held_to_the_same_rules():
    review = key_review([KeyLine("E119", PRINCIPAL, alternates=("E11", "O80"))], ORACLE, BOY)
    assert [(p.kind, p.message.split(":")[0]) for p in review.problems] == [
        ("header_code", "Alternate"), ("sex_conflict", "Alternate"),
    ]


def test_without_a_patient_there_are_no_demographic_problems():
    assert key_review([KeyLine("O80", PRINCIPAL)], ORACLE, Demographics()).ok


def test_answer_code_lists_are_checked_for_unknown_header_and_incomplete_codes():
    review = codes_review(["E119", "E11", "S52521", "Q99999"], "icd10cm", ORACLE)
    assert problems_text(review.problems) == [
        "Accepted answer E11: E11 is a header, not a billable code: report the code with the most characters "
        "available. (guideline I.B.2)",
        "Accepted answer S52.521: S52.521 needs a 7th character (for example A for the initial encounter). "
        "(guideline I.A.4)",
        "Accepted answer Q99.999: Q99.999 is not a code in the pinned ICD-10-CM release.",
    ]
    assert codes_review(["E119"], "icd10cm", {}).ok  # no release: shape only
    assert not codes_review(["E1"], "icd10cm", {}).ok
