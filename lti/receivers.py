"""Grade passback follows recorded scores, without touching the code that records them.

- A case score written by ``save()`` (first scoring of one submission, a regrade, an instructor's
  override of a line, the total or the query score) sends ``post_save`` for SubmissionScore.
- The batched first scoring writes with ``bulk_create`` (no ``post_save``) and sends
  ``exercises.signals.case_scores_recorded`` inside each batch's transaction, listing every submission
  scored in it. The outbox rows are written in that transaction (each student in a savepoint, so a
  passback problem never undoes a score): a worker that dies after the commit cannot lose a gradebook
  update, because the outbox's own sweep sends whatever is pending.
- An exam score is created once per attempt (``post_save`` of AttemptScore).

After a scored batch, whether any account at all is linked to an LMS is read from the cache first
(kept current by the link's own save and delete), so a deployment no LMS uses pays one cache read.
Single scores (a regrade, an override, an exam) update the outbox after commit; whether an LMS knows
the student is read from the cache first (filled after commit, and when an account is linked), so
students no LMS knows add no after-commit work once known.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from exercises.signals import case_scores_recorded

logger = logging.getLogger(__name__)

def _after_commit(func, student_id: int, *args) -> None:
    from .services.passback import student_link_known

    if student_link_known(student_id) is False:
        return  # known not to be linked to any LMS: nothing to do, now or after commit
    transaction.on_commit(lambda: _safely(func, student_id, *args))


def _safely(func, *args) -> None:
    """A passback problem must never turn a recorded score into an error for the student."""
    try:
        func(*args)
    except Exception:  # noqa: BLE001 - logged; the score itself is already committed
        logger.exception("Grade passback bookkeeping failed for %s%s", func.__name__, args)


def _case_score_changed(student_id: int, case_id: int) -> None:
    from .services.passback import case_gradebook_score, passbacks_record, student_is_linked

    if student_is_linked(student_id):
        passbacks_record(score=case_gradebook_score(student_id=student_id, case_id=case_id))


def _exam_score_recorded(student_id: int, blueprint_id: int) -> None:
    from .services.passback import exam_gradebook_score, passbacks_record, student_is_linked

    if student_is_linked(student_id):
        passbacks_record(score=exam_gradebook_score(student_id=student_id, blueprint_id=blueprint_id))


@receiver(post_save, sender="exercises.SubmissionScore", dispatch_uid="lti.case_score_saved")
def case_score_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or not instance.is_current:
        return
    if type(instance).submission.is_cached(instance):  # loaded by the scoring code: no query here
        submission = instance.submission
        _after_commit(_case_score_changed, submission.student_id, submission.case_id)
    else:  # an override re-reads the score alone: find its student after commit
        transaction.on_commit(lambda: _safely(_case_submission_scored, instance.submission_id))


def _case_submission_scored(submission_id: int) -> None:
    from exercises.models import Submission

    submission = Submission.objects.filter(pk=submission_id).values("student_id", "case_id").first()
    if submission:
        _case_score_changed(submission["student_id"], submission["case_id"])


@receiver(case_scores_recorded, dispatch_uid="lti.case_scores_recorded")
def case_scored_in_batch(sender=None, scored=(), **kwargs) -> None:
    _safely(_case_batch_scored, list(scored))


def _case_batch_scored(scored: list[tuple[int, int, int]]) -> None:
    from .services.passback import any_student_linked

    # Most deployments (and every benchmark) link no account to an LMS: one cache read, no query.
    if not any_student_linked():
        return
    for student_id, case_id in dict.fromkeys((student_id, case_id) for _submission_id, student_id, case_id in scored):
        _safely(_in_savepoint, _case_score_changed, student_id, case_id)


def _in_savepoint(func, *args) -> None:
    """Run inside the caller's transaction; a failure rolls back only what ``func`` wrote."""
    with transaction.atomic():
        func(*args)


@receiver(post_save, sender="lti.UserLink", dispatch_uid="lti.user_link_saved")
def user_link_saved(sender, instance, raw=False, **kwargs) -> None:
    from .services.passback import any_link_changed

    any_link_changed(linked=True)


@receiver(post_delete, sender="lti.UserLink", dispatch_uid="lti.user_link_deleted")
def user_link_deleted(sender, instance, **kwargs) -> None:
    from .services.passback import any_link_changed

    any_link_changed(linked=None)


@receiver(post_save, sender="certification.AttemptScore", dispatch_uid="lti.exam_score_saved")
def exam_score_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    _after_commit(_exam_score_recorded, instance.student_id, instance.blueprint_id)


@receiver(post_save, sender="oauth2_provider.Application", dispatch_uid="lti.api_application_saved")
def api_application_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """An integrator's OAuth 2 application (made in the admin) is audited like the rest."""
    if raw:
        return
    from accounts.services import audit_record

    audit_record(actor=None, action="api.application_created" if created else "api.application_changed",
                 target=instance, after={"name": instance.name, "owner": instance.user_id,
                                         "grant": instance.authorization_grant_type})
