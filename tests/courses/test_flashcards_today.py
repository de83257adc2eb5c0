"""What "left today" counts: "Again" keeps a card in today's count, and the first day's count respects
the daily new-card limit, which is one limit for all decks together."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from courses.models import Deck, Flashcard
from courses.services.flashcards import card_review, next_card, review_queue, review_total

from .conftest import htmx_post

pytestmark = pytest.mark.django_db


def left_today(html: str) -> int:
    return int(re.search(r"(\d+) left today", html).group(1))


def test_again_does_not_lower_left_today(student_client, student, program, settings):
    settings.COURSES_NEW_CARDS_PER_DAY = 10
    before = left_today(student_client.get("/courses/flashcards/decks/word-parts-basics/review/").content.decode())
    assert before == 3
    card = next_card(student=student, deck=Deck.objects.get(slug="word-parts-basics"))
    after = htmx_post(student_client, f"/courses/flashcards/cards/{card.pk}/rate/", {"rating": "1", "deck": "word-parts-basics"})
    assert left_today(after.content.decode()) == 3
    easy = next_card(student=student, deck=Deck.objects.get(slug="word-parts-basics"))
    assert easy != card  # the new cards come first; the card rated Again comes back after them
    after_easy = htmx_post(student_client, f"/courses/flashcards/cards/{easy.pk}/rate/", {"rating": "4", "deck": "word-parts-basics"})
    assert left_today(after_easy.content.decode()) == 2  # Easy sends it to another day


def test_a_card_rated_again_comes_back_the_same_day_when_nothing_else_is_left(student, program, settings):
    settings.COURSES_NEW_CARDS_PER_DAY = 1
    deck = Deck.objects.get(slug="word-parts-basics")
    now = timezone.now().replace(hour=10)
    card = next_card(student=student, deck=deck, now=now)
    card_review(student=student, card=card, rating=1, now=now)
    [queue] = review_queue(student=student, now=now)
    assert (queue.due, queue.later_today, queue.new_available, review_total([queue])) == (0, 1, 0, 1)
    assert next_card(student=student, deck=deck, now=now) == card


def test_the_first_days_count_respects_the_new_card_limit_over_all_decks(student_client, student, program, settings):
    settings.COURSES_NEW_CARDS_PER_DAY = 4
    second = Deck.objects.create(slug="more-parts", title="More parts", kind="word_parts", domain="medical-terminology")
    for n in range(5):
        Flashcard.objects.create(deck=second, front=f"front {n}", back=f"back {n}", position=n)
    queues = review_queue(student=student)
    assert sum(q.new_available for q in queues) == 7  # each deck could start today...
    assert review_total(queues) == 4  # ...but the day has one limit
    catalog = student_client.get("/courses/").content.decode()
    assert re.search(r'<p class="stat">4</p>', catalog)
    decks = student_client.get("/courses/flashcards/").content.decode()
    assert "Review all (4)" in decks
