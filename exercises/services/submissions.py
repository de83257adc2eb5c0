"""Drafts, submission and scoring."""

from __future__ import annotations

import datetime
import functools
import logging
import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..grading import MAX_LINES, normalize_code, normalize_modifiers, normalize_units
from ..grading.poa import normalize_poa, poa_valid
from ..grading.normalize import code_shape_ok
from ..models import AnswerKey, Case, Submission, SubmissionStatus

logger = logging.getLogger(__name__)

ROLES = ("principal", "secondary", "procedure", "em")
SYSTEMS = ("icd10cm", "cpt", "hcpcs", "icd10pcs")
_CODE_CHARS = re.compile(r"^[A-Z0-9]{1,10}$")
DOUBLE_SUBMIT_WINDOW = datetime.timedelta(seconds=30)
# Search words, not a code: no code has four letters in a row (W09.2XXA has three).
_WORDS = re.compile(r"[A-Za-z]{4,}|[A-Za-z]{2,}\s+[A-Za-z]")
_SHAPE_HELP = {
    "icd10cm": "an ICD-10-CM code is a letter, a digit, then 1 to 5 letters or digits (e.g. E11.65)",
    "px": "a CPT code is four digits and a digit, F, T or U (e.g. 99214); a HCPCS code a letter and four digits (e.g. J1100)",
    "icd10pcs": "an ICD-10-PCS code is 7 characters, digits and letters other than I and O (e.g. 0DTJ4ZZ)",
}


def _code_shape_problem(raw: object, code: str, system: str, *, partial: bool = False) -> str | None:
    """Why a code box holds something that is not a code of its system (None when it is one).

    The workspace's code boxes double as search boxes, so words can reach the server when a
    student submits before choosing a code from the list. ``partial`` accepts a code still being
    typed (a draft), but never words.
    """
    if partial:
        if _CODE_CHARS.match(code) and not _WORDS.search(str(raw)):
            return None
        return "not a code"
    if system in ("icd10cm", "icd10pcs"):
        ok = code_shape_ok(code, system)
        help_text = _SHAPE_HELP[system]
    else:  # the procedure rows take CPT and HCPCS codes, whichever system the row's menu shows
        ok = code_shape_ok(code, "cpt") or code_shape_ok(code, "hcpcs")
        help_text = _SHAPE_HELP["px"]
    if ok and _CODE_CHARS.match(code):
        return None
    shown = str(raw).strip()
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    if _WORDS.search(str(raw)):
        return f"\u201c{shown}\u201d is not a code: words search the code set; choose a code from the list under the box."
    return f"\u201c{shown}\u201d is not a code: {help_text}."


