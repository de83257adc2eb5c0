"""Instructor review: overrides (audited), comments, bulk regrade, grade export."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.services import audit_record
from coding_lms.csv_export import csv_writer

from ..grading import Policy, score_from_components
from ..models import InstructorComment, ScoreOverride, Submission, SubmissionScore
from .queries import case_score_with_query, rubric_score_of

OVERRIDE_MARK = "override"


def _retotal(score: SubmissionScore) -> float:
    """Final score from the engine's totals with every line override applied (a total override wins)."""
    total_override = score.result.get("total_override")
    if total_override is not None:
        return float(total_override)
    components = score_components(score)
    if components is None:
        return score.score
    value, _ = score_from_components(Policy.from_mapping(score.policy), **components)
    return case_score_with_query(score.result, value)  # a query exercise also counts its query rubric


def score_components(score: SubmissionScore) -> dict | None:
    """The engine's totals with every line override applied (None for scores stored without them)."""
    result = score.result
    components = dict(result.get("components") or {})
    if not components:
        return None
    policy = Policy.from_mapping(score.policy)
    for finding in result.get("findings", []):
        override = finding.get(OVERRIDE_MARK)
        if not override:
            continue
        if finding["verdict"] == "extra" or (finding.get("original_verdict") == "extra"):
            if override["credit"] > 0:  # an accepted extra line no longer counts against the student
                components["n_extra"] -= 1
                components["entered_weight"] -= policy.extra_penalty
            continue
        components["earned"] += override["points"] - override["engine_points"]
    return components


def score_override_line(*, actor, score: SubmissionScore, line_index: int, credit: float, reason: str) -> ScoreOverride:
    """Set one finding's credit (0-1). Extra lines: credit 1 accepts the line, 0 keeps the penalty."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change; the student will see it.")
    if not 0 <= credit <= 1:
        raise ValidationError("Credit must be between 0 and 1.")
    with transaction.atomic():
        score = SubmissionScore.objects.select_for_update().get(pk=score.pk)
        findings = score.result.get("findings", [])
        if not 0 <= line_index < len(findings):
            raise ValidationError("That line does not exist.")
        finding = findings[line_index]
        engine_points = finding.get(OVERRIDE_MARK, {}).get("engine_points", finding.get("points_earned", 0.0))
        original_verdict = finding.get("original_verdict", finding["verdict"])
        before = {"verdict": finding["verdict"], "credit": finding.get("credit", 0.0), "final_score": score.final_score}
        points = round(credit * float(finding.get("points_possible") or 0.0), 4)
        if original_verdict == "extra":
            verdict = "correct" if credit > 0 else "extra"
        else:
            verdict = "correct" if credit >= 1 else ("partial" if credit > 0 else ("missing" if original_verdict == "missing" else "wrong"))
        finding["original_verdict"] = original_verdict
        finding[OVERRIDE_MARK] = {"credit": credit, "points": points, "engine_points": engine_points, "reason": reason,
                                  "by": str(actor), "verdict_before": before["verdict"]}
        finding["verdict"] = verdict
        finding["credit"] = credit
        finding["points_earned"] = points
        score.final_score = _retotal(score)
        score.passed = score.final_score >= float(score.policy.get("pass_mark", 70))
        score.save(update_fields=["result", "final_score", "passed"])
        after = {"verdict": verdict, "credit": credit, "final_score": score.final_score}
        override = ScoreOverride.objects.create(score=score, line_index=line_index, before=before, after=after,
                                                reason=reason, created_by=actor)
        audit_record(actor=actor, action="exercises.score_line_overridden", target=score, before=before, after=after, reason=reason)
        _refresh_evidence(score)
    return override


def score_override_total(*, actor, score: SubmissionScore, total: float, reason: str) -> ScoreOverride:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change; the student will see it.")
    if not 0 <= total <= 100:
        raise ValidationError("The total must be between 0 and 100.")
    with transaction.atomic():
        score = SubmissionScore.objects.select_for_update().get(pk=score.pk)
        before = {"final_score": score.final_score}
        score.result["total_override"] = round(float(total), 2)
        score.result["total_override_reason"] = reason
        score.final_score = round(float(total), 2)
        score.passed = score.final_score >= float(score.policy.get("pass_mark", 70))
        score.save(update_fields=["result", "final_score", "passed"])
        after = {"final_score": score.final_score}
        override = ScoreOverride.objects.create(score=score, line_index=None, before=before, after=after, reason=reason, created_by=actor)
        audit_record(actor=actor, action="exercises.score_total_overridden", target=score, before=before, after=after, reason=reason)
        _refresh_evidence(score)
    return override


def score_override_query(*, actor, score: SubmissionScore, rubric_score: float, reason: str) -> ScoreOverride:
    """Set a query exercise's query rubric score (0-100); the case score is recombined with the coding score."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change; the student will see it.")
    if not 0 <= rubric_score <= 100:
        raise ValidationError("The query score must be between 0 and 100.")
    with transaction.atomic():
        score = SubmissionScore.objects.select_for_update().get(pk=score.pk)
        rubric = score.result.get("query_rubric")
        if not rubric:
            raise ValidationError("This grade has no provider query to score.")
        previous = rubric.get("override")
        before = {"query_score": previous["score"] if previous else rubric.get("score"), "final_score": score.final_score}
        rubric["override"] = {"score": round(float(rubric_score), 2), "reason": reason, "by": str(actor),
                              "engine_score": rubric.get("score")}
        score.final_score = _retotal(score)
        score.passed = score.final_score >= float(score.policy.get("pass_mark", 70))
        score.save(update_fields=["result", "final_score", "passed"])
        after = {"query_score": rubric["override"]["score"], "final_score": score.final_score}
        override = ScoreOverride.objects.create(score=score, line_index=None, before=before, after=after, reason=reason,
                                                created_by=actor)
        audit_record(actor=actor, action="exercises.query_score_overridden", target=score, before=before, after=after,
                     reason=reason)
        _refresh_evidence(score)
    return override


def _refresh_evidence(score: SubmissionScore) -> None:
    if not score.is_current:
        return
    from certification.services import evidence_record

    submission = Submission.objects.select_related("student", "case").get(pk=score.submission_id)
    evidence_record(student=submission.student, domain=submission.case.exam_domain, score=score.final_score / 100.0,
                    source="case", source_id=submission.pk)


def comment_create(*, actor, submission: Submission, body: str) -> InstructorComment:
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a comment first.")
    if len(body) > 5000:
        raise ValidationError("Comments are limited to 5,000 characters.")
    with transaction.atomic():
        comment = InstructorComment.objects.create(submission=submission, author=actor, body=body)
        audit_record(actor=actor, action="exercises.comment_added", target=submission, after={"comment": comment.pk})
    return comment


def grades_csv(rows) -> str:
    """CSV of grade rows (see selectors.review_queue)."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["student", "name", "case", "submitted_at", "status", "key_version", "engine_score", "final_score", "passed",
                     "coding_score", "query_score"])
    for sub in rows:
        score = sub.current_score
        writer.writerow([
            sub.student.username, str(sub.student), sub.case.title,
            sub.submitted_at.isoformat() if sub.submitted_at else "", sub.status,
            score.key.version if score else "", score.score if score else "", score.final_score if score else "",
            ("yes" if score.passed else "no") if score else "",
            # Query exercises: the coding score and the query rubric's score (after any override) that make the total.
            score.result.get("coding_score", "") if score else "",
            _blank_if_none(rubric_score_of(score.result)) if score else "",
        ])
    return out.getvalue()


def _blank_if_none(value):
    return "" if value is None else value
