"""Reading times come from the text: a short lesson never says "25 min read"."""

from __future__ import annotations

import pytest

from courses.models import Lesson
from courses.reading_time import WORDS_PER_MINUTE, reading_minutes

pytestmark = pytest.mark.django_db


def test_minutes_follow_the_word_count():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * WORDS_PER_MINUTE) == 1
    assert reading_minutes("word " * (WORDS_PER_MINUTE * 3)) == 3
    assert reading_minutes("word " * (WORDS_PER_MINUTE * 3 + 1)) == 4
    # Link targets and markup are not words.
    assert reading_minutes("[see the guideline](https://example.org/a/very/long/path) <b>now</b>") == 1


def test_loaded_lessons_show_the_computed_time_not_the_files_number(student_client, word_parts_lesson):
    expected = reading_minutes(word_parts_lesson.body)
    assert word_parts_lesson.minutes == expected != 12  # the fixture file says 12
    page = student_client.get(f"/courses/lessons/{word_parts_lesson.pk}/").content.decode()
    assert f"{expected} min read" in page and "12 min read" not in page


def test_an_edited_lesson_gets_the_time_of_its_new_text(admin_client_, word_parts_lesson):
    body = "Roots and suffixes. " + "word " * (WORDS_PER_MINUTE * 5)
    response = admin_client_.post(f"/courses/author/lessons/{word_parts_lesson.pk}/", {
        "slug": word_parts_lesson.slug, "title": word_parts_lesson.title, "minutes": 25, "position": 0, "body": body,
        "exercises_text": "",
    })
    assert response.status_code == 302
    word_parts_lesson.refresh_from_db()
    assert word_parts_lesson.minutes == 6
