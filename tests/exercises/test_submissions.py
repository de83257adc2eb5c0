"""Submitting, scoring on commit, idempotency, drafts and bad input (through real HTTP)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certification.models import MasteryEvidence
from exercises.models import Submission, SubmissionScore, SubmissionStatus
from exercises.services import submission_score, submissions_requeue_stale
from exercises.tasks import requeue_stale_submissions, score_submission

pytestmark = pytest.mark.django_db

FORM = {
    "principal_code": "I21.4", "dx_code": ["E11.65", "I10"], "px_system": ["cpt"], "px_code": ["93458"],
    "px_modifiers": ["26"], "px_units": ["1"],
}


def _draft(client, student, case):
    client.post(f"/cases/{case.slug}/draft/", {})  # the first autosave creates the draft
    return Submission.objects.get(student=student, case=case, status="draft")


def test_submit_commits_first_then_queues_exactly_one_scoring(student_client, student, case, django_capture_on_commit_callbacks):
    draft = _draft(student_client, student, case)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = student_client.post(f"/cases/{case.slug}/submit/", {**FORM, "draft_id": draft.pk})
    assert response.status_code == 302
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.status == "pending" and draft.key is not None and draft.submitted_at is not None
    assert not SubmissionScore.objects.exists()
    callbacks[0]()
    draft.refresh_from_db()
    assert draft.status == "scored"
    assert SubmissionScore.objects.get(submission=draft).score == 100.0


def test_a_rejected_submit_queues_nothing_and_keeps_the_draft(student_client, student, case, django_capture_on_commit_callbacks):
    draft = _draft(student_client, student, case)
    bad = {**FORM, "dx_code": ["E11.65", "<script>alert(1)</script>"], "draft_id": draft.pk}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = student_client.post(f"/cases/{case.slug}/submit/", bad, follow=True)
    assert callbacks == []
    assert b"is not a code" in response.content
    assert b"<script>alert(1)</script>" not in response.content
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert [line["code"] for line in draft.lines] == ["I214", "E1165", "93458"]  # the good lines survived


def test_double_submit_gives_one_submission_and_one_score(student_client, student, case, django_capture_on_commit_callbacks):
    draft = _draft(student_client, student, case)
    with django_capture_on_commit_callbacks(execute=True):
        first = student_client.post(f"/cases/{case.slug}/submit/", {**FORM, "draft_id": draft.pk})
        second = student_client.post(f"/cases/{case.slug}/submit/", {**FORM, "draft_id": draft.pk}, follow=True)
    assert first["Location"] == f"/cases/submissions/{draft.pk}/"
    assert b"already submitted" in second.content
    assert Submission.objects.exclude(status="draft").count() == 1
    assert SubmissionScore.objects.count() == 1


def test_scoring_twice_is_a_noop(student, case, perfect_lines):
    from exercises.services import submission_submit

    submission, _ = submission_submit(student=student, case=case, lines=perfect_lines)
    first = score_submission.apply(args=[submission.pk]).get()
    second = score_submission.apply(args=[submission.pk]).get()
    assert first == 100.0 and second is None
    assert SubmissionScore.objects.filter(submission=submission).count() == 1
    assert submission_score(submission_id=submission.pk) is None


def test_scoring_records_mastery_evidence(student, case, perfect_lines):
    from exercises.services import submission_submit

    submission, _ = submission_submit(student=student, case=case, lines=perfect_lines)
    submission_score(submission_id=submission.pk)
    evidence = MasteryEvidence.objects.get(student=student, source="case", source_id=str(submission.pk))
    assert evidence.domain == case.exam_domain and evidence.score == 1.0


def test_drafts_autosave_and_come_back(student_client, student, case):
    draft = _draft(student_client, student, case)
    response = student_client.post(f"/cases/{case.slug}/draft/", {"principal_code": "i21.4", "dx_code": ["e11.6"],
                                                                   "elapsed_seconds": "95"})
    assert response.status_code == 200 and b"Draft saved" in response.content
    draft.refresh_from_db()
    assert [line["code"] for line in draft.lines] == ["I214", "E116"] and draft.elapsed_seconds == 95
    page = student_client.get(f"/cases/{case.slug}/")
    assert b'value="I21.4"' in page.content and b'value="E11.6"' in page.content


def test_a_closed_case_refuses_submissions(student_client, case):
    case.is_published = False
    case.save()
    assert student_client.get(f"/cases/{case.slug}/").status_code == 404
    assert student_client.post(f"/cases/{case.slug}/submit/", FORM).status_code == 404


def test_an_empty_submission_gets_a_clear_message(student_client, student, case):
    draft = _draft(student_client, student, case)
    response = student_client.post(f"/cases/{case.slug}/submit/", {"draft_id": draft.pk}, follow=True)
    assert b"Enter at least one code" in response.content


def test_five_hundred_lines_are_refused_with_a_message(student_client, student, case):
    draft = _draft(student_client, student, case)
    many = {"principal_code": "I21.4", "dx_code": [f"E11.{n % 10}" for n in range(500)], "draft_id": draft.pk}
    response = student_client.post(f"/cases/{case.slug}/submit/", many, follow=True)
    assert response.status_code == 200
    assert b"at most 100 lines" in response.content
    assert not Submission.objects.exclude(status="draft").exists()


def test_stale_pending_submissions_are_requeued(student, case, perfect_lines, django_capture_on_commit_callbacks):
    from exercises.services import submission_submit

    with django_capture_on_commit_callbacks(execute=False):  # the broker "lost" the message
        submission, _ = submission_submit(student=student, case=case, lines=perfect_lines)
    Submission.objects.filter(pk=submission.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_submissions.apply(kwargs={"older_than_seconds": 120}).get() == 1
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SCORED
    assert submissions_requeue_stale(older_than_seconds=120) == 0


def test_a_broker_outage_at_submit_time_loses_nothing(student_client, student, case, monkeypatch, django_capture_on_commit_callbacks):
    from exercises import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.score_submission, "delay", broker_down)
    draft = _draft(student_client, student, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(f"/cases/{case.slug}/submit/", {**FORM, "draft_id": draft.pk})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "pending"  # the sweeper picks it up later


def test_the_result_partial_polls_until_scored(student_client, student, case, django_capture_on_commit_callbacks):
    draft = _draft(student_client, student, case)
    with django_capture_on_commit_callbacks(execute=False):
        student_client.post(f"/cases/{case.slug}/submit/", {**FORM, "draft_id": draft.pk})
    pending = student_client.get(f"/cases/submissions/{draft.pk}/result/")
    assert b"Scoring" in pending.content and b'hx-trigger="load delay' in pending.content
    submission_score(submission_id=draft.pk)
    done = student_client.get(f"/cases/submissions/{draft.pk}/result/")
    assert b"hx-trigger" not in done.content and b"100.0%" in done.content



def test_a_submission_is_graded_against_the_newest_key_version(student, case, perfect_lines):
    from exercises.models import Case
    from exercises.services import submission_submit

    from .factories import make_key

    assert Case.objects.get(pk=case.pk).current_key_id == case.answer_keys.get().pk
    fifth = make_key(case, [{"role": "principal", "code": "I214"}], version=5)
    assert case.current_key_id == fifth.pk  # the in-memory case follows too
    make_key(case, [{"role": "principal", "code": "I219"}], version=3)  # an older version never takes over
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.current_key_id == fifth.pk

    submission, created = submission_submit(student=student, case=fresh, lines=perfect_lines)
    assert created and submission.key_id == fifth.pk


def test_a_case_whose_key_pointer_was_cleared_still_finds_its_newest_key(student, case, perfect_lines):
    from exercises.models import Case
    from exercises.services import submission_submit

    Case.objects.filter(pk=case.pk).update(current_key=None)
    submission, _ = submission_submit(student=student, case=Case.objects.get(pk=case.pk), lines=perfect_lines)
    assert submission.key_id == case.answer_keys.order_by("-version").first().pk
