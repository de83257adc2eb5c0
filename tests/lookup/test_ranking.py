"""The ranking rules, on a small synthetic code list (no database)."""

from __future__ import annotations

import random

import pytest

from lookup.search import CodeEntry, build_index, parse_synonyms, search
from lookup.search.fuzzy import edit_distance
from lookup.search.index import IndexTermEntry

from .factories import expanded_rows

SYNONYMS = parse_synonyms([
    "chf\tcongestive heart failure | heart failure",
    "fx\tfracture",
    "heart attack\tmyocardial infarction",
    "pink eye\tconjunctivitis",
])


def _entries(rows=None):
    entries = []
    for order, (code, title, kind, billable, parent, notes) in enumerate(rows or expanded_rows()):
        display = code if ("-" in code or code.isdigit() or len(code) <= 3) else f"{code[:3]}.{code[3:]}"
        entries.append(CodeEntry(code=code, display_code=display, title=title, billable=billable, kind=kind,
                                 parent_code=parent, sort_order=order, terms=tuple(notes.get("inclusion_terms", ())) + tuple(notes.get("includes", ())),
                                 seven_chr=tuple(notes.get("seven_chr", {}).items())))
    return entries


@pytest.fixture(scope="module")
def index():
    return build_index(_entries(), system="icd10cm", synonyms=SYNONYMS)


def codes(index, query, limit=10):
    return [hit.code for hit in search(index, query, limit=limit)]


@pytest.mark.parametrize("query", ["e11.4", "E114", "E11.4", " e114 "])
def test_code_with_or_without_dot_in_any_case_gives_the_code_then_its_children(index, query):
    assert codes(index, query)[:3] == ["E11.4", "E11.40", "E11.41"]


def test_exact_code_comes_before_longer_codes(index):
    assert codes(index, "S72.001")[:4] == ["S72.001", "S72.001A", "S72.001D", "S72.001S"]
    assert codes(index, "j189") == ["J18.9"]


def test_words_match_by_prefix_in_any_order(index):
    assert codes(index, "diab neuro")[0] == "E11.40"
    assert codes(index, "neuro diab")[0] == "E11.40"
    assert codes(index, "DIABETES NEUROPATHY")[0] == "E11.40"


def test_small_typos_are_tolerated(index):
    assert codes(index, "pnemonia")[0] == "J18.9"
    assert codes(index, "diabetis neuropaty")[0] == "E11.40"


def test_every_word_matched_ranks_before_partial_matches(index):
    found = codes(index, "lobar pneumonia")
    assert found[0] == "J18.1"
    assert "J18.9" in found  # a partial match still follows


def test_title_hits_rank_before_equally_plain_synonym_hits():
    rows = [("H109", "Unspecified conjunctivitis", "code", True, "", {}),
            ("Z999", "Pink eye, unspecified", "code", True, "", {})]
    index = build_index(_entries(rows), system="icd10cm", synonyms=SYNONYMS)
    assert codes(index, "pink eye") == ["Z99.9", "H10.9"]


def test_a_plain_synonym_hit_ranks_before_a_title_hit_with_extra_words():
    rows = [("H109", "Unspecified conjunctivitis", "code", True, "", {}),
            ("Z999", "Pink eye pigment, examination of", "code", True, "", {})]
    index = build_index(_entries(rows), system="icd10cm", synonyms=SYNONYMS)
    assert codes(index, "pink eye") == ["H10.9", "Z99.9"]


def test_synonyms_abbreviations_and_lay_terms_find_the_condition(index):
    assert codes(index, "chf")[0] == "I50.9"
    assert codes(index, "heart attack")[0] == "I21.9"
    assert codes(index, "pink eye")[0] == "H10.9"
    assert "S72.001A" in codes(index, "fx neck femur")


def test_billable_codes_rank_before_headers(index):
    found = codes(index, "heart failure")
    assert found[:3] == ["I50.9", "I50.20", "I50"]  # the header after every billable full match


