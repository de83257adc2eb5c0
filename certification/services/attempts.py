"""Timed attempts: assemble, start, save answers (server-enforced deadline), flag, submit, close overdue.

Closing on time: each attempt queues its own deadline task when it starts (attempt_close_at_deadline,
due at deadline + grace); the periodic sweep (attempts_close_overdue) is the safety net for a task
that was lost. Either way attempt_close's conditional UPDATE closes an attempt exactly once.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction

from accounts.services import audit_record

from .. import clock
from ..conf import answer_grace_seconds, scoring_stale_seconds
from ..models import AttemptItem, AttemptStatus, Blueprint, Choice, CloseReason, ExamAttempt, Question, QuestionKind
from ..readiness.simulate import quotas
from .compiled import CompiledRead, insert_rows, item_seconds_add, write_fields

# A question left open longer than this counts as a break, not as time on the question.
MAX_SECONDS_PER_VIEW = 15 * 60
CODE_ANSWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\- ]{0,19}$")


class ExamError(Exception):
    """A rule of the exam was broken; the message is shown to the student as is."""

    status = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AttemptClosed(ExamError):
    status = 409
    code = "attempt_closed"


class LateAnswer(ExamError):
    status = 409
    code = "deadline_passed"


class InvalidAnswer(ExamError):
    status = 400
    code = "invalid_answer"


def normalise_code(text: str) -> str:
    return re.sub(r"[\s.]", "", text or "").upper()


def exam_assemble(*, blueprint: Blueprint, student, seed: int | None = None) -> list[Question]:
    """Pick questions by the blueprint's domain weights without repeats, unseen questions first.

    A domain with too few questions hands its shortfall to the others (by weight), so an
    exam is as long as the bank allows up to the blueprint's count. The draw reads one light row
    per question of the bank (key, domain, scenario, slug); only the drawn questions are read in
    full, with their scenarios, so a start costs the same whatever the size of the bank.
    """
    chosen = _draw(blueprint=blueprint, student=student, seed=seed)
    drawn = Question.objects.select_related("scenario").order_by().in_bulk([c.pk for c in chosen])
    # A question deactivated since the light read is left out rather than shown.
    return [drawn[c.pk] for c in chosen if c.pk in drawn and drawn[c.pk].is_active]


def _draw(*, blueprint: Blueprint, student, seed: int | None) -> list[_Candidate]:
    """The drawn questions' light rows in exam order (exam_assemble's rules), before any is read in full."""
    rng = random.Random(seed)
    weights = _domain_weights(blueprint)
    pool: dict[str, list[_Candidate]] = {d: [] for d in weights}
    for candidate in _candidates(domains=list(weights), student_id=student.pk):
        pool[candidate.domain].append(candidate)
    for candidates in pool.values():
        rng.shuffle(candidates)
        candidates.sort(key=lambda c: c.seen)  # stable: unseen first, still shuffled
    wanted = min(blueprint.question_count, sum(len(v) for v in pool.values()))
    quota = {d: 0 for d in weights}
    remaining = wanted
    active = {d: w for d, w in weights.items() if pool[d]}
    while remaining > 0 and active:
        share = quotas(active, remaining)
        for domain, n in share.items():
            take = min(n, len(pool[domain]) - quota[domain])
            quota[domain] += take
            remaining -= take
        active = {d: w for d, w in active.items() if quota[d] < len(pool[d])}
    chosen = [c for d in weights for c in pool[d][: quota[d]]]
    rng.shuffle(chosen)
    return _scenarios_together(chosen)


def _domain_weights(blueprint: Blueprint) -> dict[str, float]:
    """``blueprint.domain_weights()`` (in BlueprintDomain's order: heaviest first, then by name) in one plain read."""
    if "domains" in getattr(blueprint, "_prefetched_objects_cache", {}):
        return blueprint.domain_weights()
    quote = connection.ops.quote_name
    meta = Blueprint.domains.rel.related_model._meta
    blueprint_id, domain, weight = (quote(meta.get_field(name).column) for name in ("blueprint", "domain", "weight"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {domain}, {weight} FROM {quote(meta.db_table)} WHERE {blueprint_id} = %s "
                       f"ORDER BY {weight} DESC, {domain}", [blueprint.pk])
        return dict(cursor.fetchall())


class _Candidate(NamedTuple):
    """A question of the bank as the draw sees it: no stem, choices or scenario text."""

    pk: int
    domain: str
    scenario_id: int | None
    slug: str
    seen: bool  # in one of the student's earlier attempts


def _candidates(*, domains: list[str], student_id: int) -> list[_Candidate]:
    """The active questions of these domains (by domain, then slug), each marked seen or not, in one read.

    Written in SQL because every exam start runs it: the ORM took longer to build these two light
    queries than the database took to answer them. ``seen`` is one uncorrelated subquery over the
    student's own attempts (PostgreSQL hashes it once), not a lookup per question.
    """
    if not domains:
        return []
    quote = connection.ops.quote_name
    question, item, attempt = Question._meta, AttemptItem._meta, ExamAttempt._meta

    def column(meta, name: str) -> str:
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    sql = (
        f"SELECT {column(question, 'id')}, {column(question, 'domain')}, {column(question, 'scenario')}, "
        f"{column(question, 'slug')}, {column(question, 'id')} IN ("
        f"SELECT {column(item, 'question')} FROM {quote(item.db_table)} INNER JOIN {quote(attempt.db_table)} "
        f"ON {column(item, 'attempt')} = {column(attempt, 'id')} WHERE {column(attempt, 'student')} = %s) "
        f"FROM {quote(question.db_table)} WHERE {column(question, 'is_active')} = %s "
        f"AND {column(question, 'domain')} IN ({', '.join(['%s'] * len(domains))}) "
        f"ORDER BY {column(question, 'domain')}, {column(question, 'slug')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [student_id, True, *domains])
        return [_Candidate(pk, domain, scenario_id, slug, bool(seen)) for pk, domain, scenario_id, slug, seen in cursor]


def _scenarios_together(chosen: list[_Candidate]) -> list[_Candidate]:
    """Questions that share a scenario stay together, in the place of the first of them (by slug within)."""
    ordered: list[_Candidate] = []
    placed: set[int] = set()
    for candidate in chosen:
        if candidate.pk in placed:
            continue
        group = [candidate] if candidate.scenario_id is None else sorted(
            (c for c in chosen if c.scenario_id == candidate.scenario_id), key=lambda c: c.slug)
        for c in group:
            ordered.append(c)
            placed.add(c.pk)
    return ordered


def choice_order_draw(*, student_id: int, attempt_id: int, question_id: int, choice_ids: list[int]) -> list[int]:
    """The order one student sees one question's choices in one attempt: random, and the same on every draw."""
    order = list(choice_ids)
    random.Random(f"exam:{student_id}:{attempt_id}:{question_id}").shuffle(order)
    return order


class StartedItem(NamedTuple):
    """One item of a fresh attempt as its first page shows it, built from plain rows (no model instances)."""

    position: int
    question_id: int
    kind: str
    domain: str
    stem: str
    scenario: str  # the narrative of the question's scenario, "" for a question on its own
    choices: tuple[tuple[int, str], ...]  # (id, text) in the order drawn for this attempt
    response: None = None
    flagged: bool = False
    revision: int = 0


class _DrawnQuestion(NamedTuple):
    pk: int
    kind: str
    domain: str
    stem: str
    scenario: str
    choices: list[tuple[int, str]]  # (id, text) by position


def _drawn_questions(chosen: list[_Candidate]) -> dict[int, _DrawnQuestion]:
    """The drawn questions that are still active, with their scenarios' narratives and their choices, in one read."""
    if not chosen:
        return {}
    quote = connection.ops.quote_name
    question, scenario, choice = Question._meta, Question._meta.get_field("scenario").related_model._meta, Choice._meta

    def column(meta, name: str) -> str:
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    sql = (
        f"SELECT {column(question, 'id')}, {column(question, 'kind')}, {column(question, 'domain')}, "
        f"{column(question, 'stem')}, {column(scenario, 'narrative')}, {column(choice, 'id')}, {column(choice, 'text')} "
        f"FROM {quote(question.db_table)} "
        f"LEFT OUTER JOIN {quote(scenario.db_table)} ON {column(question, 'scenario')} = {column(scenario, 'id')} "
        f"LEFT OUTER JOIN {quote(choice.db_table)} ON {column(choice, 'question')} = {column(question, 'id')} "
        f"WHERE {column(question, 'is_active')} = %s AND {column(question, 'id')} IN ({', '.join(['%s'] * len(chosen))}) "
        f"ORDER BY {column(choice, 'position')}, {column(choice, 'id')}"
    )
    drawn: dict[int, _DrawnQuestion] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *(c.pk for c in chosen)])
        for pk, kind, domain, stem, narrative, choice_id, text in cursor:
            entry = drawn.get(pk)
            if entry is None:
                entry = drawn[pk] = _DrawnQuestion(pk, kind, domain, stem, narrative or "", [])
            if choice_id is not None:
                entry.choices.append((choice_id, text))
    return drawn


def _items_insert(*, attempt: ExamAttempt, chosen: list[_Candidate]) -> list[StartedItem]:
    """Write the attempt's items in exam order in one statement, each with its choice order drawn for this attempt."""
    drawn = _drawn_questions(chosen)
    started: list[StartedItem] = []
    rows: list[dict] = []
    for candidate in chosen:
        question = drawn.get(candidate.pk)
        if question is None:  # deactivated since the light read: left out rather than shown
            continue
        text = dict(question.choices)
        order = choice_order_draw(student_id=attempt.student_id, attempt_id=attempt.pk, question_id=question.pk,
                                  choice_ids=list(text)) if text else None
        position = len(started) + 1
        rows.append({"attempt_id": attempt.pk, "question_id": question.pk, "position": position,
                     "domain": question.domain, "choice_order": order})
        started.append(StartedItem(position, question.pk, question.kind, question.domain, question.stem,
                                   question.scenario, tuple((pk, text[pk]) for pk in order or ())))
    insert_rows(AttemptItem, rows)
    return started


def attempt_items_build(*, attempt: ExamAttempt, questions: list[Question]) -> list[AttemptItem]:
    """Unsaved items in exam order, each with the display order of its choices fixed for this attempt."""
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question__in=questions).order_by("position", "id"):
        choices.setdefault(choice.question_id, []).append(choice)
    for question in questions:
        # The exam page shown right after the start reads these: no second query for the same rows.
        question._prefetched_objects_cache = {**getattr(question, "_prefetched_objects_cache", {}),
                                              "choices": choices.get(question.pk, [])}
    choice_ids = {question_id: [c.pk for c in listed] for question_id, listed in choices.items()}
    return [
        AttemptItem(
            attempt=attempt, question=q, position=i, domain=q.domain,
            choice_order=choice_order_draw(
                student_id=attempt.student_id, attempt_id=attempt.pk, question_id=q.pk, choice_ids=choice_ids[q.pk]
            ) if q.pk in choice_ids else None,
        )
        for i, q in enumerate(questions, start=1)
    ]


