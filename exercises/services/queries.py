"""Provider-query exercises: the case's query spec, the student's query, and the rubric's part of the grade.

The flow (docs/grading.md, "Provider queries"): on any case a student may write a query to the provider. On
a query exercise (a case with a ``QuerySpec``) sending it shows the provider's reply; the student then codes
the final claim, graded by the engine against the post-query key, and the query is scored by the rubric
(exercises/grading/query_rubric.py). On a case without a spec the provider answers that the record stands,
and the query counts as an extra line (``query_points``), as the "query the provider" decision always has.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from ..grading.query_rubric import (
    FORMATS,
    OPEN_ENDED,
    YES_NO,
    YES_NO_USES,
    combine_scores,
)
from ..models import QUERY_SPEC_RUBRIC_FIELDS, Case, ProviderQuery, QuerySpec, Submission, SubmissionStatus
from .submissions import draft_get_or_create

MAX_QUESTION = 3000
MAX_INDICATORS = 3000
MAX_OPTIONS = 10
MAX_OPTION = 300
# What the provider says when the record needed no clarification (a case without a query spec).
NO_CLARIFICATION_REPLY = (
    "The provider reviewed your query and replied that the record is complete as documented: no clarification "
    "or addendum was added. Code the chart as it stands."
)


# --- the spec (authors, the demo loader) ---------------------------------------------------------------------

def _term_list(raw: object, where: str, errors: list[str]) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    terms = [str(t).strip() for t in (raw or []) if str(t).strip()]
    if not terms:
        errors.append(f"{where}: list at least one term that recognises it in a query.")
    return terms


def _entries(raw: object, name: str, errors: list[str], *, required: bool) -> list[dict]:
    items = raw or []
    if not isinstance(items, (list, tuple)):
        errors.append(f"{name}: expected a list.")
        return []
    if required and not items:
        errors.append(f"{name}: at least one is needed.")
    cleaned = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("label") or "").strip():
            errors.append(f"{name} {number}: give it a label.")
            continue
        entry = {"label": str(item["label"]).strip(), "terms": _term_list(item.get("terms"), f"{name} {number}", errors)}
        if item.get("why"):
            entry["why"] = str(item["why"]).strip()
        cleaned.append(entry)
    return cleaned


def query_spec_clean(data: dict) -> dict:
    """The shape of a query spec (from the demo YAML or the admin); raise ValidationError with every problem."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError("A query spec is a mapping.")
    cleaned = {
        "gap": str(data.get("gap") or "").strip(),
        "topic_terms": [str(t).strip() for t in data.get("topic_terms") or [] if str(t).strip()],
        "indicators": _entries(data.get("indicators"), "Indicator", errors, required=True),
        "options": _entries(data.get("options"), "Option", errors, required=True),
        "unsupported": _entries(data.get("unsupported"), "Unsupported diagnosis", errors, required=False),
        "yes_no_use": str(data.get("yes_no_use") or ""),
        "provider_reply": str(data.get("provider_reply") or "").strip(),
    }
    for name, default, low, high in (("min_indicators", 3, 1, 20), ("min_options", 2, 1, 10)):
        try:
            value = int(data.get(name) or default)
        except (TypeError, ValueError):
            value = -1
        if not low <= value <= high:
            errors.append(f"{name} must be a whole number from {low} to {high}.")
        cleaned[name] = value
    if not cleaned["gap"]:
        errors.append("Say what the documentation leaves unclear (gap).")
    if not cleaned["provider_reply"]:
        errors.append("Write the provider's reply (provider_reply).")
    if cleaned["yes_no_use"] and cleaned["yes_no_use"] not in YES_NO_USES:
        errors.append("yes_no_use must be empty (not allowed) or one of: " + ", ".join(YES_NO_USES) + ".")
    if cleaned["min_indicators"] > len(cleaned["indicators"]) and cleaned["indicators"]:
        errors.append("min_indicators is more than the indicators listed.")
    if cleaned["min_options"] > len(cleaned["options"]) and cleaned["options"]:
        errors.append("min_options is more than the options listed.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def query_spec_save(*, actor, case: Case, data: dict) -> tuple[QuerySpec, bool]:
    """Create or update a case's query spec; (spec, changed). A change to what it grades is a new spec version.

    Call before publishing the case's key: the spec version is one of the case details a key version grades
    with, so a changed spec on a case with submitted work makes a new key version and a regrade.
    """
    cleaned = query_spec_clean(data)
    with transaction.atomic():
        spec = QuerySpec.objects.select_for_update().filter(case=case).first()
        if not case.is_query_case:
            Case.objects.filter(pk=case.pk).update(is_query_case=True)
            case.is_query_case = True
        if spec is None:
            spec = QuerySpec.objects.create(case=case, **cleaned)
            audit_record(actor=actor, action="exercises.query_spec_created", target=spec,
                         after={"case": case.slug, "version": spec.version})
            return spec, True
        before = {name: getattr(spec, name) for name in cleaned}
        if before == cleaned:
            return spec, False
        grading_changed = any(before[name] != cleaned[name] for name in (*QUERY_SPEC_RUBRIC_FIELDS, "provider_reply"))
        for name, value in cleaned.items():
            setattr(spec, name, value)
        if grading_changed:
            spec.version += 1
        spec.save()
        audit_record(actor=actor, action="exercises.query_spec_updated", target=spec,
                     before={"version": spec.version - int(grading_changed)},
                     after={"version": spec.version, "changed": sorted(n for n in cleaned if before[n] != cleaned[n])})
    return spec, True


def query_spec_for(case: Case) -> QuerySpec | None:
    if not case.is_query_case:
        return None
    return QuerySpec.objects.filter(case=case).first()


# --- the student's query --------------------------------------------------------------------------------------

def _options_clean(raw: object) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    return [str(o).strip()[:MAX_OPTION] for o in (raw or []) if str(o).strip()]


def query_clean(*, format: str, question: str, indicators: str, options: object) -> dict:
    """The shape of a query (not its quality: that is the rubric's). Raise ValidationError with every problem."""
    errors: list[str] = []
    question = (question or "").strip()
    indicators = (indicators or "").strip()
    cleaned_options = _options_clean(options)
    if format not in FORMATS:
        errors.append("Choose the format of your query: multiple choice, yes/no or open-ended.")
    if not question:
        errors.append("Write the question you are asking the provider.")
    if len(question) > MAX_QUESTION:
        errors.append(f"The question is limited to {MAX_QUESTION:,} characters.")
    if len(indicators) > MAX_INDICATORS:
        errors.append(f"The clinical indicators are limited to {MAX_INDICATORS:,} characters.")
    if len(cleaned_options) > MAX_OPTIONS:
        errors.append(f"Offer at most {MAX_OPTIONS} options.")
    if format == OPEN_ENDED:
        cleaned_options = []
    elif format == YES_NO:
        lowered = [o.lower() for o in cleaned_options]
        cleaned_options = [o for o in ("Yes", "No") if o.lower() not in lowered] + cleaned_options
    elif format in FORMATS and len(cleaned_options) < 2:
        errors.append("A multiple-choice query needs at least two options (one a line).")
    if errors:
        raise ValidationError(errors)
    return {"format": format, "question": question, "indicators": indicators, "options": cleaned_options}


def query_for_draft(*, student, case: Case) -> ProviderQuery | None:
    """The query on the student's open attempt of the case (sent or not), if they started one."""
    return (ProviderQuery.objects.filter(submission__student=student, submission__case=case,
                                         submission__status=SubmissionStatus.DRAFT)
            .select_related("submission").first())


def query_send(*, student, case: Case, format: str, question: str, indicators: str = "",
               options: object = ()) -> tuple[ProviderQuery, bool]:
    """Send the student's query on their open attempt: (query, sent now). A query is sent once per attempt.

    A query that fails the shape check is kept as the attempt's unsent query (so nothing typed is lost) and
    the ValidationError lists every problem.
    """
    try:
        cleaned = query_clean(format=format, question=question, indicators=indicators, options=options)
        problem = None
    except ValidationError as exc:
        problem = exc
        cleaned = {"format": format if format in FORMATS else "", "question": (question or "")[:MAX_QUESTION],
                   "indicators": (indicators or "")[:MAX_INDICATORS], "options": _options_clean(options)[:MAX_OPTIONS]}
    with transaction.atomic():
        draft = draft_get_or_create(student=student, case=case)
        draft = Submission.objects.select_for_update().get(pk=draft.pk)
        if draft.status != SubmissionStatus.DRAFT:
            raise ValidationError("This attempt was already submitted.")
        query = ProviderQuery.objects.filter(submission=draft).first()
        if query is not None and query.is_sent:
            return query, False
        query = query or ProviderQuery(submission=draft)
        for name, value in cleaned.items():
            setattr(query, name, value)
        if problem is None:
            query.sent_at = timezone.now()
        query.save()
        if problem is None and not draft.query_provider:
            draft.query_provider = True
            draft.save(update_fields=["query_provider", "updated_at"])
    if problem is not None:
        raise problem
    return query, True


def provider_reply_for(case: Case, query: ProviderQuery | None) -> str:
    """The provider's reply (Markdown) to a sent query; empty before a query is sent."""
    if query is None or not query.is_sent:
        return ""
    spec = query_spec_for(case)
    return spec.provider_reply if spec is not None else NO_CLARIFICATION_REPLY


def query_was_sent(submission: Submission) -> bool:
    return ProviderQuery.objects.filter(submission=submission, sent_at__isnull=False).exists()


# --- grading -------------------------------------------------------------------------------------------------

def rubric_score_of(result: dict) -> float | None:
    """The query rubric's score as it stands in a stored grade (an instructor's override wins); None without one."""
    rubric = result.get("query_rubric")
    if not rubric:
        return None
    override = rubric.get("override")
    return float(override["score"]) if override else float(rubric.get("score", 0.0))


def case_score_with_query(result: dict, coding_score: float) -> float:
    """A stored grade's case score from its coding score: combined with the query rubric on a query exercise."""
    rubric = rubric_score_of(result)
    if rubric is None:
        return coding_score
    return combine_scores(coding_score, rubric, float(result["query_rubric"].get("weight", 0.0)))
