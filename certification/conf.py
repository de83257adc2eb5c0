"""Certification settings with their defaults (override in Django settings)."""

from __future__ import annotations

from django.conf import settings

from .blueprint_data import ANSWER_GRACE_SECONDS


def answer_grace_seconds() -> int:
    """Seconds after the deadline during which an answer save is still accepted."""
    return int(getattr(settings, "CERTIFICATION_ANSWER_GRACE_SECONDS", ANSWER_GRACE_SECONDS))


def scoring_stale_seconds() -> int:
    """A submitted attempt still unscored after this long is queued for scoring again."""
    return int(getattr(settings, "CERTIFICATION_SCORING_STALE_SECONDS", 120))


def at_risk_threshold() -> float:
    """Pass probability under which an instructor sees a student as at risk."""
    return float(getattr(settings, "CERTIFICATION_AT_RISK_PROBABILITY", 0.5))
