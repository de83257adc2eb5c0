"""Loading the question bank from YAML files (idempotent: keyed by each question's id).

A choice question lists its choices as ``{text: ..., correct: true}`` mappings: the right
choices are marked on themselves, never given by position. Students see the choices in an
order drawn for each attempt (``services.attempts.choice_order_draw``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import yaml
from django.db import transaction

from codesets.models import CodeSetRelease
from exercises.grading.key_validation import answer_code_system
from exercises.services import answer_codes_check

from ..domains import DOMAIN_LABELS
from ..models import Choice, Question, QuestionKind, ScenarioSet
from .attempts import normalise_code

DEMO_BANK_DIR = Path(__file__).resolve().parent.parent / "demo_questions"


class BankFormatError(ValueError):
    pass


def bank_read(paths: Iterable[Path]) -> tuple[list[dict], list[dict]]:
    """Parse and validate every file first; nothing is written when one entry is wrong."""
    questions, scenarios, seen = [], [], set()
    for path in sorted(paths):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        file_domain = data.get("domain")
        file_release = data.get("release", "")
        for raw in data.get("scenarios", []) or []:
            scenarios.append({"slug": raw["id"], "title": raw["title"], "narrative": raw["narrative"].strip(), "case_ref": str(raw.get("case_ref", ""))})
        for raw in data.get("questions", []) or []:
            where = f"{path.name}:{raw.get('id', '?')}"
            slug = raw.get("id")
            if not slug or slug in seen:
                raise BankFormatError(f"{where}: missing or repeated id")
            seen.add(slug)
            domain = raw.get("domain", file_domain)
            if domain not in DOMAIN_LABELS:
                raise BankFormatError(f"{where}: unknown domain {domain!r}")
            kind = raw.get("kind", QuestionKind.SINGLE)
            if kind not in QuestionKind.values:
                raise BankFormatError(f"{where}: unknown kind {kind!r}")
            accepted = [normalise_code(str(c)) for c in raw.get("accept", [])]
            if kind == QuestionKind.CODE and not accepted:
                raise BankFormatError(f"{where}: a code-entry question needs 'accept'")
            choices = [] if kind == QuestionKind.CODE else _choices_read(raw, where)
            correct_count = sum(1 for _, is_correct in choices if is_correct)
            if kind == QuestionKind.SINGLE and correct_count != 1:
                raise BankFormatError(f"{where}: a single-answer question marks exactly one choice with correct: true")
            if kind == QuestionKind.MULTIPLE and not correct_count:
                raise BankFormatError(f"{where}: a multiple-response question marks at least one choice correct: true")
            if not str(raw.get("rationale", "")).strip():
                raise BankFormatError(f"{where}: every question needs a rationale")
            questions.append(
                {
                    "slug": slug,
                    "kind": kind,
                    "domain": domain,
                    "difficulty": int(raw.get("difficulty", 2)),
                    "stem": str(raw["stem"]).strip(),
                    "rationale": str(raw["rationale"]).strip(),
                    "accepted_codes": accepted,
                    "choices": choices,
                    "scenario": raw.get("scenario"),
                    "case_ref": str(raw.get("case_ref", "")),
                    "release_system": raw.get("release", file_release),
                }
            )
    return questions, scenarios


def _choices_read(raw: dict, where: str) -> list[tuple[str, bool]]:
    """``choices: [{text: ..., correct: true}, {text: ...}]`` as (text, is_correct) pairs, in file order."""
    if "answer" in raw:
        raise BankFormatError(f"{where}: 'answer' is not used by choice questions: mark the right ones correct: true")
    items = raw.get("choices")
    if not isinstance(items, list) or len(items) < 2:
        raise BankFormatError(f"{where}: needs at least two choices")
    choices: list[tuple[str, bool]] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"text", "correct"}:
            raise BankFormatError(
                f"{where}: choice {n} must be a mapping {{text: ..., correct: true}} (the right ones are marked)"
            )
        text = str(item.get("text", "")).strip()
        is_correct = item.get("correct", False)
        if not text or len(text) > 500:
            raise BankFormatError(f"{where}: choice {n} needs a text of 1 to 500 characters")
        if not isinstance(is_correct, bool):
            raise BankFormatError(f"{where}: choice {n}: 'correct' must be true or false")
        choices.append((text, is_correct))
    if len({text for text, _ in choices}) != len(choices):
        raise BankFormatError(f"{where}: the same choice is listed twice")
    return choices


def _choices_create(question: Question, choices: list[tuple[str, bool]]) -> None:
    """Rows for the choices, ``position`` in file order. They are inserted in a shuffled order so that
    ids (which the API shows) do not follow the file: a key written first does not get the lowest id."""
    rows = [Choice(question=question, text=t, is_correct=c, position=i) for i, (t, c) in enumerate(choices)]
    random.Random(question.slug).shuffle(rows)
    Choice.objects.bulk_create(rows)


def _choices_update(question: Question, choices: list[tuple[str, bool]]) -> None:
    """Bring a question's choices in line with the file.

    Saved answers point at choice ids, so once a question has been answered a choice whose text is
    unchanged keeps its row (only its mark and place change), a changed text is edited in place, and
    only a choice the file no longer lists is deleted.
    """
    current = list(question.choices.all())
    answered = question.attempt_items.exists()
    if not answered:
        question.choices.all().delete()
        _choices_create(question, choices)
        return
    by_text = {c.text: c for c in current}
    kept = {text for text, _ in choices if text in by_text}
    spare = [c for c in current if c.text not in kept]
    for position, (text, is_correct) in enumerate(choices):
        choice = by_text.get(text) or (spare.pop(0) if spare else Choice(question=question))
        choice.text, choice.is_correct, choice.position = text, is_correct, position
        choice.save()
    if spare:
        Choice.objects.filter(pk__in=[c.pk for c in spare]).delete()


def bank_code_problems(questions: list[dict]) -> list[str]:
    """Accepted answers of code-entry questions checked against the current releases (as answer keys are):
    an unknown code, a header or a missing 7th character is refused. Each problem names its question."""
    problems: list[str] = []
    for data in questions:
        if data["kind"] != QuestionKind.CODE:
            continue
        by_system: dict[str, list[str]] = {}
        for code in data["accepted_codes"]:
            system = answer_code_system(code, data.get("release_system") or "")
            if system is not None:  # e.g. an ICD-10-PCS answer: no PCS release to check against
                by_system.setdefault(system, []).append(code)
        for system, codes in by_system.items():
            problems.extend(f"{data['slug']}: {problem}" for problem in answer_codes_check(codes=codes, system=system))
    return problems


def bank_load(*, paths: Iterable[Path] | None = None) -> dict[str, int]:
    """Create or update questions from YAML; unchanged questions cost no writes.

    Nothing is written when a code-entry question's accepted answer is refused (BankFormatError lists them all).
    """
    files = list(paths) if paths is not None else sorted(DEMO_BANK_DIR.glob("*.yaml"))
    questions, scenarios = bank_read(files)
    problems = bank_code_problems(questions)
    if problems:
        raise BankFormatError("Code-entry answers refused by the current release: " + "; ".join(problems))
    releases = {r.system: r for r in CodeSetRelease.objects.current()}
    created = updated = 0
    with transaction.atomic():
        scenario_ids = {}
        existing_sets = {s.slug: s for s in ScenarioSet.objects.all()}
        for data in scenarios:
            current = existing_sets.get(data["slug"])
            if current is None:
                current = ScenarioSet.objects.create(**data)
            elif (current.title, current.narrative, current.case_ref) != (data["title"], data["narrative"], data["case_ref"]):
                for field, value in data.items():
                    setattr(current, field, value)
                current.save()
            scenario_ids[data["slug"]] = current.pk
        existing = {q.slug: q for q in Question.objects.prefetch_related("choices")}
        for data in questions:
            release = releases.get(data.pop("release_system") or "")
            choices = data.pop("choices")
            scenario_slug = data.pop("scenario")
            fields = {**data, "scenario_id": scenario_ids.get(scenario_slug) if scenario_slug else None}
            question = existing.get(data["slug"])
            if question is None:
                question = Question.objects.create(**fields, release=release)
                _choices_create(question, choices)
                created += 1
                continue
            same = all(getattr(question, k) == v for k, v in fields.items()) and [
                (c.text, c.is_correct) for c in question.choices.all()
            ] == choices
            if same and (question.release_id or release is None):
                continue
            for key, value in fields.items():
                setattr(question, key, value)
            question.release = question.release or release
            question.save()
            if [(c.text, c.is_correct) for c in question.choices.all()] != choices:
                _choices_update(question, choices)
            updated += 1
    return {"created": created, "updated": updated, "total": len(questions)}