def attempt_start(*, student, blueprint: Blueprint, seed: int | None = None) -> ExamAttempt:
    """Start a timed attempt, or return the one already open for this exam (resume, no duplicates)."""
    if not student.is_student:
        raise ExamError("Practice exams are taken from a student account.")
    now = clock.now()
    with transaction.atomic():
        open_attempt = _open_attempt_locked(student=student, blueprint=blueprint)
        if open_attempt is not None and now <= open_attempt.deadline:
            open_attempt.blueprint = blueprint  # the same row: the caller reads its slug without a query
            return open_attempt
        if open_attempt is not None:
            attempt_close(attempt_id=open_attempt.pk, reason=CloseReason.TIMED_OUT)
        chosen = _draw(blueprint=blueprint, student=student, seed=seed)
        if not chosen:
            raise ExamError("The question bank has no questions for this exam's domains yet.")
        attempt = ExamAttempt(
            student=student,
            blueprint=blueprint,
            started_at=now,
            deadline=now + datetime.timedelta(minutes=blueprint.time_limit_minutes),
            focus_position=1,
            focus_since=now,
        )
        try:
            # With no open attempt there is no row to lock: two starts at the same instant (two tabs)
            # both get here. The database lets one open attempt per student and exam
            # (one_open_attempt_per_exam); the second insert fails and that start resumes the first.
            with transaction.atomic():
                (attempt.pk,) = insert_rows(ExamAttempt, [_attempt_row(attempt)])
                attempt._state.adding, attempt._state.db = False, "default"
                items = _items_insert(attempt=attempt, chosen=chosen)
                if not items:  # every drawn question was deactivated since the light read
                    raise ExamError("The question bank has no questions for this exam's domains yet.")
        except IntegrityError:
            open_attempt = _open_attempt_locked(student=student, blueprint=blueprint)
            if open_attempt is None:
                raise
            open_attempt.blueprint = blueprint
            return open_attempt
        # A fresh attempt's items, with their questions' text, scenarios and choices, are in memory as
        # plain rows: the caller can show them without reading them back (see certification.api's start).
        attempt.started_items = items
        transaction.on_commit(lambda: _queue_deadline_close(attempt.pk, attempt.deadline))
    return attempt


