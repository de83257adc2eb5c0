"""Instructors define their own practice exams."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.permissions import require_author

from ..forms import BlueprintForm
from ..services.blueprints import blueprint_create


def blueprint_new(request):
    require_author(request.user)
    form = BlueprintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blueprint = blueprint_create(
                actor=request.user,
                name=data["name"],
                description=data["description"],
                question_count=data["question_count"],
                time_limit_minutes=data["time_limit_minutes"],
                pass_percent=data["pass_percent"],
                cohort=data["cohort"],
                weights=form.weights(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"“{blueprint.name}” is ready for students.")
            return redirect("certification:exam_list")
    return render(request, "certification/blueprint_form.html", {"form": form})
