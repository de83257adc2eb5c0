"""Completion: CEU log (and CSV), certificates (printable page, PDF) and the public verification page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache

from coding_lms.csv_export import csv_writer

from ..access import certificate_for_viewer_or_404
from ..models import Certificate
from ..pdf import certificate_pdf
from ..selectors import ceu_log


def ceu_log_view(request: HttpRequest) -> HttpResponse:
    entries, total = ceu_log(student=request.user)
    certificates = Certificate.objects.filter(student=request.user).select_related("program")
    return render(request, "courses/ceu_log.html", {"entries": entries, "total": total, "certificates": certificates})


def ceu_log_csv(request: HttpRequest) -> HttpResponse:
    entries, total = ceu_log(student=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ceu-log.csv"'
    writer = csv_writer(response)
    writer.writerow(["completed_on", "program", "module", "ceu_hours"])
    for entry in entries:
        writer.writerow([entry.completed_at.date().isoformat(), entry.module.program.title, entry.module.title,
                         f"{entry.ceu_hours:.2f}"])
    writer.writerow(["", "", "Total", f"{total:.2f}"])
    return response


def verification_url(request: HttpRequest, certificate: Certificate) -> str:
    try:
        path = reverse("certificate_verify", args=[certificate.token])
    except NoReverseMatch:  # the public route is mounted at the project level
        path = f"/certificates/verify/{certificate.token}/"
    return request.build_absolute_uri(path)


def certificate_detail(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = certificate_for_viewer_or_404(user=request.user, certificate_id=certificate_id)
    return render(request, "courses/certificate.html", {
        "certificate": certificate, "verify_url": verification_url(request, certificate), "public": False,
    })


def certificate_pdf_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = certificate_for_viewer_or_404(user=request.user, certificate_id=certificate_id)
    pdf = certificate_pdf(
        student_name=certificate.student_name, program_title=certificate.program_title,
        issued_on=certificate.issued_at.strftime("%d %B %Y"), ceu_hours=f"{certificate.ceu_hours:.2f}".rstrip("0").rstrip("."),
        verify_url=verification_url(request, certificate), credential_focus=certificate.program.credential_focus,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.program.slug}.pdf"'
    return response


@never_cache
def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone holding the link sees who completed what and when (nothing else)."""
    certificate = Certificate.objects.filter(token=token[:40]).first() if token else None
    if certificate is None:
        raise Http404("No certificate matches this link.")
    return render(request, "courses/certificate.html", {
        "certificate": certificate, "verify_url": request.build_absolute_uri(), "public": True,
    })
