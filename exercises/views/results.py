"""The result panel shared by the student's page, the polling partial and the reviewer's page."""

from __future__ import annotations

from django.http import HttpRequest

from ..forms import CommentForm, OverrideLineForm, OverrideTotalForm
from ..grading import display_code
from ..models import Submission, SubmissionStatus
from ..selectors import current_score

CHECK_LABELS = {
    "invalid_code": "Invalid code", "header_code": "Header code", "missing_seventh": "7th character",
    "excludes1": "Excludes1", "manifestation_first": "Manifestation first", "age_conflict": "Age edit",
    "sex_conflict": "Sex edit",
}
ROLE_LABELS = {"principal": "Principal diagnosis", "secondary": "Secondary diagnosis", "procedure": "Procedure",
               "em": "E/M service", "query": "Provider query"}


def _line_view(finding: dict, index: int) -> dict:
    system = finding.get("system") or "icd10cm"
    return {
        **finding,
        "index": index,
        "role_label": ROLE_LABELS.get(finding.get("role"), finding.get("role")),
        "key_display": display_code(finding.get("key_code") or "", system) if finding.get("key_code") else "",
        "answer_display": display_code(finding.get("answer_code") or "", system) if finding.get("answer_code") else "",
        "key_mods": ", ".join(finding.get("key_modifiers") or []),
        "answer_mods": ", ".join(finding.get("answer_modifiers") or []),
        "show_units": finding.get("role") in ("procedure", "em"),
        "optional_skipped": bool(finding.get("optional")) and finding.get("verdict") == "missing",
        "can_override": finding.get("role") != "query" and not (finding.get("optional") and finding.get("verdict") == "missing"),
    }


def result_context(request: HttpRequest, submission: Submission) -> dict:
    score = current_score(submission) if submission.status == SubmissionStatus.SCORED else None
    user = request.user
    can_review = user.can_author and submission.student_id != user.pk
    lines = []
    if score is not None:
        lines = [_line_view(f, i) for i, f in enumerate(score.result.get("findings", []))]
    history = list(submission.scores.select_related("key").order_by("created_at")) if score else []
    overrides = list(score.overrides.select_related("created_by")) if score else []
    return {
        "submission": submission,
        "score": score,
        "lines": lines,
        "checks": [{**c, "label": CHECK_LABELS.get(c["kind"], c["kind"])} for c in score.result.get("checks", [])]
        if score else [],
        "notices": score.result.get("notices", []) if score else [],
        "history": history,
        "overrides": overrides,
        "adjusted": bool(score and abs(score.final_score - score.score) > 1e-9) or bool(overrides),
        "pass_mark": score.policy.get("pass_mark", 70) if score else 70,
        "can_review": can_review,
        "override_form": OverrideLineForm() if can_review else None,
        "total_form": OverrideTotalForm() if can_review else None,
        "comment_form": CommentForm() if can_review else None,
    }
