"""Scoring a submitted attempt: once, by constraint; evidence and item statistics follow.

Every question of the attempt counts in its own score report (an unanswered question is wrong, as
on the real exam). Readiness evidence and item analysis use only the questions the student
*reached*: those answered, and those skipped before the last answer. The unanswered questions
after the last answer were never reached (time ran out, the attempt was abandoned, or submitted
early): they say nothing about the student or about the question. This is the "not reached"
convention of classical test analysis; a skipped question the student moved past still counts
as a wrong answer there too.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from courses.models import CohortMembership

from .. import clock
from ..models import AttemptItem, AttemptScore, AttemptStatus, EvidenceSource, ExamAttempt, ItemStat, QuestionKind
from . import EvidenceItem, evidence_record_many
from .attempts import normalise_code


def item_is_correct(item: AttemptItem) -> bool:
    question = item.question
    response = item.response or {}
    if question.kind == QuestionKind.CODE:
        accepted = {normalise_code(c) for c in question.accepted_codes}
        return bool(response.get("text")) and normalise_code(response["text"]) in accepted
    correct_ids = {c.pk for c in question.choices.all() if c.is_correct}
    if question.kind == QuestionKind.SINGLE:
        return response.get("choice") in correct_ids
    return set(response.get("choices", [])) == correct_ids


def items_reached(items: list[AttemptItem]) -> list[AttemptItem]:
    """The items answered or skipped before the last answer, in exam order (see the module docstring)."""
    last = max((item.position for item in items if item.is_answered), default=0)
    return sorted((item for item in items if item.position <= last), key=lambda item: item.position)


def items_not_reached(items: list[AttemptItem]) -> list[AttemptItem]:
    """The unanswered items after the last answer: scored wrong, never evidence nor item statistics."""
    last = max((item.position for item in items if item.is_answered), default=0)
    return sorted((item for item in items if item.position > last), key=lambda item: item.position)


def attempt_score(*, attempt_id: int) -> AttemptScore | None:
    """Grade every item, write the one AttemptScore, record evidence. Running it twice changes nothing."""
    with transaction.atomic():
        attempt = ExamAttempt.objects.select_for_update().select_related("blueprint", "student").filter(pk=attempt_id).first()
        if attempt is None or attempt.status == AttemptStatus.IN_PROGRESS:
            return None
        existing = AttemptScore.objects.filter(attempt=attempt).first()
        if existing is not None:
            return existing
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("question").prefetch_related("question__choices")
        )
        by_domain: dict[str, dict[str, int]] = {}
        for item in items:
            item.is_correct = item_is_correct(item)
            bucket = by_domain.setdefault(item.domain, {"correct": 0, "total": 0})
            bucket["total"] += 1
            bucket["correct"] += int(item.is_correct)
        correct = sum(int(i.is_correct) for i in items)
        total = len(items)
        answered = [i for i in items if i.is_answered]
        seconds = sum(i.seconds_spent for i in items)
        percent = 100.0 * correct / total if total else 0.0
        try:
            with transaction.atomic():
                score = AttemptScore.objects.create(
                    attempt=attempt,
                    student=attempt.student,
                    blueprint=attempt.blueprint,
                    correct=correct,
                    total=total,
                    percent=percent,
                    passed=percent >= attempt.blueprint.pass_percent,
                    by_domain=by_domain,
                    answered=len(answered),
                    seconds_used=seconds,
                    seconds_per_question=seconds / len(answered) if answered else 0.0,
                )
        except IntegrityError:  # scored concurrently by another worker: theirs stands
            return AttemptScore.objects.get(attempt=attempt)
        AttemptItem.objects.bulk_update(items, ["is_correct"])
        ExamAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.SCORED, scored_at=clock.now())
        reached = items_reached(items)
        # Questions never reached count against this score but are not evidence of mastery: an
        # abandoned attempt says nothing about what the student knows. A question skipped on the way
        # to a later answer is evidence, like the wrong answer it is on the real exam.
        evidence_record_many([
            EvidenceItem(
                student_id=attempt.student_id,
                domain=item.domain,
                score=1.0 if item.is_correct else 0.0,
                source=EvidenceSource.EXAM,
                source_id=f"attempt{attempt.pk}-q{item.question_id}",
                occurred_at=item.answered_at or attempt.submitted_at,
            )
            for item in reached
        ])
        _item_stats_add(attempt, reached, correct)
    return score


def item_stats_rebuild() -> int:
    """Recount item statistics from every scored attempt, reached questions only; returns attempts replayed.

    For statistics kept before questions never reached were left out. Cohort rows follow the
    students' cohorts as they are now.
    """
    with transaction.atomic():
        ItemStat.objects.all().delete()
        replayed = 0
        for attempt in ExamAttempt.objects.filter(status=AttemptStatus.SCORED).order_by("pk").iterator():
            items = list(AttemptItem.objects.filter(attempt=attempt))
            _item_stats_add(attempt, items_reached(items), sum(1 for item in items if item.is_correct))
            replayed += 1
    return replayed


def _item_stats_add(attempt: ExamAttempt, items: list[AttemptItem], correct: int) -> None:
    """Add the reached items to the running sums; the rest score is the share right among the others reached."""
    if not items:
        return
    cohorts = [None, *CohortMembership.objects.filter(student_id=attempt.student_id).values_list("cohort_id", flat=True)]
    question_ids = [i.question_id for i in items]
    ItemStat.objects.bulk_create(
        [ItemStat(question_id=q, cohort_id=c) for q in question_ids for c in cohorts], ignore_conflicts=True
    )
    total = len(items)
    rows = {}
    for item in items:
        x = 1 if item.is_correct else 0
        rest = (correct - x) / (total - 1) if total > 1 else 0.0
        rows[item.question_id] = (x, rest, item.seconds_spent)
    # One UPDATE for all the items covers the overall row and every cohort row of the student. It
    # takes the rows' locks in one order, so two workers scoring at once wait for each other rather
    # than deadlock on the same questions, and it costs one statement instead of one per item
    # (written out: the ORM's per-question CASE costs more to compile than the twelve UPDATEs it saves).
    _item_stats_increment(rows, [c for c in cohorts if c is not None])


# The running sums and how each grows by one item: (correct 0/1, rest score, seconds on it).
_INCREMENTS = {
    "n_correct": lambda x, rest, seconds: x,
    "sum_rest": lambda x, rest, seconds: rest,
    "sum_rest_sq": lambda x, rest, seconds: rest * rest,
    "sum_correct_rest": lambda x, rest, seconds: x * rest,
    "seconds_total": lambda x, rest, seconds: seconds,
}


def _item_stats_increment(rows: dict[int, tuple[int, float, int]], cohort_ids: list[int]) -> None:
    """Add each question's increments (picked by question id: a question appears once per attempt)."""
    quote = connection.ops.quote_name
    meta = ItemStat._meta
    question, cohort = quote(meta.get_field("question").column), quote(meta.get_field("cohort").column)
    n = quote(meta.get_field("n").column)
    assignments, params = [f"{n} = {n} + 1"], []
    for name, value_of in _INCREMENTS.items():
        column = quote(meta.get_field(name).column)
        assignments.append(f"{column} = {column} + CASE {question} {' '.join(['WHEN %s THEN %s'] * len(rows))} ELSE 0 END")
        for question_id, row in rows.items():
            params += [question_id, value_of(*row)]
    in_questions = ", ".join(["%s"] * len(rows))
    in_cohorts = f" OR {cohort} IN ({', '.join(['%s'] * len(cohort_ids))})" if cohort_ids else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "
            f"WHERE {question} IN ({in_questions}) AND ({cohort} IS NULL{in_cohorts})",
            [*params, *sorted(rows), *cohort_ids],
        )
