"""The cohort DRG audit and the readiness page in a real browser, with data, at 1366 px and on a phone (390 px):
no page scrolls sideways (wide tables scroll inside their card), the trend chart's dates are readable, and axe finds
no serious or critical violation. With SCREENSHOTS_DIR set, each view is saved there as a PNG."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.exercises.browser_support import sign_in

from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _check(page, label: str) -> list[str]:
    problems = [f"{label}: {line}" for line in axe_violations(page)]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"{label} scrolls sideways ({width}px in {viewport}px)")
    return problems


@pytest.fixture
def audited_cohort(cohort, instructor):
    from courses.models import CohortMembership
    from tests.exercises.factories import CaseFactory, make_key
    from tests.exercises.test_drg_audit import group, review, scored
    from tests.factories import StudentFactory

    titles = {193: "Simple Pneumonia and Pleurisy with MCC", 194: "Simple Pneumonia and Pleurisy with CC",
              195: "Simple Pneumonia and Pleurisy without CC/MCC"}
    weights = {193: 1.2891, 194: 0.8059, 195: 0.6285}
    severity = {193: "MCC", 194: "CC", 195: "NONE"}

    def claim(key: int, student: int) -> dict:
        def one(drg: int) -> dict:
            return group(drg, severity=severity[drg], weight=weights[drg], title=titles[drg])
        return review(one(key), one(student))

    names = ["Avery Lin", "Bo Tran", "Casey Ortiz", "Dana Kim"]
    students = [StudentFactory(username=f"coder{i}", display_name=name) for i, name in enumerate(names)]
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, student=s) for s in students)
    cases = []
    for title in ("Pneumonia with hyponatremia", "Pneumonia in a smoker", "Pneumonia with acute kidney injury"):
        case = CaseFactory(title=title, slug=title.lower().replace(" ", "-"), setting="inpatient", author=instructor)
        make_key(case, [{"role": "principal", "code": "J189", "poa": "Y"}])
        cases.append(case)
    keys = [194, 195, 193]
    plan = [(0, 0, 194), (0, 1, 195), (1, 0, 195), (1, 1, 194), (1, 2, 194), (2, 0, 195), (2, 2, 193),
            (3, 0, 194), (3, 1, 195)]
    plan = [(person, case, claim(keys[case], drg)) for person, case, drg in plan]
    for person, case, review in plan:
        scored(students[person], cases[case], review)
    return cohort


@pytest.fixture
def student_with_history(student):
    from certification.domains import EXAM_DOMAINS
    from certification.models import MasteryEvidence, Readiness, ReadinessSnapshot
    from certification.services.blueprints import blueprints_ensure_builtin
    from certification.services.rollups import rollups_refresh

    blueprints = blueprints_ensure_builtin()
    now = timezone.now()
    MasteryEvidence.objects.bulk_create(
        MasteryEvidence(student=student, domain=domain, source="quiz", source_id=f"{domain}-{i}",
                        score=float((i + n) % 4 != 0), occurred_at=now - datetime.timedelta(days=i))
        for n, (domain, _) in enumerate(EXAM_DOMAINS) for i in range(6)
    )
    rollups_refresh(student_id=student.pk)
    today = timezone.now().date()
    for offset, blueprint in enumerate(blueprints):
        for week in range(9):
            value = 0.45 + week * 0.03 + offset * 0.02
            ReadinessSnapshot.objects.update_or_create(
                student=student, blueprint=blueprint, day=today - datetime.timedelta(days=7 * (8 - week)),
                defaults={"predicted_score": value, "lower": value - 0.12 + week * 0.005,
                          "upper": value + 0.12 - week * 0.005, "pass_probability": 0.3})
    return Readiness.objects.filter(student=student)


def test_the_drg_audit_reads_well_on_a_desktop_and_a_phone(page, audited_cohort):
    url = f"/cases/review/cohorts/{audited_cohort.pk}/drg-audit/"
    sign_in(page, "instructor", url)
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("heading", name="Most common DRG shifts").is_visible()
        assert page.get_by_test_id("audit-accuracy").inner_text() == "56%"  # 5 of 9 claims
        problems += _check(page, f"DRG audit ({size})")
        _shoot(page, f"drg-audit-{size}")
    assert problems == [], "\n".join(problems)
    page.get_by_role("link", name="Open result of Bo Tran, Pneumonia with hyponatremia").click()
    page.wait_for_url("**/cases/submissions/*/")


def test_the_readiness_page_reads_well_on_a_desktop_and_a_phone(page, student_with_history):
    sign_in(page, "student", "/exams/readiness/")
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto("/exams/readiness/?credential=cpc")
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("mastery-legend").is_visible()
        dates = page.locator("#trend-heading ~ figure .chart-date")
        assert dates.count() >= 4
        # Dates stay legible: at least 9 px on screen; on a phone the chart scrolls inside its card instead of shrinking.
        smallest = min(box["height"] for box in (dates.nth(i).bounding_box() for i in range(dates.count())))
        assert smallest >= 9, f"trend dates are {smallest:.1f} px high at {size} size"
        problems += _check(page, f"readiness ({size})")
        _shoot(page, f"readiness-{size}")
    page.set_viewport_size(SIZES["desktop"])
    page.goto("/")
    page.get_by_test_id("readiness-brief").wait_for()
    problems += _check(page, "home (desktop)")
    _shoot(page, "dashboard-readiness-summary")
    page.get_by_test_id("readiness-link").click()
    page.wait_for_url("**/exams/readiness/")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []


def test_the_first_view_with_little_evidence_is_one_summary_card(page, student):
    from certification.models import MasteryEvidence
    from certification.services.blueprints import blueprints_ensure_builtin
    from certification.services.rollups import rollups_refresh

    blueprints_ensure_builtin()
    MasteryEvidence.objects.bulk_create(
        MasteryEvidence(student=student, domain=domain, source="quiz", source_id=f"{domain}-{i}", score=float(i % 2),
                        occurred_at=timezone.now()) for domain in ("icd10cm", "em") for i in range(4))
    rollups_refresh(student_id=student.pk)
    sign_in(page, "student", "/exams/readiness/")
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto("/exams/readiness/")
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("readiness-summary").count() == 1 and page.locator(".readiness-card").count() == 0
        problems += _check(page, f"first view ({size})")
        _shoot(page, f"readiness-first-view-{size}")
    assert problems == [], "\n".join(problems)
