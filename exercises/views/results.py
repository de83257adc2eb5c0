"""The result panel shared by the student's page, the polling partial and the reviewer's page."""

from __future__ import annotations

from django.http import HttpRequest

from ..forms import CommentForm, OverrideLineForm, OverrideTotalForm
from ..grading import Policy, display_code, score_from_components
from ..inpatient.views import drg_view
from ..models import Submission, SubmissionScore, SubmissionStatus
from ..selectors import current_score
from ..services.queries import case_score_with_query
from ..services.review import score_components
from .queries import query_result_context

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
        # Extra lines: set by _extra_costs.
        "extra_penalty": None, "score_without": None, "score_effect": None, "no_effect_reason": "",
    }


def _tally(lines: list[dict]) -> dict:
    """Line counts from the findings as they stand (instructor overrides included).

    A line with part credit is counted as wrong: it lost points, and "0 wrong" next to a wrong E/M
    level or a misplaced principal diagnosis would tell the student nothing was wrong.
    """
    counts = {"correct": 0, "partial": 0, "wrong": 0, "missing": 0, "extra": 0}
    points_lost = 0.0
    for line in lines:
        if line["optional_skipped"]:
            continue
        verdict = line.get("verdict")
        if verdict in counts:
            counts[verdict] += 1
        if verdict in ("partial", "wrong", "missing"):
            points_lost += max(0.0, float(line.get("points_possible") or 0.0) - float(line.get("points_earned") or 0.0))
    return {**counts, "not_right": counts["partial"] + counts["wrong"], "points_lost": round(points_lost, 2),
            "points_lost_text": f"{round(points_lost, 2):g}", "lines": sum(counts.values())}


def _extra_costs(score: SubmissionScore, lines: list[dict]) -> dict | None:
    """What the extra lines cost: points entered against the student and the score without them.

    Under the default formula an extra line raises the denominator only when the entered points
    outnumber the key's, so the score effect is worked out, not assumed.
    """
    extras = [line for line in lines if line.get("verdict") == "extra"]
    if not extras or score.result.get("total_override") is not None:
        return None
    components = score_components(score)
    if components is None:
        return None
    policy = Policy.from_mapping(score.policy)
    current, _ = score_from_components(policy, **components)
    current = case_score_with_query(score.result, current)

    def without(n: int) -> float:
        value, _ = score_from_components(policy, **{
            **components, "n_extra": components["n_extra"] - n,
            "entered_weight": components["entered_weight"] - n * policy.extra_penalty,
        })
        return case_score_with_query(score.result, value)

    one = without(1)
    if policy.denominator == "max" and components["key_weight"] >= components["entered_weight"]:
        no_effect_reason = "the key still holds at least as many points as you entered"
    else:
        no_effect_reason = "the score cannot go lower"
    for line in extras:
        line["extra_penalty"] = policy.extra_penalty
        line["score_without"] = one
        line["score_effect"] = round(one - current, 2)
        line["no_effect_reason"] = no_effect_reason
    every = without(len(extras))
    return {"penalty": policy.extra_penalty * len(extras), "score_without": every,
            "score_effect": round(every - current, 2)}


def result_context(request: HttpRequest, submission: Submission) -> dict:
    score = current_score(submission) if submission.status == SubmissionStatus.SCORED else None
    user = request.user
    can_review = user.can_author and submission.student_id != user.pk
    lines = []
    extra_costs = None
    if score is not None:
        lines = [_line_view(f, i) for i, f in enumerate(score.result.get("findings", []))]
        extra_costs = _extra_costs(score, lines)
    history = list(submission.scores.select_related("key").order_by("created_at")) if score else []
    overrides = list(score.overrides.select_related("created_by")) if score else []
    return {
        "submission": submission,
        "score": score,
        "lines": lines,
        "tally": _tally(lines),
        "extra_costs": extra_costs,
        "checks": [{**c, "label": CHECK_LABELS.get(c["kind"], c["kind"])} for c in score.result.get("checks", [])]
        if score else [],
        "notices": score.result.get("notices", []) if score else [],
        "history": history,
        "overrides": overrides,
        "adjusted": bool(score and abs(score.final_score - score.score) > 1e-9) or bool(overrides),
        "pass_mark": score.policy.get("pass_mark", 70) if score else 70,
        "can_review": can_review,
        "override_form": OverrideLineForm() if can_review else None,
        "credit_choices": OverrideLineForm.base_fields["credit"].choices if can_review else [],
        "total_form": OverrideTotalForm() if can_review else None,
        "comment_form": CommentForm() if can_review else None,
        **query_result_context(submission, score, can_review=can_review),
        "drg": drg_view(score.result.get("drg")) if score else None,
    }
