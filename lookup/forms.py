from __future__ import annotations

from django import forms

from codesets.models import CodeSetRelease, CodeSystem

FILE_FIELDS = (
    ("index_file", "Index to Diseases and Injuries", "icd10cm_index_<FY>.xml"),
    ("eindex_file", "External Cause Index", "icd10cm_eindex_<FY>.xml"),
    ("neoplasm_file", "Neoplasm Table", "icd10cm_neoplasm_<FY>.xml"),
    ("drug_file", "Table of Drugs and Chemicals", "icd10cm_drug_<FY>.xml"),
)


class IndexUploadForm(forms.Form):
    """The Alphabetic Index files of one ICD-10-CM release: any of the four, alone or together."""

    release = forms.ModelChoiceField(
        queryset=CodeSetRelease.objects.none(), label="ICD-10-CM release", empty_label=None,
        help_text="The Index files of a fiscal year go with that year's Tabular.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = CodeSetRelease.objects.ready().filter(system=CodeSystem.ICD10CM).order_by(
            "-effective_from", "-id")
        for name, label, example in FILE_FIELDS:
            self.fields[name] = forms.FileField(
                label=f"{label} (optional)", required=False, help_text=example,
                widget=forms.ClearableFileInput(attrs={"accept": ".xml,text/xml,application/xml"}),
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name, _, _ in FILE_FIELDS) and not self.errors:
            raise forms.ValidationError("Choose at least one Index file.")
        return data

    def uploads(self) -> list:
        return [self.cleaned_data[name] for name, _, _ in FILE_FIELDS if self.cleaned_data.get(name)]
