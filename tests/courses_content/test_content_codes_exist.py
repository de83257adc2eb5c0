"""Every code the demo content teaches or accepts exists in the code sets the demo ships.

Codes are collected from the chart-case answer keys (``exercises/demo_cases``: key lines and their
alternates), the lesson quizzes (``courses/demo_content/modules``) and the question bank
(``certification/demo_questions``): code-entry answers, accepted answers, the codes a question names as its
answer, and codes in the options marked right. The collector reads the right options however they are marked
(``{text: ..., correct: true}`` on the option, or ``answer:`` positions or texts), so it keeps working while the
question format changes.

* CPT and HCPCS codes must be rows of the demo files in ``codesets/data`` (our own plain-language CPT wording).
* ICD-10-CM codes must be billable in the bundled FY2026 Tabular List (simple-icd-10-cm).
* Every answer key: no Excludes1 pair among its lines, no unmet "Code first" note (nor one met in the wrong
  order), every required ICD-10-CM line billable, alternates valid; checked with the product's own key review
  (``exercises.grading.key_validation``) against facts read from the bundled Tabular List.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CASES_DIR = REPO / "exercises" / "demo_cases"
MODULES_DIR = REPO / "courses" / "demo_content" / "modules"
BANK_DIR = REPO / "certification" / "demo_questions"
CPT_FILE = REPO / "codesets" / "data" / "cpt_demo_plain_language.csv"
HCPCS_FILE = REPO / "codesets" / "data" / "hcpcs_demo_2026q1.csv"

ICD, CPT, HCPCS = "icd10cm", "cpt", "hcpcs"
ICD_DOTTED = re.compile(r"^[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}$")
ICD_CATEGORY = re.compile(r"^[A-Z][0-9][0-9A-Z]$")
CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTUM]$")
HCPCS_CODE = re.compile(r"^[A-V][0-9]{4}$")
# Inside an option's text: dotted ICD-10-CM codes, five-character CPT codes and HCPCS codes anywhere.
IN_TEXT = re.compile(r"(?<![\w.])([A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}|[0-9]{4}[0-9FT]|[A-V][0-9]{4})(?![\w.-])")
PART_SPLIT = re.compile(r"\s*(?:,|;|\+|\band\b|\bthen\b|\bwith\b)\s*")
SYSTEM_NAMES = {"icd10cm": ICD, "icd-10-cm": ICD, "icd": ICD, "cpt": CPT, "hcpcs": HCPCS}
CORRECT_FLAGS = ("correct", "is_correct", "right", "answer")
TEXT_KEYS = ("text", "choice", "label", "value")


def classify(raw: object, hint: str | None = None) -> tuple[str, str] | None:
    """(system, code) for a string that is a code; None for anything else (modifiers, words, numbers)."""
    code = str(raw).strip().upper()
    if hint == "icd10pcs" and re.match(r"^[0-9A-HJ-NP-Z]{7}$", code):  # inpatient procedure lines
        return hint, code
    if ICD_DOTTED.match(code) or (ICD_CATEGORY.match(code) and code[1].isdigit()):
        return ICD, code
    if CPT_CODE.match(code):
        return CPT, code
    if HCPCS_CODE.match(code):
        if hint == ICD:  # an ICD-10-CM code written without its dot
            return ICD, f"{code[:3]}.{code[3:]}"
        return HCPCS, code
    return None


def _hint(value: object) -> str | None:
    return SYSTEM_NAMES.get(str(value or "").strip().lower())


def _choice_text(choice: object) -> str:
    if isinstance(choice, dict):
        for key in TEXT_KEYS:
            if key in choice:
                return str(choice[key])
        return ""
    return str(choice)


def _choice_marked_right(choice: object) -> bool:
    return isinstance(choice, dict) and any(choice.get(flag) is True for flag in CORRECT_FLAGS)


def right_choice_texts(question: dict) -> list[str]:
    """The texts of the options marked right, whether marked on the option or by ``answer`` positions/texts."""
    choices = question.get("choices") or []
    texts = [_choice_text(c) for c in choices]
    right = [texts[i] for i, choice in enumerate(choices) if _choice_marked_right(choice)]
    answer = question.get("answer")
    answers = answer if isinstance(answer, list) else [answer] if answer is not None else []
    for item in answers:
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item < len(texts):
            right.append(texts[item])
        elif isinstance(item, str) and item in texts:
            right.append(item)
    return right


def codes_in_choice_text(text: str, hint: str | None) -> Iterator[tuple[str, str]]:
    """Codes an option's text names: a listed part that starts with a code, and dotted or five-character codes anywhere.

    A family written with a dash ("M23.2-", "T36.0X5-") is not a code. Three-character ICD-10-CM tokens are left
    out of option texts: there they usually name a category ("E11, type 2"); code-entry answers and a question's
    ``icd10cm`` list still carry the three-character codes (I10, O80) a question accepts."""
    for part in PART_SPLIT.split(text.strip()):
        head = part.strip().split(" ")[0].strip("()[]:.")
        found = classify(head, hint) if head and not head.endswith("-") else None
        if found and not (found[0] == ICD and len(found[1]) == 3):
            yield found
    for match in IN_TEXT.finditer(text):
        found = classify(match.group(1), hint)
        if found:
            yield found


def question_codes(question: dict, hint: str | None) -> list[tuple[str, str]]:
    """Codes a question accepts or names as its answer (each once, in the order found)."""
    return list(dict.fromkeys(_question_codes(question, hint)))


def _question_codes(question: dict, hint: str | None) -> Iterator[tuple[str, str]]:
    hint = _hint(question.get("system")) or _hint(question.get("release")) or hint
    for key in ("accept", "accepted", "alternates"):
        for value in question.get(key) or []:
            found = classify(value, hint)
            if found:
                yield found
    answer = question.get("answer")
    for value in answer if isinstance(answer, list) else [answer]:
        if isinstance(value, str) and not question.get("choices"):  # a code-entry answer
            found = classify(value, hint)
            if found:
                yield found
    for system in (ICD, CPT, HCPCS):  # the codes a question names (e.g. ``icd10cm: [N39.0, B96.20]``)
        for value in question.get(system) or []:
            found = classify(value, system)
            if found:
                yield found
    for text in right_choice_texts(question):
        yield from codes_in_choice_text(text, hint)


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def cases() -> list[tuple[str, dict]]:
    return [(f"{path.name}:{case['slug']}", case) for path in sorted(CASES_DIR.glob("*.yaml")) for case in _load(path) or []]


def key_system(line: dict) -> str:
    role = line.get("role", "secondary")
    return str(line.get("system") or (ICD if role in ("principal", "secondary") else CPT))


def case_codes() -> Iterator[tuple[str, str, str]]:
    for where, case in cases():
        for line in case["key"]:
            system = key_system(line)
            for code in (line["code"], *line.get("alternates", [])):
                found = classify(code, system)
                assert found is not None and found[0] == system, f"{where}: {code!r} is not a {system} code"
                yield where, *found


def lesson_codes() -> Iterator[tuple[str, str, str]]:
    for path in sorted(MODULES_DIR.glob("*.yaml")):
        module = _load(path) or {}
        for lesson in module.get("lessons", []) or []:
            for n, question in enumerate(lesson.get("quiz", []) or [], start=1):
                for system, code in question_codes(question, None):
                    yield f"{path.name}:{lesson.get('slug')}:q{n}", system, code


def bank_codes() -> Iterator[tuple[str, str, str]]:
    for path in sorted(BANK_DIR.glob("*.yaml")):
        bank = _load(path) or {}
        hint = _hint(bank.get("release"))
        for question in bank.get("questions", []) or []:
            for system, code in question_codes(question, hint):
                yield f"{path.name}:{question.get('id')}", system, code


def all_content_codes() -> list[tuple[str, str, str]]:
    return [*case_codes(), *lesson_codes(), *bank_codes()]


def _csv_codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row[0].strip().upper() for row in list(csv.reader(fh))[1:] if row}


def _missing(found: Iterable[tuple[str, str, str]], system: str, known: set[str]) -> list[str]:
    return sorted({f"{code} ({where})" for where, sys_, code in found if sys_ == system and code not in known})


# --- the collector itself ----------------------------------------------------------------------------------

def test_collector_reads_both_ways_of_marking_the_right_option():
    marked = {"kind": "single", "choices": [{"text": "99213"}, {"text": "93010", "correct": True}]}
    positions = {"kind": "single", "choices": ["93000", "93010"], "answer": [1]}
    single = {"kind": "single", "choices": ["G0438", "G0439"], "answer": 1}
    by_text = {"kind": "multiple", "choices": ["N39.0", "B96.20", "A41.51"], "answer": ["N39.0", "B96.20"]}
    assert list(question_codes(marked, CPT)) == [(CPT, "93010")]
    assert list(question_codes(positions, CPT)) == [(CPT, "93010")]
    assert list(question_codes(single, None)) == [(HCPCS, "G0439")]
    assert sorted(question_codes(by_text, ICD)) == [(ICD, "B96.20"), (ICD, "N39.0")]


def test_collector_reads_code_entry_answers_and_codes_inside_option_texts():
    entry = {"kind": "code", "system": "icd10cm", "answer": ["T15.01XA"]}
    accept = {"kind": "code", "accept": ["99291"], "rationale": "..."}
    texts = {"choices": [{"text": "I12.9, N18.4", "correct": True}, {"text": "74177 (with contrast)", "correct": True},
                         {"text": "A0429 and A0425 x 12", "correct": True}, {"text": "Vitamin B12 and 5.0 cm"}]}
    assert list(question_codes(entry, None)) == [(ICD, "T15.01XA")]
    assert list(question_codes(accept, CPT)) == [(CPT, "99291")]
    assert set(question_codes(texts, None)) == {(ICD, "I12.9"), (ICD, "N18.4"), (CPT, "74177"), (HCPCS, "A0429"), (HCPCS, "A0425")}
    assert classify("25") is None and classify("RT") is None and classify("E11") == (ICD, "E11")


def test_content_names_codes_of_every_system():
    found = all_content_codes()
    systems = {system for _, system, _ in found}
    assert systems == {ICD, CPT, HCPCS, "icd10pcs"}
    assert len({code for _, system, code in found if system == CPT}) >= 60
    assert any(where.startswith("cardiology_inpatient.yaml") for where, _, _ in found)


# --- CPT and HCPCS: in the demo files ----------------------------------------------------------------------

def test_every_cpt_code_in_the_content_is_in_the_demo_cpt_set():
    assert _missing(all_content_codes(), CPT, _csv_codes(CPT_FILE)) == []


def test_every_hcpcs_code_in_the_content_is_in_the_demo_hcpcs_set():
    assert _missing(all_content_codes(), HCPCS, _csv_codes(HCPCS_FILE)) == []


def test_demo_cpt_rows_carry_our_plain_language_label():
    with CPT_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["code", "short", "long"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == len(set(codes)), "a CPT code is listed twice"
    for row in rows[1:]:
        assert len(row) == 3 and CPT_CODE.match(row[0]), row
        assert row[2].endswith("(plain-language summary)"), row[0]
        assert 0 < len(row[1]) <= 60, row[0]


# --- ICD-10-CM: billable in the bundled FY2026 release, and key rules ------------------------------------

@pytest.fixture(scope="module")
def icd_records():
    from codesets.bundled import bundled_icd10cm_path
    from codesets.parsers.icd10cm_xml import parse_icd10cm_xml

    return {record.code: record for record in parse_icd10cm_xml(bundled_icd10cm_path()).records}


def _undotted(code: str) -> str:
    return code.replace(".", "")


@pytest.mark.slow
def test_every_icd10cm_code_in_the_content_is_billable_in_fy2026(icd_records):
    bad = sorted({f"{code} ({where})" for where, system, code in all_content_codes()
                  if system == ICD and not getattr(icd_records.get(_undotted(code)), "billable", False)})
    assert bad == []


def _facts(code: str, records: dict):
    """What the product's oracle builds from a release's rows (exercises/oracle.py), read from the parsed XML."""
    from exercises.grading import CodeFacts
    from exercises.grading.notes import code_references, instructional_notes, is_manifestation_title

    row = records.get(code)
    if row is None:
        return None
    excludes: list[str] = []
    notes = []
    manifestation = seven = False
    for size in range(3, len(code) + 1):
        item = records.get(code[:size])
        if item is None:
            continue
        for note in item.notes.get("excludes1") or ():
            excludes.extend(ref for ref in code_references(note) if ref not in excludes)
        notes.extend(instructional_notes(item.code, item.notes))
        seven = seven or bool(item.notes.get("seven_chr"))
        manifestation = manifestation or is_manifestation_title(item.long_title or "")
    return CodeFacts(exists=True, billable=row.billable, needs_seventh=seven and len(code) < 7 and not row.billable,
                     title=row.long_title, excludes1=tuple(excludes), manifestation=manifestation, notes=tuple(notes))


def _key_review(case: dict, records: dict, *, required_only: bool):
    from exercises.grading import KeyLine, normalize_code
    from exercises.grading.key_validation import key_review

    lines = [
        KeyLine(code=normalize_code(line["code"]), role=line.get("role", "secondary"), system=key_system(line),
                alternates=tuple(normalize_code(a) for a in line.get("alternates", [])), optional=bool(line.get("optional")))
        for line in case["key"] if not (required_only and line.get("optional"))
    ]
    icd = {line.code for line in lines if line.system == ICD} | {a for line in lines if line.system == ICD for a in line.alternates}
    oracle = {ICD: {code: facts for code in icd if (facts := _facts(code, records)) is not None}}
    return key_review(lines, oracle)


def _unmet_code_first_notes(case: dict, records: dict) -> list[str]:
    """Unconditional "Code first" notes on a required line that no other required line meets."""
    from exercises.grading import normalize_code
    from exercises.grading.notes import reference_matches
    from exercises.grading.types import CODE_FIRST

    codes = [normalize_code(line["code"]) for line in case["key"] if key_system(line) == ICD and not line.get("optional")]
    unmet = []
    for code in codes:
        facts = _facts(code, records)
        for note in facts.notes if facts else ():
            if note.kind != CODE_FIRST or note.conditional or not note.references:
                continue
            if not any(reference_matches(ref, other) for ref in note.references for other in codes if other != code):
                unmet.append(f"{code}: {note.text}")
    return unmet


@pytest.mark.slow
def test_every_answer_key_is_valid_and_free_of_excludes1_pairs_and_unmet_code_first_notes(icd_records):
    found = []
    for where, case in cases():
        review = _key_review(case, icd_records, required_only=False)
        found += [f"{where}: {problem.text()}" for problem in review.problems]
        found += [f"{where}: {warning.text()}" for warning in review.warnings
                  if warning.kind in ("excludes1", "manifestation_first", "code_first_sequence")]
        found += [f"{where} (required lines): {text}" for text in _unmet_code_first_notes(case, icd_records)]
    assert found == []


def test_the_key_check_catches_the_mistakes_it_is_for(icd_records):
    """An Excludes1 pair (M80 with M81), a Z91.1- code without its underdosing T code, and a header code."""
    def case(*lines):
        return {"key": [{"role": "principal" if i == 0 else "secondary", "code": c} for i, c in enumerate(lines)]}

    review = _key_review(case("M80.052A", "M81.0"), icd_records, required_only=False)
    assert [w.kind for w in review.warnings if w.kind == "excludes1"] == ["excludes1"]
    assert _unmet_code_first_notes(case("E10.10", "Z91.128"), icd_records)
    assert not _unmet_code_first_notes(case("E10.10", "T38.3X6A", "Z91.128"), icd_records)
    assert [p.kind for p in _key_review(case("E11.6"), icd_records, required_only=False).problems] == ["header_code"]


@pytest.mark.slow
def test_every_required_icd10cm_key_line_is_billable(icd_records):
    bad = [f"{where}: {line['code']}" for where, case in cases() for line in case["key"]
           if key_system(line) == ICD and not line.get("optional")
           and not getattr(icd_records.get(_undotted(str(line["code"]))), "billable", False)]
    assert bad == []


def test_every_case_has_one_principal_diagnosis_first_and_external_causes_never_first():
    for where, case in cases():
        diagnoses = [line for line in case["key"] if key_system(line) == ICD]
        principals = [line for line in diagnoses if line.get("role") == "principal"]
        if case.get("is_query_case"):
            assert len(principals) <= 1, where
        else:
            assert len(principals) == 1, where
        for line in principals:
            assert str(line["code"])[0] not in "VWXY", f"{where}: an external cause code is never first-listed (I.C.20)"


def test_every_key_line_explains_itself_with_a_rationale_and_every_diagnosis_cites_a_guideline():
    for where, case in cases():
        for line in case["key"]:
            assert str(line.get("rationale", "")).strip(), f"{where}: {line['code']} has no rationale"
            if key_system(line) == ICD:
                assert str(line.get("guideline", "")).strip(), f"{where}: {line['code']} cites no guideline section"


GUIDELINE_REF = re.compile(r"^(?:I\.(?P<i>[ABC])(?:\.(?P<n>\d+)(?:\.[a-z](?:\.\d+)?(?:\.[a-z])?)?)?|(?P<part>II|III|IV)(?:\.(?P<letter>[A-Z])(?:\.\d+)?)?)$")
# ICD-10-PCS Official Guidelines (A1-A11 conventions, B2-B6 Medical and Surgical, C obstetrics, D new technology),
# written with a "PCS " prefix, and Appendix I of the ICD-10-CM guidelines (present on admission).
PCS_GUIDELINE_REF = re.compile(r"^PCS (?:A(?:[1-9]|1[01])|B[2-6]\.\d{1,2}[a-e]?|C[12]|D1)$")
OTHER_REFS = {"Appendix I"}
SECTION_I_LIMITS = {"A": 19, "B": 20, "C": 22}  # highest numbered item in each part of Section I (FY2026)
LETTER_LIMITS = {"II": "K", "III": "C", "IV": "Q"}


def test_key_guideline_references_name_sections_that_exist():
    for where, case in cases():
        for line in case["key"]:
            refs = str(line.get("guideline", "")).strip()
            assert len(refs) <= 120, f"{where}: guideline references longer than the field allows"
            for ref in filter(None, (r.strip() for r in refs.split(";"))):
                if ref in OTHER_REFS or PCS_GUIDELINE_REF.match(ref):
                    continue
                match = GUIDELINE_REF.match(ref)
                assert match, f"{where}: {line['code']}: {ref!r} is not a guideline section reference"
                if match["i"] and match["n"]:
                    assert 1 <= int(match["n"]) <= SECTION_I_LIMITS[match["i"]], f"{where}: no section {ref}"
                if match["part"] and match["letter"]:
                    assert match["letter"] <= LETTER_LIMITS[match["part"]], f"{where}: no section {ref}"
