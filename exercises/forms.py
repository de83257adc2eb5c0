"""Forms: shapes only; rules live in services."""

from __future__ import annotations

from django import forms

from codesets.models import CodeSetRelease

from .models import Case, GradingPolicy


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "title", "summary", "setting", "specialty", "difficulty", "module_slug", "exam_domain", "icd10cm_release",
            "cpt_release", "hcpcs_release", "icd10pcs_release", "patient_age", "patient_sex", "is_query_case",
            "grading_policy", "is_published",
        ]
        help_texts = {"is_published": "Students see published cases once a second instructor has verified the key; "
                                      "before that, only the pilot cohorts you choose (see Review below)."}
        labels = {
            "is_query_case": "Query case", "is_published": "Published", "module_slug": "Course module",
            "icd10cm_release": "ICD-10-CM release", "cpt_release": "CPT release", "hcpcs_release": "HCPCS release",
            "icd10pcs_release": "ICD-10-PCS release (inpatient)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ready = CodeSetRelease.objects.ready()
        self.fields["icd10cm_release"].queryset = ready.filter(system="icd10cm")
        self.fields["cpt_release"].queryset = ready.filter(system="cpt")
        self.fields["hcpcs_release"].queryset = ready.filter(system="hcpcs")
        self.fields["icd10pcs_release"].queryset = ready.filter(system="icd10pcs")
        self.fields["grading_policy"].queryset = GradingPolicy.objects.all()
        self.fields["grading_policy"].empty_label = "Default policy"
        if not self.instance.pk:
            # A new case is pinned to the current release of each code set unless the author picks another.
            for name, system in (("icd10cm_release", "icd10cm"), ("cpt_release", "cpt"), ("hcpcs_release", "hcpcs"),
                                 ("icd10pcs_release", "icd10pcs")):
                if not self.initial.get(name):
                    current = ready.filter(system=system, is_current=True).first()
                    if current is not None:
                        self.initial[name] = current.pk
        if self.instance.pk:
            # Moving a saved case to another release is its own action (it re-validates the key).
            for name in ("icd10cm_release", "cpt_release", "hcpcs_release", "icd10pcs_release"):
                if getattr(self.instance, name + "_id"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Pinned. Use “Move to release” below to change it."


class OverrideLineForm(forms.Form):
    line_index = forms.IntegerField(min_value=0)
    # "No change" comes first and is the initial choice: saving without picking a credit changes nothing.
    credit = forms.TypedChoiceField(
        coerce=float, empty_value=None, initial="",
        choices=[("", "No change"), ("1", "Full credit"), ("0.75", "75%"), ("0.5", "50%"), ("0.25", "25%"),
                 ("0", "No credit")],
        error_messages={"required": "Choose the new credit for this line (it is set to no change)."},
    )
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class OverrideTotalForm(forms.Form):
    total = forms.FloatField(min_value=0, max_value=100)
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class OverrideQueryForm(forms.Form):
    query_score = forms.FloatField(min_value=0, max_value=100)
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Comment to the student")


class MoveReleaseForm(forms.Form):
    release = forms.ModelChoiceField(queryset=CodeSetRelease.objects.none())

    def __init__(self, *args, system: str = "icd10cm", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = CodeSetRelease.objects.ready().filter(system=system)
