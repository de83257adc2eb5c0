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


# Heat map colours say how far a mastery is from the pass mark, not how high it is: a cell below the
# pass mark is never green. Four bands, in points of percentage.
HEAT_BANDS = ((-15, "0", "15 or more points below the pass mark"), (0, "1", "less than 15 points below the pass mark"),
              (10, "2", "up to 10 points above the pass mark"))
HEAT_TOP = ("3", "10 or more points above the pass mark")


def heat_band(mastery: float | None, pass_percent: float) -> tuple[str, str]:
    """(css level, words) for a 0..1 mastery against a pass mark in percent."""
    if mastery is None:
        return "none", "no data"
    gap = float(mastery) * 100 - float(pass_percent)
    for upper, level, words in HEAT_BANDS:
        if gap < upper:
            return level, words
    return HEAT_TOP


@register.filter
def heat_level(mastery, pass_percent=70) -> str:
    return heat_band(mastery, pass_percent or 70)[0]


@register.filter
def heat_words(mastery, pass_percent=70) -> str:
    return heat_band(mastery, pass_percent or 70)[1]


@register.filter
def weakest_first(rows):
    """Heat-map rows (cohort, cells) with the lowest average mastery first; rows without data last."""
    def key(row):
        values = [cell.mastery for cell in row[1] if cell.mastery is not None]
        return (0, sum(values) / len(values)) if values else (1, 0.0)

    return sorted(rows, key=lambda row: (*key(row), str(row[0])))
