"""Shared set-up for the chart-case browser tests (a tiny ICD-10-CM and CPT release, one case)."""

from __future__ import annotations

import threading
import time

from celery.exceptions import Retry
from django.db import OperationalError, connection

from tests.factories import CodeFactory, ReleaseFactory

ICD_ROWS = [
    ("S52", "Fracture of forearm", False, {"seven_chr": {"A": "initial encounter for closed fracture"}}),
    ("S525", "Fracture of lower end of radius", False, {}),
    ("S5252", "Torus fracture of lower end of radius", False, {}),
    ("S52521", "Torus fracture of lower end of right radius", False, {}),
    ("S52521A", "Torus fracture of lower end of right radius, initial encounter for closed fracture", True, {}),
    ("S52522A", "Torus fracture of lower end of left radius, initial encounter for closed fracture", True, {}),
    ("W092", "Fall on or from jungle gym", False, {}),
    ("W092XXA", "Fall on or from jungle gym, initial encounter", True, {}),
    ("E11", "Type 2 diabetes mellitus", False, {"excludes1": ["type 1 diabetes mellitus (E10.-)"]}),
    ("E119", "Type 2 diabetes mellitus without complications", True, {}),
]
CPT_ROWS = [("25600", "Closed treatment of a wrist-end radius fracture (plain-language demo wording)"),
            ("99283", "Emergency visit, low complexity (plain-language demo wording)")]


def make_case(instructor):
    from exercises.models import Case, CaseDocument

    from .factories import make_key

    icd = ReleaseFactory(label="FY2026-E2E", is_current=True)
    for code, title, billable, notes in ICD_ROWS:
        CodeFactory(release=icd, code=code, long_title=title, short_title=title[:60], billable=billable, notes=notes,
                    kind="code" if billable else "category", chapter="19")
    cpt = ReleaseFactory(system="cpt", label="CPT-E2E", is_current=True)
    for code, title in CPT_ROWS:
        CodeFactory(release=cpt, code=code, display_code=code, long_title=title, short_title=title[:60])
    case = Case.objects.create(
        title="Wrist injury on the playground", slug="wrist-injury", summary="Buckle fracture after a fall.",
        setting="emergency", specialty="orthopedics", difficulty=2, icd10cm_release=icd, cpt_release=cpt,
        patient_age=8, patient_sex="F", is_published=True, review_status="verified", author=instructor,
    )
    CaseDocument.objects.create(case=case, title="Emergency department note", body=(
        "8-year-old girl fell from the monkey bars onto her right hand.\n\n"
        "X-ray: **torus fracture** of the distal right radius.\n\nClosed treatment without manipulation; splint."
    ))
    make_key(case, [
        {"role": "principal", "code": "S52521A", "rationale": "Torus fracture, right radius, initial encounter.",
         "guideline_refs": "I.C.19.a"},
        {"role": "secondary", "code": "W092XXA", "optional": True, "rationale": "External cause, optional."},
        {"role": "procedure", "system": "cpt", "code": "25600", "rationale": "Closed treatment without manipulation."},
    ])
    return case


def sign_in(page, username: str, next_url: str) -> None:
    """Sign in through the real form and land on next_url (not the dashboard)."""
    from tests.factories import TEST_PASSWORD

    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


def score_later(monkeypatch, delay: float = 1.2) -> None:
    """Score a moment after submit, from another thread, like a worker would: the page must poll for it."""
    from exercises.services import submissions
    from exercises.tasks import score_submission

    def queue_scoring(submission_id, key_id=None):
        def run():
            # Retry the way the worker's retry policy would: the test database is an in-memory SQLite
            # shared with the live server's thread, where a write can meet "database table is locked".
            try:
                for _ in range(20):
                    try:
                        score_submission.apply(args=[submission_id, key_id], throw=True)
                        return
                    except (OperationalError, Retry):
                        time.sleep(0.2)
            finally:
                connection.close()

        threading.Timer(delay, run).start()

    monkeypatch.setattr(submissions, "queue_scoring", queue_scoring)
