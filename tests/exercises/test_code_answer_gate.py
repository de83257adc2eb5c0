"""Code-entry answers are checked like answer keys: a lesson question, a course package and an exam bank whose
accepted answer is unknown, a header or incomplete in the current release are refused, every problem listed."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Question as ExamQuestion
from certification.services.bank import BankFormatError, bank_load
from courses.models import ContentSource, Lesson, Module, Program, Question
from exercises.grading.key_validation import answer_code_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(instructor):
    program = Program.objects.create(slug="gate-program", title="Gate program", owner=instructor,
                                     source=ContentSource.AUTHORED)
    module = Module.objects.create(program=program, slug="dm", title="Diabetes", domains=["icd10cm"])
    return Lesson.objects.create(module=module, slug="dm-basics", title="Diabetes basics")


def _question(answer: str) -> dict:
    return {"kind": "code", "prompt": "Code type 2 diabetes with hyperglycemia.", "system": "icd10cm", "answer": answer,
            "explanation": "E11.65.", "domain": "icd10cm", "position": "0"}


def test_a_code_question_whose_answer_is_a_header_is_refused(instructor_client, release, lesson):
    url = f"/courses/author/lessons/{lesson.pk}/questions/new/"
    response = instructor_client.post(url, _question("E11.65, E11, S52.521"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accepted answer E11: E11 is a header, not a billable code" in html
    assert "Accepted answer S52.521: S52.521 needs a 7th character" in html
    assert "Accepted answer E11.65" not in html
    assert not Question.objects.filter(lesson=lesson).exists()
    response = instructor_client.post(url, _question("E11.65"))
    assert response.status_code == 302 and Question.objects.filter(lesson=lesson).count() == 1


def test_editing_a_code_question_to_a_header_is_refused(instructor_client, release, lesson):
    question = Question.objects.create(lesson=lesson, kind="code", prompt="Code it.", system="icd10cm", answer=["E11.65"],
                                       domain="icd10cm")
    response = instructor_client.post(f"/courses/author/questions/{question.pk}/", _question("E11.6"))
    assert "Accepted answer E11.6: E11.6 is a header" in response.content.decode()
    question.refresh_from_db()
    assert question.answer == ["E11.65"]


def _package_with_answer(client, program, answer: str) -> bytes:
    exported = client.get(f"/courses/author/programs/{program.slug}/export/").content
    source = zipfile.ZipFile(io.BytesIO(exported))
    manifest = json.loads(source.read("course.json"))
    manifest["modules"][0]["lessons"][0]["quiz"][0]["answer"] = [answer]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, json.dumps(manifest) if name == "course.json" else source.read(name))
    return buffer.getvalue()


def test_a_course_package_with_a_header_answer_is_refused_whole(instructor_client, release, lesson):
    Question.objects.create(lesson=lesson, kind="code", prompt="Code it.", system="icd10cm", answer=["E11.65"],
                            domain="icd10cm")
    programs = Program.objects.count()
    data = _package_with_answer(instructor_client, lesson.module.program, "E11.6")
    response = instructor_client.post("/courses/author/import/",
                                      {"package": SimpleUploadedFile("c.zip", data, content_type="application/zip")})
    assert response.status_code == 400
    assert "dm › dm-basics › question 1: Accepted answer E11.6: E11.6 is a header" in response.content.decode()
    assert Program.objects.count() == programs
    good = _package_with_answer(instructor_client, lesson.module.program, "E11.65")
    response = instructor_client.post("/courses/author/import/",
                                      {"package": SimpleUploadedFile("c.zip", good, content_type="application/zip")})
    assert response.status_code == 302 and Program.objects.count() == programs + 1


BANK = """
domain: icd10cm
release: icd10cm
questions:
  - id: gate-header
    kind: code
    stem: Enter the code for type 2 diabetes with hyperglycemia.
    accept: [E11.6, E11.65]
    rationale: E11.65.
  - id: gate-fracture
    kind: code
    stem: Enter the code for the torus fracture, initial encounter.
    accept: [S52.521, Q99.999]
    rationale: S52.521A.
  - id: gate-other-systems
    kind: code
    stem: Enter the procedure codes.
    accept: [0FT44ZZ, "47562"]
    rationale: An ICD-10-PCS and a CPT code, not checked against the ICD-10-CM release.
"""


def test_an_exam_bank_code_answer_is_checked_at_load(release, tmp_path):
    path = tmp_path / "gate.yaml"
    path.write_text(BANK, encoding="utf-8")
    with pytest.raises(BankFormatError) as refused:
        bank_load(paths=[path])
    message = str(refused.value)
    assert "gate-header: Accepted answer E11.6: E11.6 is a header" in message
    assert "gate-fracture: Accepted answer S52.521: S52.521 needs a 7th character" in message
    assert "gate-fracture: Accepted answer Q99.999: Q99.999 is not a code" in message
    assert "gate-other-systems" not in message and "E11.65" not in message
    assert not ExamQuestion.objects.exists()
    path.write_text(BANK.replace("[E11.6, E11.65]", "[E11.65]").replace("[S52.521, Q99.999]", "[S52.521A]"), "utf-8")
    assert bank_load(paths=[path])["created"] == 3


@pytest.mark.parametrize("code, declared, system", [
    ("47562", "icd10cm", "cpt"), ("E1165", "icd10cm", "icd10cm"), ("J3301", "hcpcs", "hcpcs"),
    ("A0100", "icd10cm", "icd10cm"), ("A0100", "hcpcs", "hcpcs"), ("0FT44ZZ", "icd10cm", None),
])
def test_an_answer_code_is_checked_in_the_system_its_shape_belongs_to(code, declared, system):
    assert answer_code_system(code, declared) == system
