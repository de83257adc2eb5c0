"""Forms for instructors' own exam blueprints."""

from __future__ import annotations

from django import forms

from courses.selectors import cohorts_for_instructor

from .domains import EXAM_DOMAINS


class BlueprintForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    question_count = forms.IntegerField(min_value=1, max_value=300, initial=25, label="Number of questions")
    time_limit_minutes = forms.IntegerField(min_value=1, max_value=600, initial=60, label="Time limit (minutes)")
    pass_percent = forms.IntegerField(min_value=1, max_value=100, initial=70, label="Pass mark (%)")
    cohort = forms.ModelChoiceField(queryset=None, required=False, empty_label="Every student", label="Who can take it")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts_for_instructor(instructor=user).order_by("name")
        for slug, label in EXAM_DOMAINS:
            self.fields[f"weight_{slug}"] = forms.IntegerField(
                min_value=0, max_value=100, required=False, label=label, initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def main_fields(self):
        return [self[name] for name in ("name", "description", "question_count", "time_limit_minutes", "pass_percent", "cohort")]

    def weight_fields(self):
        return [self[f"weight_{slug}"] for slug, _ in EXAM_DOMAINS]

    def weights(self) -> dict[str, float]:
        return {slug: float(self.cleaned_data.get(f"weight_{slug}") or 0) for slug, _ in EXAM_DOMAINS}

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f"weight_{slug}") or 0) > 0 for slug, _ in EXAM_DOMAINS):
            raise forms.ValidationError("Give at least one domain a weight above zero.")
        return cleaned
