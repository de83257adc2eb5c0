"""Grade passback (Assignment and Grade Services): from a recorded Codewise score to the LMS gradebook.

A score event (a case scored, regraded or overridden; an exam scored) updates the outbox row of
each gradebook cell it feeds (GradePassback: one per line item and student) and queues a send
after commit. The send claims the row with a conditional UPDATE (one sender at a time), posts the
score, and marks the row sent for the version it carried: a score is delivered once, a newer score
is never overwritten by an older one, and a transient failure (the LMS down, a time-out, a 5xx)
is retried with back-off until MAX_ATTEMPTS, after which the row shows as failed to the
instructor, who can send it again. Permanent refusals (4xx) fail at once, with the LMS's answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import requests
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as LibLineItem

from accounts.services import audit_record

from ..models import ContextMembership, GradePassback, LineItem, PassbackAttempt, PassbackStatus, TargetKind, UserLink
from ..protocol import TimeoutSession, safe_error, service_connector_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 60 * 60
CLAIM_SECONDS = 120


def retry_delay(attempts: int) -> int:
    """30 s, 1 min, 2 min ... capped at an hour: ten tries span about three hours."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))


# --- From a score to the outbox -------------------------------------------------------------------

@dataclass(frozen=True)
class GradebookScore:
    """What one Codewise item says about one student, as a fraction of its maximum."""

    student_id: int
    target_kind: str
    target_ref: str
    fraction: float  # 0..1
    source: str


def case_gradebook_score(*, student_id: int, case_id: int) -> GradebookScore | None:
    """The case's gradebook value: the current score (after overrides) of the student's latest scored submission."""
    from exercises.models import SubmissionScore

    score = (
        SubmissionScore.objects.filter(submission__student_id=student_id, submission__case_id=case_id, is_current=True)
        .select_related("submission__case").order_by("-submission__submitted_at", "-submission_id").first()
    )
    if score is None:
        return None
    return GradebookScore(student_id=student_id, target_kind=TargetKind.CASE, target_ref=score.submission.case.slug,
                          fraction=max(0.0, min(1.0, score.final_score / 100.0)),
                          source=f"exercises.submissionscore:{score.pk}")


def exam_gradebook_score(*, student_id: int, blueprint_id: int) -> GradebookScore | None:
    """The exam's gradebook value: the percent of the student's latest scored attempt."""
    from certification.models import AttemptScore

    score = (AttemptScore.objects.filter(student_id=student_id, blueprint_id=blueprint_id)
             .select_related("blueprint").order_by("-created_at", "-pk").first())
    if score is None:
        return None
    return GradebookScore(student_id=student_id, target_kind=TargetKind.EXAM, target_ref=score.blueprint.slug,
                          fraction=max(0.0, min(1.0, score.percent / 100.0)),
                          source=f"certification.attemptscore:{score.pk}")


LINKED_CACHE_SECONDS = 60 * 60


def _linked_key(student_id: int) -> str:
    # The database's name keeps ids of different databases sharing one cache apart (test workers do).
    return f"lti:linked:{connection.settings_dict['NAME']}:{student_id}"


def student_link_known(student_id: int) -> bool | None:
    """Whether an LMS knows this student, from the cache alone (None: not known yet). No query."""
    return cache.get(_linked_key(student_id))


def student_link_remember(student_id: int) -> None:
    cache.set(_linked_key(student_id), True, LINKED_CACHE_SECONDS)


def student_is_linked(student_id: int) -> bool:
    linked = UserLink.objects.filter(user_id=student_id).exists()
    cache.set(_linked_key(student_id), linked, LINKED_CACHE_SECONDS)
    return linked


# "No account is linked to any LMS" is remembered for a short while only; a new link says so at once.
NO_LINK_CACHE_SECONDS = 5 * 60


def _any_link_key() -> str:
    return f"lti:any-link:{connection.settings_dict['NAME']}"


def any_student_linked() -> bool:
    """Whether any account at all is linked to an LMS: until one is, no score has a gradebook to feed.

    One cache read per score event. A link saved or deleted updates the answer at once (lti.receivers),
    and "none" is stored with ``add``, so a link made while this was being asked is never hidden.
    """
    key = _any_link_key()
    known = cache.get(key)
    if known is not None:
        return known
    linked = UserLink.objects.exists()
    if linked:
        cache.set(key, True, LINKED_CACHE_SECONDS)
    else:
        cache.add(key, False, NO_LINK_CACHE_SECONDS)
    return linked


