from __future__ import annotations

from django import forms

from .models import CodeSystem

IMPORTABLE_SYSTEMS = list(CodeSystem.choices)


class ReleaseUploadForm(forms.Form):
    system = forms.ChoiceField(choices=IMPORTABLE_SYSTEMS, label="Code system")
    label = forms.CharField(max_length=64, label="Release label", help_text="For example FY2027, or 2026-Q2 for a HCPCS quarter.")
    effective_from = forms.DateField(
        label="Effective from", widget=forms.DateInput(attrs={"type": "date"}), help_text="ICD-10-CM: October 1; CPT: January 1."
    )
    file = forms.FileField(
        label="Release file",
        help_text="ICD-10-CM: the Tabular List XML (or the order file alone). ICD-10-PCS: the tables XML "
                  "(icd10pcs_tables_<FY>.xml) or the order file alone. HCPCS: the fixed-width file or its CSV. CPT: your licensed CSV or tab file.",
    )
    order_file = forms.FileField(
        label="Order file (optional, ICD-10-CM or ICD-10-PCS)", required=False,
        help_text="With the XML: its billable flags and titles win.",
    )
    descriptors_are_licensed = forms.BooleanField(
        label="This CPT file is our school's licensed AMA data file", required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("order_file") and data.get("system") not in (CodeSystem.ICD10CM, CodeSystem.ICD10PCS):
            self.add_error("order_file", "An order file only goes with an ICD-10-CM or ICD-10-PCS release.")
        return data


class FlagResolveForm(forms.Form):
    note = forms.CharField(
        label="What did you check or change?", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a short note saying what you checked or changed."},
    )
