"""The MS-DRG weights page in Code sets: administrators only, a clear message (never a 500) for a malformed file or a
missing year, nothing half-written, audited; the years loaded and the year each release and case uses; and the
result of a case whose year has no weights says so, then shows payments once the table is uploaded."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from exercises.inpatient.weights import weights_for_year

from .factories import CaseFactory, make_key
from .test_drg_workflow import MISSED_CC, _release, _submit_and_open

pytestmark = pytest.mark.django_db
URL = "/codesets/drg-weights/"
HEADER = "TABLE 5 FY 2027 Final Rule\n\nMS-DRG\tpost\tspecial\tMDC\tTYPE\tTitle\tbefore\tafter\tg\ta\n"


def table5(header: str = HEADER, *, weight=lambda drg: 1 + drg / 1000) -> bytes:
    rows = "".join(f"{drg:03d}\tNo\tNo\t04\tMED\tDRG {drg}\t1.0\t{weight(drg):.4f}\t2.0\t3.0\n" for drg in range(190, 210))
    return (header + rows).encode("cp1252")


def upload(client, content: bytes, year="2027", name="table5_fy2027.txt"):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/plain")}
    if year is not None:
        data["fiscal_year"] = year
    return client.post(URL, data)


@pytest.fixture(autouse=True)
def weights_folder(settings, tmp_path):
    settings.DRG_WEIGHTS_DIR = tmp_path / "weights"
    return settings.DRG_WEIGHTS_DIR


def test_only_administrators_open_it(admin_client_, instructor_client, student_client):
    assert admin_client_.get(URL).status_code == 200
    assert instructor_client.get(URL).status_code == 403
    assert student_client.get(URL).status_code == 403
    assert upload(instructor_client, table5()).status_code == 403
    assert weights_for_year(2027) is None
    assert URL in admin_client_.get("/codesets/").content.decode()


def test_an_upload_keeps_the_year_lists_it_and_is_audited(admin_client_, admin_user):
    response = upload(admin_client_, table5())
    assert response.status_code == 302
    assert weights_for_year(2027)[194].weight == 1.194
    page = admin_client_.get(URL).content.decode()
    assert "FY2027: 20 weighted MS-DRGs kept." in page
    assert '<tr data-year="2027">' in page and '<tr data-year="2026">' in page  # the bundled FY2026 too
    event = AuditEvent.objects.get(action="drg_weights.imported")
    assert event.actor == admin_user and event.after["weighted_drgs"] == 20 and event.before is None


@pytest.mark.parametrize(("content", "year", "message"), [
    (table5(), None, "Give the fiscal year this table is for (for example 2027)."),
    (table5(), "twenty", "The fiscal year is a four-digit year, for example 2027."),
    (b"DRG,weight\n194,0.8\n", "2027", "no &#x27;MS-DRG&#x27; header row in the first ten lines"),
    (table5(weight=lambda drg: float("nan")).replace(b"nan", b"abc"), "2027", "is not a number"),
    (table5(), "2028", "the file is the FY2027 table, not FY2028"),
    (table5()[:200], "2027", "weighted MS-DRGs found: this is not a complete Table 5"),
    (b"\x81\x8d" + table5(), "2027", "not text in the Windows-1252 encoding"),
])
def test_a_bad_file_or_year_gets_a_clear_message_and_changes_nothing(admin_client_, content, year, message):
    upload(admin_client_, table5(weight=lambda drg: 2.0))  # a good FY2027 table first
    response = upload(admin_client_, content, year=year)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert weights_for_year(2027)[194].weight == 2.0  # the previous table is untouched
    assert AuditEvent.objects.filter(action="drg_weights.imported").count() == 1


def test_the_page_says_which_year_each_release_and_case_uses(admin_client_, instructor):
    CaseFactory(title="Pneumonia FY2027", slug="p-2027", setting="inpatient",
                icd10cm_release=_release(datetime.date(2026, 10, 1)), author=instructor)
    page = admin_client_.get(URL).content.decode()
    row = page[page.index('<tr data-release-year="2027">'):]
    row = row[:row.index("</tr>")]
    assert "Missing" in row and "Pneumonia FY2027" in row
    upload(admin_client_, table5())
    page = admin_client_.get(URL).content.decode()
    row = page[page.index('<tr data-release-year="2027">'):]
    assert "Loaded" in row[:row.index("</tr>")]


def test_a_case_year_without_weights_says_so_then_shows_payments_once_uploaded(
        student_client, admin_client_, instructor, django_capture_on_commit_callbacks):
    case = CaseFactory(slug="fy2027-admission", setting="inpatient", icd10cm_release=_release(datetime.date(2026, 10, 1)),
                       patient_age=70, patient_sex="M", author=instructor)
    make_key(case, [{"role": "principal", "code": "J189", "poa": "Y"}, {"role": "secondary", "code": "E871", "poa": "Y"}])
    _, page = _submit_and_open(student_client, case, MISSED_CC, django_capture_on_commit_callbacks)
    assert "No MS-DRG relative weights are loaded for FY2027, so payments are not shown." in page
    upload(admin_client_, table5())
    score, page = _submit_and_open(student_client, case, MISSED_CC, django_capture_on_commit_callbacks)
    assert score.result["drg"]["key"]["weight"] == 1.194 and score.result["drg"]["student"]["weight"] == 1.195
    assert "No MS-DRG relative weights are loaded" not in page


def test_a_file_far_larger_than_a_table_5_is_refused_before_it_is_read(admin_client_, monkeypatch):
    monkeypatch.setattr("exercises.inpatient.weights_admin.MAX_TABLE5_BYTES", 100)
    response = upload(admin_client_, table5())
    assert response.status_code == 400 and "a CMS Table 5 is far smaller" in response.content.decode()
    assert weights_for_year(2027) is None
