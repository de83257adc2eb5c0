"""Defaults for general terms and the external-cause rule, on small synthetic code lists (no database)."""

from __future__ import annotations

from lookup.search import CodeEntry, build_index, parse_synonyms, search
from lookup.search.absurd import absurd_hit, describes_injury_event, injury_event_words, is_external_cause
from lookup.search.text import phrasing_words

SYNONYMS = parse_synonyms([
    "cancer\tmalignant neoplasm",
    "shot\timmunization | vaccination | injection",
    "leg\tlower limb",
])


def _index(rows):
    entries = []
    for order, (code, title, billable, terms) in enumerate(rows):
        parent = code[:-1] if len(code) > 3 else ""
        display = code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
        entries.append(CodeEntry(code=code, display_code=display, title=title, billable=billable, parent_code=parent,
                                 sort_order=order, terms=tuple(terms)))
    return build_index(entries, system="icd10cm", synonyms=SYNONYMS)


def codes(index, query, limit=10):
    return [hit.code for hit in search(index, query, limit=limit)]


DEMENTIA = [
    ("A52", "Late syphilis", False, ()),
    ("A521", "Symptomatic neurosyphilis", False, ()),
    ("A5217", "General paresis", True, ("Dementia paralytica",)),
    ("F03", "Unspecified dementia", False, ("Senile dementia NOS",)),
    ("F039", "Unspecified dementia, unspecified severity", False, ()),
    ("F0390", "Unspecified dementia, unspecified severity, without behavioral disturbance, psychotic "
              "disturbance, mood disturbance, and anxiety", True, ("Dementia NOS",)),
    ("F0394", "Unspecified dementia, unspecified severity, with anxiety", True, ()),
    ("G10", "Huntington's disease", True, ("Huntington's dementia",)),
]


def test_an_nos_inclusion_term_makes_its_code_the_default_for_the_plain_term():
    found = codes(_index(DEMENTIA), "dementia")
    assert found[0] == "F03.90"
    assert found.index("F03.94") < found.index("A52.17")


def test_a_query_with_detail_still_finds_the_detailed_code():
    assert codes(_index(DEMENTIA), "dementia with anxiety")[0] == "F03.94"


BREAST = [
    ("C50", "Malignant neoplasm of breast", False, ()),
    ("C509", "Malignant neoplasm of breast of unspecified site", False, ()),
    ("C5091", "Malignant neoplasm of breast of unspecified site, female", False, ()),
    ("C50911", "Malignant neoplasm of unspecified site of right female breast", True, ()),
    ("C50919", "Malignant neoplasm of unspecified site of unspecified female breast", True, ()),
    ("C5092", "Malignant neoplasm of breast of unspecified site, male", False, ()),
    ("C50929", "Malignant neoplasm of unspecified site of unspecified male breast", True, ()),
    ("C50A", "Malignant inflammatory neoplasm of breast", False, ()),
    ("C50A0", "Malignant inflammatory neoplasm of unspecified breast", True, ("Inflammatory breast cancer",)),
    ("Z17", "Estrogen receptor status", False, ()),
    ("Z170", "Estrogen receptor positive status [ER+]", True, ("Breast cancer, receptor positive",)),
]


def test_the_first_branch_of_the_category_s_unspecified_code_is_the_default():
    found = codes(_index(BREAST), "breast cancer")
    assert found[:2] == ["C50.919", "C50.911"]
    assert found.index("C50.911") < found.index("C50.A0") < found.index("Z17.0")


def test_a_subtype_the_query_names_comes_first():
    assert codes(_index(BREAST), "inflammatory breast cancer")[0] == "C50.A0"


SHOT = [
    ("W34", "Accidental discharge and malfunction from other and unspecified firearms and guns", False, ()),
    ("W3400", "Accidental discharge from unspecified firearms or gun", True, ("Shot NOS",)),
    ("Z23", "Encounter for immunization", True, ()),
]


def test_external_cause_codes_follow_disease_codes_when_no_injury_event_is_named():
    assert codes(_index(SHOT), "shot") == ["Z23", "W34.00"]


def test_a_query_that_describes_an_injury_event_keeps_external_causes_in_place():
    assert codes(_index(SHOT), "shot by a gun")[0] == "W34.00"


def test_anatomy_as_people_say_it_finds_the_limb():
    rows = [("L03", "Cellulitis and acute lymphangitis", False, ()),
            ("L03115", "Cellulitis of right lower limb", True, ()),
            ("L03031", "Cellulitis of right toe", True, ())]
    assert codes(_index(rows), "cellulitis of right leg")[0] == "L03.115"


def test_the_external_cause_rule():
    assert is_external_cause("W34.00XA") and is_external_cause("Y35.009A") and is_external_cause("V43.52XA")
    assert is_external_cause("W3400") and not is_external_cause("Z23")
    assert not is_external_cause("V2020", "hcpcs")  # eyeglass frames
    assert absurd_hit("flu shot", "W34.00XA")
    assert not absurd_hit("fell off a ladder", "W11.XXXA")
    assert not absurd_hit("w54.0", "W54.0XXA")  # a code query
    assert describes_injury_event("bitten by a dog") and not describes_injury_event("dementia")


def test_every_injury_event_word_is_a_plain_lower_case_word():
    for word in injury_event_words():
        assert word.isalpha() and word == word.lower(), word


def test_negations_drop_their_words_up_to_the_next_with():
    assert phrasing_words("Calculus of gallbladder without cholecystitis with obstruction") == [
        "calculus", "gallbladder", "obstruction"]
    assert phrasing_words("Cystitis, unspecified with hematuria") == ["cystitis", "hematuria"]
    assert phrasing_words("Cystitis, unspecified without hematuria") == ["cystitis"]
    assert phrasing_words("Immunization not carried out for unspecified reason") == [
        "immunization", "carried", "out", "reason"]
    assert phrasing_words("Encounter for immunization") == ["immunization"]


def test_codes_for_diseases_classified_elsewhere_follow_the_plain_code():
    rows = [("G62", "Other and unspecified polyneuropathies", False, ()),
            ("G629", "Polyneuropathy, unspecified", True, ("Neuropathy NOS",)),
            ("G63", "Polyneuropathy in diseases classified elsewhere", True, ()),
            ("E1142", "Type 2 diabetes mellitus with diabetic polyneuropathy", True, ())]
    found = codes(_index(rows), "polyneuropathy")
    assert found[0] == "G62.9"
    assert found.index("G62.9") < found.index("G63")
