"""Read helpers for cohorts, used across apps for access control."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import Cohort, CohortInvitation, InvitationStatus


def cohorts_for_instructor(*, instructor: User) -> QuerySet[Cohort]:
    if instructor.is_admin:
        return Cohort.objects.all()
    return Cohort.objects.filter(instructors=instructor)


def students_visible_to(*, viewer: User) -> QuerySet[User]:
    """Students whose work the viewer may see: themselves, their cohorts' students, or everyone for admins."""
    if viewer.is_admin:
        return User.objects.filter(role="student")
    if viewer.is_instructor:
        return User.objects.filter(role="student", cohort_memberships__cohort__instructors=viewer).distinct()
    return User.objects.filter(pk=viewer.pk)


def invitations_pending_for_student(*, student: User) -> QuerySet[CohortInvitation]:
    """Cohorts that asked this student to join and are waiting for an answer."""
    return (CohortInvitation.objects.filter(student=student, status=InvitationStatus.PENDING)
            .select_related("cohort", "cohort__program", "invited_by").order_by("-created_at", "-id"))


def invitations_open_for_cohort(*, cohort: Cohort) -> QuerySet[CohortInvitation]:
    """Invitations of a cohort that did not turn into a membership: waiting, or declined."""
    return (CohortInvitation.objects.filter(cohort=cohort, status__in=[InvitationStatus.PENDING, InvitationStatus.DECLINED])
            .select_related("student").order_by("-status", "student__username"))


def can_view_student(*, viewer: User, student: User) -> bool:
    if viewer.pk == student.pk or viewer.is_admin:
        return True
    if viewer.is_instructor:
        return Cohort.objects.filter(instructors=viewer, memberships__student=student).exists()
    return False


# --- Catalog and progress -----------------------------------------------------

from dataclasses import dataclass, field  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db.models import Count, Prefetch, Q, Sum  # noqa: E402

from .models import (  # noqa: E402
    Certificate, CohortDueDate, Lesson, LessonProgress, Module, ModuleCompletion, Program,
)


@dataclass
class ModuleProgress:
    module: Module
    lesson_count: int
    completed: int
    started: int
    best_scores: list[float] = field(default_factory=list)
    is_complete: bool = False
    missing_prerequisites: list[Module] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.lesson_count) if self.lesson_count else 0

    @property
    def average_score(self) -> float | None:
        return sum(self.best_scores) / len(self.best_scores) if self.best_scores else None

    @property
    def status(self) -> str:
        if self.is_complete:
            return "complete"
        return "in-progress" if self.started else "not-started"


@dataclass
class ProgramProgress:
    program: Program
    modules: list[ModuleProgress]
    certificate: Certificate | None = None

    @property
    def lesson_count(self) -> int:
        return sum(m.lesson_count for m in self.modules)

    @property
    def completed(self) -> int:
        return sum(m.completed for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.lesson_count) if self.lesson_count else 0

    @property
    def next_module(self) -> ModuleProgress | None:
        return next((m for m in self.modules if not m.is_complete and m.lesson_count), None)

    @property
    def ceu_hours(self) -> Decimal:
        return sum((m.module.ceu_hours for m in self.modules), Decimal(0))


def program_progress(*, student: User, programs) -> list[ProgramProgress]:
    """Progress of one student through each program: a fixed number of queries for any catalog size."""
    programs = list(programs.prefetch_related(
        Prefetch("modules", queryset=Module.objects.annotate(lesson_count=Count("lessons")).prefetch_related("prerequisites").order_by("position", "id"))
    ))
    program_ids = [p.pk for p in programs]
    progress_rows = list(
        LessonProgress.objects.filter(student=student, lesson__module__program_id__in=program_ids)
        .values("lesson__module_id", "completed_at", "best_score")
    )
    completions = set(
        ModuleCompletion.objects.filter(student=student, module__program_id__in=program_ids).values_list("module_id", flat=True)
    )
    certificates = {c.program_id: c for c in Certificate.objects.filter(student=student, program_id__in=program_ids)}
    by_module: dict[int, list[dict]] = {}
    for row in progress_rows:
        by_module.setdefault(row["lesson__module_id"], []).append(row)
    result = []
    for program in programs:
        modules = []
        for module in program.modules.all():
            rows = by_module.get(module.pk, [])
            completed = sum(1 for r in rows if r["completed_at"])
            modules.append(ModuleProgress(
                module=module, lesson_count=module.lesson_count, completed=completed, started=len(rows),
                best_scores=[r["best_score"] for r in rows if r["best_score"] is not None],
                is_complete=module.pk in completions,
                missing_prerequisites=[p for p in module.prerequisites.all() if p.pk not in completions],
            ))
        result.append(ProgramProgress(program=program, modules=modules, certificate=certificates.get(program.pk)))
    return result


def module_lessons_with_progress(*, student: User, module: Module) -> list[tuple[Lesson, LessonProgress | None]]:
    lessons = list(module.lessons.annotate(question_count=Count("questions")).order_by("position", "id"))
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(student=student, lesson__module=module)}
    return [(lesson, progress.get(lesson.pk)) for lesson in lessons]


@dataclass
class DomainLessons:
    module: Module
    lessons: list[tuple[Lesson, LessonProgress | None]]
    tagged: bool  # the module is tagged with the domain (else: only some of its lessons quiz it)


