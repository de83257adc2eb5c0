"""Pure grading rules for every question kind."""

from __future__ import annotations

import pytest

from courses.grading import InvalidResponse, check_code_format, dotted, grade, normalize_code


def test_single_answer_is_right_or_wrong():
    spec = {"choices": ["a", "b", "c"], "answer": [1]}
    assert grade(kind="single", spec=spec, response=["1"]).is_correct
    result = grade(kind="single", spec=spec, response=[0])
    assert not result.is_correct and result.score == 0 and result.expected == [1]


def test_single_answer_rejects_missing_or_impossible_choice():
    spec = {"choices": ["a", "b"], "answer": [0]}
    with pytest.raises(InvalidResponse):
        grade(kind="single", spec=spec, response=[])
    with pytest.raises(InvalidResponse):
        grade(kind="single", spec=spec, response=["7"])
    with pytest.raises(InvalidResponse):
        grade(kind="single", spec=spec, response=["x"])


def test_multiple_response_needs_the_exact_set_and_gives_partial_credit():
    spec = {"choices": ["a", "b", "c", "d"], "answer": [0, 1, 3]}
    assert grade(kind="multiple", spec=spec, response=[3, 1, 0]).is_correct
    partial = grade(kind="multiple", spec=spec, response=[0, 1])
    assert not partial.is_correct and partial.score == pytest.approx(2 / 3, abs=1e-3)
    penalised = grade(kind="multiple", spec=spec, response=[0, 2])
    assert penalised.score == 0
    assert "1 incorrect" in penalised.message


def test_code_entry_accepts_any_case_with_or_without_the_dot():
    spec = {"system": "icd10cm", "answer": ["E11.9"]}
    for typed in ("E11.9", "e119", " e11.9 ", "E119"):
        assert grade(kind="code", spec=spec, response=[typed]).is_correct, typed
    assert not grade(kind="code", spec=spec, response=["E11.65"]).is_correct
    assert grade(kind="code", spec=spec, response=["E10.9"]).expected == ["E11.9"]


def test_code_entry_rejects_impossible_formats_with_a_clear_message():
    with pytest.raises(InvalidResponse, match="not a valid code format"):
        check_code_format("12345", "icd10cm")
    with pytest.raises(InvalidResponse, match="HCPCS"):
        check_code_format("J18", "hcpcs")
    with pytest.raises(InvalidResponse, match="Enter a code"):
        check_code_format("  ", "cpt")
    assert check_code_format("99213", "cpt") == "99213"
    assert check_code_format("0001F", "cpt") == "0001F"


def test_normalize_and_dotted_round_trip():
    assert normalize_code(" s52.521a ") == "S52521A"
    assert dotted("S52521A", "icd10cm") == "S52.521A"
    assert dotted("J1885", "hcpcs") == "J1885"


def test_term_building_is_ordered():
    spec = {"parts": ["hepat/o", "gastr/o", "-itis"], "answer": ["gastr/o", "-itis"]}
    assert grade(kind="term_build", spec=spec, response=["gastr/o", "-itis"]).is_correct
    assert not grade(kind="term_build", spec=spec, response=["-itis", "gastr/o"]).is_correct
    with pytest.raises(InvalidResponse):
        grade(kind="term_build", spec=spec, response=["cardi/o"])
    with pytest.raises(InvalidResponse):
        grade(kind="term_build", spec=spec, response=[])