def lines_clean(raw_lines: object, *, partial_codes: bool = False) -> list[dict]:
    """Check the shape of submitted lines; raise ValidationError with every problem, in plain words.

    ``partial_codes`` (drafts) lets a half-typed code through; a submission needs whole codes.
    """
    if raw_lines is None:
        return []
    if not isinstance(raw_lines, (list, tuple)):
        raise ValidationError("Lines must be a list.")
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(f"A submission can have at most {MAX_LINES} lines; {len(raw_lines)} were sent.")
    errors: list[str] = []
    cleaned: list[dict] = []
    principals = 0
    for number, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Line {number}: not a line.")
            continue
        code = normalize_code(raw.get("code"))
        if not code:
            continue
        role = raw.get("role") or "secondary"
        system = raw.get("system") or ("icd10cm" if role in ("principal", "secondary") else "cpt")
        if role not in ROLES:
            errors.append(f"Line {number}: role must be one of {', '.join(ROLES)}.")
            continue
        if system not in SYSTEMS:
            errors.append(f"Line {number}: code system must be one of {', '.join(SYSTEMS)}.")
            continue
        if system == "icd10pcs" and role != "procedure":
            errors.append(f"Line {number}: an ICD-10-PCS code is a procedure line.")
            continue
        problem = _code_shape_problem(raw.get("code"), code, system, partial=partial_codes)
        if problem:
            errors.append(f"Line {number}: {problem}")
            continue
        modifiers = normalize_modifiers(raw.get("modifiers"))
        if any(not re.match(r"^[A-Z0-9]{2}$", m) for m in modifiers) or len(modifiers) > 4:
            errors.append(f"Line {number}: modifiers are two letters or digits each, at most four.")
            continue
        units = normalize_units(raw.get("units"))
        if units is None:
            errors.append(f"Line {number}: units must be a whole number from 1 to 999.")
            continue
        if role == "principal":
            principals += 1
        line = {"role": role, "system": system, "code": code, "modifiers": list(modifiers), "units": units}
        poa = normalize_poa(raw.get("poa")) if role in ("principal", "secondary") else ""
        if poa:
            if not poa_valid(poa):
                errors.append(f"Line {number}: the POA indicator is Y, N, U, W or 1 (exempt), or left blank.")
                continue
            line["poa"] = poa
        cleaned.append(line)
    if principals > 1:
        errors.append("Enter one principal (first-listed) diagnosis; list the others as secondary diagnoses.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def draft_get_or_create(*, student, case: Case) -> Submission:
    draft = Submission.objects.filter(student=student, case=case, status=SubmissionStatus.DRAFT).first()
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return Submission.objects.create(student=student, case=case)
    except IntegrityError:  # created by a parallel request
        return Submission.objects.get(student=student, case=case, status=SubmissionStatus.DRAFT)


def draft_save(*, student, case: Case, lines: object, query_provider: bool = False, elapsed_seconds: int = 0) -> Submission:
    """Autosave. Shapes are checked leniently: a draft may hold half-typed codes, never a broken row."""
    try:
        cleaned = lines_clean(lines, partial_codes=True)
    except ValidationError:
        cleaned = [line for line in _lenient(lines)]
    with transaction.atomic():
        draft = draft_get_or_create(student=student, case=case)
        draft = Submission.objects.select_for_update().get(pk=draft.pk)
        if draft.status != SubmissionStatus.DRAFT:
            raise ValidationError("This attempt was already submitted.")
        draft.lines = cleaned
        draft.query_provider = bool(query_provider) or _query_sent(draft.pk)
        draft.elapsed_seconds = max(draft.elapsed_seconds, min(int(elapsed_seconds or 0), 24 * 3600))
        draft.save(update_fields=["lines", "query_provider", "elapsed_seconds", "updated_at"])
    return draft


def _query_sent(submission_id: int) -> bool:
    from ..models import ProviderQuery

    return ProviderQuery.objects.filter(submission_id=submission_id, sent_at__isnull=False).exists()


def _lenient(lines: object) -> list[dict]:
    if not isinstance(lines, (list, tuple)):
        return []
    kept = []
    for raw in list(lines)[:MAX_LINES]:
        try:
            kept.extend(lines_clean([raw], partial_codes=True))
        except ValidationError:
            continue
    return kept


def _current_key_id(case: Case) -> int:
    key_id = case.current_key_id or case.answer_keys.order_by("-version").values_list("pk", flat=True).first()
    if key_id is None:
        raise ValidationError("This case has no answer key yet; it cannot be submitted.")
    return key_id


@functools.cache
def _open_or_recent_sql() -> str:
    """The student's open draft of a case and their attempts at it submitted since a moment, newest first, locked.

    Written out once: building the same query through the ORM for every submit cost more CPU than
    PostgreSQL spends running it.
    """
    table = connection.ops.quote_name(Submission._meta.db_table)
    columns = {field.name: connection.ops.quote_name(field.column) for field in Submission._meta.concrete_fields}
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {', '.join(columns.values())} FROM {table} "
        f"WHERE {columns['student']} = %s AND {columns['case']} = %s "
        f"AND ({columns['status']} = %s OR {columns['submitted_at']} >= %s) "
        f"ORDER BY {columns['submitted_at']} IS NULL, {columns['submitted_at']} DESC, {columns['id']}{lock}"
    )


def submission_submit(
    *, student, case: Case, lines: object, query_provider: bool = False, elapsed_seconds: int = 0,
    draft_id: int | None = None,
) -> tuple[Submission, bool]:
    """Turn the student's draft into a pending submission and queue scoring after commit.

    Returns (submission, created). Submitting the same draft twice returns the first submission.
    """
    if not case.is_published and not student.can_author:
        raise ValidationError("This case is closed for submissions.")
    cleaned = lines_clean(lines)
    if not cleaned and not query_provider:
        raise ValidationError("Enter at least one code (or choose to query the provider) before submitting.")
    key_id = _current_key_id(case)
    now = timezone.now()
    with transaction.atomic():
        if draft_id is not None:
            draft = Submission.objects.select_for_update().filter(pk=draft_id, student=student, case=case).first()
            if draft is None:
                raise ValidationError("That attempt does not exist.")
            if draft.status != SubmissionStatus.DRAFT:
                return draft, False
        else:
            # One statement finds both the open draft and any attempt submitted moments ago (a double submit).
            rows = list(Submission.objects.raw(
                _open_or_recent_sql(), [student.pk, case.pk, SubmissionStatus.DRAFT, now - DOUBLE_SUBMIT_WINDOW]))
            recent = next((row for row in rows if row.status != SubmissionStatus.DRAFT), None)
            if recent is not None and recent.lines == cleaned and recent.query_provider == bool(query_provider):
                return recent, False
            draft = next((row for row in rows if row.status == SubmissionStatus.DRAFT), None) or Submission(
                student=student, case=case)
        draft.lines = cleaned
        # A query written in the workspace (exercises.services.queries) is the decision to query.
        draft.query_provider = bool(query_provider) or (draft.pk is not None and _query_sent(draft.pk))
        draft.elapsed_seconds = max(draft.elapsed_seconds, min(int(elapsed_seconds or 0), 24 * 3600))
        draft.key_id = key_id
        draft.status = SubmissionStatus.PENDING
        draft.submitted_at = now
        draft.queued_at = now
        draft.save()
        submission_id = draft.pk
        transaction.on_commit(lambda: queue_scoring(submission_id))
    return draft, True


