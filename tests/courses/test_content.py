"""Content files: validation with located messages, idempotent upsert, the demo loader and release updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codesets.models import ChangeKind, ContentFlag, ReleaseChange
from codesets.signals import release_ready
from courses import demo
from courses.content_loader import ContentError, load_directory
from courses.models import Cohort, Lesson, Module, Program, Question
from courses.services.codeset_updates import code_questions_flag, whats_new_lesson_publish

from .conftest import CONTENT_DIR

DEMO_DIR = Path(demo.__file__).parent / "demo_content"


@pytest.fixture
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_fixture_content_parses():
    bundle = load_directory(CONTENT_DIR)
    assert [m.slug for m in bundle.modules] == ["terminology", "diabetes-coding"]
    assert bundle.question_count == 4 and bundle.card_count == 3
    assert bundle.modules[1].prerequisites == ["terminology"]


def test_every_problem_is_reported_with_its_location(content_copy):
    def break_module(data):
        data["domains"] = ["astrology"]
        data["lessons"][0]["quiz"][0]["kind"] = "essay"
        data["lessons"][0]["quiz"][1]["answer"] = [0, 1]
        data["lessons"][0]["quiz"][2]["answer"] = ["gastr/o", "-ology"]
        data["lessons"][1]["slug"] = "Bad Slug"

    _edit(content_copy / "modules" / "01-terminology.yaml", break_module)
    _edit(content_copy / "modules" / "02-diabetes-coding.yaml", lambda d: d.update(prerequisites=["nowhere"]))
    _edit(content_copy / "decks" / "word-parts.yaml", lambda d: d["cards"].append({"front": "gastr/o", "back": "again"}))
    with pytest.raises(ContentError) as caught:
        load_directory(content_copy)
    text = "\n".join(caught.value.errors)
    assert "modules/01-terminology.yaml: unknown exam domain 'astrology'" in text
    assert "lesson 1 (word-parts) › question 1: 'kind' must be one of" in text
    assert "question 2: 'answer' is not used by single-answer and multiple-response questions" in text
    assert "question 3: answer parts not offered in 'parts': -ology" in text
    assert "'slug' must be lowercase" in text
    assert "unknown prerequisite 'nowhere'" in text
    assert "decks/word-parts.yaml › card 4: front 'gastr/o' appears twice" in text


def test_yaml_syntax_errors_and_missing_modules_are_reported(content_copy):
    (content_copy / "modules" / "02-diabetes-coding.yaml").write_text("slug: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_directory(content_copy)
    text = "\n".join(caught.value.errors)
    assert "02-diabetes-coding.yaml: cannot be read as YAML" in text
    assert "module 'diabetes-coding' is listed but no module file has that slug" in text


def test_prerequisite_cycles_are_rejected(content_copy):
    _edit(content_copy / "modules" / "01-terminology.yaml", lambda d: d.update(prerequisites=["diabetes-coding"]))
    with pytest.raises(ContentError, match="cycle"):
        load_directory(content_copy)


def test_demo_loader_is_idempotent_and_skips_unchanged_content(content_copy, student, instructor):
    program = demo.load(content_dir=content_copy)
    assert program.source == "demo" and Question.objects.count() == 4
    cohort = Cohort.objects.get(name=demo.DEMO_COHORT_NAME)
    assert cohort.program == program and list(cohort.instructors.all()) == [instructor]
    with CaptureQueriesContext(connection) as ctx:
        demo.load(content_dir=content_copy)
    assert len(ctx.captured_queries) <= 6  # hash check + demo cohort lookup, with savepoints
    assert Program.objects.count() == 1 and Question.objects.count() == 4


def test_changed_content_updates_in_place_and_keeps_progress(content_copy, student):
    from courses.services.progress import lesson_complete

    demo.load(content_dir=content_copy)
    lesson = Lesson.objects.get(slug="word-parts")
    lesson_complete(student=student, lesson=lesson)
    _edit(content_copy / "modules" / "01-terminology.yaml", lambda d: d["lessons"][0].update(title="Word parts, revised"))
    _edit(content_copy / "modules" / "01-terminology.yaml", lambda d: d["lessons"].pop(1))
    demo.load(content_dir=content_copy)
    lesson.refresh_from_db()
    assert lesson.title == "Word parts, revised" and lesson.progress.filter(student=student).exists()
    assert not Lesson.objects.filter(slug="reading-only").exists()


def test_corrected_demo_keys_reach_a_database_loaded_before(tmp_path, student):
    """An existing database picks up corrected keys on the next load (as `make run` does)."""
    earlier = tmp_path / "earlier"
    shutil.copytree(DEMO_DIR, earlier)
    conventions = earlier / "modules" / "03-icd10cm-conventions.yaml"
    conventions.write_text(conventions.read_text().replace('answer: ["L91.0"]', 'answer: ["L90.5"]'))
    demo.load(content_dir=earlier)
    scar = Question.objects.get(lesson__slug="combination-codes-sequelae-symptoms", position=4)
    assert scar.answer == ["L90.5"]

    demo.load()
    scar.refresh_from_db()
    assert scar.answer == ["L91.0"] and "Excludes2" in scar.explanation
    group_code = Question.objects.get(lesson__slug="denials-and-appeals", position=3)
    assert "contract" in group_code.prompt and group_code.choices[group_code.answer[0]] == "CO"
    assert Program.objects.count() == 1


def test_invalid_demo_content_loads_nothing(db, content_copy):
    _edit(content_copy / "program.yaml", lambda d: d.update(modules=["ghost"]))
    lines = []

    class Out:
        def write(self, text):
            lines.append(text)

    assert demo.load(content_dir=content_copy, stdout=Out()) is None
    assert not Program.objects.exists()
    assert "NOT loaded" in "".join(lines)


@pytest.mark.skipif(not (DEMO_DIR / "program.yaml").exists(), reason="demo content not present")
def test_bundled_demo_content_is_valid():
    bundle = load_directory(DEMO_DIR)
    assert bundle.question_count >= 150, bundle.question_count
    assert bundle.card_count >= 300, bundle.card_count


def test_release_ready_publishes_whats_new_into_the_demo_program(program, icd_release, django_capture_on_commit_callbacks, monkeypatch):
    import codesets.selectors as selectors

    monkeypatch.setattr(selectors, "whats_new_markdown", lambda *, release: f"# What's new\n\n{release.label} changes", raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        release_ready.send(sender=type(icd_release), release=icd_release)
    module = Module.objects.get(program=program, slug="code-set-updates")
    assert not module.is_required
    lesson = module.lessons.get()
    assert lesson.title == "What's new in ICD-10-CM FY2026" and "FY2026 changes" in lesson.body
    whats_new_lesson_publish(release=icd_release)  # idempotent
    assert module.lessons.count() == 1


def test_release_updates_are_skipped_when_the_selector_is_missing(program, icd_release, monkeypatch):
    import codesets.selectors as selectors

    monkeypatch.delattr(selectors, "whats_new_markdown", raising=False)
    assert whats_new_lesson_publish(release=icd_release) is None
    assert not Module.objects.filter(slug="code-set-updates").exists()


def test_code_questions_naming_changed_codes_are_flagged(program, icd_release):
    ReleaseChange.objects.create(release=icd_release, kind=ChangeKind.DELETED, code="E119", display_code="E11.9")
    assert code_questions_flag(release=icd_release) == 1
    flag = ContentFlag.objects.get()
    assert flag.target_type == "courses.question" and "E11.9" in flag.reason
