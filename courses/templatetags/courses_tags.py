"""Small presentation filters for course templates."""

from __future__ import annotations

from django import template

from certification.domains import domain_label as _domain_label

register = template.Library()


@register.filter
def domain_label(slug: str) -> str:
    return _domain_label(slug)


@register.filter
def as_percent(value) -> str:
    """0.756 → '76%'; None → '—'."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value) * 100)}%"


@register.filter
def pct_class(value: int) -> str:
    value = int(value or 0)
    if value == 0:
        return "cell-pct--0"
    if value >= 100:
        return "cell-pct--done"
    return "cell-pct--mid" if value >= 50 else "cell-pct--low"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def attempt_passed(attempt) -> bool:
    from ..services.progress import quiz_pass_mark

    return attempt is not None and attempt.score is not None and attempt.score >= quiz_pass_mark()


@register.simple_tag
def pending_cohort_invitations(user):
    """Invitations waiting for this student's answer (for the dashboard)."""
    from ..selectors import invitations_pending_for_student

    if not getattr(user, "is_authenticated", False) or not user.is_student:
        return []
    return list(invitations_pending_for_student(student=user))