# A scoring run is queued and has not started yet: submits in the meantime leave their rows to it.
SCORING_QUEUED_SECONDS = 60


def scoring_queued_key() -> str:
    """Cache key of the "a scoring run is queued" marker (per database, so test databases never share it)."""
    return f"exercises:scoring-queued:{connection.settings_dict['NAME']}"


def scoring_queued_clear() -> None:
    """Called by the scoring run before its first claim: a submit from now on queues the next run."""
    try:
        cache.delete(scoring_queued_key())
    except Exception:  # noqa: BLE001 - without a cache the marker simply expires
        logger.warning("Could not clear the scoring marker", exc_info=True)


def queue_scoring(submission_id: int, key_id: int | None = None) -> None:
    """Get a submission scored after its commit; a broker that is down leaves the row pending for the sweeper.

    First scoring publishes one message per batch of submits (``queue_pending_scoring``). A regrade
    against a given key version, and the embedded mode (tasks run inline, at submit), keep the task of
    one submission.
    """
    from ..tasks import score_submission

    if key_id is None and not score_submission.app.conf.task_always_eager:
        queue_pending_scoring()
        return
    try:
        score_submission.delay(submission_id, key_id)
    except Exception:  # noqa: BLE001 - broker errors must never reach the student; the sweeper retries
        logger.warning("Could not queue scoring for submission %s; the sweeper will retry", submission_id, exc_info=True)


def queue_pending_scoring(*, always: bool = False) -> bool:
    """Queue a run that scores every pending submission, unless one is queued and has not started yet.

    A submit calls this after its commit. The marker is taken with cache ``add`` (only the first caller
    wins) and cleared by the run before it claims rows, so a submit that finds it set has committed a row
    that run's claims will see. ``always`` publishes whatever the marker says (the sweeper: a marker can
    outlive a message a dead broker lost). Returns whether a message was published.
    """
    from ..tasks import score_pending_submissions

    marked = False
    try:
        marked = bool(cache.add(scoring_queued_key(), 1, SCORING_QUEUED_SECONDS))
        if not marked and not always:
            return False  # the queued run will claim this row
    except Exception:  # noqa: BLE001 - no cache: publish without coalescing
        logger.warning("Scoring marker unavailable; queueing without coalescing", exc_info=True)
    try:
        score_pending_submissions.delay()
    except Exception:  # noqa: BLE001 - broker errors must never reach the student; the sweeper retries
        logger.warning("Could not queue scoring; the sweeper will retry pending submissions", exc_info=True)
        if marked:
            scoring_queued_clear()  # the next submit tries again
        return False
    return True


def submissions_requeue_stale(*, older_than_seconds: int = 120, limit: int = 1000) -> int:
    """Queue scoring of pending submissions that waited too long (broker down at submit, lost message).

    One message scores them all (and anything else pending); the embedded mode scores each inline.
    """
    from ..tasks import score_submission

    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        Submission.objects.filter(status=SubmissionStatus.PENDING, queued_at__lt=cutoff)
        .order_by("queued_at").values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    Submission.objects.filter(pk__in=ids, status=SubmissionStatus.PENDING).update(queued_at=timezone.now())
    if score_submission.app.conf.task_always_eager:
        for submission_id in ids:
            transaction.on_commit(lambda sid=submission_id: queue_scoring(sid))
    else:
        transaction.on_commit(lambda: queue_pending_scoring(always=True))
    return len(ids)


def submissions_regrade(*, submissions, key: AnswerKey) -> int:
    """Queue grading of submitted work against a key version; already graded pairs stay as they are."""
    ids = list(submissions.exclude(status=SubmissionStatus.DRAFT).values_list("pk", flat=True))
    for submission_id in ids:
        transaction.on_commit(lambda sid=submission_id: queue_scoring(sid, key.pk))
    return len(ids)
