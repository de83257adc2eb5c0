"""Code first / Use additional code / Code also notes (I.A.13, I.B.7, I.A.17): read from the release's notes for
the code and its parents, references narrowed by their characters, reported on the line and never scored."""

from __future__ import annotations

import pytest

from exercises.grading import PRINCIPAL, SECONDARY, AnswerLine, CodeFacts, KeyLine, Policy, grade
from exercises.grading.checks import instructional_note_checks
from exercises.grading.notes import code_references, instructional_notes, reference_matches
from exercises.oracle import clear_cache, facts_for
from tests.factories import CodeFactory, ReleaseFactory


@pytest.mark.parametrize("note, refs", [
    ("underdosing of medication (T36-T50) with fifth or sixth character 6", ["T36-T50:4,5=6"]),
    ("poisoning due to drug or toxin, if applicable (T36-T65 with fifth or sixth character 1-4)", ["T36-T65:4,5=1-4"]),
    ("selective serotonin reuptake inhibitors [SSRI] (T43.22 with sixth character 1-4)", ["T4322:5=1-4"]),
    ("diabetes mellitus (E08-E13 with .42)", ["E08-E13:3=42"]),
    ("diabetic (peripheral) angiopathy (E08-E13 with .51-.52)", ["E08-E13:3=51-52"]),
    ("hallucinations in drug psychosis (F11-F19 with fifth to sixth characters 51)", ["F11-F19:4=51"]),
    ("current concussion (brain) (S06.0X- with seventh character A)", ["S060X:6=A"]),
    ("dysphagia following cerebrovascular disease (I69. with final characters -91)", ["I69:e=91"]),
    ("whooping cough with pneumonia (A37 with fifth-character 1)", ["A37:4=1"]),
    ("code from category O08 to identify any associated complication", ["O08"]),
    ("from categories E08, E09 and E13 to further identify any manifestation", ["E08", "E09", "E13"]),
    ("code(s) from F11-F16 and F18-F19 to identify manifestations of the drug use", ["F11-F16", "F18-F19"]),
    ("atherosclerosis of coronary bypass graft(s) with angina pectoris (I25.70-I25.73-, I25.79-)", ["I2570-I2573", "I2579"]),
    ("other dietary vitamin B12 deficiency anemia (D51.3)", ["D513"]),  # "B12" is not a category
])
def test_references_with_characters_and_prose_categories_are_read(note, refs):
    assert code_references(note, strict=False) == refs


def test_an_unreadable_narrowing_is_dropped_from_excludes1_but_kept_loosely_elsewhere():
    note = "open fracture of elbow and forearm (S52.- with open fracture 7th character)"
    assert code_references(note) == []
    assert code_references(note, strict=False) == ["S52"]


@pytest.mark.parametrize("reference, code, expected", [
    ("T36-T50:4,5=6", "T360X6A", True),  # underdosing of penicillins: 6th character 6
    ("T36-T50:4,5=6", "T4146XA", True),  # the intent in the 5th position
    ("T36-T50:4,5=6", "T360X1A", False),  # poisoning, not underdosing
    ("T36-T50:4,5=6", "T510X6A", False),  # outside T36-T50
    ("E08-E13:3=42", "E1142", True),
    ("E08-E13:3=42", "E1140", False),
    ("E08-E13:3=51-52", "E1152", True),
    ("E08-E13:3=51-52", "E1159", False),
    ("I69:e=91", "I69391", True),
    ("I69:e=91", "I69390", False),
    ("T36-T50:e=6", "T360X6A", True),  # "final character" is read before the 7th (encounter) character
    ("I2570-I2573", "I25720", True),
    ("I2570-I2573", "I25790", False),
])
def test_narrowed_references_match_only_the_codes_they_name(reference, code, expected):
    assert reference_matches(reference, code) is expected


def test_notes_of_a_row_become_instructional_notes():
    notes = {
        "code_first": ["underdosing of medication (T36-T50) with fifth or sixth character 6"],
        "use_additional": ["code to identify control using:", "insulin (Z79.4)", "oral antidiabetic drugs (Z79.84)",
                           "code for adverse effect, if applicable, to identify drug (T36-T50 with fifth or sixth character 5)"],
        "code_also": ["any therapeutic drug level monitoring (Z51.81)"],
    }
    first, control, adverse, also = instructional_notes("Z9113", notes)
    assert (first.kind, first.references, first.conditional) == ("code_first", ("T36-T50:4,5=6",), False)
    assert first.text == "Code first underdosing of medication (T36-T50) with fifth or sixth character 6"
    assert control.kind == "use_additional" and control.references == ("Z794", "Z7984") and control.conditional
    assert control.text.startswith("Use additional code to identify control using: insulin (Z79.4); oral")
    assert adverse.references == ("T36-T50:4,5=5",)
    assert also.kind == "code_also" and also.references == ("Z5181",)