def _attempt_row(attempt: ExamAttempt) -> dict:
    return {field.attname: getattr(attempt, field.attname) for field in ExamAttempt._meta.concrete_fields
            if not field.primary_key}


# The start's locking read of the open attempt, compiled once (every start runs it, most find nothing).
_OPEN_ATTEMPT_READ = CompiledRead(
    lambda student_id, blueprint_id: ExamAttempt.objects.select_for_update()
    .filter(student_id=student_id, blueprint_id=blueprint_id, status=AttemptStatus.IN_PROGRESS)[:1],
    placeholders=(987_654_321, 876_543_219),
)


def _open_attempt_locked(*, student, blueprint: Blueprint) -> ExamAttempt | None:
    return _OPEN_ATTEMPT_READ.first(student.pk, blueprint.pk)


def _accumulate_focus(attempt: ExamAttempt, now: datetime.datetime, new_position: int | None) -> None:
    """Add the time since the last view to the item that was open, then move the focus."""
    if attempt.focus_position and attempt.focus_since and now > attempt.focus_since:
        end = min(now, attempt.deadline)
        seconds = int(min((end - attempt.focus_since).total_seconds(), MAX_SECONDS_PER_VIEW))
        if seconds > 0:
            item_seconds_add(attempt_id=attempt.pk, position=attempt.focus_position, seconds=seconds)
    attempt.focus_position = new_position
    attempt.focus_since = now
    write_fields(attempt, ("focus_position", "focus_since"))


