"""The provider-query rubric (pure): compliant-query practice, criterion by criterion."""

from __future__ import annotations

import pytest

from exercises.grading import Policy
from exercises.grading.query_rubric import (
    DEFAULT_WEIGHTS,
    FORMAT,
    INDICATORS,
    MULTIPLE_CHOICE,
    NEUTRAL_OPTIONS,
    NO_FINANCIAL,
    NONCOMPLIANT_CAP,
    NOT_LEADING,
    OPEN_ENDED,
    OPTIONS,
    YES_NO,
    QuerySpecData,
    StudentQuery,
    classify_option,
    combine_scores,
    evaluate_query,
    find_terms,
)

SEPSIS = QuerySpecData.from_mapping({
    "topic_terms": ["urosepsis", "diagnosis", "condition"],
    "indicators": [
        {"label": "Temperature 38.9 C", "terms": ["temp*", "fever*", "febrile", "38.9"]},
        {"label": "Heart rate 118", "terms": ["heart rate", "hr", "tachycardi*", "pulse"]},
        {"label": "WBC 17.2 with bands", "terms": ["wbc", "white count", "leukocytosis", "bands"]},
        {"label": "Blood cultures growing E. coli", "terms": ["blood culture*", "bacteremia"]},
    ],
    "min_indicators": 3,
    "options": [
        {"label": "Sepsis due to urinary tract infection", "terms": ["sepsis"]},
        {"label": "Urinary tract infection without sepsis", "terms": ["without sepsis", "no sepsis", "localized", "uti only"]},
    ],
    "unsupported": [
        {"label": "Septic shock", "terms": ["septic shock", "shock"], "why": "Blood pressure stayed normal."},
        {"label": "Severe sepsis", "terms": ["severe sepsis"], "why": "No acute organ dysfunction."},
    ],
})
GOOD = StudentQuery(
    MULTIPLE_CHOICE,
    "The ED note documents urosepsis. Based on your clinical judgment, can you clarify the diagnosis being treated?",
    "Temp 38.9 C (ED vitals)\nHR 118\nWBC 17.2 with 12% bands\nBlood cultures x2: gram-negative rods",
    ("Sepsis due to urinary tract infection", "Urinary tract infection without sepsis", "Other (please specify)",
     "Clinically undetermined"),
)


def _criterion(result, name):
    return next(c for c in result.criteria if c.name == name)


def _query(**changes) -> StudentQuery:
    fields = {"format": GOOD.format, "question": GOOD.question, "indicators": GOOD.indicators, "options": GOOD.options}
    fields.update(changes)
    return StudentQuery(**fields)


def test_a_compliant_multiple_choice_query_earns_every_criterion():
    result = evaluate_query(GOOD, SEPSIS)
    assert result.score == 100.0 and result.compliant
    assert [c.credit for c in result.criteria] == [1.0] * 6
    assert sum(DEFAULT_WEIGHTS.values()) == 100.0


def test_a_leading_query_naming_an_unsupported_diagnosis_fails_that_criterion_and_is_capped():
    leading = _query(options=("Septic shock", "Sepsis due to urinary tract infection", "Urinary tract infection without sepsis",
                              "Other", "Unable to determine"))
    result = evaluate_query(leading, SEPSIS)
    criterion = _criterion(result, NOT_LEADING)
    assert criterion.credit == 0.0
    assert any("Septic shock" in m and "do not support" in m for m in criterion.messages)
    assert not result.compliant and result.score == NONCOMPLIANT_CAP and result.raw_score == 85.0


def test_naming_an_unsupported_diagnosis_in_the_question_is_leading_too():
    result = evaluate_query(_query(question="Could the patient have severe sepsis?"), SEPSIS)
    assert _criterion(result, NOT_LEADING).credit == 0.0


def test_an_absent_finding_cited_in_the_question_is_not_naming_the_diagnosis():
    cited = evaluate_query(_query(question="Blood pressure stayed normal, no septic shock. Please clarify the diagnosis."), SEPSIS)
    assert _criterion(cited, NOT_LEADING).credit == 1.0
    named = evaluate_query(_query(question="Blood pressure is normal. Is this septic shock?"), SEPSIS)
    assert _criterion(named, NOT_LEADING).credit == 0.0


def test_the_most_specific_wording_decides_what_an_option_is():
    assert classify_option("Severe sepsis", SEPSIS)[0] == "unsupported"
    assert classify_option("UTI without sepsis", SEPSIS)[1].label == "Urinary tract infection without sepsis"
    assert classify_option("Sepsis, due to E. coli UTI", SEPSIS)[1].label == "Sepsis due to urinary tract infection"
    assert classify_option("Other (please specify)", SEPSIS)[0] == "other"
    assert classify_option("Clinically undetermined", SEPSIS)[0] == "undetermined"
    assert classify_option("Unable to determine", SEPSIS)[0] == "undetermined"


def test_directing_the_provider_to_one_diagnosis_or_asking_for_agreement_is_leading():
    directive = evaluate_query(_query(question="Please document sepsis due to UTI in your progress note."), SEPSIS)
    assert _criterion(directive, NOT_LEADING).credit == 0.0
    agree = evaluate_query(_query(question="Do you agree the patient meets criteria?"), SEPSIS)
    assert _criterion(agree, NOT_LEADING).credit == 0.0
    neutral = evaluate_query(_query(question="Please document your clinical opinion of the condition treated."), SEPSIS)
    assert _criterion(neutral, NOT_LEADING).credit == 1.0