def test_plain_and_unspecified_codes_rank_before_rarer_siblings(index):
    found = codes(index, "pneumonia")
    assert found[0] == "J18.9"
    assert found.index("J18.9") < found.index("J18.1")
    assert codes(index, "type 2 diabetes")[0] == "E11.9"


def test_initial_encounter_extension_comes_first_unless_the_query_names_another(index):
    found = codes(index, "fracture neck femur")
    assert found[0].endswith("A")
    assert all(code.endswith("A") for code in found[:2])
    assert codes(index, "fracture neck femur subsequent")[0].endswith("D")
    assert codes(index, "fracture neck femur sequela")[0].endswith("S")


def test_extensions_padded_with_placeholder_x_group_under_their_code_initial_encounter_first():
    # S13.4 takes its 7th character after XX padding (S13.4XXA): the extensions belong to S13.4.
    seventh = {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
    rows = [
        ("S13", "Dislocation and sprain of joints and ligaments at neck level", "category", False, "", {"seven_chr": seventh}),
        ("S134", "Sprain of ligaments of cervical spine", "code", False, "S13", {}),
    ] + [
        (f"S134XX{char}", f"Sprain of ligaments of cervical spine, {title}", "code", True, "S134", {})
        for char, title in sorted(seventh.items(), key=lambda item: item[0] == "A")  # arrive with A last
    ]
    index = build_index(_entries(rows), system="icd10cm")
    assert codes(index, "sprain cervical spine")[:3] == ["S13.4XXA", "S13.4XXD", "S13.4XXS"]
    assert codes(index, "sprain cervical spine sequela")[0] == "S13.4XXS"


def test_a_plainer_title_wins_even_when_titles_beginning_with_the_query_words_are_many():
    # Forty titles begin with "Varicose veins" but add words; the plain one begins otherwise.
    rows = [("I83", "Varicose veins of lower extremities", "category", False, "", {})]
    rows += [(f"I83{n:02d}", f"Varicose veins of lower extremity with ulcer of site {n}", "code", True, "I83", {})
             for n in range(40)]
    rows += [("I8399", "Asymptomatic varicose veins", "code", True, "I83", {})]
    index = build_index(_entries(rows), system="icd10cm")
    assert codes(index, "varicose veins")[0] == "I83.99"


def test_an_abbreviation_finds_the_plain_code_of_what_it_stands_for():
    # The title that says exactly what "aki" stands for is plainer than one that also names a context,
    # even when that one has a short inclusion term.
    rows = [
        ("N17", "Acute kidney failure", "category", False, "", {}),
        ("N179", "Acute kidney failure, unspecified", "code", True, "N17", {}),
        ("O0332", "Acute kidney failure following abortion", "code", True, "O03", {"inclusion_terms": ["Oliguria"]}),
    ]
    index = build_index(_entries(rows), system="icd10cm", synonyms=parse_synonyms(["aki\tacute kidney failure"]))
    assert codes(index, "aki")[0] == "N17.9"


def test_bracketed_wording_in_a_category_title_names_every_code_beneath():
    rows = [
        ("B02", "Zoster [herpes zoster]", "category", False, "", {}),
        ("B0233", "Zoster keratitis", "code", True, "B02", {"inclusion_terms": ["Herpes zoster keratoconjunctivitis"]}),
        ("B029", "Zoster without complications", "code", True, "B02", {"inclusion_terms": ["Zoster NOS"]}),
    ]
    index = build_index(_entries(rows), system="icd10cm")
    assert codes(index, "herpes zoster")[0] == "B02.9"


def test_a_two_letter_abbreviation_that_is_also_a_prefix_ranks_its_own_meaning_first():
    # "pe" is a synonym term and the prefix of many words (pelvis, perineum): the exact word wins.
    rows = [("I26", "Pulmonary embolism", "category", False, "", {})]
    rows += [(f"I26{n:02d}", f"Pulmonary embolism of kind {n}", "code", True, "I26", {}) for n in range(40)]
    rows += [(f"S32{n}", f"Fracture of pelvis part {n}", "code", True, "", {}) for n in range(10)]
    rows += [("S3180", "Open wound of perineum", "code", True, "", {})]
    index = build_index(_entries(rows), system="icd10cm", synonyms=parse_synonyms(["pe\tpulmonary embolism"]))
    found = codes(index, "pe")
    assert len(found) == 10 and all(code.startswith("I26") for code in found)
    assert codes(index, "pel")[0].startswith("S32")


def test_stopping_early_on_the_words_a_short_prefix_only_begins_never_changes_the_answer(monkeypatch):
    # Fewer documents carry the exact word "pe" than the shortlist holds, so the pass goes on to the
    # words "pe" only begins; it stops once enough of them reach the best key an inexact match can get.
    from lookup.search import query

    rows = [("I26", "Pulmonary embolism", "category", False, "", {})]
    rows += [(f"I26{n}", f"Pulmonary embolism of kind {n}", "code", True, "I26", {}) for n in range(3)]
    rows += [(f"S32{n:02d}", f"Fracture of pelvis part {n}", "code", n % 7 != 0, "", {}) for n in range(60)]
    rows += [(f"S31{n:02d}", f"Open wound of perineum {n}", "code", True, "", {}) for n in range(40)]
    rows += [(f"N73{n}", f"Pelvic peritonitis type {n}", "code", True, "", {}) for n in range(9)]
    index = build_index(_entries(rows), system="icd10cm", synonyms=parse_synonyms(["pe\tpulmonary embolism"]))
    answers = {(text, limit): codes(index, text, limit) for text in ("pe", "pe part", "pe wound") for limit in (5, 10, 50)}
    assert answers[("pe", 10)][:3] == ["I26.0", "I26.1", "I26.2"]

    monkeypatch.setattr(query, "_inexact_bound", lambda index, spec: (query.PENALTY_TYPO + 1, 9))  # never stop early
    assert {key: codes(index, *key) for key in answers} == answers


def test_inclusion_terms_are_searchable(index):
    assert "S72.00" in codes(index, "hip nos")


def test_alphabetic_index_terms_are_searchable_and_a_main_term_default_ranks_first():
    terms = [IndexTermEntry(code="E11.9", main_term="Diabetes, diabetic (mellitus) (sugar)"),
             IndexTermEntry(code="S72.00-", main_term="Fracture, traumatic", path="femur neck")]
    index = build_index(_entries(), system="icd10cm", synonyms=SYNONYMS, index_terms=terms)
    assert codes(index, "diabetes")[0] == "E11.9"
    assert codes(index, "sugar")[0] == "E11.9"
    assert "S72.00" in codes(index, "traumatic femur")


def test_results_do_not_depend_on_the_order_rows_arrive_in(index):
    shuffled = _entries()
    random.Random(7).shuffle(shuffled)
    other = build_index(shuffled, system="icd10cm", synonyms=SYNONYMS)
    for query in ["diab neuro", "pneumonia", "fracture", "e11", "chf", "pnemonia", "heart"]:
        assert codes(other, query) == codes(index, query)


@pytest.mark.parametrize("query", ["", " ", "a", "x" * 5000, "'; DROP TABLE codes; --", "<script>alert(1)</script>",
                                   "%%%%", "\x00\x01", "e" * 40, "S72.001A" * 600])
def test_bad_input_returns_a_short_list_and_never_raises(index, query):
    assert len(search(index, query, limit=10)) <= 10


def test_limit_is_capped(index):
    assert len(search(index, "e", limit=10_000)) <= 50
    assert len(search(index, "fracture", limit=2)) == 2


def test_edit_distance_is_bounded():
    assert edit_distance("pnemonia", "pneumonia", 2) == 1
    assert edit_distance("pneumonai", "pneumonia", 2) == 1  # a transposition is one edit
    assert edit_distance("abcdefgh", "zzzzzzzz", 2) == 3  # stops past the bound


def test_synonym_table_reports_bad_lines():
    with pytest.raises(ValueError, match="line 1"):
        parse_synonyms(["no tab here"])