def attempt_focus(*, attempt: ExamAttempt, position: int) -> None:
    """The student opened a question: book the time spent on the previous one (server clock only)."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return
    now = clock.now()
    if now > attempt.deadline:
        return
    with transaction.atomic():
        _accumulate_focus(attempt, now, position)


def _choice_ids(item: AttemptItem, chosen: set[int]) -> set[int]:
    """The item's choices: the order drawn at the start lists them, so a save needs no query for them.

    Items from before orders were stored, or an answer the stored order does not cover (the bank was
    reloaded during the exam), are checked against the question's choices as they are now.
    """
    if item.choice_order and chosen <= set(item.choice_order):
        return set(item.choice_order)
    return set(item.question.choices.values_list("pk", flat=True))


def _clean_response(item: AttemptItem, raw) -> object | None:
    question = item.question
    if raw in (None, "", [], {}):
        return None
    if question.kind == QuestionKind.SINGLE:
        try:
            choice = int(raw[0] if isinstance(raw, list) and len(raw) == 1 else raw)
        except (TypeError, ValueError):
            raise InvalidAnswer("Choose one of the listed answers.") from None
        if choice not in _choice_ids(item, {choice}):
            raise InvalidAnswer("That answer is not one of this question's choices.")
        return {"choice": choice}
    if question.kind == QuestionKind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        try:
            chosen = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise InvalidAnswer("Choose answers from the list.") from None
        if not set(chosen) <= _choice_ids(item, set(chosen)):
            raise InvalidAnswer("One of those answers is not a choice of this question.")
        return {"choices": chosen} if chosen else None
    text = str(raw[0] if isinstance(raw, list) and raw else raw).strip()
    if not text:
        return None
    if not CODE_ANSWER.match(text):
        raise InvalidAnswer("Enter a single code: letters, digits, a dot or a hyphen (up to 20 characters).")
    return {"text": text.upper()}


@dataclass(frozen=True)
class SaveResult:
    item: AttemptItem
    merged: bool  # another tab had saved this item since this page loaded; the newer answer wins


def _deny(*, student, attempt: ExamAttempt, action: str, detail: dict, ip: str | None) -> None:
    # Rejections are audited outside the (rolled back) transaction of the request.
    audit_record(actor=student, action=action, target=attempt, after=detail, ip_address=ip)


class _NotOwnedHere(Exception):
    """The locking read found no item of this student's attempt: the full access check decides."""


