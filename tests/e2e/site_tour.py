"""A small but complete site for page-level browser checks (accessibility, phone layouts, screenshots).

`build_site` creates, through the services the product uses, one of everything a student, an
instructor and an admin sees: a program with a quiz and a flashcard deck, a chart case with a
scored submission, a scored practice exam, a cohort, and two code-set releases with a diff.
`main_pages` lists every main page of every role for that site.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass
class Site:
    module_id: int
    lesson_id: int
    question_id: int
    case_slug: str
    submission_id: int
    attempt_id: int
    cohort_id: int
    release_id: int
    older_release_id: int
    extra: dict = field(default_factory=dict)


def build_site(*, student, instructor, admin_user, cohort) -> Site:
    from certification.models import QuestionKind
    from certification.services.attempts import answer_save, attempt_start, attempt_submit
    from certification.services.blueprints import blueprints_ensure_builtin
    from codesets.services import release_import
    from courses.content_loader import load_directory
    from courses.models import ContentSource, Lesson
    from courses.services.content import program_upsert_from_bundle
    from exercises.services.submissions import submission_submit
    from tests.certification.factories import BlueprintFactory, QuestionFactory
    from tests.codesets.conftest import fixture_path
    from tests.courses.conftest import CONTENT_DIR
    from tests.exercises.browser_support import make_case

    program = program_upsert_from_bundle(bundle=load_directory(CONTENT_DIR), source=ContentSource.AUTHORED,
                                         owner=instructor)
    lesson = Lesson.objects.get(module__program=program, slug="word-parts")
    question = lesson.questions.order_by("position").first()

    case = make_case(instructor)
    submission, _ = submission_submit(student=student, case=case, lines=[
        {"role": "principal", "system": "icd10cm", "code": "S52522A"},
        {"role": "procedure", "system": "cpt", "code": "25600"},
    ])

    blueprints_ensure_builtin()
    for domain in ("icd10cm", "em", "radiology"):
        for _ in range(3):
            QuestionFactory(domain=domain)
    QuestionFactory(kind=QuestionKind.CODE, domain="icd10cm", accepted_codes=["E119"], stem="Enter the code.")
    blueprint = BlueprintFactory(name="Short CPC drill", question_count=6, time_limit_minutes=10,
                                 weights={"icd10cm": 1, "em": 1, "radiology": 1})
    finished = attempt_start(student=student, blueprint=blueprint, seed=1)
    for item in finished.items.select_related("question").order_by("position")[:4]:
        if item.question.kind == QuestionKind.CODE:
            response = "E11.9"
        else:
            response = [str(item.displayed_choices()[0].pk)]
        answer_save(attempt=finished, student=student, position=item.position, response=response)
    attempt_submit(attempt=finished, student=student)
    open_attempt = attempt_start(student=student, blueprint=BlueprintFactory(name="Open drill", question_count=4),
                                 seed=2)

    older = release_import(system="icd10cm", path=fixture_path("tabular_fy2025.xml"), label="FY2025",
                           effective_from=datetime.date(2024, 10, 1)).release
    newer = release_import(system="icd10cm", path=fixture_path("tabular_fy2026.xml"), label="FY2026",
                           effective_from=datetime.date(2025, 10, 1)).release
    return Site(
        module_id=lesson.module_id, lesson_id=lesson.pk, question_id=question.pk, case_slug=case.slug,
        submission_id=submission.pk, attempt_id=finished.pk, cohort_id=cohort.pk, release_id=newer.pk,
        older_release_id=older.pk, extra={"open_attempt_id": open_attempt.pk},
    )


def main_pages(site: Site) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of every main page, per role (the usernames of tests/conftest.py)."""
    return {
        "student": [
            ("home", "/"),
            ("readiness", "/exams/readiness/"),
            ("courses catalog", "/courses/"),
            ("module", f"/courses/modules/{site.module_id}/"),
            ("lesson with quiz", f"/courses/lessons/{site.lesson_id}/"),
            ("flashcards review", "/courses/flashcards/review/"),
            ("cases list", "/cases/"),
            ("case workspace", f"/cases/{site.case_slug}/"),
            ("case result", f"/cases/submissions/{site.submission_id}/"),
            ("exams list", "/exams/"),
            ("exam question", f"/exams/attempts/{site.extra['open_attempt_id']}/q/1/"),
            ("exam report", f"/exams/attempts/{site.attempt_id}/report/"),
        ],
        "instructor": [
            ("home", "/"),
            ("cohorts", "/courses/cohorts/"),
            ("cohort detail", f"/courses/cohorts/{site.cohort_id}/"),
            ("heat map", f"/exams/cohorts/?cohort={site.cohort_id}"),
            ("review queue", "/cases/review/"),
            ("DRG audit", f"/cases/review/cohorts/{site.cohort_id}/drg-audit/"),
            ("submission review", f"/cases/submissions/{site.submission_id}/"),
            ("case editor", f"/cases/{site.case_slug}/edit/"),
            ("question editor", f"/courses/author/questions/{site.question_id}/"),
        ],
        "admin_user": [
            ("code sets", "/codesets/"),
            ("release detail", f"/codesets/releases/{site.release_id}/"),
            ("release changes", f"/codesets/releases/{site.release_id}/changes/"),
            ("upload", "/codesets/upload/"),
            ("DRG weights", "/codesets/drg-weights/"),
            ("operations", "/exams/operations/"),
        ],
    }
