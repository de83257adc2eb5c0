"""Present-on-admission indicators: the exempt list as data, POA graded as its own part of a diagnosis line, and the
key review of inpatient keys. Pure: no database."""

from __future__ import annotations

import pytest

from exercises.grading import PRINCIPAL, SECONDARY, AnswerLine, CodeFacts, KeyLine, Policy, grade
from exercises.grading.key_validation import key_review
from exercises.grading.poa import EXEMPT_RULES, is_exempt, normalize_poa

# Guidelines Appendix I: exempt categories, the standing rules (subsequent encounters and sequelae of injuries,
# congenital anomalies), and codes the FY2026 CDC list names.
EXEMPT = ["Z794", "Z87891", "Z7983", "Z91128", "I69351", "I252", "Q210", "S72001D", "S72001S", "T383X6S",
          "V4352XA", "Y92000", "Z3A39", "Z020", "Z713", "Z8249", "O80", "B91"]
NOT_EXEMPT = ["I214", "E871", "N390", "A4151", "J189", "S72001A", "S52521B", "T383X6A", "M80052A", "W010XXA",
              "V00811A", "X710XXA", "E1010", "I5033", "R4182"]


@pytest.mark.parametrize("code", EXEMPT)
def test_codes_on_the_exempt_list(code):
    assert is_exempt(code)


@pytest.mark.parametrize("code", NOT_EXEMPT)
def test_codes_that_need_an_indicator(code):
    assert not is_exempt(code)


def test_exempt_rules_are_prefixes_without_dots_and_their_exceptions_lie_inside_them():
    for prefix, exceptions in EXEMPT_RULES:
        assert prefix == prefix.upper() and "." not in prefix
        assert all(e.startswith(prefix) for e in exceptions)


def test_poa_values_are_read_in_any_case():
    assert normalize_poa(" y ") == "Y"
    assert normalize_poa("exempt") == "1"
    assert normalize_poa(None) == ""


KEY = [KeyLine("A41.51", PRINCIPAL, poa="Y"), KeyLine("E87.1", SECONDARY, poa="N"), KeyLine("Z79.4", SECONDARY, poa="1")]


def test_the_right_indicators_earn_full_credit_and_an_exempt_code_accepts_blank():
    answer = [AnswerLine("A4151", PRINCIPAL, poa="Y"), AnswerLine("E871", poa="N"), AnswerLine("Z794")]
    result = grade(KEY, answer)
    assert result.score == 100.0
    assert all(f.messages == [] for f in result.findings)


def test_a_wrong_indicator_keeps_the_code_credit_less_the_poa_share_and_cites_appendix_i():
    answer = [AnswerLine("A4151", PRINCIPAL, poa="Y"), AnswerLine("E871", poa="Y"), AnswerLine("Z794", poa="1")]
    result = grade(KEY, answer, policy=Policy(poa_credit=0.25))
    line = next(f for f in result.findings if f.key_code == "E871")
    assert line.verdict == "partial" and line.credit == pytest.approx(0.75)
    assert (line.key_poa, line.answer_poa) == ("N", "Y")
    assert line.messages == [
        "POA: you entered Y (present at the time of inpatient admission); the key has N (not present at the time "
        "of inpatient admission) (Appendix I)."
    ]
    assert result.score == pytest.approx(100 * 2.75 / 3, abs=0.01)


def test_the_policy_sets_the_poa_share():
    answer = [AnswerLine("A4151", PRINCIPAL, poa="N"), AnswerLine("E871", poa="N"), AnswerLine("Z794")]
    assert grade(KEY, answer, policy=Policy(poa_credit=0.5)).findings[0].credit == pytest.approx(0.5)
    assert grade(KEY, answer, policy=Policy(poa_credit=0.0)).findings[0].credit == pytest.approx(1.0)


def test_missing_and_exempt_indicators_are_explained():
    answer = [AnswerLine("A4151", PRINCIPAL), AnswerLine("E871", poa="1"), AnswerLine("Z794", poa="Y")]
    messages = {f.key_code: f.messages for f in grade(KEY, answer).findings}
    assert messages["A4151"] == ["POA: no indicator entered; the key has Y (present at the time of inpatient "
                                 "admission) (Appendix I)."]
    assert "is not on the exempt list" in messages["E871"][0]
    assert messages["Z794"][0].startswith("POA: Z79.4 is on the exempt list: leave the indicator blank")


def test_poa_and_sequencing_errors_multiply():
    answer = [AnswerLine("E871", PRINCIPAL, poa="N"), AnswerLine("A4151", poa="N"), AnswerLine("Z794")]
    line = next(f for f in grade(KEY, answer).findings if f.key_code == "A4151")
    assert line.credit == pytest.approx(0.5 * 0.75)


def test_a_key_without_indicators_does_not_grade_them():
    key = [KeyLine("J18.9", PRINCIPAL), KeyLine("I10")]
    assert grade(key, [AnswerLine("J189", PRINCIPAL, poa="N"), AnswerLine("I10", poa="W")]).score == 100.0


def test_an_unknown_indicator_is_graded_as_blank_with_a_notice():
    result = grade(KEY, [AnswerLine("A4151", PRINCIPAL, poa="X"), AnswerLine("E871", poa="N"), AnswerLine("Z794")])
    assert any("not one of Y, N, U, W or 1" in notice for notice in result.notices)
    assert result.findings[0].answer_poa == ""


def test_inpatient_key_review_warns_about_missing_and_exempt_indicators():
    oracle = {"icd10cm": {"A4151": CodeFacts(), "E871": CodeFacts(), "Z794": CodeFacts(), "N390": CodeFacts(),
                          "I10": CodeFacts(poa_exempt=True)}}
    key = [KeyLine("A4151", PRINCIPAL, poa="Y"), KeyLine("E871", poa=""), KeyLine("Z794", poa="Y"),
           KeyLine("N390", poa="1"), KeyLine("I10", poa="1")]
    review = key_review(key, oracle, inpatient=True)
    assert review.ok  # POA never blocks publishing
    assert [(w.line, w.kind) for w in review.warnings] == [(2, "poa"), (3, "poa"), (4, "poa")]
    assert review.warnings[1].text() == (
        "Key line 3: Z79.4 is on the POA exempt list: its indicator is left blank (1), not Y (guideline Appendix I)"
    )
    assert key_review(key, oracle).warnings == []  # outpatient: no POA
