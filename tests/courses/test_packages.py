"""Course packages: export/import round trip; hostile or broken packages are rejected whole."""

from __future__ import annotations

import io
import json
import stat
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Deck, Flashcard, Lesson, Module, Program, Question
from courses.package_format import MAX_MEMBERS


def _upload(data: bytes, name: str = "course.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def _export(client, program) -> bytes:
    response = client.get(f"/courses/author/programs/{program.slug}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return response.content


def _counts() -> tuple:
    return (Program.objects.count(), Module.objects.count(), Lesson.objects.count(), Question.objects.count(),
            Deck.objects.count(), Flashcard.objects.count())


def _zip(members: dict[str, bytes | str], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_export_then_import_round_trips_everything(instructor_client, instructor, program):
    data = _export(instructor_client, program)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "course.json" in names and "lessons/terminology/word-parts.md" in names
    before = _counts()
    response = instructor_client.post("/courses/author/import/", {"package": _upload(data)})
    assert response.status_code == 302
    copy = Program.objects.get(slug="test-program-2")
    assert copy.owner == instructor and copy.source == "imported"
    after = _counts()
    assert after == (before[0] + 1, before[1] * 2, before[2] * 2, before[3] * 2, before[4] * 2, before[5] * 2)
    original_q = Question.objects.filter(lesson__module__program=program).order_by("lesson__module__position", "lesson__position", "position")
    copied_q = Question.objects.filter(lesson__module__program=copy).order_by("lesson__module__position", "lesson__position", "position")
    fields = ("kind", "prompt", "choices", "parts", "system", "term", "answer", "explanation", "domain")
    assert [[getattr(q, f) for f in fields] for q in original_q] == [[getattr(q, f) for f in fields] for q in copied_q]
    original_body = Lesson.objects.get(module__program=program, slug="word-parts").body
    assert Lesson.objects.get(module__program=copy, slug="word-parts").body == original_body
    assert list(copy.modules.get(slug="diabetes-coding").prerequisites.values_list("slug", flat=True)) == ["terminology"]
    assert Deck.objects.filter(slug="word-parts-basics-2", program=copy).exists()


def _assert_rejected(client, data: bytes, message: str):
    before = _counts()
    response = client.post("/courses/author/import/", {"package": _upload(data)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert message in body, body[body.find("errors-box"):][:800]
    assert _counts() == before


def _manifest(instructor_client, program) -> tuple[dict, dict[str, str]]:
    archive = zipfile.ZipFile(io.BytesIO(_export(instructor_client, program)))
    manifest = json.loads(archive.read("course.json"))
    bodies = {n: archive.read(n).decode() for n in archive.namelist() if n != "course.json"}
    return manifest, bodies


def test_zip_slip_is_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(manifest), **bodies, "../../evil.md": "x"}),
                     "points outside the package")


def test_absolute_paths_are_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(manifest), **bodies, "/etc/cron.d/x": "x"}),
                     "is an absolute path")


def test_symlinks_are_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(manifest), **bodies}, symlink="lessons/terminology/link.md"),
                     "is a symbolic link")


def test_zip_bombs_are_rejected_by_size(instructor_client, program):
    bomb = _zip({"course.json": "{}", "lessons/a/b.md": b"0" * (30 * 1024 * 1024)})
    assert len(bomb) < 200_000
    _assert_rejected(instructor_client, bomb, "the limit is 25 MB")


def test_zip_bombs_are_rejected_by_member_count(instructor_client, program):
    members = {f"lessons/m/l{i}.md": "x" for i in range(MAX_MEMBERS + 1)}
    members["course.json"] = "{}"
    _assert_rejected(instructor_client, _zip(members), f"the limit is {MAX_MEMBERS}")


def test_highly_compressed_member_is_rejected(instructor_client, program):
    _assert_rejected(instructor_client, _zip({"course.json": "{}", "lessons/a/b.md": b"0" * (3 * 1024 * 1024)}),
                     "compressed suspiciously well")


def test_unexpected_files_are_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(manifest), **bodies, "run.sh": "rm -rf /"}),
                     "unexpected file")


def test_wrong_schema_is_rejected_with_every_problem(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    manifest["modules"][0]["domains"] = ["astrology"]
    manifest["modules"][0]["lessons"][0]["quiz"][0]["answer"] = [0]
    manifest["modules"][1]["lessons"][0]["quiz"][0]["answer"] = ["NOT-A-CODE"]
    data = _zip({"course.json": json.dumps(manifest), **bodies})
    _assert_rejected(instructor_client, data, "unknown exam domain &#x27;astrology&#x27;")
    body = instructor_client.post("/courses/author/import/", {"package": _upload(data)}).content.decode()
    assert "&#x27;answer&#x27; is not used" in body and "not a valid icd10cm code format" in body


def test_export_marks_the_right_options_on_the_options(instructor_client, program):
    manifest, _ = _manifest(instructor_client, program)
    assert manifest["version"] == 2
    question = manifest["modules"][0]["lessons"][0]["quiz"][1]
    assert "answer" not in question
    assert question["choices"] == [{"text": "gastr/o", "correct": True}, {"text": "hepat/o", "correct": True},
                                   {"text": "oste/o"}, {"text": "col/o", "correct": True}]


def _as_version_1(manifest: dict) -> dict:
    for module in manifest["modules"]:
        for lesson in module["lessons"]:
            for question in lesson["quiz"]:
                if question["kind"] in ("single", "multiple"):
                    choices = question["choices"]
                    question["choices"] = [c["text"] for c in choices]
                    question["answer"] = [i for i, c in enumerate(choices) if c.get("correct")]
    return {**manifest, "version": 1}


def test_a_version_1_package_is_still_imported_with_its_keys(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    data = _zip({"course.json": json.dumps(_as_version_1(manifest)), **bodies})
    assert instructor_client.post("/courses/author/import/", {"package": _upload(data)}).status_code == 302
    copied = Question.objects.get(lesson__module__program__slug="test-program-2", kind="multiple")
    assert copied.choices == ["gastr/o", "hepat/o", "oste/o", "col/o"] and copied.answer == [0, 1, 3]


def test_a_version_1_package_with_a_key_out_of_range_is_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    old = _as_version_1(manifest)
    old["modules"][0]["lessons"][0]["quiz"][0]["answer"] = [9]
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(old), **bodies}), "index out of range")


def test_not_a_zip_missing_manifest_bad_json_and_wrong_format(instructor_client, program):
    _assert_rejected(instructor_client, b"this is not a zip", "not a zip archive")
    _assert_rejected(instructor_client, _zip({"lessons/a/b.md": "x"}), "course.json is missing")
    _assert_rejected(instructor_client, _zip({"course.json": "{not json"}), "not valid JSON")
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps({"format": "scorm"})}), "does not describe")
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps({"format": "codewise-course", "version": 99})}),
                     "Unsupported package version")


def test_missing_lesson_body_is_rejected(instructor_client, program):
    manifest, bodies = _manifest(instructor_client, program)
    bodies.pop("lessons/terminology/word-parts.md")
    _assert_rejected(instructor_client, _zip({"course.json": json.dumps(manifest), **bodies}), "is not in the package")


def test_students_cannot_import_or_export(student_client, program):
    assert student_client.get(f"/courses/author/programs/{program.slug}/export/").status_code == 403
    before = _counts()
    assert student_client.post("/courses/author/import/", {"package": _upload(b"x")}).status_code == 403
    assert _counts() == before
