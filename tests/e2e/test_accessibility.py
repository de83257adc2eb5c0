"""The accessibility gate: axe-core (bundled by axe-playwright-python, no CDN) on every main page of
every role, with its experimental rules on. Any serious or critical violation fails; nothing is exempt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from axe_playwright_python.sync_playwright import Axe

from tests.exercises.browser_support import sign_in

from .site_tour import build_site, main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const rules = {};
  axe.getRules(["experimental"]).forEach((rule) => { rules[rule.ruleId] = {enabled: true}; });
  return await axe.run(document, {rules, resultTypes: ["violations"]});
}"""


def axe_violations(page) -> list[str]:
    """Serious and critical violations on the page as it is now, one readable line per element."""
    page.evaluate(Axe().axe_script)
    results = page.evaluate(RUN_AXE)
    found = []
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            for node in violation["nodes"]:
                found.append(f"{violation['id']} ({violation['impact']}) at {' '.join(node['target'])}: "
                             f"{node['failureSummary'].splitlines()[-1].strip()}")
    return found


@pytest.fixture
def site(student, instructor, admin_user, cohort):
    return build_site(student=student, instructor=instructor, admin_user=admin_user, cohort=cohort)


@pytest.mark.parametrize("role", ["student", "instructor", "admin_user"])
def test_every_main_page_has_no_serious_accessibility_violation(role, site, page):
    pages = main_pages(site)[role]
    sign_in(page, role, pages[0][1])
    report = []
    for name, path in pages:
        response = page.goto(path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        page.wait_for_load_state("networkidle")
        report += [f"{name} {path}: {line}" for line in axe_violations(page)]
    assert report == [], "\n".join(report)
    assert page.console_errors == []


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_on_text_inputs_is_solid_thick_and_contrasting(page, site):
    sign_in(page, "student", f"/cases/{site.case_slug}/")
    box = page.get_by_role("combobox", name="ICD-10-CM code")
    page.keyboard.press("Tab")
    box.focus()
    ring = box.evaluate("""(el) => { const s = getComputedStyle(el);
        let bg = 'rgb(255, 255, 255)', node = el.parentElement;
        while (node) { const c = getComputedStyle(node).backgroundColor;
          if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; } node = node.parentElement; }
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, background: bg}; }""")
    assert ring["style"] == "solid"
    assert ring["width"] >= 2
    assert "rgba" not in ring["color"], f"translucent ring {ring['color']}"
    assert _contrast(ring["color"], ring["background"]) >= 3, ring


def test_focus_moves_to_the_result_after_answering_a_quiz_question(page, site):
    from courses.models import Lesson

    lesson = Lesson.objects.get(pk=site.lesson_id)
    first = lesson.questions.order_by("position").first()
    sign_in(page, "student", f"/courses/lessons/{site.lesson_id}/")
    question = page.locator(f"#q-{first.pk}")
    question.get_by_label("Inflammation").check()
    question.get_by_role("button", name="Check answer").focus()
    page.keyboard.press("Enter")
    page.locator(f"#q-{first.pk} .feedback").wait_for()
    expect(page.locator(f"#q-{first.pk} .feedback")).to_be_focused()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"


def test_focus_stays_on_the_flag_button_after_flagging_an_exam_question(page, site):
    sign_in(page, "student", f"/exams/attempts/{site.extra['open_attempt_id']}/q/1/")
    page.get_by_role("button", name="Flag for review").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Flagged for review")).to_be_focused()
    page.wait_for_timeout(300)  # htmx wires the new form when the swap settles; a person is never faster
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Flag for review")).to_be_focused()


def test_the_notes_panel_speaks_only_when_a_code_is_chosen(page, site):
    sign_in(page, "student", f"/cases/{site.case_slug}/")
    assert page.locator("#code-notes").get_attribute("aria-live") is None
    live = page.locator("#code-notes-live")
    box = page.get_by_role("combobox", name="ICD-10-CM code")
    box.click()
    box.type("dia", delay=80)
    page.wait_for_timeout(900)
    box.type("betes h", delay=80)
    page.wait_for_timeout(900)
    assert live.inner_text() == ""
    assert "is not in" not in page.locator("#code-notes").inner_text()

    box.fill("")
    box.type("S52.521", delay=60)
    option = page.locator(".typeahead__list [role=option]", has_text="S52.521A").first
    option.wait_for()
    option.click()
    expect(live).to_contain_text("Torus fracture of lower end of right radius")
