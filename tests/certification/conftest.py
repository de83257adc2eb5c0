"""Certification fixtures: a small bank, a short blueprint, a frozen-and-movable clock."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from certification.models import QuestionKind

SENTINEL_CODE = "X9SENTINEL"

from .factories import BlueprintFactory, QuestionFactory


@pytest.fixture(autouse=True)
def _forget_population_prior():
    # Only this database's key: cache.clear() would flush a Redis shared with the broker and other test processes.
    from certification.services.rollups import population_cache_key

    cache.delete(population_cache_key())
    yield
    cache.delete(population_cache_key())


@pytest.fixture
def bank(db):
    """Three single-answer questions per domain (icd10cm, em), one code entry, one multiple response."""
    questions = []
    for domain in ("icd10cm", "em"):
        questions += [QuestionFactory(domain=domain) for _ in range(3)]
    questions.append(
        QuestionFactory(kind=QuestionKind.CODE, domain="icd10cm", accepted_codes=[SENTINEL_CODE], stem="Enter the code for it.")
    )
    questions.append(QuestionFactory(kind=QuestionKind.MULTIPLE, domain="em", choices=[0, 2]))
    return questions


@pytest.fixture
def short_blueprint(db, bank):
    return BlueprintFactory(question_count=6, time_limit_minutes=10, weights={"icd10cm": 1, "em": 1})


class Clock:
    """Patches certification.clock.now; move it with .advance(...)."""

    def __init__(self, monkeypatch):
        self.current = timezone.now().replace(microsecond=0)
        monkeypatch.setattr("certification.clock.now", lambda: self.current)

    def advance(self, **delta) -> datetime.datetime:
        self.current += datetime.timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def correct_post_value(item) -> list[str]:
    question = item.question
    if question.kind == QuestionKind.CODE:
        return [question.accepted_codes[0]]
    return [str(c.pk) for c in question.choices.all() if c.is_correct]

