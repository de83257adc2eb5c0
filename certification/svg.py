"""A tiny server-side SVG chart kit (pure Python, no Django).

Every chart is an ``<svg role="img">`` with a <title> and <desc>; pages pair each one with a
table carrying the same numbers for screen readers. Colours come from CSS classes
(static/css/certification.css), never inline styles, so the strict CSP holds.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class IntervalRow:
    label: str
    value: float  # 0..1
    lower: float
    upper: float
    tone: str = ""  # css suffix: "", "weak", "strong"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css: str = "") -> str:
    ident = "chart-" + hashlib.sha1(f"{title}|{desc}|{len(body)}".encode()).hexdigest()[:10]
    return (
        f'<svg class="chart-svg {escape(css)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def interval_bars(
    rows: Sequence[IntervalRow], *, title: str, desc: str, threshold: float | None = None, label_width: int = 230
) -> str:
    """Horizontal bars (0-100%) with a whisker for the credible interval and an optional pass line."""
    width, row_h, top = 720, 26, 22
    plot_w = width - label_width - 60
    height = top + row_h * max(len(rows), 1) + 8
    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_width + plot_w * tick
        body.append(f'<line class="chart-grid" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}"/>')
        body.append(f'<text class="chart-axis" x="{x:.1f}" y="{top - 10}" text-anchor="middle">{_pct(tick)}</text>')
    for i, row in enumerate(rows):
        y = top + i * row_h
        clamp = lambda v: max(0.0, min(1.0, v))  # noqa: E731
        bar_w = plot_w * clamp(row.value)
        x_lo, x_hi = label_width + plot_w * clamp(row.lower), label_width + plot_w * clamp(row.upper)
        mid = y + row_h / 2
        tone = f" chart-bar--{escape(row.tone)}" if row.tone else ""
        label = row.label if len(row.label) <= 34 else row.label[:32].rstrip(" ,:&") + "…"
        body.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{mid + 4:.1f}" text-anchor="end">'
            f"<title>{escape(row.label)}</title>{escape(label)}</text>"
        )
        body.append(f'<rect class="chart-bar{tone}" x="{label_width}" y="{y + 5}" width="{bar_w:.1f}" height="{row_h - 10}" rx="3"/>')
        if x_hi - x_lo > 0.5:  # no whisker for plain values (score reports)
            body.append(f'<line class="chart-whisker" x1="{x_lo:.1f}" y1="{mid:.1f}" x2="{x_hi:.1f}" y2="{mid:.1f}"/>')
            body.append(f'<line class="chart-whisker" x1="{x_lo:.1f}" y1="{mid - 5:.1f}" x2="{x_lo:.1f}" y2="{mid + 5:.1f}"/>')
            body.append(f'<line class="chart-whisker" x1="{x_hi:.1f}" y1="{mid - 5:.1f}" x2="{x_hi:.1f}" y2="{mid + 5:.1f}"/>')
        body.append(f'<text class="chart-value" x="{label_width + plot_w + 8}" y="{mid + 4:.1f}">{_pct(row.value)}</text>')
    if threshold is not None:
        x = label_width + plot_w * threshold
        body.append(f'<line class="chart-threshold" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}"/>')
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    value: float
    lower: float
    upper: float


def _day_label(day: datetime.date) -> str:
    return f"{day:%b} {day.day}"


def date_ticks(first: datetime.date, last: datetime.date, *, most: int = 6) -> list[datetime.date]:
    """Up to ``most`` evenly spaced days from first to last, both included, never the same day twice."""
    span = (last - first).days
    if span <= 0:
        return [first]
    count = min(most, span + 1)
    ticks = [first + datetime.timedelta(days=round(span * i / (count - 1))) for i in range(count)]
    return sorted(set(ticks))


def trend_chart(
    series: dict[str, Sequence[TrendPoint]], *, title: str, desc: str, threshold: float | None = None
) -> str:
    """Lines over time (0-100%) with a shaded, outlined credible band for each series and labelled dates.

    A series with a single day has no area to shade: its band is drawn as a range bar on that day.
    """
    width, height, left, right, top, bottom = 720, 270, 44, 64, 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    days = sorted({p.day for points in series.values() for p in points})
    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        body.append(f'<text class="chart-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_pct(tick)}</text>')
    if threshold is not None:
        y = top + plot_h * (1 - threshold)
        body.append(f'<line class="chart-threshold" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        body.append(f'<text class="chart-axis chart-threshold-label" x="{width - right + 6}" y="{y + 4:.1f}">'
                    f'pass {_pct(threshold)}</text>')
    if not days:
        body.append(f'<text class="chart-axis" x="{width / 2}" y="{height / 2}" text-anchor="middle">No history yet</text>')
        return _svg(width, height, title, desc, body)
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)

    def x_of(day: datetime.date) -> float:
        return left + plot_w * ((day - first).days / span if len(days) > 1 else 0.5)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, v)))

    ticks = date_ticks(first, last)
    for index, day in enumerate(ticks):
        x = x_of(day)
        anchor = "middle"
        if len(ticks) > 1 and index == 0:
            anchor = "start"
        elif len(ticks) > 1 and index == len(ticks) - 1:
            anchor = "end"
        body.append(f'<line class="chart-grid chart-grid--day" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h + 5}"/>')
        body.append(f'<text class="chart-axis chart-date" x="{x:.1f}" y="{top + plot_h + 20}" text-anchor="{anchor}">'
                    f'{_day_label(day)}</text>')
    for index, (name, points) in enumerate(series.items()):
        points = sorted(points, key=lambda p: p.day)
        if not points:
            continue
        end = points[-1]
        dot_x = x_of(end.day)
        if len({p.day for p in points}) > 1:
            band = [f"{x_of(p.day):.1f},{y_of(p.upper):.1f}" for p in points] + [
                f"{x_of(p.day):.1f},{y_of(p.lower):.1f}" for p in reversed(points)
            ]
            body.append(f'<polygon class="chart-band chart-series-{index}" points="{" ".join(band)}">'
                        f"<title>{escape(name)}: 90% range</title></polygon>")
        else:
            only = points[-1]
            x = dot_x = x_of(only.day) + (index - (len(series) - 1) / 2) * 12  # side by side when several share it
            body.append(f'<rect class="chart-band chart-series-{index}" x="{x - 4:.1f}" y="{y_of(only.upper):.1f}" '
                        f'width="8" height="{max(y_of(only.lower) - y_of(only.upper), 1):.1f}" rx="2">'
                        f"<title>{escape(name)}: {_pct(only.lower)}\u2013{_pct(only.upper)}</title></rect>")
        line = " ".join(f"{x_of(p.day):.1f},{y_of(p.value):.1f}" for p in points)
        body.append(f'<polyline class="chart-line chart-series-{index}" points="{line}"/>')
        body.append(f'<circle class="chart-dot chart-series-{index}" cx="{dot_x:.1f}" cy="{y_of(end.value):.1f}" r="3.5"/>')
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class PaceBar:
    label: str
    seconds: float


def pace_chart(bars: Sequence[PaceBar], *, budget_seconds: float, title: str, desc: str) -> str:
    """Seconds per question for recent attempts, with the exam's time budget per question as a line."""
    width, height, left, bottom, top = 720, 200, 44, 40, 14
    plot_w, plot_h = width - left - 16, height - top - bottom
    peak = max([b.seconds for b in bars] + [budget_seconds]) * 1.15 or 1.0
    body = []
    slot = min(plot_w / max(len(bars), 1), 110)
    for i, bar in enumerate(bars):
        h = plot_h * bar.seconds / peak
        x = left + i * slot + slot * 0.2
        tone = "chart-bar--weak" if bar.seconds > budget_seconds else ""
        body.append(f'<rect class="chart-bar {tone}" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" rx="3"/>')
        body.append(f'<text class="chart-axis" x="{x + slot * 0.3:.1f}" y="{height - 22}" text-anchor="middle">{escape(bar.label)}</text>')
        body.append(f'<text class="chart-value" x="{x + slot * 0.3:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle">{bar.seconds:.0f}s</text>')
    y = top + plot_h * (1 - budget_seconds / peak)
    body.append(f'<line class="chart-threshold" x1="{left}" y1="{y:.1f}" x2="{width - 16}" y2="{y:.1f}"/>')
    body.append(f'<text class="chart-axis" x="{width - 18}" y="{y - 5:.1f}" text-anchor="end">budget {budget_seconds:.0f}s</text>')
    body.append(f'<line class="chart-grid" x1="{left}" y1="{top + plot_h}" x2="{width - 16}" y2="{top + plot_h}"/>')
    return _svg(width, height, title, desc, body)
