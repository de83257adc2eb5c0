"""The shapes of course content (programs, modules, lessons, questions, decks) and their validators.

Pure (no Django imports). Each ``parse_*`` function reads one mapping, appends every problem
to ``errors`` as 'where: what' and returns a spec only when the mapping is valid. The YAML
content loader, the course-package importer and the authoring forms all use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from certification.domains import DOMAIN_LABELS

from .grading import CODE_FORMATS, normalize_code

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
QUESTION_KINDS = ("single", "multiple", "code", "term_build")
CODE_SYSTEMS = ("icd10cm", "icd10pcs", "hcpcs", "cpt")
CHOICE_KINDS = ("single", "multiple")
MAX_CHOICES = 6
DECK_KINDS = ("word_parts", "abbreviations", "anatomy", "codes")
MAX_TEXT = 200_000


class ContentError(ValueError):
    """Content failed validation; ``errors`` lists every problem as 'where: what'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))


@dataclass
class QuestionSpec:
    """One question. For single/multiple, ``answer`` holds the indices of the options marked correct
    (derived from the marks, never written by an author)."""

    kind: str
    prompt: str
    answer: list
    explanation: str
    domain: str
    choices: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    system: str = ""
    term: str = ""


@dataclass
class LessonSpec:
    slug: str
    title: str
    minutes: int
    body: str
    quiz: list[QuestionSpec] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)


@dataclass
class ModuleSpec:
    slug: str
    title: str
    summary: str
    domains: list[str]
    ceu_hours: Decimal
    prerequisites: list[str]
    lessons: list[LessonSpec]


@dataclass
class ProgramSpec:
    slug: str
    title: str
    summary: str
    credential_focus: str
    modules: list[str]


@dataclass
class CardSpec:
    front: str
    back: str


@dataclass
class DeckSpec:
    slug: str
    title: str
    kind: str
    domain: str
    cards: list[CardSpec]


@dataclass
class ContentBundle:
    program: ProgramSpec
    modules: list[ModuleSpec]
    decks: list[DeckSpec]
    content_hash: str = ""

    @property
    def question_count(self) -> int:
        return sum(len(lesson.quiz) for module in self.modules for lesson in module.lessons)

    @property
    def card_count(self) -> int:
        return sum(len(deck.cards) for deck in self.decks)


class _Checker:
    """Collects errors while reading one mapping."""

    def __init__(self, errors: list[str], where: str):
        self.errors = errors
        self.where = where

    def fail(self, message: str, where: str | None = None) -> None:
        self.errors.append(f"{where or self.where}: {message}")

    def mapping(self, data: Any, where: str | None = None) -> dict:
        if not isinstance(data, dict):
            self.fail("expected a mapping of fields", where)
            return {}
        return data

    def text(self, data: dict, key: str, *, required: bool = True, where: str | None = None, max_len: int = MAX_TEXT) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"'{key}' is required", where)
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text", where)
            return ""
        if len(value) > max_len:
            self.fail(f"'{key}' is longer than {max_len} characters", where)
        return value.strip() if max_len < 1000 else value

    def slug(self, data: dict, key: str = "slug", where: str | None = None) -> str:
        value = self.text(data, key, where=where, max_len=80)
        if value and not SLUG_RE.match(value):
            self.fail(f"'{key}' must be lowercase letters, digits and hyphens (got {value!r})", where)
        return value

    def text_list(self, data: dict, key: str, *, required: bool = True, where: str | None = None) -> list[str]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required", where)
            return []
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            self.fail(f"'{key}' must be a list of text values", where)
            return []
        return [str(v).strip() for v in value]

    def domain(self, value: Any, where: str | None = None) -> str:
        if not isinstance(value, str) or value not in DOMAIN_LABELS:
            self.fail(f"unknown exam domain {value!r} (see certification/domains.py)", where)
            return ""
        return value


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list) else ([value] if value is not None else None)


def marked_choices(choices: list[str], answer: list) -> list[dict]:
    """Options in the content-file shape: ``{"text": ..., "correct": true}`` on the right ones."""
    key = {int(i) for i in answer}
    return [{"text": text, "correct": True} if i in key else {"text": text} for i, text in enumerate(choices)]