UNDERDOSING = ("Z911", {"code_first": ["underdosing of medication (T36-T50) with fifth or sixth character 6"]})
ORACLE = {"icd10cm": {
    "Z91130": CodeFacts(notes=instructional_notes(*UNDERDOSING)),
    "T383X6A": CodeFacts(), "T383X1A": CodeFacts(), "E119": CodeFacts(),
    "E1165": CodeFacts(notes=instructional_notes("E11", {"use_additional": ["code to identify control using:", "insulin (Z79.4)"]})),
    "Z794": CodeFacts(),
    "G63": CodeFacts(manifestation=True, notes=instructional_notes("G63", {"code_first": ["underlying disease, such as:", "amyloidosis (E85.-)"]})),
    "D631": CodeFacts(notes=instructional_notes("D631", {"code_first": ["underlying chronic kidney disease (CKD) (N18.-)"]})),
    "N184": CodeFacts(),
    "J189": CodeFacts(notes=instructional_notes("J18", {"code_also": ["if applicable, any associated condition such as:", "aspiration pneumonia (J69.-)"]})),
}}


def _messages(result, code):
    return [m for f in result.findings if code in (f.answer_code, f.key_code) for m in f.messages]


def test_a_missed_code_first_note_is_a_line_message_with_its_section_and_costs_nothing():
    key = [KeyLine("T38.3X6A", PRINCIPAL), KeyLine("Z91.130")]
    answer = [AnswerLine("Z91.130", PRINCIPAL)]
    result = grade(key, answer, oracle=ORACLE)
    text = " ".join(_messages(result, "Z91130"))
    assert "Code first" in text and "underdosing of medication (T36-T50)" in text and "guideline I.A.13" in text
    assert "(category Z91" not in text and "subcategory Z91.1" in text
    assert all(check.kind not in ("code_first", "use_additional", "code_also") for check in result.checks)
    strict = grade(key, answer, oracle=ORACLE, policy=Policy(violation_penalty=1.0))
    assert strict.score == grade(key, answer, policy=Policy(violation_penalty=1.0)).score


def test_code_first_is_met_only_by_a_code_the_note_names():
    poisoning = instructional_note_checks([AnswerLine("Z91130", SECONDARY), AnswerLine("T383X1A", PRINCIPAL)], ORACLE)
    assert [check.kind for _, check in poisoning] == ["code_first"]
    underdosing = instructional_note_checks([AnswerLine("T383X6A", PRINCIPAL), AnswerLine("Z91130", SECONDARY)], ORACLE)
    assert underdosing == []


def test_code_first_met_but_sequenced_after_gets_a_softer_sequencing_message():
    found = instructional_note_checks([AnswerLine("D631", PRINCIPAL), AnswerLine("N184", SECONDARY)], ORACLE)
    assert [check.kind for _, check in found] == ["code_first_sequence"]
    assert "N18.4 is coded, but as a secondary diagnosis; it is sequenced before D63.1" in found[0][1].message
    result = grade([KeyLine("N18.4", PRINCIPAL), KeyLine("D63.1")], [AnswerLine("D63.1", PRINCIPAL), AnswerLine("N18.4")],
                   oracle=ORACLE)
    assert any(m.startswith("Sequencing note:") for m in _messages(result, "D631"))


def test_use_additional_and_code_also_are_notes_to_check_not_errors():
    result = grade([KeyLine("E11.65", PRINCIPAL), KeyLine("J18.9")], [AnswerLine("E11.65", PRINCIPAL), AnswerLine("J18.9")],
                   oracle=ORACLE)
    assert result.score == 100.0 and result.checks == []
    e11 = " ".join(_messages(result, "E1165"))
    assert e11.startswith("Note to check:") and "Use additional code" in e11 and "I.B.7" in e11 and "no points" in e11
    assert "Code also" in " ".join(_messages(result, "J189")) and "I.A.17" in " ".join(_messages(result, "J189"))
    met = grade([KeyLine("E11.65", PRINCIPAL)], [AnswerLine("E11.65", PRINCIPAL), AnswerLine("Z79.4")], oracle=ORACLE)
    assert not any("Use additional" in m for m in _messages(met, "E1165"))


def test_a_manifestation_listed_first_is_not_also_reported_as_a_sequencing_note():
    found = instructional_note_checks([AnswerLine("G63", PRINCIPAL), AnswerLine("E85", SECONDARY)],
                                      {"icd10cm": {**ORACLE["icd10cm"], "E85": CodeFacts()}})
    assert found == []


@pytest.fixture
def notes_release(db):
    clear_cache()
    release = ReleaseFactory(label="FY2026-NOTES")
    rows = [
        ("Z91", "Patient's noncompliance with medical treatment and regimen", False, {}),
        ("Z911", "Patient's noncompliance with medical treatment and regimen", False,
         {"code_first": ["underdosing of medication (T36-T50) with fifth or sixth character 6"]}),
        ("Z9113", "Patient's unintentional underdosing of medication regimen", False, {}),
        ("Z91130", "Patient's unintentional underdosing of medication regimen due to age-related debility", True,
         {"use_additional": ["code to identify the drug (T36-T50)"]}),
    ]
    for code, title, billable, notes in rows:
        CodeFactory(release=release, code=code, long_title=title, billable=billable, notes=notes)
    yield release
    clear_cache()


def test_the_oracle_reads_the_notes_of_the_code_and_of_its_parents(notes_release):
    facts = facts_for(notes_release, ["Z91130"])["Z91130"]
    assert [(note.kind, note.source) for note in facts.notes] == [("code_first", "Z911"), ("use_additional", "Z91130")]
    assert facts.notes[0].references == ("T36-T50:4,5=6",)
