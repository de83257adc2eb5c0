"""Honest words for a pass probability (pure).

A forecast is never "0%" or "100%": the model cannot be that sure, and a student deciding whether
to book an exam reads a percentage as a promise. Probabilities are said in words with rounded
odds ("unlikely to pass yet (about 1 in 10)"), and when the evidence covers too little of the exam
there is no probability at all, only what to practise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrase:
    headline: str  # "Unlikely to pass yet"
    odds: str  # "about 1 in 10"
    tone: str  # "bad", "warn" or "ok" (badge colour)

    @property
    def text(self) -> str:
        return f"{self.headline.lower()} ({self.odds})"

    def __str__(self) -> str:
        return f"{self.headline} ({self.odds})"


def readiness_phrase(probability: float) -> Phrase:
    p = min(max(float(probability), 0.0), 1.0)
    tenths = round(p * 10)
    if p < 0.05:
        return Phrase("Very unlikely to pass yet", "fewer than 1 in 20", "bad")
    if p < 0.15:
        return Phrase("Unlikely to pass yet", "about 1 in 10", "bad")
    if p < 0.35:
        return Phrase("Unlikely to pass yet", f"about {tenths} in 10", "bad")
    if p < 0.45:
        return Phrase("Less likely than not to pass", "about 4 in 10", "warn")
    if p < 0.55:
        return Phrase("About an even chance of passing", "about 1 in 2", "warn")
    if p < 0.65:
        return Phrase("Slightly more likely than not to pass", "about 6 in 10", "warn")
    if p < 0.85:
        return Phrase("Likely to pass", f"about {tenths} in 10", "ok")
    if p < 0.95:
        return Phrase("Very likely to pass", "about 9 in 10", "ok")
    return Phrase("Very likely to pass", "more than 19 in 20", "ok")


def not_enough_evidence(practise: Sequence[str]) -> str:
    """The message shown instead of a probability: "Not enough evidence yet: practise X, Y"."""
    names = list(practise)
    if not names:
        return "Not enough evidence yet: practise more of the exam's domains"
    return "Not enough evidence yet: practise " + ", ".join(names)
