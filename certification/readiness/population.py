"""What the readiness model knows about everyone: item difficulties, channel links, prior and time.

A ``Population`` is fitted from all students' evidence (``fitting.fit_population``, run by a Celery
task as responses accumulate) and read by every student's refresh. Until a fit exists the defaults
below are used; they are stated in docs/readiness.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .irt import LABEL_DIFFICULTY

EXAM, QUIZ, CASE, FLASHCARD = "exam", "quiz", "case", "flashcard"
CHANNELS = (EXAM, QUIZ, CASE, FLASHCARD)

# Guessing floor of an item the fit has not seen yet, by channel (most exam and quiz items are
# four-option single answers; chart-case lines are code entry).
DEFAULT_GUESS = {EXAM: 0.2, QUIZ: 0.25, CASE: 0.0, FLASHCARD: 0.0}


@dataclass(frozen=True)
class ChannelLink:
    """How one evidence channel relates to exam ability: P = c + (1 - c)·σ(a·(θ - b)), a = discrimination."""

    discrimination: float
    used: bool
    note: str
    students_with_exam: int = 0  # students (per domain) whose link was fitted: they have this channel and exam items
    gap_sd: float = 0.0  # sd of the gap between ability measured by this channel and by exam items, beyond noise


DEFAULT_LINKS: dict[str, ChannelLink] = {
    EXAM: ChannelLink(1.0, True, "Practice-exam and drill questions define the scale: the exam is made of them."),
    QUIZ: ChannelLink(1.0, True, "Default link (slope 1, item difficulty from the fit): not yet fitted against "
                      "exam answers."),
    CASE: ChannelLink(1.0, True, "Default link (slope 1, case difficulty from the fit): not yet fitted against "
                      "exam answers."),
    FLASHCARD: ChannelLink(
        0.0, False,
        "Left out: a flashcard score is the student's own rating of a card they chose to review, not a checked "
        "answer, and only the latest review of each card is kept.",
    ),
}

# A pool bin: (difficulty, guessing floor, share of the domain's exam questions).
PoolBin = tuple[float, float, float]
DEFAULT_POOL: tuple[PoolBin, ...] = tuple((b, DEFAULT_GUESS[EXAM], 1 / 3) for b in LABEL_DIFFICULTY.values())


@dataclass(frozen=True)
class Population:
    domain_mean: Mapping[str, float] = field(default_factory=dict)  # μ_d: average ability per domain (logits)
    default_mean: float = 0.3  # μ for a domain the fit has no evidence for
    start_mean: Mapping[str, float] = field(default_factory=dict)  # ability over students' first answers in a domain
    borrow: float = 1.0  # share of the student's level (from practised domains) carried to unpractised ones
    student_sd: float = 0.8  # τ_u: spread of students' overall level
    domain_sd: float = 0.6  # τ_e: spread of a student's domains around their own level
    # The sceptical prior of a domain the student has not practised (ability.avoidance): the weight on "they
    # avoided it because it is weak", and the least spread between one student's domains assumed for it.
    avoidance: float = 0.6
    avoidance_sd: float = 0.6
    drift_per_day: float = 0.004  # q: variance (logits²) ability may wander per day without practice
    forgetting_days: float | None = 60.0  # T: recent gains fade toward the student's long-run level
    channels: Mapping[str, ChannelLink] = field(default_factory=lambda: dict(DEFAULT_LINKS))
    items: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # item key -> (difficulty, guess)
    channel_difficulty: Mapping[str, float] = field(default_factory=dict)  # "channel:domain" or "channel" -> b
    pools: Mapping[str, tuple[PoolBin, ...]] = field(default_factory=dict)  # domain -> exam pool summary
    exam_sd: float = 0.02  # extra spread of an exam score beyond ability and item sampling
    extrapolation_sd: float = 0.25  # uncertainty of the link's slope when carrying ability to harder or easier items
    # Platt (slope, intercept[, slope on the logit of the student's average score]) on logit P(pass), fitted on
    # full-length practice exams, per evidence group ("enough" evidence, or "thin": little coverage or few
    # answers): applied only when the group had enough outcomes.
    recalibration: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    # The same outcomes recalibrate the score range: (offset added to the predicted score, factor on its sd).
    score_recalibration: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    fitted: Mapping[str, Any] = field(default_factory=dict)  # provenance: counts, fit notes

    def mean_for(self, domain: str) -> float:
        return self.domain_mean.get(domain, self.default_mean)

    def start_for(self, domain: str) -> float:
        """Where a student stands in a domain before practising it: the population's level over first answers."""
        return self.start_mean.get(domain, self.mean_for(domain))

    def item(self, key: str, channel: str, domain: str) -> tuple[float, float]:
        """(difficulty, guess) of an item; an item the fit has not seen gets its channel's default."""
        found = self.items.get(key)
        if found is not None:
            return found
        b = self.channel_difficulty.get(f"{channel}:{domain}", self.channel_difficulty.get(channel, 0.0))
        return b, DEFAULT_GUESS.get(channel, 0.0)

    def pool(self, domain: str) -> tuple[PoolBin, ...]:
        return self.pools.get(domain) or DEFAULT_POOL

    def link(self, channel: str) -> ChannelLink | None:
        return self.channels.get(channel)

    def with_recalibration(self, probability: Mapping[str, tuple[float, float]],
                           score: Mapping[str, tuple[float, float]], avoidance: float | None = None) -> Population:
        changed = replace(self, recalibration=dict(probability), score_recalibration=dict(score))
        return changed if avoidance is None else replace(changed, avoidance=avoidance)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain_mean": dict(self.domain_mean),
            "default_mean": self.default_mean,
            "start_mean": dict(self.start_mean),
            "borrow": self.borrow,
            "student_sd": self.student_sd,
            "domain_sd": self.domain_sd,
            "avoidance": self.avoidance,
            "avoidance_sd": self.avoidance_sd,
            "drift_per_day": self.drift_per_day,
            "forgetting_days": self.forgetting_days,
            "channels": {k: [v.discrimination, v.used, v.note, v.students_with_exam, v.gap_sd]
                         for k, v in self.channels.items()},
            "items": {k: [round(b, 4), round(c, 4)] for k, (b, c) in self.items.items()},
            "channel_difficulty": dict(self.channel_difficulty),
            "pools": {d: [list(x) for x in bins] for d, bins in self.pools.items()},
            "exam_sd": self.exam_sd,
            "extrapolation_sd": self.extrapolation_sd,
            "recalibration": {k: list(v) for k, v in self.recalibration.items()},
            "score_recalibration": {k: list(v) for k, v in self.score_recalibration.items()},
            "fitted": dict(self.fitted),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Population:
        forgetting = data.get("forgetting_days")
        recalibration = data.get("recalibration") or {}
        return cls(
            domain_mean=dict(data.get("domain_mean", {})),
            default_mean=float(data.get("default_mean", 0.3)),
            start_mean={k: float(v) for k, v in data.get("start_mean", {}).items()},
            borrow=float(data.get("borrow", 1.0)),
            student_sd=float(data.get("student_sd", 0.8)),
            domain_sd=float(data.get("domain_sd", 0.6)),
            avoidance=float(data.get("avoidance", 0.6)),
            avoidance_sd=float(data.get("avoidance_sd", 0.6)),
            drift_per_day=float(data.get("drift_per_day", 0.004)),
            forgetting_days=None if forgetting is None or math.isinf(float(forgetting)) else float(forgetting),
            channels={k: ChannelLink(float(v[0]), bool(v[1]), str(v[2]), int(v[3]), float(v[4]) if len(v) > 4 else 0.0)
                      for k, v in data.get("channels", {}).items()} or dict(DEFAULT_LINKS),
            items={k: (float(v[0]), float(v[1])) for k, v in data.get("items", {}).items()},
            channel_difficulty={k: float(v) for k, v in data.get("channel_difficulty", {}).items()},
            pools={d: tuple((float(b), float(c), float(s)) for b, c, s in bins)
                   for d, bins in data.get("pools", {}).items()},
            exam_sd=float(data.get("exam_sd", 0.02)),
            extrapolation_sd=float(data.get("extrapolation_sd", 0.25)),
            recalibration={k: tuple(float(x) for x in v) for k, v in recalibration.items()},
            score_recalibration={k: (float(v[0]), float(v[1]))
                                 for k, v in (data.get("score_recalibration") or {}).items()},
            fitted=dict(data.get("fitted", {})),
        )


def pool_summary(items: list[tuple[float, float]], bins: int = 6) -> tuple[PoolBin, ...]:
    """A domain's exam questions (difficulty, guess) as up to ``bins`` groups of similar difficulty."""
    if not items:
        return ()
    ordered = sorted(items)
    count = len(ordered)
    size = max(1, math.ceil(count / bins))
    summary = []
    for start in range(0, count, size):
        chunk = ordered[start:start + size]
        summary.append((
            sum(b for b, _ in chunk) / len(chunk),
            sum(c for _, c in chunk) / len(chunk),
            len(chunk) / count,
        ))
    return tuple(summary)
