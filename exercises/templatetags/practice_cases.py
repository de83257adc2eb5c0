"""“Practice cases” on course module and lesson pages: the chart cases of that module the reader may open."""

from __future__ import annotations

from django import template

from ..case_library import practice_cases_for_module

register = template.Library()


@register.inclusion_tag("exercises/partials/practice_cases.html", takes_context=True)
def practice_cases(context, module, lesson=None, limit: int = 0) -> dict:
    user = context["request"].user
    cases = practice_cases_for_module(user=user, module_slug=module.slug,
                                      first=list(lesson.exercises or []) if lesson is not None else None)
    return {"cases": cases[:limit] if limit else cases, "total": len(cases), "module": module, "user": user,
            "not_tried": sum(1 for case in cases if case.student_status == "new")}
