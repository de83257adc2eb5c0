from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 0) -> str:
    """0.734 -> '73%'."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def seconds(value) -> str:
    """144 -> '2 min 24 s'."""
    if value is None:
        return "—"
    total = int(round(float(value)))
    minutes, secs = divmod(total, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@register.filter
def remaining(deadline: datetime.datetime, now: datetime.datetime) -> str:
    left = max(0, int((deadline - now).total_seconds()))
    hours, rest = divmod(left, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@register.filter
def progress(value) -> str:
    """A 0..1 value as a data-progress percentage for .progress__bar."""
    if value is None:
        return "0"
    return f"{max(0.0, min(1.0, float(value))) * 100:.0f}"


@register.filter
def probability_badge(value) -> str:
    if value is None:
        return "muted"
    value = float(value)
    return "ok" if value >= 0.75 else "warn" if value >= 0.5 else "bad"
