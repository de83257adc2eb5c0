"""The review panel of the case editor: where the case is in review, and who sees it before verification."""

from __future__ import annotations

from django import template

from ..access import can_manage_case_sharing
from ..services.case_review import can_verify_case, case_review_history, pilot_cohort_choices

register = template.Library()


@register.simple_tag
def case_review_panel(case, user) -> dict:
    if case is None or not getattr(case, "pk", None):
        return {}
    manage = can_manage_case_sharing(user=user, case=case)
    pilots = list(case.pilot_cohorts.order_by("name"))
    return {
        "pilots": pilots, "pilot_ids": {cohort.pk for cohort in pilots}, "can_manage_pilots": manage,
        "cohort_choices": pilot_cohort_choices(actor=user) if manage else [],
        "can_verify": can_verify_case(user=user, case=case), "history": case_review_history(case=case, limit=5),
    }
