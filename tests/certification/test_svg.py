"""The tiny SVG chart kit: accessible, escaped, CSP-safe."""

from __future__ import annotations

import datetime

from certification.svg import IntervalRow, PaceBar, TrendPoint, interval_bars, pace_chart, trend_chart


def test_interval_bars_are_labelled_images_and_escape_text():
    svg = interval_bars([IntervalRow("<script>alert(1)</script>", 0.6, 0.5, 0.7)], title="T & co", desc="D", threshold=0.7)
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "T &amp; co" in svg
    assert "style=" not in svg and " on" not in svg.replace(" one", "")


def test_long_labels_are_shortened_with_the_full_text_kept():
    label = "Surgery: respiratory, cardiovascular, hemic & lymphatic"
    svg = interval_bars([IntervalRow(label, 0.5, 0.4, 0.6)], title="t", desc="d")
    assert "…" in svg and "Surgery: respiratory, cardiovascular, hemic &amp; lymphatic" in svg


def test_trend_and_pace_charts_render_and_handle_empty_data():
    day = datetime.date(2026, 10, 1)
    svg = trend_chart(
        {"CPC": [TrendPoint(day, 0.5, 0.4, 0.6), TrendPoint(day + datetime.timedelta(days=7), 0.6, 0.5, 0.7)]},
        title="Trend", desc="d", threshold=0.7,
    )
    assert "polyline" in svg and "polygon" in svg and ">Oct 1<" in svg and ">Oct 8<" in svg
    assert "No history yet" in trend_chart({}, title="t", desc="d")
    pace = pace_chart([PaceBar("Oct 1", 200), PaceBar("Oct 8", 100)], budget_seconds=144, title="p", desc="d")
    assert "budget 144s" in pace and "chart-bar--weak" in pace
