"""ICD-10-PCS lines graded axis by axis, with the wrong axis named. Pure: no database."""

from __future__ import annotations

import pytest

from exercises.grading import PRINCIPAL, PROCEDURE, AnswerLine, CodeFacts, KeyLine, Policy, grade
from exercises.grading.pcs import pcs_credit

PCS = "icd10pcs"
M_S = ("Section", "Medical and Surgical"), ("Body System", "Gastrointestinal System"), ("Operation", "Resection")


def facts(approach_label: str, body_part: str = "Appendix") -> CodeFacts:
    return CodeFacts(title="", axes=(*M_S, ("Body Part", body_part), ("Approach", approach_label),
                                     ("Device", "No Device"), ("Qualifier", "No Qualifier")))


ORACLE = {PCS: {"0DTJ4ZZ": facts("Percutaneous Endoscopic"), "0DTJ0ZZ": facts("Open"),
                "0DTK4ZZ": facts("Percutaneous Endoscopic", "Ascending Colon")}}
KEY = [KeyLine("K35.80", PRINCIPAL), KeyLine("0DTJ4ZZ", PROCEDURE, PCS)]


def pcs_line(result):
    return next(f for f in result.findings if f.system == PCS)


def test_the_right_code_earns_full_credit():
    assert grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0dtj4zz", PROCEDURE, PCS)], oracle=ORACLE).score == 100


def test_a_wrong_approach_keeps_the_other_axes_and_names_the_axis_with_both_labels():
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DTJ0ZZ", PROCEDURE, PCS)], oracle=ORACLE)
    line = pcs_line(result)
    assert line.verdict == "partial" and line.credit == pytest.approx(0.9)  # approach weighs 0.10
    assert line.messages == [
        "Approach (5th character): you chose Open (0); the key has Percutaneous Endoscopic (4)."
    ]


def test_root_operation_and_body_part_weigh_most():
    wrong_part = pcs_credit("0DTJ4ZZ", "0DTK4ZZ", Policy().pcs_axis_weights)
    wrong_approach = pcs_credit("0DTJ4ZZ", "0DTJ0ZZ", Policy().pcs_axis_weights)
    assert wrong_part == pytest.approx(0.7) and wrong_approach == pytest.approx(0.9)
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DTK4ZZ", PROCEDURE, PCS)], oracle=ORACLE)
    assert pcs_line(result).messages == [
        "Body Part (4th character): you chose Ascending Colon (K); the key has Appendix (J)."]


def test_a_different_procedure_is_a_missing_line_and_an_extra_one():
    # Excision (B) of the colon (K): neither the root operation nor the body part matches.
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DBK4ZZ", PROCEDURE, PCS)])
    assert sorted(f.verdict for f in result.findings if f.system == PCS) == ["extra", "missing"]


def test_without_table_labels_the_medical_and_surgical_axis_names_are_used():
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DBJ4ZZ", PROCEDURE, PCS)])
    assert pcs_line(result).messages == ["Root Operation (3rd character): you chose B; the key has T."]


def test_several_procedures_are_paired_optimally_whatever_their_order():
    key = [KeyLine("I21.4", PRINCIPAL), KeyLine("027034Z", PROCEDURE, PCS), KeyLine("B2111ZZ", PROCEDURE, PCS)]
    answer = [AnswerLine("I214", PRINCIPAL), AnswerLine("B2111ZZ", PROCEDURE, PCS), AnswerLine("02703DZ", PROCEDURE, PCS)]
    result = grade(key, answer)
    pairs = sorted((f.key_code, f.answer_code, round(f.credit, 2)) for f in result.findings if f.system == PCS)
    assert pairs == [("027034Z", "02703DZ", 0.9), ("B2111ZZ", "B2111ZZ", 1.0)]
    assert result.score == pytest.approx(100 * 2.9 / 3, abs=0.01)


def test_a_code_missing_from_the_release_is_invalid_and_a_wrong_shape_is_caught():
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DTJ3ZZ", PROCEDURE, PCS)], oracle=ORACLE)
    assert [c.kind for c in result.checks] == ["invalid_code"]
    assert "0DTJ3ZZ is not a code in the pinned ICD-10-PCS release" in result.checks[0].message
    shaped = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DTJ4Z", PROCEDURE, PCS)])
    assert shaped.checks[0].kind == "invalid_code" and "not shaped like" in shaped.checks[0].message


def test_the_policy_sets_the_axis_weights():
    heavy_approach = Policy(pcs_axis_weights=[0.0, 0.0, 0.2, 0.2, 0.6, 0.0, 0.0])
    result = grade(KEY, [AnswerLine("K3580", PRINCIPAL), AnswerLine("0DTJ0ZZ", PROCEDURE, PCS)], policy=heavy_approach)
    assert pcs_line(result).credit == pytest.approx(0.4)
    with pytest.raises(ValueError, match="add up to 1"):
        Policy(pcs_axis_weights=(0.5, 0.5, 0.5, 0, 0, 0, 0))