def any_link_changed(*, linked: bool | None) -> None:
    """A link was saved (``linked=True``) or deleted (``None``: ask the database again next time)."""
    if linked:
        cache.set(_any_link_key(), True, LINKED_CACHE_SECONDS)
    else:
        cache.delete(_any_link_key())


def passbacks_record(*, score: GradebookScore | None) -> list[int]:
    """Update the outbox for every gradebook cell this score feeds; queue their sends after commit."""
    if score is None:
        return []
    memberships = ContextMembership.objects.filter(
        user_link__user_id=score.student_id, is_active=True, is_learner=True,
        context__line_items__target_kind=score.target_kind, context__line_items__target_ref=score.target_ref,
    ).select_related("user_link").distinct()
    queued = []
    for membership in memberships:
        line_item = LineItem.objects.get(context_id=membership.context_id, target_kind=score.target_kind,
                                         target_ref=score.target_ref)
        passback_id = passback_upsert(line_item=line_item, user_link=membership.user_link, score=score)
        if passback_id is not None:
            queued.append(passback_id)
    return queued


def passback_upsert(*, line_item: LineItem, user_link: UserLink, score: GradebookScore) -> int | None:
    """The cell's wanted score; a new version (sent once) only when the value changes."""
    score_given = round(score.fraction * line_item.score_maximum, 4)
    now = timezone.now()
    with transaction.atomic():
        row = GradePassback.objects.select_for_update().filter(line_item=line_item, user_link=user_link).first()
        if row is None:
            row = GradePassback.objects.create(
                line_item=line_item, user_link=user_link, score_given=score_given,
                score_maximum=line_item.score_maximum, score_timestamp=now, source=score.source, next_attempt_at=now,
            )
        elif row.score_given == score_given and row.score_maximum == line_item.score_maximum:
            return None  # nothing new for the gradebook (a repeated event, or a regrade to the same score)
        else:
            GradePassback.objects.filter(pk=row.pk).update(
                score_given=score_given, score_maximum=line_item.score_maximum, score_timestamp=now,
                source=score.source, version=F("version") + 1, status=PassbackStatus.PENDING, attempts=0,
                next_attempt_at=now, last_error="", updated_at=now,
            )
        passback_id = row.pk
        transaction.on_commit(lambda: queue_send(passback_id))
    return passback_id


def _same_queue() -> dict:
    """Inside a task, a follow-up goes to the queue that task came from (a dedicated queue stays dedicated)."""
    from celery import current_task

    request = getattr(current_task, "request", None)
    queue = ((getattr(request, "delivery_info", None) or {}).get("routing_key")) if request else None
    return {"queue": queue} if queue else {}


def queue_send(passback_id: int, countdown: int | None = None) -> None:
    from ..tasks import send_grade

    try:
        send_grade.apply_async((passback_id,), countdown=countdown, **_same_queue())
    except Exception:  # noqa: BLE001 - a broker outage: the row stays pending and the sweeper sends it
        logger.warning("Could not queue grade passback %s; the periodic sweep will send it", passback_id, exc_info=True)


# --- Sending ------------------------------------------------------------------------------------

class TransientPassbackError(Exception):
    pass


class PermanentPassbackError(Exception):
    pass


