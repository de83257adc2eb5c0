"""Keep a case's suggested time in step with its chart and key (called by the services that change them)."""

from __future__ import annotations

from ..models import Case, CaseDocument
from ..time_estimate import case_minutes


def case_time_estimate_refresh(*, case: Case) -> int:
    """Recompute and store ``case.suggested_minutes`` from the chart and the current key."""
    bodies = list(CaseDocument.objects.filter(case=case).values_list("body", flat=True))
    key = case.answer_keys.order_by("-version").first()
    lines = key.lines.count() if key is not None else 0
    minutes = case_minutes(document_bodies=bodies, key_lines=lines, query_case=case.is_query_case)
    if minutes != case.suggested_minutes:
        Case.objects.filter(pk=case.pk).update(suggested_minutes=minutes)
        case.suggested_minutes = minutes
    return minutes
