"""Completion: module completions feed the CEU log; a finished program issues a verifiable certificate."""

from __future__ import annotations

import pytest

from courses.models import Certificate, Lesson, ModuleCompletion
from courses.services.progress import lesson_complete


def _complete_program(student, program):
    for lesson in Lesson.objects.filter(module__program=program):
        lesson_complete(student=student, lesson=lesson, score=0.9)


def test_completing_every_lesson_of_a_module_logs_its_ceu_hours(student_client, student, program):
    for lesson in Lesson.objects.filter(module__slug="terminology"):
        lesson_complete(student=student, lesson=lesson)
    completion = ModuleCompletion.objects.get(student=student)
    assert completion.module.slug == "terminology" and float(completion.ceu_hours) == 1.5
    assert not Certificate.objects.exists()
    page = student_client.get("/courses/ceu/").content.decode()
    assert "Medical terminology basics" in page and "1.5" in page
    csv_text = student_client.get("/courses/ceu.csv").content.decode()
    assert csv_text.splitlines()[0] == "completed_on,program,module,ceu_hours"
    assert "Medical terminology basics,1.50" in csv_text and csv_text.strip().endswith("Total,1.50")


def test_ceu_csv_neutralises_spreadsheet_formulas(student_client, student, program):
    module = program.modules.get(slug="terminology")
    module.title = "=HYPERLINK(\"http://evil\")"
    module.save()
    for lesson in module.lessons.all():
        lesson_complete(student=student, lesson=lesson)
    assert "'=HYPERLINK" in student_client.get("/courses/ceu.csv").content.decode()


def test_finishing_the_program_issues_one_certificate(student_client, student, program):
    _complete_program(student, program)
    _complete_program(student, program)
    certificate = Certificate.objects.get(student=student, program=program)
    assert certificate.student_name == "Sam Student" and float(certificate.ceu_hours) == 3.5
    catalog = student_client.get("/courses/").content.decode()
    assert "Certificate earned" in catalog
    page = student_client.get(f"/courses/certificates/{certificate.pk}/").content.decode()
    assert "Certificate of Completion" in page and "Sam Student" in page
    assert f"/certificates/verify/{certificate.token}/" in page


def test_certificate_pdf_is_a_valid_pdf(student_client, student, program):
    _complete_program(student, program)
    certificate = Certificate.objects.get()
    response = student_client.get(f"/courses/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"Sam Student" in pdf and certificate.token.encode() in pdf
    # The xref offsets point at the objects they name.
    xref_at = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    entries = pdf[xref_at:].split(b"\n")[3:11]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())


def test_optional_modules_do_not_block_the_certificate(student, program):
    updates = program.modules.create(slug="code-set-updates", title="Code-set updates", is_required=False, position=9)
    updates.lessons.create(slug="whats-new", title="What's new", body="x")
    for lesson in Lesson.objects.filter(module__program=program, module__is_required=True):
        lesson_complete(student=student, lesson=lesson)
    assert Certificate.objects.filter(student=student).exists()


@pytest.mark.urls("tests.courses.urls")
def test_verification_page_is_public_and_shows_only_the_certificate(client, student, program):
    _complete_program(student, program)
    certificate = Certificate.objects.get()
    response = client.get(f"/certificates/verify/{certificate.token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Verified certificate" in body and "Sam Student" in body and "Test Coding Program" in body
    assert "Sign out" not in body and "CEU log" not in body
    assert client.get("/certificates/verify/not-a-real-token/").status_code == 404


def test_other_students_cannot_see_a_certificate_but_instructor_and_admin_can(
    student, program, other_student_client, instructor_client, other_instructor_client, admin_client_, cohort
):
    _complete_program(student, program)
    certificate = Certificate.objects.get()
    url = f"/courses/certificates/{certificate.pk}/"
    assert other_student_client.get(url).status_code == 404
    assert other_student_client.get(url + "pdf/").status_code == 404
    assert other_instructor_client.get(url).status_code == 404
    assert instructor_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 200