def answer_save(
    *,
    attempt: ExamAttempt,
    student,
    position: int,
    response,
    question_id: int | None = None,
    revision: int | None = None,
    ip_address: str | None = None,
) -> SaveResult:
    """Save one answer in one short transaction: one locking read, one write (two more when the focus moves).

    The attempt row is locked with the item and its question in the same query, so a save and the
    closing of the attempt never overlap: a save either lands before the closing (and is scored) or
    sees the attempt closed. An answer is accepted while the attempt is open and the server handles
    it no later than the deadline plus the grace (answer_grace_seconds), whatever the client says.
    """
    if attempt.student_id != student.pk:
        _deny(student=student, attempt=attempt, action="exam.foreign_attempt", detail={"position": position}, ip=ip_address)
        raise AttemptClosed("This exam belongs to someone else.")
    return _answer_save(attempt_id=attempt.pk, attempt=attempt, student=student, position=position, response=response,
                        question_id=question_id, revision=revision, ip_address=ip_address)


def answer_save_by_id(
    *,
    attempt_id: int,
    student,
    position: int,
    response,
    question_id: int | None = None,
    revision: int | None = None,
    ip_address: str | None = None,
) -> SaveResult:
    """The autosave API's save: the locking read is the access check, so an answer costs no query more.

    It reads the item with its attempt and keeps it only if the attempt is this student's. Anything
    else (someone else's attempt, no such attempt or position) goes through the one access check,
    ``attempt_for_user_or_404`` (404 and an audit record), and ``answer_save``: the same answers and
    records as always, one query later.
    """
    try:
        return _answer_save(attempt_id=attempt_id, attempt=None, student=student, position=position,
                            response=response, question_id=question_id, revision=revision, ip_address=ip_address)
    except _NotOwnedHere:
        pass
    from ..selectors import attempt_for_user_or_404

    attempt = attempt_for_user_or_404(user=student, attempt_id=attempt_id, write=True)
    return answer_save(attempt=attempt, student=student, position=position, response=response,
                       question_id=question_id, revision=revision, ip_address=ip_address)


def _locked_item_query(attempt_id: int, position: int, *, with_question: bool):
    related = ("attempt", "question") if with_question else ("attempt",)
    return (
        AttemptItem.objects.select_related(*related)
        .select_for_update(of=("attempt",), no_key=True)
        .filter(attempt_id=attempt_id, position=position)
    )


# Placeholders the read is compiled with: in range for the columns (a smallint position), so the ORM
# compiles the statement it would run for a real save.
_LOCKED_ITEM_READS = {
    with_question: CompiledRead(
        lambda attempt_id, position, with_question=with_question: _locked_item_query(
            attempt_id, position, with_question=with_question),
        placeholders=(987_654_321, 32_123),
    )
    for with_question in (True, False)
}
_SMALLINT_MAX = 32_767
_BIGINT_MAX = 2**63 - 1


def _locked_item(*, attempt_id: int, position: int, with_question: bool) -> AttemptItem | None:
    """The item and its attempt in one read that locks the attempt row (the closing waits for it)."""
    if not (0 <= position <= _SMALLINT_MAX and 0 <= attempt_id <= _BIGINT_MAX):
        return None  # no such item (the ORM finds none either, without asking the database)
    return _LOCKED_ITEM_READS[with_question].first(attempt_id, position)


