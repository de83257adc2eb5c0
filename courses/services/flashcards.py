"""Flashcard reviews: apply FSRS, persist the student's card state, log the review, record evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from certification.domains import DOMAIN_LABELS
from certification.services import evidence_record

from .. import srs
from ..models import CardReview, CardState, Deck, Flashcard


def new_cards_per_day() -> int:
    """New cards a student is introduced to per day, all decks together."""
    return int(getattr(settings, "COURSES_NEW_CARDS_PER_DAY", 10))


def _start_of_today(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def card_review(
    *, student: User, card: Flashcard, rating: int, duration_ms: int | None = None, now: dt.datetime | None = None
) -> CardState:
    """Rate one card (1 Again, 2 Hard, 3 Good, 4 Easy) and schedule its next review."""
    if rating not in srs.RATINGS:
        raise ValueError("Rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    now = now or timezone.now()
    state = CardState.objects.select_for_update().filter(student=student, card=card).first()
    previous = None
    if state is not None:
        previous = srs.MemoryState(state.state, state.step, state.stability, state.difficulty, state.due, state.last_review)
    memory = srs.review(card_id=card.pk, previous=previous, rating=rating, now=now)
    fields = {
        "state": memory.state, "step": memory.step, "stability": memory.stability, "difficulty": memory.difficulty,
        "due": memory.due, "last_review": memory.last_review,
    }
    if state is None:
        try:
            with transaction.atomic():
                state = CardState.objects.create(
                    student=student, card=card, deck_id=card.deck_id, introduced_at=now, reps=1,
                    lapses=0, **fields,
                )
        except IntegrityError as exc:  # a double submit of the very first review
            raise ValueError("This card was just reviewed; load the next one.") from exc
    else:
        lapse = rating == 1 and state.state == 2
        for key, value in fields.items():
            setattr(state, key, value)
        state.reps += 1
        state.lapses += int(lapse)
        state.save()
    CardReview.objects.create(student=student, card=card, rating=rating, reviewed_at=now, duration_ms=duration_ms)
    domain = card.deck.domain
    if domain in DOMAIN_LABELS and student.is_student:
        evidence_record(
            student=student, domain=domain, score=srs.RATING_SCORES[rating], source="flashcard",
            source_id=f"card-{card.pk}", weight=0.25, occurred_at=now,
        )
    return state


@dataclass(frozen=True)
class DeckQueue:
    deck: Deck
    total: int
    seen: int
    due: int  # due now
    new_available: int  # new cards this deck may still introduce today (within the day's limit for all decks)
    later_today: int = 0  # cards that come back later today (after "Again", for instance)
    new_allowance: int = 0  # new cards left today for all decks together

    @property
    def to_review(self) -> int:
        return self.due + self.later_today + self.new_available


def review_total(queues: list[DeckQueue]) -> int:
    """Cards left today over several decks: every card due today, and new cards within the day's one limit.

    "Again" keeps a card in today's count (it comes back in minutes), so rating never lowers the count
    by a card that will be shown again.
    """
    if not queues:
        return 0
    scheduled = sum(q.due + q.later_today for q in queues)
    return scheduled + min(sum(q.new_available for q in queues), queues[0].new_allowance)

    @property
    def seen_percent(self) -> int:
        return round(100 * self.seen / self.total) if self.total else 0


def review_queue(*, student: User, now: dt.datetime | None = None, decks=None) -> list[DeckQueue]:
    """Per deck: cards due now, cards back later today, and new cards still allowed today (one limit for all
    decks). Four queries whatever the deck count."""
    now = now or timezone.now()
    today = _start_of_today(now)
    tomorrow = today + dt.timedelta(days=1)
    deck_list = list((decks if decks is not None else Deck.objects.all()).annotate(total=Count("cards")).order_by("title"))
    stats = {
        row["deck_id"]: row
        for row in CardState.objects.filter(student=student, deck__in=[d.pk for d in deck_list])
        .values("deck_id")
        .annotate(seen=Count("id"), later_today=Count("id", filter=Q(due__gt=now, due__lt=tomorrow)),
                  due_now=Count("id", filter=Q(due__lte=now)))
    }
    introduced_today = CardState.objects.filter(student=student, introduced_at__gte=today).count()
    allowance = max(0, new_cards_per_day() - introduced_today)
    queues = []
    for deck in deck_list:
        row = stats.get(deck.pk, {"seen": 0, "due_now": 0, "later_today": 0})
        unseen = deck.total - row["seen"]
        queues.append(DeckQueue(deck=deck, total=deck.total, seen=row["seen"], due=row["due_now"],
                                new_available=max(0, min(unseen, allowance)), later_today=row["later_today"],
                                new_allowance=allowance))
    return queues


def next_card(*, student: User, deck: Deck | None = None, now: dt.datetime | None = None) -> Flashcard | None:
    """The next card to show: the most overdue review first, then a new card within today's limit."""
    now = now or timezone.now()
    due = CardState.objects.filter(student=student, due__lte=now).select_related("card__deck").order_by("due", "id")
    if deck is not None:
        due = due.filter(deck=deck)
    state = due.first()
    if state is not None:
        return state.card
    queues = review_queue(student=student, now=now, decks=Deck.objects.filter(pk=deck.pk) if deck else None)
    for queue in queues:
        if queue.new_available > 0:
            return (
                Flashcard.objects.filter(deck=queue.deck).exclude(states__student=student)
                .select_related("deck").order_by("position", "id").first()
            )
    # Nothing due now and no new card left: a card that comes back later today (after Again), early.
    if any(queue.later_today for queue in queues):
        ahead = CardState.objects.filter(student=student, due__gt=now, due__lt=_start_of_today(now) + dt.timedelta(days=1))
        if deck is not None:
            ahead = ahead.filter(deck=deck)
        state = ahead.select_related("card__deck").order_by("due", "id").first()
        if state is not None:
            return state.card
    return None


def preview_intervals(*, student: User, card: Flashcard, now: dt.datetime | None = None) -> dict[int, str]:
    """What each rating would schedule, as short labels (“10m”, “3d”) for the rating buttons."""
    now = now or timezone.now()
    state = CardState.objects.filter(student=student, card=card).first()
    previous = None
    if state is not None:
        previous = srs.MemoryState(state.state, state.step, state.stability, state.difficulty, state.due, state.last_review)
    labels = {}
    for rating in srs.RATINGS:
        due = srs.review(card_id=card.pk, previous=previous, rating=rating, now=now).due
        labels[rating] = _short_interval(due - now)
    return labels


def _short_interval(delta: dt.timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 31:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
