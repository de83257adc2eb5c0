"""Load the bundled demo program (courses/demo_content/) and a demo cohort. Idempotent; a re-run with
unchanged files is a single hash comparison."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from codesets.models import CodeSetRelease

from .content_loader import ContentError, directory_hash, load_directory
from .models import Cohort, CohortDueDate, CohortMembership, ContentSource, Program
from .services.codeset_updates import whats_new_lesson_publish
from .services.content import program_upsert_from_bundle
from .services.progress import lesson_complete

DEMO_CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
DEMO_COHORT_NAME = "Demo cohort (CPC prep)"


def load(*, stdout=None, content_dir: Path | None = None) -> Program | None:
    root = Path(content_dir or DEMO_CONTENT_DIR)
    if not (root / "program.yaml").is_file():
        _say(stdout, "    courses: no demo content found; skipped")
        return None
    content_hash = directory_hash(root)
    existing = Program.objects.filter(source=ContentSource.DEMO, content_hash=content_hash).first()
    if existing is not None:
        _ensure_demo_cohort(program=existing)
        return existing
    try:
        bundle = load_directory(root)
    except ContentError as exc:
        # Never half-load: report every problem and keep whatever was loaded before.
        lines = "\n".join(f"      - {e}" for e in exc.errors[:40])
        _say(stdout, f"    courses: demo content NOT loaded, {len(exc.errors)} problem(s):\n{lines}")
        return None
    program = program_upsert_from_bundle(bundle=bundle, source=ContentSource.DEMO)
    _ensure_demo_cohort(program=program)
    # Releases imported before the program existed still get their "What's new" lesson.
    for release in CodeSetRelease.objects.current():
        whats_new_lesson_publish(release=release)
    _say(stdout, f"    courses: {program.title}: {len(bundle.modules)} modules, {bundle.question_count} quiz questions, "
                 f"{len(bundle.decks)} decks, {bundle.card_count} flashcards")
    return program


@transaction.atomic
def _ensure_demo_cohort(*, program: Program) -> None:
    """A cohort for the demo instructor with the three demo students, two due dates and some progress."""
    instructor = User.objects.filter(username="instructor").first()
    if instructor is None:
        return
    cohort, created = Cohort.objects.get_or_create(name=DEMO_COHORT_NAME, defaults={"program": program})
    if not (created or cohort.program_id is None):
        return
    cohort.program = program
    cohort.save(update_fields=["program"])
    cohort.instructors.add(instructor)
    students = {u.username: u for u in User.objects.filter(username__in=["student", "student2", "student3"])}
    for student in students.values():
        CohortMembership.objects.get_or_create(cohort=cohort, student=student)
    modules = list(program.modules.order_by("position")[:2])
    today = timezone.localdate()
    for offset, module in zip((7, 21), modules):
        CohortDueDate.objects.get_or_create(cohort=cohort, module=module, defaults={"due_on": today + dt.timedelta(days=offset)})
    # Classmates already under way, so the instructor's dashboard has something to show.
    if modules and "student2" in students:
        for lesson in modules[0].lessons.all():
            lesson_complete(student=students["student2"], lesson=lesson, score=0.85)
    if modules and "student3" in students:
        for lesson in modules[0].lessons.all()[:1]:
            lesson_complete(student=students["student3"], lesson=lesson, score=0.6)


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)
    return None
