"""Spaced repetition with FSRS (the scheduler Anki uses): a thin, pure wrapper around ``fsrs``.

The database stores the fields of ``fsrs.Card``; this module turns them into a
card, applies one review and hands back the new fields. No Django imports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsrs import Card, Rating, Scheduler, State

RATINGS: dict[int, Rating] = {1: Rating.Again, 2: Rating.Hard, 3: Rating.Good, 4: Rating.Easy}
RATING_LABELS: dict[int, str] = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
# Mastery evidence a review contributes (recall quality, 0-1).
RATING_SCORES: dict[int, float] = {1: 0.0, 2: 0.6, 3: 0.85, 4: 1.0}

_scheduler = Scheduler(desired_retention=0.9, enable_fuzzing=True)


@dataclass(frozen=True)
class MemoryState:
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return value.astimezone(dt.timezone.utc)


def review(*, card_id: int, previous: MemoryState | None, rating: int, now: dt.datetime) -> MemoryState:
    """Apply one rating (1 Again, 2 Hard, 3 Good, 4 Easy) at ``now``; ``previous`` None means a new card."""
    if rating not in RATINGS:
        raise ValueError("rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)")
    now = _utc(now)
    if previous is None:
        card = Card(card_id=card_id, state=State.Learning, due=now)
    else:
        card = Card(
            card_id=card_id, state=State(previous.state), step=previous.step, stability=previous.stability,
            difficulty=previous.difficulty, due=_utc(previous.due), last_review=_utc(previous.last_review),
        )
    updated, _log = _scheduler.review_card(card, RATINGS[rating], review_datetime=now)
    return MemoryState(
        state=int(updated.state), step=updated.step, stability=updated.stability, difficulty=updated.difficulty,
        due=updated.due, last_review=updated.last_review,
    )


def retrievability(*, state: MemoryState, now: dt.datetime) -> float:
    """Predicted probability of recall now (0 for a card never reviewed)."""
    card = Card(card_id=1, state=State(state.state), step=state.step, stability=state.stability,
                difficulty=state.difficulty, due=_utc(state.due), last_review=_utc(state.last_review))
    return float(_scheduler.get_card_retrievability(card, current_datetime=_utc(now)))
