"""The MS-DRG weights page (administrators, in Code sets): the fiscal years with weights, which year each ICD-10-CM
release and its inpatient cases are paid with, and the upload of a CMS Table 5."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from exercises.inpatient.weights import WeightsError
from exercises.inpatient.weights_admin import (
    MAX_TABLE5_BYTES, default_fiscal_year, loaded_years, release_years, weights_upload,
)

from .uploads_http import admin_upload


class DrgWeightsUploadForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label="Fiscal year", min_value=2008, max_value=2100,
        help_text="The federal fiscal year of the IPPS final rule (FY2027 starts on October 1, 2026).",
        error_messages={"required": "Give the fiscal year this table is for (for example 2027).",
                        "invalid": "The fiscal year is a four-digit year, for example 2027.",
                        "min_value": "MS-DRGs began in FY2008: give a year from 2008.",
                        "max_value": "Give a fiscal year up to 2100."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label="CMS Table 5 (tab-separated text)",
        help_text="Table 5 of the IPPS final rule: MS-DRG, MDC, type, title, relative weights, mean lengths of stay.",
        error_messages={"required": "Choose the Table 5 file to upload.",
                        "empty": "The file is empty: choose the Table 5 text file."},
    )


def _page(request, form, error: str = "", status: int = 200):
    return render(request, "codesets/drg_weights.html", {
        "form": form, "error": error, "years": loaded_years(), "releases": release_years(),
        "default_year": default_fiscal_year(), "max_mb": MAX_TABLE5_BYTES // (1024 * 1024),
    }, status=status)


@csrf_exempt
def drg_weights(request):
    return admin_upload(request, form_class=DrgWeightsUploadForm, page=_page, handle=_upload)


def _upload(request, form):
    upload = form.cleaned_data["file"]
    try:
        year, count = weights_upload(upload=upload, fiscal_year=form.cleaned_data["fiscal_year"], actor=request.user)
    except WeightsError as exc:
        return _page(request, form, f"{upload.name} was not imported: {exc}. Nothing was changed.", status=400)
    messages.success(request, f"FY{year}: {count} weighted MS-DRGs kept. Inpatient cases of FY{year} scored from "
                              f"now on show payments with these weights.")
    return redirect("codesets:drg_weights")
