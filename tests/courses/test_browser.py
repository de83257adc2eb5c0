"""End to end in Chromium: a student answers a quiz and reviews a flashcard with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.models import CardState, Flashcard, LessonProgress, QuizAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_takes_a_quiz_and_gets_feedback(page, browser_login, student, word_parts_lesson):
    browser_login(page, "student")
    page.goto(f"/courses/lessons/{word_parts_lesson.pk}/")
    assert page.get_by_role("heading", name="Roots, prefixes and suffixes").is_visible()
    assert page.get_by_text("SENTINEL-EXPLANATION-ITIS").count() == 0

    single, multiple, term = (word_parts_lesson.questions.order_by("position"))
    q1 = page.locator(f"#q-{single.pk}")
    q1.get_by_label("Inflammation").check()
    q1.get_by_role("button", name="Check answer").click()
    page.locator(f"#q-{single.pk} .feedback").wait_for()
    assert "Correct" in page.locator(f"#q-{single.pk} .feedback__verdict").inner_text()
    assert page.get_by_text("SENTINEL-EXPLANATION-ITIS").is_visible()

    q2 = page.locator(f"#q-{multiple.pk}")
    q2.get_by_label("gastr/o").check()
    q2.get_by_role("button", name="Check answer").click()
    page.locator(f"#q-{multiple.pk} .feedback").wait_for()
    assert "Partly right" in page.locator(f"#q-{multiple.pk} .feedback__verdict").inner_text()

    q3 = page.locator(f"#q-{term.pk}")
    q3.get_by_role("button", name="gastr/o", exact=True).click()
    q3.get_by_role("button", name="-itis", exact=True).click()
    assert "gastr/o + -itis" in q3.locator("[data-built-live]").inner_text()
    q3.get_by_role("button", name="Check answer").click()
    page.locator(f"#q-{term.pk} .feedback").wait_for()
    assert "Correct" in page.locator(f"#q-{term.pk} .feedback__verdict").inner_text()
    page.locator("#quiz-summary .score").wait_for()
    assert QuizAnswer.objects.count() == 3
    assert LessonProgress.objects.get(student=student, lesson=word_parts_lesson).best_score is not None
    assert page.console_errors == []


def test_student_reviews_a_due_flashcard_with_the_keyboard(page, browser_login, student, program):
    browser_login(page, "student")
    page.goto("/courses/flashcards/")
    page.get_by_role("link", name="Review 3").click()
    front = page.locator("#card-front")
    first_front = front.inner_text()
    back = page.locator("[data-card-back]")
    assert back.is_hidden()
    page.keyboard.press("Space")
    assert back.is_visible()
    assert page.locator("[data-ratings]").is_visible()
    page.keyboard.press("4")  # Easy: back in days, so it leaves today's count (Again or Good would not)
    expect(page.locator("#card-front")).not_to_have_text(first_front)
    card = Flashcard.objects.get(front=first_front)
    state = CardState.objects.get(student=student, card=card)
    assert state.reps == 1 and state.last_review is not None
    assert "2 left today" in page.locator(".review__top .badge").inner_text()
    # The next card starts hidden again; 1-4 do nothing until it is revealed.
    page.keyboard.press("4")
    assert CardState.objects.filter(student=student).count() == 1
    assert page.console_errors == []
