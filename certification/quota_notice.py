"""Does an exam follow its blueprint? When the bank has too few questions in a domain, exam assembly hands the
shortfall to the other domains by weight (services.attempts.exam_assemble); the exam's first page says so."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .domains import domain_label
from .models import AttemptItem, ExamAttempt
from .readiness.simulate import quotas


@dataclass(frozen=True)
class DomainShortfall:
    label: str
    wanted: int
    got: int


@dataclass(frozen=True)
class QuotaNotice:
    short: list[DomainShortfall]
    extra: list[DomainShortfall] = field(default_factory=list)
    asked: int = 0
    total: int = 0


def quota_notice(*, attempt: ExamAttempt) -> QuotaNotice | None:
    """The domains this attempt has fewer questions in than its blueprint's quota (and who got their places);
    None when the exam follows the blueprint. One query for the items (the blueprint's domains are prefetched
    when the caller did so)."""
    blueprint = attempt.blueprint
    weights = blueprint.domain_weights()
    if not weights:
        return None
    wanted = quotas(weights, blueprint.question_count)
    got = Counter(AttemptItem.objects.filter(attempt=attempt).values_list("domain", flat=True))
    short = [DomainShortfall(domain_label(d), n, got[d]) for d, n in wanted.items() if got[d] < n]
    if not short:
        return None
    extra = [DomainShortfall(domain_label(d), wanted.get(d, 0), n) for d, n in got.items() if n > wanted.get(d, 0)]
    return QuotaNotice(short=short, extra=extra, asked=blueprint.question_count, total=sum(got.values()))