def _answer_save(*, attempt_id: int, attempt: ExamAttempt | None, student, position: int, response,
                 question_id: int | None, revision: int | None, ip_address: str | None) -> SaveResult:
    now = clock.now()
    refusal = None
    with transaction.atomic():
        item = _locked_item(attempt_id=attempt_id, position=position, with_question=True)
        if attempt is None:  # the access check is this read: an item of the student's own attempt
            if item is None or item.attempt.student_id != student.pk:
                raise _NotOwnedHere
            item.attempt.student = student
        locked = item.attempt if item is not None else attempt
        if locked.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed("This exam has been submitted; answers can no longer change.")
        late_by = (now - locked.deadline).total_seconds()
        if late_by > answer_grace_seconds():
            refusal = "late"
        elif item is None or (question_id is not None and item.question_id != question_id):
            refusal = "tampered"
        else:
            clean = _clean_response(item, response)
            merged = revision is not None and revision != item.revision
            if merged:
                audit_record(
                    actor=student, action="exam.answer_merged", target=locked,
                    before={"position": position, "response": item.response, "revision": item.revision},
                    after={"response": clean, "client_revision": revision}, ip_address=ip_address,
                )
            item.response = clean
            item.revision += 1
            item.answered_at = now
            write_fields(item, ("response", "revision", "answered_at"))
            if locked.focus_position != position:
                _accumulate_focus(locked, now, position)
    if refusal == "late":
        _deny(student=student, attempt=locked, action="exam.late_answer", detail={"position": position, "late_seconds": round(late_by)}, ip=ip_address)
        raise LateAnswer("Time is up: answers after the deadline are not accepted.")
    if refusal == "tampered":
        _deny(
            student=student, attempt=locked, action="exam.tampered_item",
            detail={"position": position, "question_id": question_id}, ip=ip_address,
        )
        raise InvalidAnswer("That question is not part of this exam.")
    return SaveResult(item=item, merged=merged)


def flag_set(*, attempt: ExamAttempt, student, position: int, flagged: bool) -> AttemptItem:
    if attempt.student_id != student.pk:
        raise AttemptClosed("This exam belongs to someone else.")
    return _flag_set(attempt_id=attempt.pk, attempt=attempt, student=student, position=position, flagged=flagged)


def flag_set_by_id(*, attempt_id: int, student, position: int, flagged: bool) -> AttemptItem:
    """The API's flag: like ``answer_save_by_id``, the locking read is the access check."""
    try:
        return _flag_set(attempt_id=attempt_id, attempt=None, student=student, position=position, flagged=flagged)
    except _NotOwnedHere:
        pass
    from ..selectors import attempt_for_user_or_404

    attempt = attempt_for_user_or_404(user=student, attempt_id=attempt_id, write=True)
    return flag_set(attempt=attempt, student=student, position=position, flagged=flagged)


def _flag_set(*, attempt_id: int, attempt: ExamAttempt | None, student, position: int, flagged: bool) -> AttemptItem:
    now = clock.now()
    with transaction.atomic():
        # As for answers: the item and the locked attempt row in one read.
        item = _locked_item(attempt_id=attempt_id, position=position, with_question=False)
        if attempt is None:
            if item is None or item.attempt.student_id != student.pk:
                raise _NotOwnedHere
            item.attempt.student = student
        locked = item.attempt if item is not None else attempt
        if locked.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed("This exam has been submitted.")
        # The same deadline (plus grace) as answers: the exam is over for flags too.
        if (now - locked.deadline).total_seconds() > answer_grace_seconds():
            raise LateAnswer("Time is up: questions can no longer be flagged.")
        if item is None:
            raise InvalidAnswer("That question is not part of this exam.")
        item.flagged = flagged
        write_fields(item, ("flagged",))
    return item


def attempt_close(*, attempt_id: int, reason: str) -> bool:
    """Claim the attempt (in progress → submitted) with one conditional UPDATE; queue scoring once.

    Returns True only for the caller whose UPDATE touched the row: a double submit, two
    tabs, or the sweeper racing the student all end with exactly one closure.
    """
    now = clock.now()
    with transaction.atomic():
        attempt = ExamAttempt.objects.filter(pk=attempt_id).first()
        if attempt is None:
            return False
        claimed = ExamAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.IN_PROGRESS).update(
            status=AttemptStatus.SUBMITTED, close_reason=reason, submitted_at=min(now, attempt.deadline)
            if reason == CloseReason.TIMED_OUT else now
        )
        if claimed != 1:
            return False
        if attempt.focus_position:
            _accumulate_focus(attempt, now, None)
        transaction.on_commit(lambda: _queue_scoring(attempt_id))
    return True


