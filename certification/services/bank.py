"""Loading the question bank from YAML files (idempotent: keyed by each question's id)."""

from __future__ import annotations

from collections.abc import Iterable
import random
from pathlib import Path

import yaml
from django.db import transaction

from codesets.models import CodeSetRelease

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
            choices = [str(c) for c in raw.get("choices", [])]
            answer = raw.get("answer")
            correct = set(answer if isinstance(answer, list) else [answer]) if answer is not None else set()
            # Files list the key first for easy review; shuffle (deterministically) so the key is not always "A".
            order = list(range(len(choices)))
            if raw.get("shuffle", True):
                random.Random(slug).shuffle(order)
            accepted = [normalise_code(str(c)) for c in raw.get("accept", [])]
            if kind == QuestionKind.CODE and not accepted:
                raise BankFormatError(f"{where}: a code-entry question needs 'accept'")
            if kind != QuestionKind.CODE and (len(choices) < 2 or not correct or not correct <= set(range(len(choices)))):
                raise BankFormatError(f"{where}: needs at least two choices and a valid 'answer' index")
            if kind == QuestionKind.SINGLE and len(correct) != 1:
                raise BankFormatError(f"{where}: a single-answer question has exactly one answer")
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
                    "choices": [(choices[i], i in correct) for i in order],
                    "scenario": raw.get("scenario"),
                    "case_ref": str(raw.get("case_ref", "")),
                    "release_system": raw.get("release", file_release),
                }
            )
    return questions, scenarios


def bank_load(*, paths: Iterable[Path] | None = None) -> dict[str, int]:
    """Create or update questions from YAML; unchanged questions cost no writes."""
    files = list(paths) if paths is not None else sorted(DEMO_BANK_DIR.glob("*.yaml"))
    questions, scenarios = bank_read(files)
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
                Choice.objects.bulk_create(
                    Choice(question=question, text=t, is_correct=c, position=i) for i, (t, c) in enumerate(choices)
                )
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
                if question.attempt_items.exists():
                    # Answers already point at these choices; keep them and only fix flags/text in place.
                    for choice, (text, is_correct) in zip(question.choices.all(), choices):
                        choice.text, choice.is_correct = text, is_correct
                        choice.save(update_fields=["text", "is_correct"])
                else:
                    question.choices.all().delete()
                    Choice.objects.bulk_create(
                        Choice(question=question, text=t, is_correct=c, position=i) for i, (t, c) in enumerate(choices)
                    )
            updated += 1
    return {"created": created, "updated": updated, "total": len(questions)}
