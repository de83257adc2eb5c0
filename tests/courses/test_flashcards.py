"""FSRS scheduling persisted per student and card; due counts and the daily new-card limit."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from certification.models import MasteryEvidence
from courses.models import CardReview, CardState, Deck, Flashcard
from courses.services.flashcards import card_review, next_card, review_queue

from .conftest import htmx_post


def _deck(program) -> Deck:
    return Deck.objects.get(slug="word-parts-basics")


def test_rating_a_new_card_persists_its_fsrs_state(student_client, student, program):
    card = Flashcard.objects.get(front="gastr/o")
    response = htmx_post(student_client, f"/courses/flashcards/cards/{card.pk}/rate/", {"rating": "3", "deck": "word-parts-basics"})
    assert response.status_code == 200
    state = CardState.objects.get(student=student, card=card)
    assert state.state == 1 and state.step == 1  # learning, second step
    assert state.due > timezone.now() + dt.timedelta(minutes=5)
    assert state.stability and state.difficulty and state.reps == 1
    assert CardReview.objects.filter(student=student, card=card, rating=3).count() == 1
    assert MasteryEvidence.objects.get(student=student, source="flashcard").domain == "medical-terminology"
    # The response is the next card, not the one just rated.
    assert "gastr/o</h2>" not in response.content.decode()


def test_good_reviews_grow_the_interval_and_again_lapses(student, program):
    card = Flashcard.objects.get(front="hepat/o")
    now = timezone.now()
    state = card_review(student=student, card=card, rating=3, now=now)
    state = card_review(student=student, card=card, rating=3, now=state.due)
    assert state.state == 2  # review
    first_interval = state.due - state.last_review
    state = card_review(student=student, card=card, rating=4, now=state.due)
    assert state.due - state.last_review > first_interval
    state = card_review(student=student, card=card, rating=1, now=state.due)
    assert state.state == 3 and state.lapses == 1  # relearning
    assert CardState.objects.get(pk=state.pk).reps == 4


def test_due_counts_and_the_daily_new_card_limit(student, program, settings):
    settings.COURSES_NEW_CARDS_PER_DAY = 2
    deck = _deck(program)
    [queue] = review_queue(student=student)
    assert (queue.total, queue.due, queue.new_available) == (3, 0, 2)
    now = timezone.now()
    first = next_card(student=student, deck=deck, now=now)
    card_review(student=student, card=first, rating=1, now=now)  # again: due in a minute
    [queue] = review_queue(student=student, now=now)
    assert (queue.due, queue.new_available) == (0, 1)
    later = now + dt.timedelta(minutes=2)
    [queue] = review_queue(student=student, now=later)
    assert queue.due == 1
    assert next_card(student=student, deck=deck, now=later) == first  # due reviews come before new cards
    second = Flashcard.objects.exclude(pk=first.pk).order_by("position").first()
    card_review(student=student, card=second, rating=4, now=later)
    [queue] = review_queue(student=student, now=later)
    assert queue.new_available == 0  # today's limit reached
    tomorrow = later + dt.timedelta(days=1)
    [queue] = review_queue(student=student, now=tomorrow)
    assert queue.new_available == 1


def test_states_are_private_per_student(student, other_student, program):
    card = Flashcard.objects.get(front="-itis")
    card_review(student=student, card=card, rating=3)
    [queue] = review_queue(student=other_student)
    assert queue.seen == 0
    assert not CardState.objects.filter(student=other_student).exists()


def test_deck_list_shows_due_counts(student_client, program):
    response = student_client.get("/courses/flashcards/")
    assert response.status_code == 200
    assert "Word parts basics" in response.content.decode()
    assert student_client.get("/api/v1/courses/flashcards/queue/").json()[0]["new_available"] == 3


def test_bad_ratings_are_rejected_and_change_nothing(student_client, program):
    card = Flashcard.objects.get(front="gastr/o")
    api = student_client.post(f"/api/v1/courses/flashcards/cards/{card.pk}/review/", {"rating": 9}, content_type="application/json")
    assert api.status_code == 400
    page = htmx_post(student_client, f"/courses/flashcards/cards/{card.pk}/rate/", {"rating": "zero"})
    assert page.status_code == 200 and "Choose Again, Hard, Good or Easy" in page.content.decode()
    assert not CardState.objects.exists()
    ok = student_client.post(f"/api/v1/courses/flashcards/cards/{card.pk}/review/", {"rating": 4}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["reps"] == 1


def test_review_page_and_caught_up_state(student_client, student, program, settings):
    settings.COURSES_NEW_CARDS_PER_DAY = 0
    body = student_client.get("/courses/flashcards/review/").content.decode()
    assert "All caught up" in body
    settings.COURSES_NEW_CARDS_PER_DAY = 5
    body = student_client.get("/courses/flashcards/decks/word-parts-basics/review/").content.decode()
    assert "Show answer" in body and "data-card-back" in body
