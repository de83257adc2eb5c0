"""The cohort DRG audit page and its CSV: for the cohort's instructors and administrators only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.services import audit_record
from courses.access import cohort_for_instructor_or_404

from ..inpatient.audit import DrgAudit, Tally, audit_csv
from ..inpatient.audit_selectors import cohort_drg_audit
from ..inpatient.views import money


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _signed(value: float | None) -> str:
    return "—" if value is None else (money(value) or "$0")


def _plain(value: float | None) -> str:
    return "—" if value is None else (money(value).lstrip("+") or "$0")


def _tally_view(tally: Tally) -> dict:
    paid = tally.with_payment > 0
    return {
        "label": tally.label, "ident": tally.ident, "submissions": tally.submissions, "scored": tally.scored,
        "matched": tally.matched, "accuracy": _percent(tally.accuracy),
        "variance_total": _signed(tally.variance_total if paid else None),
        "variance_mean": _signed(tally.variance_mean), "absolute_total": _plain(tally.absolute_total if paid else None),
        "absolute_mean": _plain(tally.absolute_mean),
        "under": paid and tally.variance_total < 0, "over": paid and tally.variance_total > 0,
    }


_PLACEHOLDER = "987654321"  # one reverse() for every row's link
ROWS_SHOWN = 400  # the page lists this many claims; the CSV has every one


def _drg_text(value: int | None) -> str:
    return f"{value:03d}" if value is not None else "—"


def _row_view(row, result_url: str) -> dict:
    """Everything a claim's table row shows, as text, so the template only places it (long cohorts render fast)."""
    return {
        "id": row.submission_id, "student": row.student_name, "case": row.case_title, "grouped": row.grouped,
        "matched": row.matched, "shift": row.shift, "problem": row.problem,
        "key_drg": _drg_text(row.key_drg), "key_title": row.key_title,
        "student_drg": _drg_text(row.student_drg), "student_title": row.student_title,
        "variance": _signed(row.variance), "url": result_url.replace(_PLACEHOLDER, str(row.submission_id)),
    }


def _audit_view(audit: DrgAudit, *, cohort_id: int) -> dict:
    result_url = reverse("exercises:submission_detail", args=[_PLACEHOLDER])
    student_url = reverse("courses:cohort_student", args=[cohort_id, _PLACEHOLDER])
    return {
        "total": _tally_view(audit.total),
        "students": [{**_tally_view(t), "url": student_url.replace(_PLACEHOLDER, str(t.ident))} for t in audit.students],
        "cases": [_tally_view(t) for t in audit.cases],
        "shifts": audit.shifts[:10],
        "rows": [_row_view(row, result_url) for row in audit.rows[:ROWS_SHOWN]],
        "rows_total": len(audit.rows), "rows_hidden": max(len(audit.rows) - ROWS_SHOWN, 0),
        "example_base_rate": audit.example_base_rate,
        "base_rates": [money(rate).lstrip("+") for rate in audit.base_rates],
        "years_without_weights": audit.years_without_weights,
    }


def cohort_drg_audit_view(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    audit = cohort_drg_audit(cohort=cohort)
    return render(request, "exercises/drg_audit.html", {"cohort": cohort, **_audit_view(audit, cohort_id=cohort.pk)})


def cohort_drg_audit_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    audit = cohort_drg_audit(cohort=cohort)
    audit_record(actor=request.user, action="exercises.drg_audit_exported", target=cohort,
                 after={"submissions": len(audit.rows)})
    response = HttpResponse(audit_csv(audit), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drg-audit-cohort-{cohort.pk}.csv"'
    return response