def passback_send(*, passback_id: int, requests_session: requests.Session | None = None) -> str:
    """Send one cell's current score if it is due and nobody else is sending it. Returns what happened."""
    now = timezone.now()
    claimed = GradePassback.objects.due(now).filter(pk=passback_id).update(
        claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
    if claimed != 1:
        return "not-due"
    row = GradePassback.objects.select_related("line_item__context__deployment__platform", "user_link").get(pk=passback_id)
    try:
        status = _post_score(row, requests_session)
    except TransientPassbackError as exc:
        return _record_failure(row, str(exc), permanent=False)
    except PermanentPassbackError as exc:
        return _record_failure(row, str(exc), permanent=True)
    PassbackAttempt.objects.create(passback=row, version=row.version, score_given=row.score_given, ok=True,
                                   http_status=status)
    done = GradePassback.objects.filter(pk=row.pk, version=row.version).update(
        status=PassbackStatus.SENT, sent_version=row.version, sent_score=row.score_given, sent_at=timezone.now(),
        attempts=0, claimed_until=None, last_error="")
    if done != 1:  # a newer score arrived while this one was on the wire: send that one too
        GradePassback.objects.filter(pk=row.pk).update(claimed_until=None)
        transaction.on_commit(lambda: queue_send(row.pk))
        return "superseded"
    return "sent"


def _record_failure(row: GradePassback, error: str, *, permanent: bool) -> str:
    attempts = row.attempts + 1
    PassbackAttempt.objects.create(passback=row, version=row.version, score_given=row.score_given, ok=False,
                                   http_status=_status_in(error), error=error[:2000])
    failed = permanent or attempts >= MAX_ATTEMPTS
    delay = retry_delay(attempts)
    GradePassback.objects.filter(pk=row.pk, version=row.version).update(
        attempts=attempts, last_error=error[:2000], claimed_until=None,
        status=PassbackStatus.FAILED if failed else PassbackStatus.PENDING,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )
    GradePassback.objects.filter(pk=row.pk).exclude(version=row.version).update(claimed_until=None)
    logger.warning("Grade passback %s %s: %s", row.pk, "failed" if failed else f"will retry in {delay}s", error)
    if failed:
        return "failed"
    transaction.on_commit(lambda: queue_send(row.pk, countdown=delay))
    return "retrying"


def _status_in(error: str) -> int | None:
    marker = "]: "
    if marker in error:
        tail = error.rsplit(marker, 1)[1][:3]
        if tail.isdigit():
            return int(tail)
    return None


def _post_score(row: GradePassback, requests_session: requests.Session | None) -> int:
    line_item = row.line_item
    context = line_item.context
    platform = context.deployment.platform
    if not platform.is_active:
        raise PermanentPassbackError(f"The platform {platform} is switched off in Codewise.")
    if not context.lineitems_url and not line_item.url:
        raise PermanentPassbackError("The course never sent a grade service address: launch from the course once.")
    session = requests_session or TimeoutSession()
    ags = AssignmentsGradesService(service_connector_for(platform, session),
                                   {"scope": context.ags_scopes, "lineitems": context.lineitems_url})
    grade = (Grade().set_user_id(row.user_link.subject).set_score_given(row.score_given)
             .set_score_maximum(row.score_maximum).set_activity_progress(row.activity_progress)
             .set_grading_progress(row.grading_progress)
             .set_timestamp(row.score_timestamp.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")))
    try:
        if not line_item.url:
            found = ags.find_or_create_lineitem(
                LibLineItem().set_label(line_item.label).set_score_maximum(line_item.score_maximum)
                .set_resource_id(line_item.resource_id).set_tag("codewise"), find_by="resource_id")
            LineItem.objects.filter(pk=line_item.pk).update(url=found.get_id())
            line_item.url = found.get_id()
        ags.put_grade(grade, LibLineItem().set_id(line_item.url))
    except requests.RequestException as exc:
        raise TransientPassbackError(f"The LMS did not answer: {type(exc).__name__}") from exc
    except LtiServiceException as exc:
        code = exc.response.status_code
        message = safe_error(exc)
        if code >= 500 or code in (401, 408, 429):
            raise TransientPassbackError(message) from exc
        raise PermanentPassbackError(message) from exc
    except LtiException as exc:
        raise PermanentPassbackError(safe_error(exc)) from exc
    return 200


# --- Instructors and the sweeper -------------------------------------------------------------------

def passback_retry(*, actor, passback: GradePassback) -> GradePassback:
    """An instructor sends a failed (or stuck) score again."""
    now = timezone.now()
    with transaction.atomic():
        GradePassback.objects.filter(pk=passback.pk).exclude(status=PassbackStatus.SENT).update(
            status=PassbackStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
        audit_record(actor=actor, action="lti.grade_passback_retried", target=passback,
                     before={"status": passback.status, "error": passback.last_error[:200]})
        transaction.on_commit(lambda: queue_send(passback.pk))
    passback.refresh_from_db()
    return passback


def passbacks_send_due(*, limit: int = 200) -> int:
    """Queue every pending score whose time has come (a lost message, a retry after a restart)."""
    ids = list(GradePassback.objects.due(timezone.now()).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for passback_id in ids:
        queue_send(passback_id)
    return len(ids)
