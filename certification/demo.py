"""Demo content: the built-in blueprints, the demo question bank, and a few weeks of history
for the demo students so the dashboards have something to show. Idempotent and fast."""

from __future__ import annotations

import datetime
import math
import random

from django.db import transaction

from accounts.models import User

from . import clock
from .blueprint_data import CPC_WEIGHTS
from .models import AttemptItem, AttemptStatus, Blueprint, CloseReason, EvidenceSource, ExamAttempt, MasteryEvidence, Question
from .services.attempts import attempt_items_build, exam_assemble
from .services.bank import bank_load
from .services.blueprints import blueprints_ensure_builtin
from .services.rollups import rollups_refresh, snapshots_backfill

# username: (starting log-odds ability, log-odds gained over the period, seed)
DEMO_LEARNERS = {
    "student": (0.1, 1.3, 11),
    "student2": (0.9, 0.6, 22),
    "student3": (-0.6, 0.9, 33),
}
HISTORY_DAYS = 56
DEMO_SOURCE_PREFIX = "demo-"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(f"    {text}")


def load(*, stdout=None) -> None:
    blueprints_ensure_builtin()
    counts = bank_load()
    _say(stdout, f"question bank: {counts['total']} questions ({counts['created']} new, {counts['updated']} updated)")
    for username, profile in DEMO_LEARNERS.items():
        student = User.objects.filter(username=username, role="student").first()
        if student is None or MasteryEvidence.objects.filter(student=student, source_id__startswith=DEMO_SOURCE_PREFIX).exists():
            continue
        with transaction.atomic():  # all or nothing, so a re-run after a failure starts clean
            _history(student, *profile)
            _scored_attempt(student, *profile)
            rollups_refresh(student_id=student.pk)
            snapshots_backfill(student_id=student.pk, days=HISTORY_DAYS)
        _say(stdout, f"readiness history for {username}")


def _ability(base: float, growth: float, offset: float, fraction: float) -> float:
    return 1 / (1 + math.exp(-(base + offset + growth * fraction)))


def _history(student: User, base: float, growth: float, seed: int) -> None:
    """Quiz, flashcard and case evidence over the past weeks, improving with time."""
    rng = random.Random(seed)
    now = clock.now()
    domains = list(CPC_WEIGHTS) + ["reimbursement", "inpatient-coding", "icd10pcs"]
    offsets = {d: rng.gauss(0, 0.6) for d in domains}
    rows = []
    n = 0
    for day in range(HISTORY_DAYS, 0, -1):
        if rng.random() < 0.35:
            continue
        for _ in range(rng.randint(1, 3)):
            domain = rng.choice(domains)
            source = rng.choices([EvidenceSource.QUIZ, EvidenceSource.FLASHCARD, EvidenceSource.CASE], weights=[6, 3, 1])[0]
            p = _ability(base, growth, offsets[domain], 1 - day / HISTORY_DAYS)
            when = now - datetime.timedelta(days=day, minutes=rng.randint(0, 600))
            for _ in range(rng.randint(3, 8) if source != EvidenceSource.CASE else 1):
                n += 1
                score = min(1.0, max(0.0, rng.gauss(p, 0.12))) if source == EvidenceSource.CASE else float(rng.random() < p)
                rows.append(
                    MasteryEvidence(
                        student=student, domain=domain, source=source, source_id=f"{DEMO_SOURCE_PREFIX}{n}",
                        score=score, weight=1.0, occurred_at=when,
                    )
                )
    MasteryEvidence.objects.bulk_create(rows, ignore_conflicts=True)


def _scored_attempt(student: User, base: float, growth: float, seed: int) -> None:
    """One finished CPC practice exam a week ago, scored by the real scoring service."""
    from .services.scoring import attempt_score

    blueprint = Blueprint.objects.filter(slug="cpc").first()
    if blueprint is None or ExamAttempt.objects.filter(student=student, blueprint=blueprint).exists():
        return
    rng = random.Random(seed * 7)
    questions = exam_assemble(blueprint=blueprint, student=student, seed=seed)
    started = clock.now() - datetime.timedelta(days=7, hours=3)
    p = _ability(base, growth, 0.0, 0.85)
    with transaction.atomic():
        attempt = ExamAttempt.objects.create(
            student=student, blueprint=blueprint, status=AttemptStatus.SUBMITTED, close_reason=CloseReason.SUBMITTED,
            started_at=started, deadline=started + datetime.timedelta(minutes=blueprint.time_limit_minutes),
            submitted_at=started + datetime.timedelta(minutes=rng.randint(170, 235)),
        )
        items = attempt_items_build(attempt=attempt, questions=questions)
        elapsed = 0
        for item in items:
            seconds = rng.randint(60, 260)
            elapsed += seconds
            item.response = _demo_response(item.question, rng.random() < p, rng)
            item.seconds_spent = seconds
            item.answered_at = started + datetime.timedelta(seconds=elapsed)
            item.revision = 1
        AttemptItem.objects.bulk_create(items)
    attempt_score(attempt_id=attempt.pk)


def _demo_response(question: Question, right: bool, rng: random.Random) -> dict:
    if question.kind == "code":
        return {"text": question.accepted_codes[0] if right else "Z0000"}
    choices = list(question.choices.all())
    key = [c.pk for c in choices if c.is_correct]
    wrong = [c.pk for c in choices if not c.is_correct] or key
    if question.kind == "multiple":
        return {"choices": sorted(key if right else key[:-1] + [rng.choice(wrong)])}
    return {"choice": key[0] if right else rng.choice(wrong)}

