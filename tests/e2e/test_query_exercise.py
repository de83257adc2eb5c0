"""A query exercise in Chromium: write the query, read the provider's reply, code the final claim, see the rubric."""

from __future__ import annotations

import pytest

from exercises.models import ProviderQuery, SubmissionScore
from exercises.services import answer_key_publish, query_spec_save
from tests.exercises.browser_support import sign_in
from tests.exercises.factories import CaseFactory
from tests.factories import CodeFactory, ReleaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "Type 1 diabetes mellitus; the outside problem list was in error."


def make_query_case(instructor):
    icd = ReleaseFactory(label="FY2026-Q", is_current=True)
    for code, title, billable in [("E10", "Type 1 diabetes mellitus", False),
                                  ("E109", "Type 1 diabetes mellitus without complications", True),
                                  ("I10", "Essential (primary) hypertension", True)]:
        CodeFactory(release=icd, code=code, long_title=title, short_title=title[:60], billable=billable,
                    kind="code" if billable else "category")
    case = CaseFactory(
        title="New patient with diabetes", slug="new-patient-diabetes", icd10cm_release=icd, author=instructor,
        is_query_case=True, patient_age=27, patient_sex="F", setting="outpatient",
        documents=[("New patient visit", "History: diabetes since age 11 on an insulin pump. Imported problem list: "
                                         "type 2 diabetes. Blood pressure 148/92 on amlodipine.")],
    )
    query_spec_save(actor=instructor, case=case, data={
        "gap": "Type 1 in the history, type 2 on the imported problem list.",
        "topic_terms": ["diabetes", "type"],
        "indicators": [{"label": "Diabetes since age 11", "terms": ["age 11"]},
                       {"label": "Insulin pump", "terms": ["pump"]},
                       {"label": "Imported problem list says type 2", "terms": ["problem list"]}],
        "min_indicators": 2,
        "options": [{"label": "Type 1", "terms": ["type 1"]}, {"label": "Type 2", "terms": ["type 2"]}],
        "unsupported": [{"label": "Diabetic ketoacidosis", "terms": ["ketoacidosis", "dka"]}],
        "yes_no_use": "conflict",
        "provider_reply": REPLY,
    })
    answer_key_publish(actor=instructor, case=case, lines=[
        {"role": "principal", "code": "E109", "rationale": "Type 1 per the reply.", "guideline_refs": "I.C.4.a.1"},
        {"role": "secondary", "code": "I10", "rationale": "Hypertension.", "guideline_refs": "I.C.9.a"},
    ])
    return case


def test_write_a_query_read_the_reply_and_code_the_final_claim(page, student, instructor, cohort):
    case = make_query_case(instructor)
    sign_in(page, "student", f"/cases/{case.slug}/")
    assert REPLY not in page.content()

    page.locator("summary", has_text="Query the provider").click()
    page.get_by_role("radio", name="Multiple choice").check()
    page.get_by_label("Clinical indicators from the record").fill(
        "History: diabetes since age 11, insulin pump\nImported problem list: type 2")
    page.get_by_label("Question to the provider").fill(
        "The record documents both type 1 and type 2 diabetes. Please clarify the type of diabetes being treated.")
    page.get_by_label("Options, one a line").fill("Type 1 diabetes\nType 2 diabetes\nOther (please specify)\nUnable to determine")
    page.get_by_role("button", name="Send query to the provider").click()

    reply = page.locator("[data-provider-reply]")
    reply.wait_for()
    assert REPLY in reply.inner_text()
    assert page.get_by_role("button", name="Send query to the provider").count() == 0
    assert ProviderQuery.objects.get(submission__student=student).is_sent

    page.get_by_role("combobox", name="ICD-10-CM code").fill("E10.9")
    page.get_by_role("combobox", name="Secondary diagnosis 1").fill("I10")
    page.get_by_role("combobox", name="Secondary diagnosis 1").press("Escape")
    page.get_by_role("button", name="Submit for grading").click()
    page.locator("[data-final-score]").wait_for()

    card = page.locator("[data-query-result]")
    card.wait_for()
    assert "Query 100.0 / 100" in card.inner_text()
    assert "Case score = 70% coding (100.0) + 30% query (100.0)" in card.inner_text()
    assert page.locator('[data-criterion="not_leading"][data-credit="1.0"]').count() == 1
    score = SubmissionScore.objects.get(submission__student=student)
    assert score.final_score == 100.0 and score.result["query_rubric"]["compliant"]
    assert page.console_errors == []
