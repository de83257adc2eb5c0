"""Flashcard decks and each student's spaced-repetition state per card (FSRS)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .content import ContentSource, Program


class DeckKind(models.TextChoices):
    WORD_PARTS = "word_parts", "Word parts"
    ABBREVIATIONS = "abbreviations", "Abbreviations"
    ANATOMY = "anatomy", "Anatomy terms"
    CODES = "codes", "High-frequency codes"


class Deck(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=DeckKind.choices)
    domain = models.CharField(max_length=40)
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="decks")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=16, choices=ContentSource.choices, default=ContentSource.AUTHORED)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Flashcard(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    front = models.CharField(max_length=300)
    back = models.TextField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["deck", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["deck", "front"], name="unique_card_front_per_deck")]

    def __str__(self) -> str:
        return self.front


class CardState(models.Model):
    """The FSRS memory state of one card for one student (fsrs.Card fields, persisted)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_states")
    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="states")
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="+", help_text="Denormalised for due counts.")
    state = models.PositiveSmallIntegerField(help_text="fsrs.State: 1 learning, 2 review, 3 relearning")
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(db_index=True)
    last_review = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(help_text="First review: counts toward the daily new-card limit.")
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "card"], name="one_state_per_student_card")]
        indexes = [models.Index(fields=["student", "deck", "due"])]


class CardReview(models.Model):
    """Append-only review log (what an FSRS optimiser would train on)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