@pytest.mark.parametrize("words", ["This affects the DRG.", "reimbursement", "for proper payment", "the MCC",
                                   "hospital quality scores", "insurance will deny"])
def test_any_mention_of_payment_fails_the_financial_criterion_and_caps_the_score(words):
    result = evaluate_query(_query(question=GOOD.question + " " + words), SEPSIS)
    assert _criterion(result, NO_FINANCIAL).credit == 0.0
    assert not result.compliant and result.score <= NONCOMPLIANT_CAP


def test_financial_words_are_matched_as_whole_words():
    assert find_terms("Patient paid attention; repayment plan", ["paid"]) == ["paid"]
    assert find_terms("the drug was given", ["drg"]) == []
    assert find_terms("Dopamine", ["pay"]) == []


def test_a_missing_other_or_undetermined_option_loses_half_the_criterion_each():
    no_other = evaluate_query(_query(options=GOOD.options[:2] + ("Clinically undetermined",)), SEPSIS)
    assert _criterion(no_other, NEUTRAL_OPTIONS).credit == 0.5
    neither = evaluate_query(_query(options=GOOD.options[:2]), SEPSIS)
    criterion = _criterion(neither, NEUTRAL_OPTIONS)
    assert criterion.credit == 0.0 and any("Other" in m for m in criterion.messages)
    assert neither.compliant  # incomplete, not leading: no cap
    assert neither.score == 85.0


def test_cited_indicators_earn_credit_up_to_the_spec_minimum():
    none = evaluate_query(_query(indicators="", question="Please clarify the diagnosis."), SEPSIS)
    assert _criterion(none, INDICATORS).credit == 0.0
    two = evaluate_query(_query(indicators="Febrile to 38.9; tachycardic", question="Please clarify the diagnosis."), SEPSIS)
    assert _criterion(two, INDICATORS).credit == pytest.approx(2 / 3)
    assert any("Temperature 38.9 C" in m for m in _criterion(two, INDICATORS).messages)
    in_question = evaluate_query(_query(indicators="", question="With WBC 17.2, fever 38.9 and HR 118, please clarify the diagnosis."), SEPSIS)
    assert _criterion(in_question, INDICATORS).credit == 1.0


def test_yes_no_is_refused_where_the_diagnosis_is_not_documented():
    yes_no = StudentQuery(YES_NO, "Does the patient have sepsis due to UTI?", GOOD.indicators,
                          ("Yes", "No", "Other", "Clinically undetermined"))
    result = evaluate_query(yes_no, SEPSIS)
    criterion = _criterion(result, FORMAT)
    assert criterion.credit == 0.0 and "not allowed" in criterion.messages[0]
    assert not result.compliant and result.score == NONCOMPLIANT_CAP


def test_yes_no_is_accepted_where_the_spec_names_an_allowed_use():
    conflict = QuerySpecData.from_mapping({
        "topic_terms": ["diabetes"], "yes_no_use": "conflict", "min_options": 1,
        "indicators": [{"label": "History: type 1 since age 11", "terms": ["type 1", "age 11"]},
                       {"label": "Insulin pump", "terms": ["pump"]}],
        "min_indicators": 2,
        "options": [{"label": "Type 1 diabetes", "terms": ["type 1"]}, {"label": "Type 2 diabetes", "terms": ["type 2"]}],
    })
    query = StudentQuery(YES_NO, "The history says type 1 and the outside list type 2. Is the diabetes type 1?",
                         "Type 1 since age 11 per history; insulin pump", ("Yes", "No", "Other", "Unable to determine"))
    result = evaluate_query(query, conflict)
    assert result.compliant and result.score == 100.0
    assert "conflicting documentation" in _criterion(result, FORMAT).messages[0]


def test_an_open_ended_query_needs_no_options_but_must_say_what_it_asks():
    open_query = StudentQuery(OPEN_ENDED, "Based on these indicators, please document the condition being treated.",
                              GOOD.indicators)
    result = evaluate_query(open_query, SEPSIS)
    assert result.score == 100.0
    vague = evaluate_query(StudentQuery(OPEN_ENDED, "Please see the labs.", GOOD.indicators), SEPSIS)
    assert _criterion(vague, OPTIONS).credit == 0.0


def test_one_supported_option_where_several_are_supported_earns_part_of_the_options_criterion():
    result = evaluate_query(_query(options=("Sepsis due to urinary tract infection", "Other", "Undetermined")), SEPSIS)
    assert _criterion(result, OPTIONS).credit == 0.5


def test_no_query_sent_scores_zero():
    result = evaluate_query(None, SEPSIS)
    assert result.score == 0.0 and not result.sent and result.notes


def test_combining_the_coding_and_query_scores_uses_the_policy_weight():
    assert Policy().query_rubric_weight == 0.3
    assert combine_scores(80.0, 50.0, 0.3) == 71.0
    assert combine_scores(100.0, 100.0, 0.3) == 100.0
    assert combine_scores(0.0, 0.0, 0.3) == 0.0
    assert combine_scores(60.0, 100.0, 0.0) == 60.0
    with pytest.raises(ValueError):
        Policy(query_rubric_weight=1.5)


def test_result_dicts_are_plain_data():
    data = evaluate_query(GOOD, SEPSIS).as_dict()
    assert data["score"] == 100.0 and data["compliant"] is True
    assert [c["name"] for c in data["criteria"]] == [FORMAT, INDICATORS, OPTIONS, NEUTRAL_OPTIONS, NOT_LEADING, NO_FINANCIAL]
    assert all(isinstance(c["label"], str) and c["label"] for c in data["criteria"])