def lessons_for_domain(*, student: User, domain: str) -> list[DomainLessons]:
    """The catalog filtered to one exam domain: modules tagged with it (all their lessons), then lessons of other
    modules whose quiz questions train it. Three queries whatever the catalog size."""
    modules = list(Module.objects.select_related("program").order_by("program__title", "position", "id"))
    tagged = [m for m in modules if domain in (m.domains or [])]
    tagged_ids = {m.pk for m in tagged}
    lessons = list(
        Lesson.objects.filter(Q(module_id__in=tagged_ids) | Q(questions__domain=domain)).distinct()
        .only("id", "title", "minutes", "module_id", "position").order_by("position", "id")
    )
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(student=student, lesson__in=[l.pk for l in lessons])}
    by_module: dict[int, list] = {}
    for lesson in lessons:
        by_module.setdefault(lesson.module_id, []).append((lesson, progress.get(lesson.pk)))
    groups = [DomainLessons(m, by_module.get(m.pk, []), True) for m in tagged]
    groups += [DomainLessons(m, by_module[m.pk], False) for m in modules if m.pk not in tagged_ids and m.pk in by_module]
    return groups


@dataclass
class DueItem:
    due: CohortDueDate
    title: str
    url_kind: str
    target_id: int
    done: bool
    overdue: bool


def due_items_for_student(*, student: User, today) -> list[DueItem]:
    """Everything the student's cohorts set a due date for, soonest first, with whether it is done."""
    dues = list(
        CohortDueDate.objects.filter(cohort__memberships__student=student)
        .select_related("cohort", "module", "lesson__module").order_by("due_on", "id")
    )
    done_lessons = set(
        LessonProgress.objects.filter(student=student, completed_at__isnull=False).values_list("lesson_id", flat=True)
    )
    done_modules = set(ModuleCompletion.objects.filter(student=student).values_list("module_id", flat=True))
    items = []
    for due in dues:
        if due.module_id:
            done = due.module_id in done_modules
            items.append(DueItem(due, due.module.title, "module", due.module_id, done, not done and due.due_on < today))
        else:
            done = due.lesson_id in done_lessons
            items.append(DueItem(due, due.lesson.title, "lesson", due.lesson_id, done, not done and due.due_on < today))
    return items


@dataclass
class StudentRow:
    student: User
    module_percent: dict[int, int]
    completed_lessons: int
    average_score: float | None
    overdue: int
    last_activity: object = None


def cohort_progress(*, cohort: Cohort, today) -> tuple[list[Module], list[StudentRow]]:
    """The cohort dashboard table: one row per student, one column per module. Constant query count."""
    students = list(User.objects.filter(cohort_memberships__cohort=cohort).order_by("display_name", "username"))
    if cohort.program_id is None:
        return [], [StudentRow(s, {}, 0, None, 0) for s in students]
    modules = list(cohort.program.modules.annotate(lesson_count=Count("lessons")).order_by("position", "id"))
    stats = (
        LessonProgress.objects.filter(student__in=students, lesson__module__program_id=cohort.program_id)
        .values("student_id", "lesson__module_id")
        .annotate(done=Count("id", filter=Q(completed_at__isnull=False)))
    )
    done: dict[tuple[int, int], int] = {(r["student_id"], r["lesson__module_id"]): r["done"] for r in stats}
    scores: dict[int, list[float]] = {}
    last: dict[int, object] = {}
    for row in LessonProgress.objects.filter(student__in=students, lesson__module__program_id=cohort.program_id).values(
        "student_id", "best_score", "started_at", "completed_at"
    ):
        if row["best_score"] is not None:
            scores.setdefault(row["student_id"], []).append(row["best_score"])
        stamp = row["completed_at"] or row["started_at"]
        if stamp and (row["student_id"] not in last or stamp > last[row["student_id"]]):
            last[row["student_id"]] = stamp
    dues = list(CohortDueDate.objects.filter(cohort=cohort, due_on__lt=today))
    completed_modules = set(
        ModuleCompletion.objects.filter(student__in=students, module__program_id=cohort.program_id).values_list("student_id", "module_id")
    )
    completed_lessons = set(
        LessonProgress.objects.filter(student__in=students, completed_at__isnull=False, lesson__module__program_id=cohort.program_id)
        .values_list("student_id", "lesson_id")
    )
    rows = []
    for student in students:
        percent = {
            m.pk: (round(100 * done.get((student.pk, m.pk), 0) / m.lesson_count) if m.lesson_count else 0) for m in modules
        }
        overdue = sum(
            1 for d in dues
            if (d.module_id and (student.pk, d.module_id) not in completed_modules)
            or (d.lesson_id and (student.pk, d.lesson_id) not in completed_lessons)
        )
        student_scores = scores.get(student.pk, [])
        rows.append(StudentRow(
            student=student, module_percent=percent,
            completed_lessons=sum(done.get((student.pk, m.pk), 0) for m in modules),
            average_score=sum(student_scores) / len(student_scores) if student_scores else None,
            overdue=overdue, last_activity=last.get(student.pk),
        ))
    return modules, rows


def ceu_log(*, student: User):
    """Completed modules with the hours they earned, newest first, and the total."""
    entries = ModuleCompletion.objects.filter(student=student).select_related("module__program").order_by("-completed_at")
    total = entries.aggregate(total=Sum("ceu_hours"))["total"] or Decimal(0)
    return list(entries), total
