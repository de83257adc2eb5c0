"""The cohort DRG audit page and its CSV: for the cohort's instructors and administrators only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def _audit_view(audit: DrgAudit) -> dict:
    return {
        "total": _tally_view(audit.total),
        "students": [_tally_view(t) for t in audit.students],
        "cases": [_tally_view(t) for t in audit.cases],
        "shifts": audit.shifts[:10],
        "rows": [{"row": row, "variance": _signed(row.variance)} for row in audit.rows],
        "example_base_rate": audit.example_base_rate,
        "base_rates": [money(rate).lstrip("+") for rate in audit.base_rates],
        "years_without_weights": audit.years_without_weights,
    }


def cohort_drg_audit_view(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    audit = cohort_drg_audit(cohort=cohort)
    return render(request, "exercises/drg_audit.html", {"cohort": cohort, **_audit_view(audit)})


def cohort_drg_audit_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    audit = cohort_drg_audit(cohort=cohort)
    audit_record(actor=request.user, action="exercises.drg_audit_exported", target=cohort,
                 after={"submissions": len(audit.rows)})
    response = HttpResponse(audit_csv(audit), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drg-audit-cohort-{cohort.pk}.csv"'
    return response