def attempt_submit(*, attempt: ExamAttempt, student, ip_address: str | None = None) -> bool:
    """The student submits. Safe to repeat: only the first call closes the attempt."""
    if attempt.student_id != student.pk:
        _deny(student=student, attempt=attempt, action="exam.foreign_attempt", detail={"submit": True}, ip=ip_address)
        raise AttemptClosed("This exam belongs to someone else.")
    closed = attempt_close(attempt_id=attempt.pk, reason=CloseReason.SUBMITTED)
    if closed:
        audit_record(actor=student, action="exam.submitted", target=attempt, ip_address=ip_address)
    return closed


def attempts_close_overdue() -> dict[str, int]:
    """Close every attempt past deadline + grace (each exactly once) and re-queue stale scoring."""
    now = clock.now()
    cutoff = now - datetime.timedelta(seconds=answer_grace_seconds())
    closed = 0
    for attempt_id in ExamAttempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=cutoff).values_list("pk", flat=True):
        if attempt_close(attempt_id=attempt_id, reason=CloseReason.TIMED_OUT):
            closed += 1
    stale_before = now - datetime.timedelta(seconds=scoring_stale_seconds())
    requeued = 0
    for attempt_id in ExamAttempt.objects.filter(
        status=AttemptStatus.SUBMITTED, submitted_at__lt=stale_before, score__isnull=True
    ).values_list("pk", flat=True):
        _queue_scoring(attempt_id)
        requeued += 1
    return {"closed": closed, "requeued": requeued}


# An attempt's own deadline task fires this long after deadline + grace (the last accepted instant).
DEADLINE_TASK_MARGIN_SECONDS = 0.5
# A countdown longer than the broker's visibility timeout (an hour) would be delivered again while it
# waits: a long exam's task waits at most this long at a time and re-arms itself until it is due.
DEADLINE_TASK_MAX_WAIT_SECONDS = 30 * 60


def attempt_close_at_deadline(*, attempt_id: int) -> bool:
    """The attempt's own deadline task: close it once its deadline plus the grace has passed.

    Early (a re-armed hop of a long exam, a clock that runs behind), it queues itself again for the
    time left. Closed already (submitted, or closed by the sweep), it does nothing: attempt_close's
    conditional UPDATE lets exactly one of the deadline task, the sweep and the student close it.
    Returns True when this call closed the attempt.
    """
    deadline = (
        ExamAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.IN_PROGRESS).values_list("deadline", flat=True).first()
    )
    if deadline is None:
        return False
    if clock.now() <= deadline + datetime.timedelta(seconds=answer_grace_seconds()):
        _queue_deadline_close(attempt_id, deadline)
        return False
    return attempt_close(attempt_id=attempt_id, reason=CloseReason.TIMED_OUT)


def _queue_deadline_close(attempt_id: int, deadline: datetime.datetime) -> None:
    """Queue the attempt's deadline task for deadline + grace; the sweep closes the attempt if this fails."""
    import logging

    from ..tasks import close_attempt_at_deadline

    if close_attempt_at_deadline.app.conf.task_always_eager:
        return  # no worker to wait: in-process tasks would run now, before the deadline
    due = deadline + datetime.timedelta(seconds=answer_grace_seconds())
    wait = (due - clock.now()).total_seconds() + DEADLINE_TASK_MARGIN_SECONDS
    try:
        close_attempt_at_deadline.apply_async((attempt_id,), countdown=min(max(wait, 0.0), DEADLINE_TASK_MAX_WAIT_SECONDS))
    except Exception:  # noqa: BLE001 - any broker/transport error; the periodic sweep closes the attempt
        logging.getLogger(__name__).warning(
            "Could not queue the deadline task of exam attempt %s; the overdue sweep will close it", attempt_id, exc_info=True)


def _queue_scoring(attempt_id: int) -> None:
    """Publish the scoring task; a broker that is down leaves the attempt submitted and unscored.

    The attempt is already closed when this runs (after commit), so a broker error must not reach
    the student as a 500: close_overdue_attempts re-queues submitted attempts that have no score.
    """
    import logging

    from ..tasks import score_attempt

    try:
        score_attempt.delay(attempt_id)
    except Exception:  # noqa: BLE001 - any broker/transport error; the periodic sweep retries
        logging.getLogger(__name__).warning(
            "Could not queue scoring for exam attempt %s; the overdue sweep will retry", attempt_id, exc_info=True)
