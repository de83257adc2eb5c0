"""The demo bank fills every built-in blueprint: each domain has at least 1.5 times its quota, so an exam is
never quietly rebalanced toward other domains, and a second attempt is not a copy of the first."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from certification.blueprint_data import BUILTIN_BLUEPRINTS
from certification.readiness.simulate import quotas
from certification.services.bank import DEMO_BANK_DIR, bank_read

MARGIN = 1.5


def _demo_counts() -> Counter:
    questions, _ = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    return Counter(q["domain"] for q in questions)


def _quotas(blueprint: dict) -> dict[str, int]:
    return quotas({d: float(w) for d, w in blueprint["weights"].items()}, blueprint["question_count"])


def test_every_builtin_blueprint_domain_has_one_and_a_half_times_its_quota():
    counts = _demo_counts()
    short = [
        f"{blueprint['slug']} {domain}: {counts[domain]} questions for a quota of {quota} "
        f"(needs {math.ceil(MARGIN * quota)})"
        for blueprint in BUILTIN_BLUEPRINTS
        for domain, quota in _quotas(blueprint).items()
        if counts[domain] < MARGIN * quota
    ]
    assert short == []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [b["slug"] for b in BUILTIN_BLUEPRINTS])
def test_an_exam_gets_exactly_its_quotas_and_a_second_attempt_differs(slug, student):
    from certification.models import Blueprint
    from certification.services.attempts import attempt_start, exam_assemble
    from certification.services.bank import bank_load
    from certification.services.blueprints import blueprints_ensure_builtin

    bank_load()
    blueprints_ensure_builtin()
    blueprint = Blueprint.objects.get(slug=slug)
    expected = _quotas(next(b for b in BUILTIN_BLUEPRINTS if b["slug"] == slug))
    attempt = attempt_start(student=student, blueprint=blueprint, seed=1)
    first = [item.question for item in attempt.items.select_related("question")]
    assert Counter(q.domain for q in first) == Counter({d: n for d, n in expected.items() if n})
    # Unseen questions come first: with 1.5x each quota, at most half of each domain can repeat.
    second = exam_assemble(blueprint=blueprint, student=student, seed=2)
    assert Counter(q.domain for q in second) == Counter(q.domain for q in first)
    repeated = {q.pk for q in first} & {q.pk for q in second}
    assert len(repeated) <= len(first) // 2
