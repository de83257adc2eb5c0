"""Flashcards: deck list with today's due counts, and the review screen (reveal, rate 1-4)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import card_for_reader_or_404, deck_for_reader_or_404
from ..markdown import render_markdown
from ..models import Deck
from ..services.flashcards import card_review, next_card, preview_intervals, review_queue, review_total
from ..srs import RATING_LABELS


def deck_list(request: HttpRequest) -> HttpResponse:
    queues = review_queue(student=request.user)
    return render(request, "courses/deck_list.html", {
        "queues": queues, "total_due": sum(q.due + q.later_today for q in queues),
        "total_new": review_total(queues) - sum(q.due + q.later_today for q in queues),
    })


def _review_context(request: HttpRequest, deck: Deck | None) -> dict:
    card = next_card(student=request.user, deck=deck)
    queues = review_queue(student=request.user, decks=Deck.objects.filter(pk=deck.pk) if deck else None)
    context = {
        "deck": deck, "card": card, "remaining": review_total(queues),
        "ratings": [], "back_html": "",
    }
    if card is not None:
        intervals = preview_intervals(student=request.user, card=card)
        context["ratings"] = [(value, RATING_LABELS[value], intervals[value]) for value in (1, 2, 3, 4)]
        context["back_html"] = render_markdown(card.back)
        context["card_deck"] = card.deck
    return context


def review(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    deck = deck_for_reader_or_404(user=request.user, slug=slug) if slug else None
    return render(request, "courses/review.html", _review_context(request, deck))


@require_POST
def card_rate(request: HttpRequest, card_id: int) -> HttpResponse:
    card = card_for_reader_or_404(user=request.user, card_id=card_id)
    deck_slug = request.POST.get("deck") or ""
    deck = deck_for_reader_or_404(user=request.user, slug=deck_slug) if deck_slug else None
    error = ""
    try:
        rating = int(request.POST.get("rating", ""))
        duration = request.POST.get("duration_ms")
        duration_ms = min(int(duration), 3_600_000) if duration and duration.isdigit() else None
        card_review(student=request.user, card=card, rating=rating, duration_ms=duration_ms)
    except ValueError as exc:
        error = str(exc) if "Rating" in str(exc) or "reviewed" in str(exc) else "Choose Again, Hard, Good or Easy."
    if not request.htmx:
        return redirect("courses:deck_review", slug=deck.slug) if deck else redirect("courses:review")
    context = _review_context(request, deck)
    context["error"] = error
    return render(request, "courses/partials/review_card.html", context)
