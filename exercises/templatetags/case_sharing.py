"""The sharing panel of the case editor: who may change the case, and whether this user decides it."""

from __future__ import annotations

from django import template

from ..access import can_manage_case_sharing
from ..services.sharing import case_shares

register = template.Library()


@register.simple_tag
def case_sharing(case, user) -> dict:
    if case is None or not getattr(case, "pk", None):
        return {"shares": [], "can_manage": False}
    return {"shares": case_shares(case=case), "can_manage": can_manage_case_sharing(user=user, case=case)}
