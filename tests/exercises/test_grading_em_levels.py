"""E/M levels in the pure engine: same-family pairing, level messages, the adjacent-level credit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.grading import CPT, EM, PRINCIPAL, PROCEDURE, AnswerLine, KeyLine, Policy, compile_key, grade
from exercises.grading.em import EM_CODES, FAMILIES, em_distance

KEY = [
    KeyLine("I10", PRINCIPAL),
    KeyLine("99214", EM, CPT, modifiers=("25",)),
    KeyLine("93000", PROCEDURE, CPT),
]


def answer(em_code: str, modifiers=("25",)) -> list[AnswerLine]:
    return [AnswerLine("I10", PRINCIPAL), AnswerLine(em_code, EM, CPT, modifiers=modifiers), AnswerLine("93000", PROCEDURE, CPT)]


def em_finding(result):
    return next(f for f in result.findings if f.role == EM or f.answer_code.startswith("99") or f.key_code.startswith("99"))


def test_one_level_under_is_one_paired_line_with_half_credit():
    result = grade(KEY, answer("99213"))
    em = [f for f in result.findings if "99214" in (f.key_code, f.answer_code) or "99213" in (f.key_code, f.answer_code)]
    assert len(em) == 1, "one line, not a missing line plus an extra one"
    (line,) = em
    assert (line.verdict, line.key_code, line.answer_code, line.credit) == ("partial", "99214", "99213", 0.5)
    assert any("Under-coded by one level" in m for m in line.messages)
    assert not any("over-coding costs points" in m for f in result.findings for m in f.messages)
    assert result.counts["extra"] == 0 and result.counts["missing"] == 0
    assert result.score == pytest.approx(100 * 2.5 / 3, abs=0.01)


def test_one_level_over_says_so():
    line = em_finding(grade(KEY, answer("99215")))
    assert line.verdict == "partial" and line.credit == 0.5
    assert any("Over-coded by one level" in m for m in line.messages)


def test_two_levels_off_is_one_wrong_line_that_costs_like_a_missing_and_an_extra():
    result = grade(KEY, answer("99212"))
    line = em_finding(result)
    assert (line.verdict, line.key_code, line.answer_code, line.credit) == ("wrong", "99214", "99212", 0.0)
    assert any("Under-coded by 2 levels" in m for m in line.messages)
    assert result.counts["wrong"] == 1 and result.counts["extra"] == 0 and result.counts["missing"] == 0
    # Same score as before pairing existed: the key point is lost and the entered line still counts.
    assert result.score == pytest.approx(100 * 2 / 3, abs=0.01)
    assert result.components["n_extra"] == 1 and result.components["missing_points"] == 1.0


def test_the_policy_sets_the_adjacent_level_credit():
    assert em_finding(grade(KEY, answer("99213"), policy=Policy(em_level_credit=0.75))).credit == 0.75
    none = em_finding(grade(KEY, answer("99213"), policy=Policy(em_level_credit=0.0)))
    assert none.verdict == "wrong" and none.credit == 0.0 and any("Under-coded by one level" in m for m in none.messages)
    with pytest.raises(ValueError):
        Policy(em_level_credit=1.5)


def test_modifiers_on_the_em_still_count():
    line = em_finding(grade(KEY, answer("99213", modifiers=())))
    assert line.credit == pytest.approx(0.25)  # one level off x modifier 25 missing
    assert any("Modifiers differ" in m for m in line.messages)
    right_level = em_finding(grade(KEY, answer("99214", modifiers=())))
    assert right_level.credit == 0.5 and right_level.verdict == "partial"


def test_levels_are_positions_not_numbers():
    key = [KeyLine("99344", EM, CPT)]  # home visit, new patient; 99343 no longer exists
    line = grade(key, [AnswerLine("99342", EM, CPT)]).findings[0]
    assert line.credit == 0.5 and any("by one level" in m for m in line.messages)


def test_preventive_visits_are_age_bands_with_no_credit():
    key = [KeyLine("99396", EM, CPT)]
    result = grade(key, [AnswerLine("99395", EM, CPT)])
    (line,) = result.findings
    assert (line.verdict, line.credit) == ("wrong", 0.0)
    assert any("Wrong age band" in m and "40-64 years" in m and "18-39 years" in m for m in line.messages)
    assert result.score == 0.0


def test_other_families_and_critical_care_are_not_paired():
    established = grade([KeyLine("99214", EM, CPT)], [AnswerLine("99204", EM, CPT)])
    assert sorted(f.verdict for f in established.findings) == ["extra", "missing"]
    critical = grade([KeyLine("99291", EM, CPT)], [AnswerLine("99292", EM, CPT)])
    assert sorted(f.verdict for f in critical.findings) == ["extra", "missing"]
    assert "99291" not in EM_CODES and "99292" not in EM_CODES


def test_the_right_level_wins_over_a_neighbour_and_the_neighbour_is_an_extra():
    result = grade([KeyLine("99214", EM, CPT)], [AnswerLine("99213", EM, CPT), AnswerLine("99214", EM, CPT)])
    assert sorted((f.verdict, f.answer_code) for f in result.findings) == [("correct", "99214"), ("extra", "99213")]


def test_an_alternate_level_in_the_key_is_measured_too():
    key = [KeyLine("99214", EM, CPT, alternates=("99215",))]
    assert grade(key, [AnswerLine("99215", EM, CPT)]).score == 100.0
    assert grade(key, [AnswerLine("99213", EM, CPT)]).findings[0].credit == 0.5


def test_an_optional_em_line_is_never_made_wrong():
    key = [KeyLine("I10", PRINCIPAL), KeyLine("99214", EM, CPT, optional=True)]
    result = grade(key, [AnswerLine("I10", PRINCIPAL), AnswerLine("99211", EM, CPT)])
    assert sorted(f.verdict for f in result.findings) == ["correct", "extra", "missing"]


def test_two_em_lines_pair_with_the_nearest_levels_whatever_the_order():
    key = [KeyLine("99223", EM, CPT), KeyLine("99232", EM, CPT)]
    lines = [AnswerLine("99222", EM, CPT), AnswerLine("99233", EM, CPT)]
    for _ in range(5):
        random.shuffle(lines)
        result = grade(compile_key(key), lines)
        assert sorted((f.key_code, f.answer_code, f.credit) for f in result.findings) == [
            ("99223", "99222", 0.5), ("99232", "99233", 0.5)]


def test_every_family_is_in_order_and_disjoint():
    seen: set[str] = set()
    for family in FAMILIES:
        assert list(family.codes) == sorted(family.codes)
        assert not seen & set(family.codes)
        seen |= set(family.codes)
        if family.bands:
            assert len(family.bands) == len(family.codes)
    assert em_distance("99214", "99211") == -3 and em_distance("99214", "99204") is None


EM_KEY = compile_key([
    KeyLine("I10", PRINCIPAL), KeyLine("99214", EM, CPT, modifiers=("25",)), KeyLine("99223", EM, CPT),
    KeyLine("99396", EM, CPT, optional=True), KeyLine("93000", PROCEDURE, CPT),
])
em_line = st.builds(
    AnswerLine, code=st.sampled_from(["99211", "99212", "99213", "99214", "99215", "99204", "99221", "99222", "99223",
                                      "99233", "99395", "99396", "99397", "93000", "99291"]),
    role=st.sampled_from([EM, PROCEDURE]), system=st.just(CPT), modifiers=st.sampled_from([(), ("25",)]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(em_line, max_size=6), st.randoms(use_true_random=False))
def test_em_pairing_is_order_free_in_range_and_only_feedback_when_it_earns_nothing(lines, rng):
    answer_lines = [AnswerLine("I10", PRINCIPAL), *lines]
    policy = Policy(em_level_credit=0.0)
    first = grade(EM_KEY, answer_lines, policy=policy)
    shuffled = answer_lines[:1] + rng.sample(answer_lines[1:], len(answer_lines) - 1)
    second = grade(EM_KEY, shuffled, policy=policy)
    assert 0.0 <= first.score <= 100.0 and first.score == second.score and first.counts == second.counts
    # With no credit for a level, pairing an E/M line with a neighbour changes the words, not the score:
    # the same answer with those codes swapped for codes matching nothing scores the same.
    exact = {line.code for line in EM_KEY.lines}
    stand_in: dict[str, str] = {}  # one per code, so repeated lines are still repeats
    blind = [
        line if line.code in exact or line.role == PRINCIPAL
        else AnswerLine(stand_in.setdefault(line.code, f"{len(stand_in):04d}T"), line.role, CPT, line.modifiers)
        for line in answer_lines
    ]
    assert grade(EM_KEY, blind, policy=policy).score == first.score
    assert 0.0 <= grade(EM_KEY, shuffled).score <= 100.0
