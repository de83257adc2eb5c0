"""Courses figures: demo content parse/validate, Markdown rendering, FSRS scheduling, package round trip.

    .venv/bin/python bench/courses_bench.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")

import django  # noqa: E402

django.setup()

from courses import srs  # noqa: E402
from courses.content_loader import load_directory  # noqa: E402
from courses.demo import DEMO_CONTENT_DIR  # noqa: E402
from courses.markdown import render_markdown  # noqa: E402


def timed(label: str, fn, repeat: int = 5):
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<52} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def main() -> None:
    bundle = timed("parse + validate demo content (YAML)", lambda: load_directory(DEMO_CONTENT_DIR))
    lessons = [lesson for module in bundle.modules for lesson in module.lessons]
    print(f"  {len(bundle.modules)} modules, {len(lessons)} lessons, {bundle.question_count} questions, "
          f"{len(bundle.decks)} decks, {bundle.card_count} cards")
    timed(f"render + sanitise {len(lessons)} lesson bodies", lambda: [render_markdown(lesson.body) for lesson in lessons])

    def schedule_year() -> int:
        now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        reviews = 0
        for card_id in range(200):
            state = None
            at = now
            while at < now + dt.timedelta(days=365):
                state = srs.review(card_id=card_id, previous=state, rating=3, now=at)
                at = state.due
                reviews += 1
        return reviews

    started = time.perf_counter()
    reviews = schedule_year()
    elapsed = time.perf_counter() - started
    print(f"{'FSRS: 200 cards rated Good for a year':<52} {elapsed * 1000:9.1f} ms ({reviews} reviews, "
          f"{reviews / elapsed:,.0f} reviews/s, {reviews / 200:.1f} reviews per card)")


if __name__ == "__main__":
    main()
