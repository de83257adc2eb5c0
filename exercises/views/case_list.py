"""The case list: filters by module, setting, specialty, difficulty, exam domain and the student's own status.

Server-rendered (a GET form that works without JavaScript); with htmx, changing a filter swaps only the results
and updates the address, and the count is announced in a live region.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certification.domains import EXAM_DOMAINS

from ..access import editable_case_ids
from ..case_library import (
    REVIEW_CHOICES,
    STATUS_CHOICES,
    CaseFilters,
    cases_filtered,
    module_choices,
    module_titles,
    student_status,
)
from ..models import Difficulty, Setting, Specialty
from ..selectors import latest_attempts_by_case


def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = CaseFilters.from_query(request.GET, for_author=user.can_author)
    cases = list(cases_filtered(user=user, filters=filters).select_related("icd10cm_release"))
    attempts = latest_attempts_by_case(student=user, cases=cases) if user.is_student else {}
    editable = editable_case_ids(user=user, case_ids=[case.pk for case in cases]) if user.can_author else set()
    titles = module_titles()
    for case in cases:
        attempt = attempts.get(case.pk)
        case.editable = case.pk in editable
        # Whether a case expects a provider query is part of its key: a student learns it only after submitting.
        case.show_query_badge = case.is_query_case and (user.can_author or attempt is not None)
        case.attempt = attempt
        case.attempt_score = attempt.current_scores[0] if attempt and attempt.current_scores else None
        case.student_status = student_status(case)
        case.module_title = titles.get(case.module_slug, "")
    not_tried = sum(1 for case in cases if case.student_status == "new")
    context = {
        "cases": cases, "filters": filters, "not_tried": not_tried,
        "query": urlencode(filters.active),
        "modules": module_choices(user=user, titles=titles), "settings": Setting.choices,
        "specialties": Specialty.choices, "difficulties": Difficulty.choices, "statuses": STATUS_CHOICES,
        "domains": EXAM_DOMAINS, "reviews": REVIEW_CHOICES,
    }
    template = "exercises/partials/case_results.html" if request.htmx else "exercises/case_list.html"
    return render(request, template, context)
