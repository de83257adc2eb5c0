"""Validates the demo program's YAML content (courses/demo_content/) without importing the courses app.

Checks the schema every file must follow, the totals the demo promises, that cited ICD-10-CM
guideline sections exist, and that every ICD-10-CM code used as an answer (or on a code flashcard)
is a valid, billable FY2026 code.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "courses" / "demo_content"
MODULES_DIR = CONTENT / "modules"
DECKS_DIR = CONTENT / "decks"

DOMAINS = {
    "medical-terminology", "anatomy", "icd10cm", "coding-guidelines", "hcpcs", "em", "anesthesia",
    "surgery-integumentary", "surgery-musculoskeletal", "surgery-cardiopulmonary", "surgery-digestive",
    "surgery-genitourinary", "surgery-nervous-sensory", "radiology", "pathology-lab", "medicine",
    "compliance", "reimbursement", "inpatient-coding", "icd10pcs",
}
DECK_KINDS = {"word_parts", "abbreviations", "anatomy", "codes"}
QUESTION_KINDS = {"single", "multiple", "code", "term_build"}
CODE_SYSTEMS = {"icd10cm", "hcpcs", "cpt"}
CODE_PATTERNS = {
    "icd10cm": re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"),
    "hcpcs": re.compile(r"^[A-V][0-9]{4}$"),
    "cpt": re.compile(r"^[0-9]{4}[0-9FT]$"),
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.yaml$")
UNSAFE_MARKUP = re.compile(r"<\s*(script|iframe|object|embed|style)|javascript:|\son\w+\s*=", re.IGNORECASE)

# Highest numbered item in each part of the FY2026 guidelines, used to catch mistyped citations.
GUIDELINE_SECTION_I_LIMITS = {"A": 19, "B": 20, "C": 22}
GUIDELINE_LETTER_LIMITS = {"II": "K", "III": "C", "IV": "Q"}
CITATION = re.compile(r"(?<![A-Za-z0-9.])(IV|III|II|I)\.([A-Z])(?:\.(\d+)(?:\.([a-z]))?)?(?![A-Za-z0-9])")


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def _program() -> dict:
    return _load(CONTENT / "program.yaml")


def _modules() -> list[tuple[Path, dict]]:
    return [(p, _load(p)) for p in sorted(MODULES_DIR.glob("*.yaml"))]


def _decks() -> list[tuple[Path, dict]]:
    return [(p, _load(p)) for p in sorted(DECKS_DIR.glob("*.yaml"))]


def _questions() -> list[tuple[str, dict]]:
    found = []
    for path, module in _modules():
        for lesson in module.get("lessons", []):
            for i, q in enumerate(lesson.get("quiz", []) or []):
                found.append((f"{path.name}:{lesson.get('slug')}:q{i + 1}", q))
    return found


def _nonempty_str(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def test_program_lists_existing_modules_in_file_order():
    program = _program()
    for key in ("slug", "title", "summary", "credential_focus", "modules"):
        assert key in program, f"program.yaml: missing {key}"
    assert SLUG.match(program["slug"])
    assert program["credential_focus"] == "CPC"
    module_slugs = [m["slug"] for _, m in _modules()]
    assert program["modules"] == module_slugs, "program.yaml must list every module, in file (NN) order"
    assert len(set(program["modules"])) == len(program["modules"])


def test_module_files_are_numbered_and_named_after_their_slug():
    paths = sorted(MODULES_DIR.glob("*.yaml"))
    assert len(paths) >= 12
    for expected_number, path in enumerate(paths, start=1):
        match = MODULE_FILE.match(path.name)
        assert match, f"{path.name}: name must be NN-<slug>.yaml"
        assert int(match.group(1)) == expected_number, f"{path.name}: numbering has a gap"
        assert match.group(2) == _load(path)["slug"], f"{path.name}: file name and slug differ"


def test_modules_follow_the_schema():
    seen: set[str] = set()
    for path, module in _modules():
        name = path.name
        for key in ("slug", "title", "summary", "domains", "ceu_hours", "prerequisites", "lessons"):
            assert key in module, f"{name}: missing {key}"
        assert SLUG.match(module["slug"]) and len(module["slug"]) <= 80, name
        assert _nonempty_str(module["title"]) and len(module["title"]) <= 200, name
        assert _nonempty_str(module["summary"]), name
        assert isinstance(module["domains"], list) and module["domains"], f"{name}: domains"
        assert set(module["domains"]) <= DOMAINS, f"{name}: unknown domains {set(module['domains']) - DOMAINS}"
        assert isinstance(module["ceu_hours"], float) and 0 < module["ceu_hours"] < 100, f"{name}: ceu_hours"
        assert round(module["ceu_hours"], 2) == module["ceu_hours"], f"{name}: ceu_hours has >2 decimals"
        assert isinstance(module["prerequisites"], list), name
        for prereq in module["prerequisites"]:
            assert prereq in seen, f"{name}: prerequisite {prereq} must be an earlier module"
        seen.add(module["slug"])
        lessons = module["lessons"]
        assert isinstance(lessons, list) and len(lessons) >= 2, f"{name}: needs lessons"
        lesson_slugs = [lesson["slug"] for lesson in lessons]
        assert len(set(lesson_slugs)) == len(lesson_slugs), f"{name}: duplicate lesson slugs"
        for lesson in lessons:
            where = f"{name}:{lesson.get('slug')}"
            for key in ("slug", "title", "minutes", "body", "quiz"):
                assert key in lesson, f"{where}: missing {key}"
            assert SLUG.match(lesson["slug"]) and len(lesson["slug"]) <= 80, where
            assert _nonempty_str(lesson["title"]) and len(lesson["title"]) <= 200, where
            assert isinstance(lesson["minutes"], int) and 1 <= lesson["minutes"] <= 240, where
            assert _nonempty_str(lesson["body"]) and len(lesson["body"]) >= 400, f"{where}: body too thin"
            assert not UNSAFE_MARKUP.search(lesson["body"]), f"{where}: raw HTML/script in body"
            assert isinstance(lesson["quiz"], list), where


LIST_OR_TABLE_LINE = re.compile(r"^(- |\d+\. |\|)")
CONTINUES_BLOCK = re.compile(r"^(\s*- |\s*\d+\. |\||\s{2,}\S)")


def test_lists_and_tables_in_lessons_start_after_a_blank_line():
    """Python-Markdown only renders a list or table that is separated from the paragraph above it."""
    for path, module in _modules():
        for lesson in module["lessons"]:
            lines = lesson["body"].split("\n")
            for before, line in zip(lines, lines[1:]):
                if LIST_OR_TABLE_LINE.match(line) and before.strip():
                    assert CONTINUES_BLOCK.match(before), f"{path.name}:{lesson['slug']}: blank line needed before {line!r}"


def test_module_and_deck_domains_cover_the_core_exam_areas():
    covered = {d for _, m in _modules() for d in m["domains"]}
    for domain in ("medical-terminology", "anatomy", "icd10cm", "coding-guidelines", "hcpcs", "em",
                   "compliance", "reimbursement", "radiology"):
        assert domain in covered


@pytest.mark.parametrize("kind", sorted(QUESTION_KINDS))
def test_every_question_kind_is_used(kind):
    assert any(q.get("kind") == kind for _, q in _questions())


def test_questions_follow_the_schema():
    for where, q in _questions():
        assert q.get("kind") in QUESTION_KINDS, f"{where}: kind"
        assert _nonempty_str(q.get("prompt")), f"{where}: prompt"
        assert _nonempty_str(q.get("explanation")), f"{where}: explanation"
        assert q.get("domain") in DOMAINS, f"{where}: domain {q.get('domain')}"
        kind = q["kind"]
        if kind in ("single", "multiple"):
            # The right options are marked on themselves; a position-based 'answer' is not allowed.
            assert "answer" not in q, f"{where}: mark the right options with correct: true instead of 'answer'"
            choices = q.get("choices")
            assert isinstance(choices, list) and len(choices) >= 2, f"{where}: choices"
            assert all(isinstance(c, dict) and set(c) <= {"text", "correct"} for c in choices), f"{where}: choice shape"
            assert all(_nonempty_str(c.get("text")) for c in choices), f"{where}: blank choice"
            assert all(c.get("correct", False) in (True, False) for c in choices), f"{where}: correct is true or false"
            texts = [c["text"] for c in choices]
            assert len(set(texts)) == len(texts), f"{where}: duplicate choices"
            right = sum(1 for c in choices if c.get("correct") is True)
            if kind == "single":
                assert right == 1, f"{where}: single marks exactly one option correct"
            else:
                assert 1 <= right < len(choices), f"{where}: 'all of the above' style key"
            continue
        answer = q.get("answer")
        assert isinstance(answer, list) and answer, f"{where}: answer must be a non-empty list"
        if kind == "code":
            system = q.get("system")
            assert system in CODE_SYSTEMS, f"{where}: system"
            for code in answer:
                assert isinstance(code, str) and CODE_PATTERNS[system].match(code), f"{where}: code {code!r}"
            if system == "icd10cm":
                assert all(len(c) <= 3 or c[3] == "." for c in answer), f"{where}: ICD-10-CM answers are dotted"
        elif kind == "term_build":
            parts = q.get("parts")
            assert isinstance(parts, list) and all(_nonempty_str(p) for p in parts), f"{where}: parts"
            assert len(set(parts)) == len(parts), f"{where}: duplicate parts"
            assert all(p in parts for p in answer), f"{where}: answer uses a part that is not offered"
            assert len(parts) > len(answer), f"{where}: offer at least one distractor"
            assert _nonempty_str(q.get("term")) and len(q["term"]) <= 120, f"{where}: term"


def test_decks_follow_the_schema():
    slugs = set()
    for path, deck in _decks():
        name = path.name
        for key in ("slug", "title", "kind", "domain", "cards"):
            assert key in deck, f"{name}: missing {key}"
        assert path.stem == deck["slug"] and SLUG.match(deck["slug"]), name
        assert deck["slug"] not in slugs
        slugs.add(deck["slug"])
        assert deck["kind"] in DECK_KINDS, name
        assert deck["domain"] in DOMAINS, name
        cards = deck["cards"]
        assert isinstance(cards, list) and len(cards) >= 10, f"{name}: cards"
        fronts = [c.get("front") for c in cards]
        assert len(set(fronts)) == len(fronts), f"{name}: duplicate fronts {[f for f, n in Counter(fronts).items() if n > 1]}"
        for card in cards:
            assert set(card) == {"front", "back"}, f"{name}: card keys {set(card)}"
            assert _nonempty_str(card["front"]) and len(card["front"]) <= 300, f"{name}: front"
            assert _nonempty_str(card["back"]), f"{name}: back of {card['front']}"


def test_totals_meet_the_demo_promise():
    questions = _questions()
    cards = sum(len(d["cards"]) for _, d in _decks())
    assert len(questions) >= 150, len(questions)
    assert cards >= 300, cards
    kinds = Counter(q["kind"] for _, q in questions)
    assert kinds["code"] >= 25 and kinds["term_build"] >= 15 and kinds["multiple"] >= 15


def test_every_module_has_a_quiz():
    for path, module in _modules():
        assert sum(len(lesson["quiz"]) for lesson in module["lessons"]) >= 8, path.name


def _all_text() -> list[tuple[str, str]]:
    texts = []
    for path, module in _modules():
        for lesson in module["lessons"]:
            texts.append((f"{path.name}:{lesson['slug']}", lesson["body"]))
            for q in lesson["quiz"]:
                texts.append((f"{path.name}:{lesson['slug']}", q["explanation"]))
    for path, deck in _decks():
        for card in deck["cards"]:
            texts.append((path.name, card["back"]))
    return texts


def test_guideline_citations_name_sections_that_exist():
    cited = 0
    for where, text in _all_text():
        for part, letter, number, _sub in CITATION.findall(text):
            cited += 1
            if part == "I":
                assert letter in GUIDELINE_SECTION_I_LIMITS, f"{where}: no Section I.{letter}"
                if number:
                    assert 1 <= int(number) <= GUIDELINE_SECTION_I_LIMITS[letter], f"{where}: I.{letter}.{number}"
            else:
                assert letter <= GUIDELINE_LETTER_LIMITS[part], f"{where}: no Section {part}.{letter}"
    assert cited >= 40, "explanations should cite the official guidelines by section"


def _icd_codes_in_content() -> list[tuple[str, str]]:
    codes = [(where, c) for where, q in _questions() if q.get("kind") == "code" and q.get("system") == "icd10cm"
             for c in q["answer"]]
    for path, deck in _decks():
        if deck["kind"] == "codes" and deck["domain"] == "icd10cm":
            for card in deck["cards"]:
                codes.append((path.name, card["back"].split()[0].rstrip(":,;")))
    return codes


@pytest.mark.slow
def test_icd10cm_answers_are_valid_billable_fy2026_codes():
    cm = pytest.importorskip("simple_icd_10_cm")
    codes = _icd_codes_in_content()
    assert len(codes) >= 50
    bad = [(where, c) for where, c in codes if not (cm.is_valid_item(c) and cm.is_leaf(c))]
    assert not bad, f"not billable FY2026 ICD-10-CM codes: {bad}"
