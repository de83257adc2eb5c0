"""The publish gate: a case whose answer key has a blocking problem cannot be published (authoring page, release
move, demo loader). Every problem is listed; warnings are shown and never block; a draft may keep problems."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from exercises import demo
from exercises.models import AnswerKey, Case
from exercises.services import KeyRefused, answer_key_publish
from tests.factories import CodeFactory, ReleaseFactory

from .factories import CaseFactory

pytestmark = pytest.mark.django_db

BROKEN_KEY = [  # (role, code): every kind of blocking problem once, for a 10-year-old boy
    ("principal", "Q99.999"),  # not a code
    ("secondary", "E11.6"),  # a header
    ("secondary", "S52.521"),  # needs a 7th character
    ("secondary", "N40.0"),  # adults only (15 and over)
    ("secondary", "O80"),  # maternity: female patients only
]
EXPECTED = [
    "Q99.999 is not a code in the pinned ICD-10-CM release",
    "E11.6 is a header, not a billable code",
    "S52.521 needs a 7th character",
    "N40.0 is for patients aged 15 and over; this patient is 10",
    "O80 is for female patients only",
]


def _form(release, lines, *, published=True, age="10", sex="M", **overrides):
    n = len(lines)
    data = {
        "title": "Gate case", "summary": "Synthetic.", "setting": "outpatient", "specialty": "primary_care",
        "difficulty": "1", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "patient_age": age, "patient_sex": sex, "suggested_minutes": "15",
        "doc_kind": ["progress_note"], "doc_title": ["Visit"], "doc_body": ["Synthetic visit note."],
        "key_role": [role for role, _ in lines], "key_system": ["icd10cm"] * n, "key_code": [code for _, code in lines],
        "key_modifiers": [""] * n, "key_units": ["1"] * n, "key_points": ["1"] * n, "key_alternates": [""] * n,
        "key_optional": [""] * n, "key_rationale": [""] * n, "key_guideline_refs": [""] * n,
    }
    if published:
        data["is_published"] = "on"
    data.update(overrides)
    return data


def test_publishing_a_key_with_problems_is_refused_and_every_problem_is_listed(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release, BROKEN_KEY))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be published while its answer key has these problems" in html
    for number, message in enumerate(EXPECTED, start=1):
        assert f"Key line {number}: {message}" in html
    assert "Case saved" not in html
    assert not Case.objects.filter(title="Gate case").exists()


def test_an_alternate_with_a_problem_blocks_too(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release, [("principal", "E11.9")], key_alternates=["E11"]))
    assert response.status_code == 200
    assert "Key line 1: Alternate: E11 is a header" in response.content.decode()


def test_a_draft_keeps_its_problems_and_shows_them(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release, BROKEN_KEY, published=False), follow=True)
    case = Case.objects.get(title="Gate case")
    assert not case.is_published and case.answer_keys.get().lines.count() == 5
    html = response.content.decode()
    assert "Saved as a draft: the answer key has 5 problem(s)" in html
    for kind in ("invalid_code", "header_code", "missing_seventh", "age_conflict", "sex_conflict"):
        assert f'data-issue-kind="{kind}"' in html
    # Publishing it later, with the key unchanged, is refused the same way.
    response = instructor_client.post(f"/cases/{case.slug}/edit/", _form(release, BROKEN_KEY))
    assert "cannot be published while its answer key has these problems" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_published


def test_warnings_are_shown_but_do_not_block(instructor_client, release):
    lines = [("principal", "G63"), ("secondary", "E11.9"), ("secondary", "E10.9")]  # manifestation first, Excludes1
    response = instructor_client.post("/cases/new/", _form(release, lines, age="64"), follow=True)
    case = Case.objects.get(title="Gate case")
    assert case.is_published and case.answer_keys.count() == 1
    html = response.content.decode()
    assert 'data-issue-kind="excludes1"' in html and 'data-issue-kind="manifestation_first"' in html
    assert 'data-issue-kind="code_first"' in html  # G63: "Code first underlying disease ... (E85.-)"
    assert "Saved as a draft" not in html


def test_the_service_refuses_a_published_case_and_accepts_a_draft(instructor, release):
    case = CaseFactory(icd10cm_release=release, patient_age=30, patient_sex="M", is_published=True)
    with pytest.raises(KeyRefused) as refused:
        answer_key_publish(actor=instructor, case=case, lines=[{"role": "principal", "code": "E11"},
                                                               {"role": "secondary", "code": "O80"}])
    assert refused.value.problems == [
        "Key line 1: E11 is a header, not a billable code: report the code with the most characters available. "
        "(guideline I.B.2)",
        "Key line 2: O80 is for female patients only; this patient's sex conflicts with it.",
    ]
    assert isinstance(refused.value, ValidationError) and not AnswerKey.objects.filter(case=case).exists()
    case.is_published = False
    key, created = answer_key_publish(actor=instructor, case=case, lines=[{"role": "principal", "code": "E11"}])
    assert created and key.version == 1


def test_a_release_move_is_refused_with_every_problem_listed(instructor_client, case):
    new = ReleaseFactory(label="FY2027-G")
    for code, billable in [("I214", True), ("E1165", False), ("I10", True)]:  # E11.65 became a header; Z79.4 gone
        CodeFactory(release=new, code=code, billable=billable)
    response = instructor_client.post(f"/cases/{case.slug}/move-release/", {"release": new.pk}, follow=True)
    html = response.content.decode()
    assert "The answer key is not valid in" in html
    assert "Key line 2: E11.65 is a header, not a billable code" in html
    assert "Key line 4: Z79.4 is not a code in the pinned ICD-10-CM release" in html
    case.refresh_from_db()
    assert case.icd10cm_release.label == "FY2026-T"


def test_the_demo_loader_keeps_a_refused_case_as_a_draft_and_says_why(release, instructor, monkeypatch):
    data = {
        "slug": "gate-demo", "title": "Gate demo", "summary": "Synthetic.", "setting": "outpatient",
        "specialty": "primary_care", "difficulty": 1, "exam_domain": "icd10cm", "patient_age": 40, "patient_sex": "M",
        "documents": [{"title": "Visit", "body": "Synthetic."}],
        "key": [{"role": "principal", "code": "E11.6"}, {"role": "secondary", "code": "O80"}],
    }
    monkeypatch.setattr(demo, "demo_cases", lambda: [data])
    out = io.StringIO()
    demo.load(stdout=out)
    text = out.getvalue()
    assert "Demo case \u201cgate-demo\u201d: publishing refused" in text
    assert "Key line 1: E11.6 is a header" in text and "Key line 2: O80 is for female patients only" in text
    case = Case.objects.get(slug="gate-demo")
    assert not case.is_published and case.answer_keys.count() == 1
    # Once the key is fixed, the next load publishes it.
    data["key"] = [{"role": "principal", "code": "E11.65"}]
    demo.load(stdout=io.StringIO())
    case.refresh_from_db()
    assert case.is_published and case.answer_keys.count() == 2
