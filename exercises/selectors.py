"""Read helpers: what each person may list."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from courses.models import Cohort
from courses.selectors import cohorts_for_instructor, students_visible_to

from .models import Case, InstructorComment, Submission, SubmissionScore, SubmissionStatus


def latest_attempts_by_case(*, student, cases) -> dict[int, Submission]:
    """The newest submitted attempt of each case (with its current score) for the case list."""
    attempts: dict[int, Submission] = {}
    rows = (
        Submission.objects.filter(student=student, case__in=cases)
        .exclude(status=SubmissionStatus.DRAFT)
        .order_by("case_id", "-submitted_at")
        .prefetch_related(Prefetch("scores", queryset=SubmissionScore.objects.filter(is_current=True), to_attr="current_scores"))
    )
    for row in rows:
        attempts.setdefault(row.case_id, row)
    return attempts


def current_score(submission: Submission) -> SubmissionScore | None:
    return submission.scores.filter(is_current=True).select_related("key").first()


def draft_for_student(*, student, case: Case) -> Submission | None:
    """The student's open draft of the case, if one was saved (opening the workspace never creates one)."""
    return Submission.objects.filter(student=student, case=case, status=SubmissionStatus.DRAFT).first()


def submissions_for_student(*, student, case: Case) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(student=student, case=case).exclude(status=SubmissionStatus.DRAFT)
        .prefetch_related(Prefetch("scores", queryset=SubmissionScore.objects.filter(is_current=True), to_attr="current_scores"))
    )


REVIEW_STATES = ("needs_review", "reviewed")


def review_queue(*, viewer, cohort: Cohort | None = None, case: Case | None = None, status: str = "",
                 with_query: bool = False, review: str = "") -> QuerySet[Submission]:
    """Submitted work of the students the viewer teaches, newest first, with the current score (and any provider
    query) attached; ``with_query`` keeps the submissions that sent a provider query."""
    students = students_visible_to(viewer=viewer)
    if cohort is not None:
        students = students.filter(cohort_memberships__cohort=cohort)
    queryset = (
        Submission.objects.filter(student__in=students.values("pk"))
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("student", "case", "provider_query", "reviewed_by")
        .prefetch_related(
            Prefetch("scores", queryset=SubmissionScore.objects.filter(is_current=True).select_related("key"), to_attr="current_scores")
        )
        .order_by("-submitted_at", "-id")
    )
    if with_query:
        queryset = queryset.filter(provider_query__sent_at__isnull=False)
    if case is not None:
        queryset = queryset.filter(case=case)
    if status:
        queryset = queryset.filter(status=status)
    if review == "needs_review":
        queryset = queryset.filter(status=SubmissionStatus.SCORED, reviewed_at__isnull=True)
    elif review == "reviewed":
        queryset = queryset.filter(reviewed_at__isnull=False)
    return queryset


def review_state_counts(queryset: QuerySet[Submission]) -> dict[str, int]:
    """How many of the queue's submissions need review, are reviewed, and in all (one query)."""
    return queryset.order_by().aggregate(
        needs_review=Count("pk", filter=Q(status=SubmissionStatus.SCORED, reviewed_at__isnull=True)),
        reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)),
        all=Count("pk"),
    )


def attach_current_score(submissions) -> list[Submission]:
    rows = list(submissions)
    for row in rows:
        scores = getattr(row, "current_scores", None)
        row.current_score = scores[0] if scores else None
    return rows


def reviewer_cohorts(*, viewer) -> QuerySet[Cohort]:
    return cohorts_for_instructor(instructor=viewer)


def comments_for(submission: Submission) -> QuerySet[InstructorComment]:
    return submission.comments.select_related("author")
