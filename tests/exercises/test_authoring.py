"""Case authoring: editor, live key validation, privacy warnings, release moves and code-set change flags."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from codesets.models import ContentFlag, ReleaseChange
from codesets.signals import release_ready
from exercises.models import AnswerKeyLine, Case
from tests.factories import CodeFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def _form(release, **overrides):
    data = {
        "title": "Knee pain", "summary": "Synthetic.", "setting": "outpatient", "specialty": "orthopedics",
        "difficulty": "1", "module_slug": "", "exam_domain": "icd10cm", "icd10cm_release": release.pk,
        "patient_age": "", "patient_sex": "", "suggested_minutes": "15", "is_published": "on",
        "doc_kind": ["progress_note"], "doc_title": ["Visit"], "doc_body": ["Knee pain, **right** side."],
        "key_role": ["principal", "procedure"], "key_system": ["icd10cm", "cpt"], "key_code": ["e11.9", "20610"],
        "key_modifiers": ["", "rt"], "key_units": ["1", "1"], "key_points": ["1", "1"], "key_alternates": ["", ""],
        "key_optional": ["", ""], "key_rationale": ["Because.", "Joint injection."], "key_guideline_refs": ["I.C.4.a", ""],
    }
    data.update(overrides)
    return data


def test_instructor_creates_a_case_with_documents_and_a_key(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release))
    assert response.status_code == 302
    case = Case.objects.get(title="Knee pain")
    assert case.documents.count() == 1 and case.author.username == "instructor"
    key = case.answer_keys.get()
    assert key.version == 1
    assert [(line.code, line.modifiers) for line in key.lines.all()] == [("E119", []), ("20610", ["RT"])]


def test_editing_the_key_makes_a_new_version(instructor_client, release):
    instructor_client.post("/cases/new/", _form(release))
    case = Case.objects.get(title="Knee pain")
    instructor_client.post(f"/cases/{case.slug}/edit/", _form(release, key_code=["E11.65", "20610"]))
    assert list(case.answer_keys.values_list("version", flat=True)) == [2, 1]
    instructor_client.post(f"/cases/{case.slug}/edit/", _form(release, key_code=["E11.65", "20610"]))
    assert case.answer_keys.count() == 2


def test_bad_key_rows_get_clear_messages_and_nothing_is_saved(instructor_client, release):
    response = instructor_client.post("/cases/new/", _form(release, key_units=["abc", "1"], key_role=["procedure", "procedure"]))
    assert response.status_code == 200
    assert b"units must be a whole number" in response.content
    assert b"ICD-10-CM code is a diagnosis" in response.content
    assert not Case.objects.filter(title="Knee pain").exists()


def test_students_cannot_author(student_client, case):
    assert student_client.get("/cases/new/").status_code == 403
    assert student_client.get(f"/cases/{case.slug}/edit/").status_code == 403
    assert student_client.post("/cases/authoring/validate/", {}).status_code == 403
    assert student_client.post(f"/cases/{case.slug}/move-release/", {}).status_code == 403


def _validate(client, release, codes, roles=None, **extra):
    roles = roles or ["secondary"] * len(codes)
    n = len(codes)
    data = {
        "icd10cm_release": release.pk, "key_code": codes, "key_role": roles, "key_system": ["icd10cm"] * n,
        "key_modifiers": [""] * n, "key_units": ["1"] * n, "key_points": ["1"] * n, "key_alternates": [""] * n,
        "key_optional": [""] * n, "key_rationale": [""] * n, "key_guideline_refs": [""] * n, **extra,
    }
    return client.post("/cases/authoring/validate/", data).content.decode()


def test_live_validation_flags_every_kind_of_key_problem(instructor_client, release):
    html = _validate(instructor_client, release, ["G63", "E11.9", "E10.9", "Q99.99", "E11", "S52.521"],
                     roles=["principal"] + ["secondary"] * 5)
    assert 'data-issue-kind="manifestation_first"' in html
    assert 'data-issue-kind="excludes1"' in html
    assert 'data-issue-kind="invalid_code"' in html
    assert 'data-issue-kind="header_code"' in html
    assert 'data-issue-kind="missing_seventh"' in html
    clean = _validate(instructor_client, release, ["I21.4", "I10"], roles=["principal", "secondary"])
    assert "checks out" in clean


def test_privacy_warnings_on_identifier_like_text(instructor_client, release):
    html = _validate(instructor_client, release, ["I10"], doc_title=["Note"], doc_kind=["progress_note"],
                     doc_body=["SSN 123-45-6789, call (555) 123-4567, mail jo@example.org, MRN: 88812345, DOB: 04/12/1961"])
    for label in ("Social Security number", "phone number", "e-mail address", "medical record number", "full date of birth"):
        assert label in html
    assert "Privacy check" not in _validate(instructor_client, release, ["I10"], doc_title=["N"], doc_body=["64-year-old man."])


def test_markdown_is_sanitised_in_the_workspace(student_client, case):
    doc = case.documents.first()
    doc.body = "Hello <script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(2)) **bold**"
    doc.save()
    html = student_client.get(f"/cases/{case.slug}/").content.decode()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>bold</strong>" in html


def _next_release(codes):
    new = ReleaseFactory(label="FY2027-T")
    for code, billable in codes:
        CodeFactory(release=new, code=code, billable=billable)
    return new


def test_a_case_moves_forward_only_when_its_key_is_valid_there(instructor_client, case):
    broken = _next_release([("I214", True), ("E1165", True)])  # I10 missing
    response = instructor_client.post(f"/cases/{case.slug}/move-release/", {"release": broken.pk}, follow=True)
    assert b"I10 is not a code in the pinned ICD-10-CM release" in response.content
    case.refresh_from_db()
    assert case.icd10cm_release.label == "FY2026-T"
    good = ReleaseFactory(label="FY2027-U")
    for code in ("I214", "E1165", "I10", "Z794"):
        CodeFactory(release=good, code=code)
    response = instructor_client.post(f"/cases/{case.slug}/move-release/", {"release": good.pk}, follow=True)
    case.refresh_from_db()
    assert case.icd10cm_release == good
    assert AuditEvent.objects.filter(action="exercises.case_release_moved").exists()


def test_release_ready_flags_key_lines_with_deleted_or_revised_codes(case):
    new = _next_release([("I214", True)])
    ReleaseChange.objects.create(release=new, kind="deleted", code="E1165", display_code="E11.65")
    ReleaseChange.objects.create(release=new, kind="revised", code="I10", display_code="I10")
    ReleaseChange.objects.create(release=new, kind="added", code="E11A", display_code="E11.A")
    release_ready.send(sender=type(new), release=new)
    flags = ContentFlag.objects.filter(release=new, target_type="exercises.answerkeyline")
    assert sorted(flags.values_list("code", "change_kind")) == [("E1165", "deleted"), ("I10", "revised")]
    line = AnswerKeyLine.objects.get(code="E1165")
    flag = flags.get(code="E1165")
    assert flag.target_id == str(line.pk) and flag.target_url == f"/cases/{case.slug}/edit/"
    release_ready.send(sender=type(new), release=new)  # idempotent
    assert flags.count() == 2
    case.refresh_from_db()
    assert case.icd10cm_release.label == "FY2026-T"  # still pinned
