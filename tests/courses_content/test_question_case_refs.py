"""Exam-bank scenarios and questions that name a chart case (``case_ref``) name a demo case that exists, so the
question is about a chart a student can open."""

from __future__ import annotations

from certification.services.bank import DEMO_BANK_DIR, bank_read
from exercises.demo import demo_cases


def test_every_case_ref_in_the_demo_bank_names_a_demo_case():
    questions, scenarios = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    slugs = {case["slug"] for case in demo_cases()}
    wrong = [f"{kind} {item['slug']}: no demo case “{item['case_ref']}”"
             for kind, items in (("scenario", scenarios), ("question", questions))
             for item in items if item["case_ref"] and item["case_ref"] not in slugs]
    assert wrong == []


def test_the_bank_has_scenarios_built_on_demo_cases():
    _questions, scenarios = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    assert [s for s in scenarios if s["case_ref"]], "no scenario names a chart case"