def _parse_choices(c: _Checker, data: dict, kind: str) -> tuple[list[str], list[int]]:
    """``choices: [{text: ..., correct: true}, {text: ...}]``: each right option is marked on itself."""
    if "answer" in data:
        c.fail("'answer' is not used by single-answer and multiple-response questions: "
               "mark each right option in 'choices' with correct: true")
    raw = data.get("choices")
    if not isinstance(raw, list):
        c.fail("'choices' must be a list of options such as {text: ..., correct: true}")
        return [], []
    plain = [str(n) for n, item in enumerate(raw, start=1) if not isinstance(item, dict)]
    if plain:
        c.fail(f"choice {', '.join(plain)}: each option is a mapping such as {{text: ..., correct: true}} "
               "(the right options are marked on themselves, not given by position)")
        return [], []
    texts: list[str] = []
    key: list[int] = []
    for n, item in enumerate(raw, start=1):
        unknown = sorted(str(k) for k in set(item) - {"text", "correct"})
        if unknown:
            c.fail(f"choice {n} has unknown field(s): {', '.join(unknown)}")
        text = c.text(item, "text", where=f"{c.where} › choice {n}", max_len=500)
        mark = item.get("correct", False)
        if not isinstance(mark, bool):
            c.fail(f"choice {n}: 'correct' must be true or false")
        if text:
            if mark is True:
                key.append(len(texts))
            texts.append(text)
    if len(raw) < 2:
        c.fail("'choices' needs at least two options")
    elif len(raw) > MAX_CHOICES:
        c.fail(f"'choices' has {len(raw)} options; the most a question may offer is {MAX_CHOICES}")
    if len(set(texts)) != len(texts):
        c.fail("'choices' lists the same option twice")
    if kind == "single" and len(key) != 1:
        c.fail(f"a single-answer question marks exactly one choice with correct: true (found {len(key)})")
    elif kind == "multiple" and not key:
        c.fail("a multiple-response question marks at least one choice with correct: true")
    return texts, key


def parse_question(data: Any, where: str, errors: list[str]) -> QuestionSpec | None:
    c = _Checker(errors, where)
    data = c.mapping(data)
    if not data:
        return None
    before = len(errors)
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        c.fail(f"'kind' must be one of {', '.join(QUESTION_KINDS)} (got {kind!r})")
        return None
    prompt = c.text(data, "prompt", max_len=5000)
    explanation = c.text(data, "explanation", required=False, max_len=10000)
    domain = c.domain(data.get("domain"))
    spec = QuestionSpec(kind=kind, prompt=prompt, answer=[], explanation=explanation, domain=domain)
    if kind in CHOICE_KINDS:
        spec.choices, spec.answer = _parse_choices(c, data, kind)
        return spec if len(errors) == before else None
    answer = _as_list(data.get("answer"))
    if not answer:
        c.fail("'answer' is required")
        return None
    if kind == "code":
        spec.system = str(data.get("system") or "")
        if spec.system not in CODE_SYSTEMS:
            c.fail(f"'system' must be one of {', '.join(CODE_SYSTEMS)}")
        else:
            for raw in answer:
                code = normalize_code(str(raw))
                if not CODE_FORMATS[spec.system].match(code):
                    c.fail(f"answer {raw!r} is not a valid {spec.system} code format")
        spec.answer = [str(a).strip().upper() for a in answer]
    else:  # term_build
        spec.parts = c.text_list(data, "parts")
        if len(spec.parts) < 2 or len(set(spec.parts)) != len(spec.parts):
            c.fail("'parts' needs at least two distinct word parts")
        spec.answer = [str(a).strip() for a in answer]
        missing = [a for a in spec.answer if a not in spec.parts]
        if missing:
            c.fail(f"answer parts not offered in 'parts': {', '.join(missing)}")
        spec.term = c.text(data, "term", max_len=120)
    return spec if len(errors) == before else None


