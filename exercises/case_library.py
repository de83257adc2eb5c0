"""Reads for the case library: the filters of the case list, each student's status per case, and the practice
cases of a course module.

A student's status on a case: **new** (nothing saved or submitted), **in progress** (a saved draft or an attempt
being scored, nothing scored yet) or **scored** (at least one scored attempt). It is computed in the database
(two EXISTS subqueries), so filtering by it costs no extra query per case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from certification.domains import DOMAIN_LABELS
from courses.models import Module

from .models import Case, Difficulty, ReviewStatus, Setting, Specialty, Submission, SubmissionStatus

STATUS_CHOICES = [("new", "Not tried yet"), ("in_progress", "In progress"), ("scored", "Scored")]
REVIEW_CHOICES = [(value, label) for value, label in ReviewStatus.choices]


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters, each already checked against its choices (an unknown value means no filter)."""

    module: str = ""
    setting: str = ""
    specialty: str = ""
    difficulty: int | None = None
    status: str = ""
    domain: str = ""
    review: str = ""
    active: dict = field(default_factory=dict)

    @classmethod
    def from_query(cls, params, *, for_author: bool = False) -> "CaseFilters":
        def pick(name: str, allowed) -> str:
            value = (params.get(name) or "").strip()
            return value if value in allowed else ""

        difficulty = pick("difficulty", {str(value) for value in Difficulty.values})
        values = {
            "module": (params.get("module") or "").strip()[:80],
            "setting": pick("setting", Setting.values),
            "specialty": pick("specialty", Specialty.values),
            "difficulty": int(difficulty) if difficulty else None,
            "status": pick("status", {value for value, _ in STATUS_CHOICES}),
            "domain": pick("domain", DOMAIN_LABELS),
            "review": pick("review", ReviewStatus.values) if for_author else "",
        }
        active = {name: value for name, value in values.items() if value not in ("", None)}
        return cls(**values, active=active)


def with_student_status(cases: QuerySet[Case], *, student) -> QuerySet[Case]:
    """Annotate ``has_scored`` and ``has_started`` for this student (one query for the whole list)."""
    mine = Submission.objects.filter(case=OuterRef("pk"), student_id=student.pk)
    return cases.annotate(
        has_scored=Exists(mine.filter(status=SubmissionStatus.SCORED)),
        has_started=Exists(mine),
    )


def student_status(case: Case) -> str:
    if getattr(case, "has_scored", False):
        return "scored"
    if getattr(case, "has_started", False):
        return "in_progress"
    return "new"


def cases_filtered(*, user, filters: CaseFilters) -> QuerySet[Case]:
    """The cases the user may see, narrowed by the filters, with the user's status on each."""
    cases = Case.objects.all() if user.can_author else Case.objects.visible_to_student(user)
    if filters.module:
        cases = cases.filter(module_slug=filters.module)
    if filters.setting:
        cases = cases.filter(setting=filters.setting)
    if filters.specialty:
        cases = cases.filter(specialty=filters.specialty)
    if filters.difficulty:
        cases = cases.filter(difficulty=filters.difficulty)
    if filters.domain:
        cases = cases.filter(exam_domain=filters.domain)
    if filters.review:
        cases = cases.filter(review_status=filters.review)
    cases = with_student_status(cases, student=user)
    if filters.status == "scored":
        cases = cases.filter(has_scored=True)
    elif filters.status == "in_progress":
        cases = cases.filter(has_started=True, has_scored=False)
    elif filters.status == "new":
        cases = cases.filter(has_started=False)
    return cases


def module_titles() -> dict[str, str]:
    """Course module slug -> title, first program in title order winning (copies of a program share slugs)."""
    titles: dict[str, str] = {}
    for slug, title in Module.objects.order_by("program__title", "position", "id").values_list("slug", "title"):
        titles.setdefault(slug, title)
    return titles


def module_choices(*, user, titles: dict[str, str]) -> list[tuple[str, str]]:
    """The modules that have at least one case this user may see, in course order."""
    visible = Case.objects.all() if user.can_author else Case.objects.visible_to_student(user)
    used = set(visible.exclude(module_slug="").values_list("module_slug", flat=True).distinct())
    ordered = [(slug, title) for slug, title in titles.items() if slug in used]
    ordered.extend((slug, slug.replace("-", " ").capitalize()) for slug in sorted(used - set(titles)))
    return ordered


def practice_cases_for_module(*, user, module_slug: str, first: list[str] | None = None) -> list[Case]:
    """The cases of one course module the user may open, with their status; cases named in ``first`` (a lesson's
    own list) come first, whatever their module."""
    first = [slug for slug in (first or []) if slug]
    visible = Case.objects.all() if user.can_author else Case.objects.visible_to_student(user)
    cases = list(with_student_status(visible.filter(Q(module_slug=module_slug) | Q(slug__in=first)), student=user))
    rank = {slug: n for n, slug in enumerate(first)}
    cases.sort(key=lambda case: (rank.get(case.slug, len(rank)), case.difficulty, case.title))
    for case in cases:
        case.student_status = student_status(case)
    return cases
