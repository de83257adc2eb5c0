"""Phone layouts (390 px wide): the top bar is one row, a lesson's title is on the first screen, a case
result shows the score before the chart, no page scrolls sideways, and the user's name is in the top bar
(in the menu on a phone)."""

from __future__ import annotations

import pytest

from tests.exercises.browser_support import sign_in

from .site_tour import build_site, main_pages
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')].filter((el) => {
  if (el.getBoundingClientRect().right <= window.innerWidth + 1 || !el.getBoundingClientRect().width) return false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    if (['auto', 'hidden', 'scroll'].includes(getComputedStyle(p).overflowX)) return false;
  }
  return true;
}).slice(0, 5).map((el) => el.tagName.toLowerCase() + '.' + el.className)"""


@pytest.fixture
def site(student, instructor, admin_user, cohort):
    return build_site(student=student, instructor=instructor, admin_user=admin_user, cohort=cohort)


def test_student_pages_fit_a_phone(page, site):
    page.set_viewport_size(PHONE)
    pages = main_pages(site)["student"]
    sign_in(page, "student", pages[0][1])
    problems = []
    for name, path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} scrolls sideways ({width}px): {page.evaluate(WIDER_THAN_SCREEN)}")
        bar = page.locator(".topbar").bounding_box()
        if bar["height"] > 64:
            problems.append(f"{name}: the top bar is {bar['height']:.0f}px high (more than one row)")
        problems += [f"{name} at 390px: {line}" for line in axe_violations(page)]
    assert problems == [], "\n".join(problems)


def test_the_lesson_title_is_on_the_first_screen(page, site):
    page.set_viewport_size(PHONE)
    sign_in(page, "student", f"/courses/lessons/{site.lesson_id}/")
    title = page.locator("#lesson-title").bounding_box()
    assert title["y"] + title["height"] <= PHONE["height"] / 2, title


def test_the_result_page_shows_the_score_before_the_chart(page, site):
    page.set_viewport_size(PHONE)
    sign_in(page, "student", f"/cases/submissions/{site.submission_id}/")
    score = page.locator("[data-final-score]")
    score.wait_for()
    chart = page.locator("#chart-heading").locator("xpath=..").bounding_box()
    assert score.bounding_box()["y"] < chart["y"]
    assert score.bounding_box()["y"] < PHONE["height"]


def test_the_top_bar_names_the_user_and_its_menu_opens_on_a_phone(page, site):
    sign_in(page, "student", "/")
    assert page.locator("[data-user-name]").inner_text() == "Sam Student"
    assert page.locator("[data-user-name]").is_visible()  # desktop: in the top bar itself
    page.set_viewport_size(PHONE)
    assert not page.locator("[data-user-name]").is_visible()
    brand, toggle = page.locator(".brand").bounding_box(), page.get_by_role("button", name="Menu").bounding_box()
    assert abs(brand["y"] + brand["height"] / 2 - (toggle["y"] + toggle["height"] / 2)) < 4  # one row
    page.get_by_role("button", name="Menu").click()
    assert page.locator("[data-user-name]").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
