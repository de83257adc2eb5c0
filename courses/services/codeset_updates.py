"""React to a new code-set release: publish a “What's new” lesson and flag quiz questions naming changed codes."""

from __future__ import annotations

import importlib
import logging
import re

from django.db import transaction
from django.db.models import Max

from codesets.models import ChangeKind, CodeSetRelease, ReleaseChange

from ..grading import normalize_code
from ..models import ContentSource, Lesson, Module, Program, Question
from ..reading_time import reading_minutes
from .content import CODESET_UPDATES_SLUG

logger = logging.getLogger(__name__)


def _whats_new_markdown(release: CodeSetRelease) -> str | None:
    """``codesets.selectors.whats_new_markdown(release=...)`` when that selector exists, else None."""
    try:
        selectors = importlib.import_module("codesets.selectors")
    except ImportError:
        return None
    builder = getattr(selectors, "whats_new_markdown", None)
    if builder is None:
        return None
    return builder(release=release)


def _lesson_slug(release: CodeSetRelease) -> str:
    label = re.sub(r"[^a-z0-9]+", "-", release.label.lower()).strip("-")
    return f"whats-new-{release.system}-{label}"[:80]


@transaction.atomic
def whats_new_lesson_publish(*, release: CodeSetRelease) -> Lesson | None:
    """Create or refresh the “What's new in <release>” lesson in the demo program's code-set updates module."""
    program = Program.objects.filter(source=ContentSource.DEMO).order_by("id").first()
    if program is None:
        return None
    body = _whats_new_markdown(release)
    if not body:
        return None
    module, created = Module.objects.get_or_create(
        program=program, slug=CODESET_UPDATES_SLUG,
        defaults={
            "title": "Code-set updates", "is_required": False, "domains": ["icd10cm", "coding-guidelines"],
            "summary": "What changed in each new release of the code sets, published when the release is activated.",
            "position": (program.modules.aggregate(p=Max("position"))["p"] or 0) + 1,
        },
    )
    first_position = (module.lessons.aggregate(p=Max("position"))["p"] or 0) + 1 if not created else 0
    lesson, _ = Lesson.objects.update_or_create(
        module=module, slug=_lesson_slug(release),
        defaults={"title": f"What's new in {release}", "body": body, "minutes": reading_minutes(body)},
        create_defaults={"title": f"What's new in {release}", "body": body, "minutes": reading_minutes(body),
                         "position": first_position},
    )
    return lesson


def code_questions_flag(*, release: CodeSetRelease) -> int:
    """Raise a content flag on every code-entry question whose key names a deleted or revised code."""
    try:
        from codesets.services import content_flag_raise
    except ImportError:
        return 0
    changes = {
        c.code: c for c in ReleaseChange.objects.filter(release=release, kind__in=[ChangeKind.DELETED, ChangeKind.REVISED])
    }
    if not changes:
        return 0
    raised = 0
    for question in Question.objects.filter(kind="code", system=release.system).select_related("lesson__module"):
        for code in {normalize_code(a) for a in question.answer}:
            change = changes.get(code)
            if change is None:
                continue
            content_flag_raise(
                release=release, code=code, change_kind=change.kind, target_type="courses.question",
                target_id=question.pk, target_label=f"{question.lesson.title} — question {question.position + 1}",
                reason=f"The answer key names {change.display_code}, {change.get_kind_display().lower()} in {release}.",
            )
            raised += 1
    return raised