def parse_lesson(data: Any, where: str, errors: list[str]) -> LessonSpec | None:
    c = _Checker(errors, where)
    data = c.mapping(data)
    if not data:
        return None
    before = len(errors)
    slug = c.slug(data)
    minutes = data.get("minutes", 10)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 600:
        c.fail("'minutes' must be a number from 1 to 600")
        minutes = 10
    quiz_data = data.get("quiz") or []
    if not isinstance(quiz_data, list):
        c.fail("'quiz' must be a list of questions")
        quiz_data = []
    exercises = c.text_list(data, "exercises", required=False)
    for ex in exercises:
        if not SLUG_RE.match(ex):
            c.fail(f"exercise {ex!r} is not a case slug")
    lesson = LessonSpec(
        slug=slug,
        title=c.text(data, "title", max_len=200),
        minutes=int(minutes),
        body=c.text(data, "body", required=False) or "",
        exercises=exercises,
    )
    for i, q in enumerate(quiz_data, start=1):
        question = parse_question(q, f"{where} › question {i}", errors)
        if question:
            lesson.quiz.append(question)
    return lesson if len(errors) == before else None


def parse_module(data: Any, where: str, errors: list[str]) -> ModuleSpec | None:
    c = _Checker(errors, where)
    data = c.mapping(data)
    if not data:
        return None
    before = len(errors)
    slug = c.slug(data)
    domains = [c.domain(d) for d in c.text_list(data, "domains")]
    try:
        ceu = Decimal(str(data.get("ceu_hours", 0) or 0))
        if ceu < 0 or ceu > 999:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        c.fail("'ceu_hours' must be a number of hours from 0 to 999")
        ceu = Decimal(0)
    lessons_data = data.get("lessons")
    if not isinstance(lessons_data, list) or not lessons_data:
        c.fail("'lessons' must be a non-empty list")
        lessons_data = []
    module = ModuleSpec(
        slug=slug,
        title=c.text(data, "title", max_len=200),
        summary=c.text(data, "summary", required=False, max_len=5000),
        domains=domains,
        ceu_hours=ceu.quantize(Decimal("0.01")),
        prerequisites=c.text_list(data, "prerequisites", required=False),
        lessons=[],
    )
    seen: set[str] = set()
    for i, lesson_data in enumerate(lessons_data, start=1):
        label = lesson_data.get("slug") if isinstance(lesson_data, dict) else None
        lesson = parse_lesson(lesson_data, f"{where} › lesson {i}" + (f" ({label})" if label else ""), errors)
        if lesson:
            if lesson.slug in seen:
                c.fail(f"lesson slug {lesson.slug!r} is used twice")
            seen.add(lesson.slug)
            module.lessons.append(lesson)
    return module if len(errors) == before else None


def parse_program(data: Any, where: str, errors: list[str]) -> ProgramSpec | None:
    c = _Checker(errors, where)
    data = c.mapping(data)
    if not data:
        return None
    before = len(errors)
    program = ProgramSpec(
        slug=c.slug(data),
        title=c.text(data, "title", max_len=200),
        summary=c.text(data, "summary", required=False, max_len=5000),
        credential_focus=c.text(data, "credential_focus", required=False, max_len=32),
        modules=c.text_list(data, "modules"),
    )
    return program if len(errors) == before else None


def parse_deck(data: Any, where: str, errors: list[str]) -> DeckSpec | None:
    c = _Checker(errors, where)
    data = c.mapping(data)
    if not data:
        return None
    before = len(errors)
    kind = data.get("kind")
    if kind not in DECK_KINDS:
        c.fail(f"'kind' must be one of {', '.join(DECK_KINDS)} (got {kind!r})")
    deck = DeckSpec(
        slug=c.slug(data), title=c.text(data, "title", max_len=200), kind=str(kind or ""),
        domain=c.domain(data.get("domain")), cards=[],
    )
    cards = data.get("cards")
    if not isinstance(cards, list) or not cards:
        c.fail("'cards' must be a non-empty list")
        cards = []
    fronts: set[str] = set()
    for i, card in enumerate(cards, start=1):
        cw = f"{where} › card {i}"
        card = c.mapping(card, cw)
        if not card:
            continue
        front = c.text(card, "front", where=cw, max_len=300)
        back = c.text(card, "back", where=cw, max_len=5000)
        if front and front in fronts:
            c.fail(f"front {front!r} appears twice in this deck", cw)
        fronts.add(front)
        deck.cards.append(CardSpec(front=front, back=back))
    return deck if len(errors) == before else None
